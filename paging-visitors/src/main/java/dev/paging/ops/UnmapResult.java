package dev.paging.ops;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link PageTables#unmap} removed, and what must be invalidated. The caller owns the data
 * frames the mappings pointed to: nothing here frees them. Tables emptied by the unmap stay
 * linked; reclaiming them is a separate operation.
 *
 * <p>The result of a one-page call ({@link PageTables#unmapPage}) keeps the removed entry and
 * builds its plan and mapping when first asked, so a page-fault-rate caller that only applies the
 * plan pays for nothing else.
 */
public final class UnmapResult implements MutationResult {
  static final UnmapResult NOTHING = new UnmapResult(InvalidationPlan.none(), List.of(), List.of(), 0);

  private final @Nullable InvalidationPlan plan;
  private final @Nullable List<Mapping> unmapped;
  private final List<RemovedEntry> removedEntries;
  private final long tablesAllocated;
  /** For a one-page result: the removed leaf, from which plan and mapping are made on demand. */
  private final @Nullable PageChange page;

  UnmapResult(InvalidationPlan plan, List<Mapping> unmapped, List<RemovedEntry> removedEntries, long tablesAllocated) {
    this.plan = plan;
    this.unmapped = unmapped;
    this.removedEntries = removedEntries;
    this.tablesAllocated = tablesAllocated;
    this.page = null;
  }

  UnmapResult(PageChange page) {
    this.plan = null;
    this.unmapped = null;
    this.removedEntries = List.of();
    this.tablesAllocated = 0;
    this.page = page;
  }

  /** What to invalidate: every removed leaf, and every huge page smashed at an end of the range. */
  @Override
  public InvalidationPlan plan() {
    return page != null ? page.plan() : plan;
  }

  /** What was mapped in the range, coalesced, in address order. */
  public List<Mapping> unmapped() {
    return page != null ? page.mappings() : unmapped;
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
    return "unmapped " + unmapped().size() + " mappings and " + removedEntries.size() + " other entries with "
        + tablesAllocated + " new tables; " + plan();
  }
}
