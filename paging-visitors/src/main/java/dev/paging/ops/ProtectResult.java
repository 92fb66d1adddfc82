package dev.paging.ops;

import java.util.List;

/** What a {@link PageTables#protect} changed, and what must be invalidated. */
public final class ProtectResult implements MutationResult {
  private final InvalidationPlan plan;
  private final List<Mapping> previous;
  private final long tablesAllocated;

  ProtectResult(InvalidationPlan plan, List<Mapping> previous, long tablesAllocated) {
    this.plan = plan;
    this.previous = previous;
    this.tablesAllocated = tablesAllocated;
  }

  /** What to invalidate: every changed leaf, smashed huge page and widened table entry. */
  @Override
  public InvalidationPlan plan() {
    return plan;
  }

  /** The mappings whose attributes changed, as they were before, in address order. */
  public List<Mapping> previous() {
    return previous;
  }

  /** Tables allocated to smash huge pages that straddled an end of the range. */
  public long tablesAllocated() {
    return tablesAllocated;
  }

  @Override
  public String toString() {
    return "changed " + previous.size() + " mappings with " + tablesAllocated + " new tables; " + plan;
  }
}
