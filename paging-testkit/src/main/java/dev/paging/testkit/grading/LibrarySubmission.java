package dev.paging.testkit.grading;

import dev.paging.api.Attributes;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.ops.CollapseResult;
import dev.paging.ops.ConflictPolicy;
import dev.paging.ops.MapOptions;
import dev.paging.ops.MapResult;
import dev.paging.ops.PageTables;
import dev.paging.ops.ReclaimMode;
import dev.paging.ops.ReclaimResult;
import dev.paging.ops.Reclaimer;

/**
 * The library as a {@link PagingSubmission}: {@link PageTables} for the operations, and {@link
 * Reclaimer} or a {@link ReclaimSubmission} for reclamation.
 */
final class LibrarySubmission implements PagingSubmission {
  private final PageTables tables;
  private final ReclaimSubmission reclaim;
  private Reclaimer reclaimer;

  LibrarySubmission(PageTables tables, ReclaimSubmission reclaim) {
    this.tables = tables;
    this.reclaim = reclaim;
  }

  @Override
  public AddressSpace space() {
    return tables.space();
  }

  @Override
  public Outcome map(VirtualRange range, long physicalStart, Attributes attributes, ConflictPolicy policy) {
    MapResult r = tables.map(range, physicalStart, attributes, MapOptions.defaults().withConflictPolicy(policy));
    return Outcome.of(r.plan(), r.pendingFrees());
  }

  @Override
  public Outcome unmap(VirtualRange range) {
    return Outcome.of(tables.unmap(range).plan());
  }

  @Override
  public Outcome protect(VirtualRange range, Attributes attributes) {
    return Outcome.of(tables.protect(range, attributes).plan());
  }

  @Override
  public Outcome smash(long address, long pageSize) {
    return Outcome.of(tables.smash(address, pageSize).plan());
  }

  @Override
  public Outcome collapse(VirtualRange range) {
    CollapseResult r = tables.collapse(range);
    return Outcome.of(r.plan(), r.pendingFrees());
  }

  @Override
  public Outcome reclaim(VirtualRange range, ReclaimMode mode) {
    if (reclaim != null) {
      reclaim.reclaim(tables.space(), range, mode);
      return Outcome.none();
    }
    if (reclaimer == null) {
      reclaimer = Reclaimer.of(tables.space());
    }
    ReclaimResult r = reclaimer.reclaim(range, mode);
    return Outcome.of(r.plan(), r.pendingFrees());
  }

  @Override
  public String toString() {
    return reclaim == null ? "the library over " + tables.space()
        : "the library with reclaim by " + reclaim + " over " + tables.space();
  }
}
