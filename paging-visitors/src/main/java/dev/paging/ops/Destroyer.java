package dev.paging.ops;

import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.TableCursor;
import dev.paging.api.VirtualRange;
import dev.paging.core.Walker;

/**
 * Collects every table an address space owns, post-order (children before parents, the root
 * last), without descending into tables shared with other spaces: a process's exit frees its
 * user half and its root, never the kernel half it links to. A recursive entry is not descended
 * either: the tables its window shows are the space's own, each freed once where it hangs.
 */
final class Destroyer {
  private final FormatLayout g;
  private final Walker walker;

  Destroyer(FormatLayout g) {
    this.g = g;
    this.walker = g.space.walker();
  }

  DestroyResult destroy() {
    InvalidationPlan.Builder plan = InvalidationPlan.builder();
    FrameList frames = new FrameList();
    // Per half (its layout's index) and depth, the bit that makes a leaf global.
    long[][] global = new long[2][];
    for (FormatLayout half : new FormatLayout[] {g.half(0), g.half(-1L)}) {
      global[half.halfIndex] = new long[half.levels.length];
      for (int d = 0; d <= half.last; d++) {
        if (half.levels[d].leafAllowed()) {
          global[half.halfIndex][d] = globalBit(half.levels[d]);
        }
      }
    }
    PageTableVisitor v = new PageTableVisitor() {
      long runFirst;
      long runNext;
      long runCount;
      boolean runGlobal;
      long runSize;

      @Override
      public Control beforeTable(TableCursor t) {
        // A root shared with other spaces (a TTBR1 table): neither it nor anything below is ours.
        return t.level().depth() == 0 && g.shared.isShared(t.frame()) ? Control.SKIP_SUBTREE : Control.CONTINUE;
      }

      @Override
      public Control onEntry(EntryCursor e) {
        if (e.kind() == EntryKind.TABLE) {
          if (e.recursive()) {
            // The window shows tables this walk frees where they really hang; the MMU may
            // cache the window's translations of them, which die with the tables.
            plan.table(e.first(), e.last());
            return Control.SKIP_SUBTREE;
          }
          return g.shared.isShared(e.target()) ? Control.SKIP_SUBTREE : Control.CONTINUE;
        }
        if (e.kind() == EntryKind.LEAF) {
          boolean isGlobal = (e.raw() & global[g.half(e.first()).halfIndex][e.level().depth()]) != 0;
          long size = e.last() - e.first() + 1;
          // A run is of one page size: the plan's entries are the run split evenly.
          if (runCount > 0 && e.first() == runNext && isGlobal == runGlobal && size == runSize) {
            runCount++;
          } else {
            flush();
            runFirst = e.first();
            runCount = 1;
            runGlobal = isGlobal;
            runSize = size;
          }
          runNext = e.last() + 1;
        }
        return Control.CONTINUE;
      }

      @Override
      public Control afterTable(TableCursor t) {
        if (!g.shared.isShared(t.frame())) {
          frames.add(t.frame());
          if (t.level().depth() > 0) {
            plan.table(t.first(), t.last());
          }
        }
        if (t.level().depth() == 0) {
          flush();
        }
        return Control.CONTINUE;
      }

      private void flush() {
        if (runCount > 0) {
          plan.leaves(runFirst, runNext - 1, runCount, runGlobal);
          runCount = 0;
        }
      }
    };
    walker.walk(g.space.root(), g.space.upperRoot(), VirtualRange.all(), v);
    return new DestroyResult(plan.build(), PendingFrees.of(g.space.allocator(), frames.toArray()));
  }

  /** The bit that makes a leaf at {@code level} global, found by encoding. */
  private long globalBit(dev.paging.api.Level level) {
    try {
      dev.paging.api.Attributes a = dev.paging.api.Attributes.readExecute();
      return g.format.encodeLeaf(level, 0, a.withGlobal(true)) ^ g.format.encodeLeaf(level, 0, a);
    } catch (IllegalArgumentException e) {
      return 0;
    }
  }
}
