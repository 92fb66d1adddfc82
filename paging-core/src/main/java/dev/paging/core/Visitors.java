package dev.paging.core;

import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryProblem;
import dev.paging.api.HoleCursor;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.TableCursor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** Combinators over {@link PageTableVisitor}s. */
public final class Visitors {
  private Visitors() {}

  /**
   * One visitor that runs {@code visitors} in a single pass, calling them in the given order at
   * each hook. Each sees exactly the hooks it would see if walked alone, its own {@code
   * SKIP_SUBTREE} and {@code STOP} included: the walk skips a subtree only when every visitor
   * still running skips it, and stops only when all have stopped. (Visitors that change the
   * tables see each other's changes, as they would walked one after the other.)
   *
   * <p>The composite keeps per-walk state and resets it when a walk starts at the root; use it
   * for one walk at a time.
   *
   * @throws IllegalArgumentException if no visitor is given, or the same visitor is given twice
   */
  public static PageTableVisitor compose(PageTableVisitor... visitors) {
    return compose(Arrays.asList(Objects.requireNonNull(visitors, "visitors")));
  }

  /** See {@link #compose(PageTableVisitor...)}. */
  public static PageTableVisitor compose(List<? extends PageTableVisitor> visitors) {
    PageTableVisitor[] array = Objects.requireNonNull(visitors, "visitors").toArray(new PageTableVisitor[0]);
    if (array.length == 0) {
      throw new IllegalArgumentException("compose needs at least one visitor");
    }
    for (int i = 0; i < array.length; i++) {
      Objects.requireNonNull(array[i], "visitor " + i);
    }
    // One visitor object keeps one walk's state: called twice per hook it would count everything
    // twice or fight itself, silently. Composites given here are looked into.
    List<PageTableVisitor> members = new ArrayList<>();
    for (PageTableVisitor v : array) {
      addMembers(v, members);
    }
    for (int i = 0; i < members.size(); i++) {
      for (int j = 0; j < i; j++) {
        if (members.get(j) == members.get(i)) {
          throw new IllegalArgumentException("the visitor " + members.get(i)
              + " is composed twice; compose distinct visitors, one instance per role");
        }
      }
    }
    return array.length == 1 ? array[0] : new Composite(array);
  }

  private static void addMembers(PageTableVisitor v, List<PageTableVisitor> into) {
    if (v instanceof Composite) {
      for (PageTableVisitor member : ((Composite) v).visitors) {
        addMembers(member, into);
      }
    } else {
      into.add(v);
    }
  }

  /**
   * Tracks, per visitor, whether it stopped and the depth of the subtree it skips. {@code
   * skipFrom[i] = d} means visitor i must not see hooks of tables at depth d or below until that
   * subtree closes; it closes at the matching {@code afterTable}, or at the next hook of a
   * shallower table when the walker never entered the subtree.
   */
  private static final class Composite implements PageTableVisitor {
    private static final int NONE = Integer.MAX_VALUE;

    private final PageTableVisitor[] visitors;
    private final boolean[] stopped;
    private final int[] skipFrom;
    private int running;

    Composite(PageTableVisitor[] visitors) {
      this.visitors = visitors;
      this.stopped = new boolean[visitors.length];
      this.skipFrom = new int[visitors.length];
      reset();
    }

    private void reset() {
      Arrays.fill(stopped, false);
      Arrays.fill(skipFrom, NONE);
      running = visitors.length;
    }

    /** Forgets skips of subtrees that ended without the walker entering them. */
    private void closeBelow(int depth) {
      for (int i = 0; i < skipFrom.length; i++) {
        if (skipFrom[i] != NONE && skipFrom[i] > depth) {
          skipFrom[i] = NONE;
        }
      }
    }

    private boolean sees(int i, int depth) {
      return !stopped[i] && skipFrom[i] > depth;
    }

    private void stop(int i) {
      stopped[i] = true;
      running--;
    }

    /** SKIP_SUBTREE when every running visitor skips depth {@code depth}, else CONTINUE or STOP. */
    private Control verdict(int depth) {
      if (running == 0) {
        return Control.STOP;
      }
      for (int i = 0; i < visitors.length; i++) {
        if (sees(i, depth)) {
          return Control.CONTINUE;
        }
      }
      return Control.SKIP_SUBTREE;
    }

    @Override
    public Control beforeTable(TableCursor table) {
      int depth = table.level().depth();
      if (depth == 0) {
        reset();
      }
      for (int i = 0; i < visitors.length; i++) {
        if (sees(i, depth)) {
          Control c = visitors[i].beforeTable(table);
          if (c == Control.STOP) {
            stop(i);
          } else if (c == Control.SKIP_SUBTREE) {
            skipFrom[i] = depth;
          }
        }
      }
      Control v = verdict(depth);
      if (v == Control.SKIP_SUBTREE) {
        // The walker will not call afterTable for this table: its skips end here.
        closeBelow(depth - 1);
      }
      return v;
    }

    @Override
    public Control onEntry(EntryCursor entry) {
      int depth = entry.level().depth();
      closeBelow(depth);
      for (int i = 0; i < visitors.length; i++) {
        if (sees(i, depth)) {
          Control c = visitors[i].onEntry(entry);
          if (c == Control.STOP) {
            stop(i);
          } else if (c == Control.SKIP_SUBTREE) {
            skipFrom[i] = depth + 1;
          }
        }
      }
      return verdict(depth + 1);
    }

    @Override
    public Control onHole(HoleCursor hole) {
      int depth = hole.level().depth();
      closeBelow(depth);
      for (int i = 0; i < visitors.length; i++) {
        if (sees(i, depth) && visitors[i].onHole(hole) == Control.STOP) {
          stop(i);
        }
      }
      return running == 0 ? Control.STOP : Control.CONTINUE;
    }

    @Override
    public Control onMalformed(EntryCursor entry, EntryProblem problem) {
      int depth = entry.level().depth();
      closeBelow(depth);
      for (int i = 0; i < visitors.length; i++) {
        if (sees(i, depth) && visitors[i].onMalformed(entry, problem) == Control.STOP) {
          stop(i);
        }
      }
      return running == 0 ? Control.STOP : Control.CONTINUE;
    }

    @Override
    public Control afterTable(TableCursor table) {
      int depth = table.level().depth();
      closeBelow(depth);
      for (int i = 0; i < visitors.length; i++) {
        if (skipFrom[i] == depth) {
          skipFrom[i] = NONE;
          continue;
        }
        if (sees(i, depth) && visitors[i].afterTable(table) == Control.STOP) {
          stop(i);
        }
      }
      return running == 0 ? Control.STOP : Control.CONTINUE;
    }
  }
}
