package dev.paging.ops;

import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryProblem;
import dev.paging.api.HoleCursor;
import dev.paging.api.PageTableVisitor;

/**
 * The one walk of a one-page unmap or protect: it ends at the page's entry, where the subclass
 * changes the leaf or hands the call to the general path. An empty entry means nothing to do; a
 * malformed one, the general path's error.
 */
abstract class OnePageVisitor implements PageTableVisitor {
  /** The call must take the general path; nothing was written. */
  boolean general;
  /** The leaf was changed: {@link #raw} is what it held, {@link #shared} whether its tables are shared. */
  boolean changed;
  boolean shared;
  long raw;

  final void begin() {
    general = false;
    changed = false;
  }

  /** Records the leaf {@code e} as it is, before the subclass writes it. */
  final void changing(EntryCursor e) {
    raw = e.raw();
    shared = e.table().shared();
    changed = true;
  }

  /** The result's record of the change, for the leaf at {@code depth} of the page at {@code va}. */
  final PageChange change(FormatLayout g, long va) {
    FormatLayout half = g.half(va);
    return new PageChange(half, half.last, va, raw, shared);
  }

  @Override
  public final Control onMalformed(EntryCursor e, EntryProblem problem) {
    general = true;
    return Control.STOP;
  }

  @Override
  public final Control onHole(HoleCursor h) {
    return Control.STOP;
  }
}
