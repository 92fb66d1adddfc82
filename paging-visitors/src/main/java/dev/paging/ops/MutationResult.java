package dev.paging.ops;

/**
 * What every operation that changes the tables returns, whatever else it reports: the plan the
 * caller must apply before relying on the change, and the table frames it unlinked, which go
 * back to the allocator only after that. An OS's one code path for "after a change" reads these
 * two and nothing else:
 *
 * <pre>{@code
 * MutationResult r = tables.unmap(range);
 * shootDown(r.plan());            // TLBs and paging-structure caches, every processor concerned
 * r.pendingFrees().release();     // only now may the frames be reused
 * }</pre>
 */
public interface MutationResult {
  /** What must be invalidated before the change is safe to rely on; empty when nothing must. */
  InvalidationPlan plan();

  /**
   * The table frames the operation unlinked, held until released. None unless the operation
   * unlinks tables (reclaim, destroy, collapse, a replacing map): unmap, protect and smash leave
   * emptied tables in place for a reclaim to free.
   */
  default PendingFrees pendingFrees() {
    return PendingFrees.none();
  }
}
