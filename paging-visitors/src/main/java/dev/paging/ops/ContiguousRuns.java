package dev.paging.ops;

import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.Level;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.TableCursor;
import dev.paging.core.Walker;

/**
 * Keeps a format's contiguous hint true after an operation's writes (AArch64's Contiguous bit;
 * map, unmap, protect, smash and collapse call it):
 * a run of entries that carry the hint but no longer map one aligned range alike (a block of the
 * run smashed into a table, a page of it remapped, a hint asked for on a misaligned range) loses
 * the hint on every entry, through the operation's journal, and the run's range joins the
 * invalidation plan, since a TLB may hold the run as one translation. Linux does the same when it
 * splits a contiguous range.
 *
 * <p>It walks again the operation's range widened to whole runs, once the writes are done, only
 * for a format that has such a hint; on others it costs nothing.
 */
final class ContiguousRuns {
  private final FormatLayout g;
  private final Walker walker;
  /** The widest run's span, to widen a range to whole runs; 0 when the format has no hint. */
  private final long widest;
  private final RepairVisitor visitor = new RepairVisitor();

  ContiguousRuns(FormatLayout g) {
    this.g = g;
    this.walker = g.space.walker();
    long w = 0;
    for (FormatLayout half : new FormatLayout[] {g.half(0), g.half(-1L)}) {
      for (Level level : half.levels) {
        int n = g.format.contiguousRun(level);
        if (n > 0) {
          w = Math.max(w, level.entrySpan() * n);
        }
      }
    }
    this.widest = w;
  }

  /** True when the format has a contiguous hint at some level. */
  boolean applies() {
    return g.contiguousHints;
  }

  /**
   * Clears the hint of every run around {@code [first, last]} (one half's addresses) whose
   * entries disagree, recording the writes in {@code journal} and the runs in {@code plan}.
   */
  void repair(Journal journal, long first, long last, InvalidationPlan.Builder plan) {
    if (widest == 0) {
      return;
    }
    long lowerLast = g.format.lowerHalf().last();
    long upperFirst = g.format.upperHalf().first();
    if (Long.compareUnsigned(first, lowerLast) <= 0 && Long.compareUnsigned(last, upperFirst) >= 0) {
      // An unmap or protect across the gap: each half's part on its own.
      repairHalf(journal, first, lowerLast, plan);
      repairHalf(journal, upperFirst, last, plan);
    } else {
      repairHalf(journal, first, last, plan);
    }
  }

  private void repairHalf(Journal journal, long first, long last, InvalidationPlan.Builder plan) {
    boolean upper = Long.compareUnsigned(first, g.format.upperHalf().first()) >= 0;
    long halfFirst = upper ? g.format.upperHalf().first() : 0;
    long halfLast = upper ? -1L : g.format.lowerHalf().last();
    long a = first & -widest;
    long b = last | (widest - 1);
    a = Long.compareUnsigned(a, halfFirst) < 0 ? halfFirst : a;
    b = Long.compareUnsigned(b, halfLast) > 0 ? halfLast : b;
    visitor.journal = journal;
    visitor.plan = plan;
    visitor.lastTable = -1;
    visitor.lastRun = -1;
    walker.walk(g.space.root(), g.space.upperRoot(), a, b, visitor);
  }

  private final class RepairVisitor implements PageTableVisitor {
    Journal journal;
    InvalidationPlan.Builder plan;
    long lastTable;
    int lastRun;
    private long[] run = new long[0];

    @Override
    public Control onEntry(EntryCursor e) {
      if (e.kind() != EntryKind.LEAF) {
        return e.recursive() ? Control.SKIP_SUBTREE : Control.CONTINUE;
      }
      Level level = e.level();
      if (!g.format.contiguousHint(level, e.raw())) {
        return Control.CONTINUE;
      }
      int n = g.format.contiguousRun(level);
      int from = e.index() / n * n;
      TableCursor t = e.table();
      if (t.frame() == lastTable && from == lastRun) {
        return Control.CONTINUE;
      }
      lastTable = t.frame();
      lastRun = from;
      if (run.length != n) {
        run = new long[n];
      }
      for (int i = 0; i < n; i++) {
        run[i] = from + i == e.index() ? e.raw() : t.read(from + i);
      }
      if (g.format.contiguousRunHolds(level, run)) {
        return Control.CONTINUE;
      }
      long bit = g.format.contiguousHintBit(level);
      long runFirst = e.first() - (long) (e.index() - from) * level.entrySpan();
      boolean global = false;
      for (int i = 0; i < n; i++) {
        if (g.format.contiguousHint(level, run[i])) {
          journal.write(t, from + i, run[i], run[i] & ~bit);
          global |= g.format.attributes(level, run[i]).global();
        }
      }
      plan.leaf(runFirst, runFirst + level.entrySpan() * n - 1, global);
      return Control.CONTINUE;
    }
  }
}
