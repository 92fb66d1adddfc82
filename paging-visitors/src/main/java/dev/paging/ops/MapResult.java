package dev.paging.ops;

import java.util.List;

/**
 * What a {@link PageTables#map} did: what it replaced (under {@link ConflictPolicy#REPLACE}),
 * the table frames it allocated and unlinked, and what must be invalidated.
 */
public final class MapResult implements MutationResult {
  private final InvalidationPlan plan;
  private final List<Mapping> replaced;
  private final List<RemovedEntry> removedEntries;
  private final long tablesAllocated;
  private final PendingFrees pendingFrees;

  MapResult(InvalidationPlan plan, List<Mapping> replaced, List<RemovedEntry> removedEntries, long tablesAllocated,
      PendingFrees pendingFrees) {
    this.plan = plan;
    this.replaced = replaced;
    this.removedEntries = removedEntries;
    this.tablesAllocated = tablesAllocated;
    this.pendingFrees = pendingFrees;
  }

  /**
   * What to invalidate: replaced leaves, unlinked tables and widened table entries. A map into
   * empty space needs nothing.
   */
  @Override
  public InvalidationPlan plan() {
    return plan;
  }

  /** The mappings that were in the range and were replaced, in address order. */
  public List<Mapping> replaced() {
    return replaced;
  }

  /** Not-present markers and malformed entries that were overwritten, in address order. */
  public List<RemovedEntry> removedEntries() {
    return removedEntries;
  }

  /** Table frames taken from the allocator. */
  public long tablesAllocated() {
    return tablesAllocated;
  }

  /**
   * Tables of subtrees a huge page replaced as a whole, to give back with {@link
   * PendingFrees#release()} once the plan is applied.
   */
  @Override
  public PendingFrees pendingFrees() {
    return pendingFrees;
  }

  @Override
  public String toString() {
    return "mapped with " + tablesAllocated + " new tables, replaced " + replaced.size() + " mappings and "
        + removedEntries.size() + " other entries, " + pendingFrees.count() + " tables to free; " + plan;
  }
}
