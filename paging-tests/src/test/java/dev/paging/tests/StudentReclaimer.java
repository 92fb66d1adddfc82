package dev.paging.tests;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.TableCursor;
import dev.paging.api.TableNotEmptyException;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.core.Walker;
import dev.paging.ops.ReclaimMode;
import dev.paging.testkit.grading.ReclaimSubmission;
import java.util.ArrayList;
import java.util.List;

/**
 * A reclaim visitor as a student would write it, independently of the library's Reclaimer: count
 * each table's live entries, decide in afterTable, write and free only after the walk. The
 * subclasses below each carry one bug from the seed pull request's review, so the tests can show
 * that the testkit catches them.
 */
class StudentReclaimer implements ReclaimSubmission {
  /** A table is a candidate when it lies wholly inside the range (the floor/ceiling rule). */
  boolean candidate(TableCursor table) {
    return table.level().depth() > 0 && table.fullyInRange();
  }

  /** Shared tables belong to every space that links them. */
  boolean shared(AddressSpace space, long frame) {
    return space.sharedTables().isShared(frame);
  }

  /** What to do after a leaf: keep walking. */
  Control afterLeaf(EntryCursor leaf) {
    return Control.CONTINUE;
  }

  /** A freed child no longer counts as a live entry of its parent. */
  boolean cascades() {
    return true;
  }

  /** A strict reclaim that fails changes nothing: the empty tables found first stay too. */
  boolean unlinksBeforeFailing() {
    return false;
  }

  @Override
  public void reclaim(AddressSpace space, VirtualRange range, ReclaimMode mode) {
    int levels = space.format().levels().size();
    int[] live = new int[levels];
    boolean[] candidate = new boolean[levels];
    List<long[]> unlink = new ArrayList<>();
    String[] failure = new String[1];
    Walker.walk(space, range, new PageTableVisitor() {
      @Override
      public Control beforeTable(TableCursor t) {
        live[t.level().depth()] = 0;
        candidate[t.level().depth()] = candidate(t);
        return Control.CONTINUE;
      }

      @Override
      public Control onEntry(EntryCursor e) {
        live[e.level().depth()]++;
        if (e.kind() == EntryKind.TABLE) {
          return shared(space, e.target()) ? Control.SKIP_SUBTREE : Control.CONTINUE;
        }
        return e.kind() == EntryKind.LEAF ? afterLeaf(e) : Control.CONTINUE;
      }

      @Override
      public Control afterTable(TableCursor t) {
        int d = t.level().depth();
        if (!candidate[d]) {
          return Control.CONTINUE;
        }
        if (live[d] == 0) {
          unlink.add(new long[] {t.parent().entryAddress(), t.frame()});
          if (cascades()) {
            live[d - 1]--;
          }
        } else if (mode == ReclaimMode.STRICT) {
          failure[0] = t.level().name() + " table " + hex(t.frame()) + " holds " + live[d] + " entries";
          return Control.STOP;
        }
        return Control.CONTINUE;
      }
    });
    if (failure[0] != null && !unlinksBeforeFailing()) {
      throw new TableNotEmptyException(failure[0]);
    }
    for (long[] link : unlink) {
      space.memory().write(link[0], 0);
      space.allocator().free(link[1]);
    }
    if (failure[0] != null) {
      throw new TableNotEmptyException(failure[0]);
    }
  }

  @Override
  public String toString() {
    return getClass().getSimpleName();
  }

  /** The pull request's {@code return} instead of {@code continue}: the walk ends at the first huge page. */
  static final class StopsAfterHugePage extends StudentReclaimer {
    @Override
    Control afterLeaf(EntryCursor leaf) {
      return leaf.level().entrySpan() > 4096 ? Control.STOP : Control.CONTINUE;
    }
  }

  /** Frees every empty table the walk enters, even one whose span reaches outside the range. */
  static final class FreesPartlyCoveredTables extends StudentReclaimer {
    @Override
    boolean candidate(TableCursor table) {
      return table.level().depth() > 0;
    }
  }

  /** Frees an emptied table but still counts it in its parent, so the parent is never freed. */
  static final class NoCascade extends StudentReclaimer {
    @Override
    boolean cascades() {
      return false;
    }
  }

  /** In STRICT mode, frees the empty tables it met before the one that is not empty, then fails. */
  static final class UnlinksBeforeFailing extends StudentReclaimer {
    @Override
    boolean unlinksBeforeFailing() {
      return true;
    }
  }

  /** Ignores the shared-table registry, like the pull request, which could not know. */
  static final class FreesSharedTables extends StudentReclaimer {
    @Override
    boolean shared(AddressSpace space, long frame) {
      return false;
    }
  }
}
