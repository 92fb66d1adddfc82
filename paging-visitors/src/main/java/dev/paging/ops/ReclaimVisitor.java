package dev.paging.ops;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryProblem;
import dev.paging.api.HoleCursor;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import dev.paging.api.TableCursor;
import dev.paging.api.VirtualRange;

/**
 * Bottom-up reclamation as one visitor among others in a walk, from {@link
 * Reclaimer#visitor(VirtualRange, ReclaimOptions)}: it decides in {@code afterTable} which tables
 * are empty, as {@link Reclaimer#reclaim} does, and changes nothing until {@link #finish()}. One
 * visitor serves one walk, over exactly the range it was made for (where each half has its own
 * root, each root's part of it).
 */
public final class ReclaimVisitor implements PageTableVisitor {
  private final Reclaimer reclaimer;
  private final Reclaimer.Pass pass;
  private final VirtualRange range;
  private final ReclaimOptions options;
  private boolean walked;
  /** Where each half has its own root: which of them the walk has begun, bit 0 lower, bit 1 upper. */
  private int roots;
  private boolean finished;

  ReclaimVisitor(Reclaimer reclaimer, Reclaimer.Pass pass, VirtualRange range, ReclaimOptions options) {
    this.reclaimer = reclaimer;
    this.pass = pass;
    this.range = range;
    this.options = options;
  }

  /**
   * @throws IllegalArgumentException at the root when the walk's range is not the one this
   *     visitor was made for (its decisions depend on which tables lie wholly inside)
   * @throws IllegalStateException when the visitor is walked a second time
   */
  @Override
  public Control beforeTable(TableCursor table) {
    if (table.parent() == null) {
      PagingFormat f = reclaimer.format();
      long first = range.first();
      long last = range.last();
      int root = 1;
      if (f.rootPerHalf()) {
        // A root of one half walks that half's part of the range.
        long lowerLast = f.lowerHalf().last();
        long upperFirst = f.upperHalf().first();
        boolean upper = table.first() != 0;
        root = upper ? 2 : 1;
        first = upper ? (Long.compareUnsigned(first, upperFirst) >= 0 ? first : upperFirst) : first;
        last = upper ? last : (Long.compareUnsigned(last, lowerLast) <= 0 ? last : lowerLast);
      }
      if (walked && (roots & root) != 0 || walked && !f.rootPerHalf() || (roots & 2) != 0) {
        throw new IllegalStateException("a reclaim visitor serves one walk; make another for " + range);
      }
      if (table.walkFirst() != first || table.walkLast() != last) {
        throw new IllegalArgumentException("this reclaim visitor was made for " + range + " but walks ["
            + hex(table.walkFirst()) + ", " + hex(table.walkLast()) + "]");
      }
      walked = true;
      roots |= root;
    }
    return pass.beforeTable(table);
  }

  @Override
  public Control onEntry(EntryCursor entry) {
    return pass.onEntry(entry);
  }

  @Override
  public Control onHole(HoleCursor hole) {
    return pass.onHole(hole);
  }

  @Override
  public Control onMalformed(EntryCursor entry, EntryProblem problem) {
    return pass.onMalformed(entry, problem);
  }

  @Override
  public Control afterTable(TableCursor table) {
    return pass.afterTable(table);
  }

  /**
   * After the walk: unlinks the empty tables and returns the result, frames pending, exactly as
   * {@link Reclaimer#reclaim(VirtualRange, ReclaimOptions)} would on the same tables. Its {@code
   * tablesVisited} and {@code entriesRead} are what this visitor was shown. When the walk met a
   * table through two links, a second walk of the reclaimer's own settles it, as {@code reclaim}
   * does.
   *
   * @throws dev.paging.api.TableNotEmptyException in {@link ReclaimMode#STRICT} mode when a
   *     candidate was not empty; nothing was changed
   * @throws IllegalStateException before the walk, or when called twice
   */
  public ReclaimResult finish() {
    if (!walked) {
      throw new IllegalStateException("finish() before the walk over " + range);
    }
    if (finished) {
      throw new IllegalStateException("finish() called twice for " + range);
    }
    finished = true;
    return reclaimer.afterWalk(pass, range, options, pass.tablesSeen, pass.entriesSeen);
  }

  @Override
  public String toString() {
    return "reclaim " + options.mode() + " of " + range;
  }
}
