package dev.paging.ops;

import java.util.List;

/**
 * What a {@link PageTables#unmap} removed, and what must be invalidated. The caller owns the data
 * frames the mappings pointed to: nothing here frees them. Tables emptied by the unmap stay
 * linked; reclaiming them is a separate operation.
 */
public final class UnmapResult implements MutationResult {
  private final InvalidationPlan plan;
  private final List<Mapping> unmapped;
  private final List<RemovedEntry> removedEntries;
  private final long tablesAllocated;

  UnmapResult(InvalidationPlan plan, List<Mapping> unmapped, List<RemovedEntry> removedEntries, long tablesAllocated) {
    this.plan = plan;
    this.unmapped = unmapped;
    this.removedEntries = removedEntries;
    this.tablesAllocated = tablesAllocated;
  }

  /** What to invalidate: every removed leaf, and every huge page smashed at an end of the range. */
  @Override
  public InvalidationPlan plan() {
    return plan;
  }

  /** What was mapped in the range, coalesced, in address order. */
  public List<Mapping> unmapped() {
    return unmapped;
  }

  /** Not-present markers and malformed entries cleared because they lay wholly in the range. */
  public List<RemovedEntry> removedEntries() {
    return removedEntries;
  }

  /** Tables allocated to smash huge pages that straddled an end of the range. */
  public long tablesAllocated() {
    return tablesAllocated;
  }

  @Override
  public String toString() {
    return "unmapped " + unmapped.size() + " mappings and " + removedEntries.size() + " other entries with "
        + tablesAllocated + " new tables; " + plan;
  }
}
