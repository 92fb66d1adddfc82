package dev.paging.ops;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link PageTables#protect} changed, and what must be invalidated. The result of a
 * one-page call ({@link PageTables#protectPage}) builds its plan and mapping when first asked.
 */
public final class ProtectResult implements MutationResult {
  static final ProtectResult NOTHING = new ProtectResult(InvalidationPlan.none(), List.of(), 0);

  private final @Nullable InvalidationPlan plan;
  private final @Nullable List<Mapping> previous;
  private final long tablesAllocated;
  /** For a one-page result: the leaf as it was, from which plan and mapping are made on demand. */
  private final @Nullable PageChange page;

  ProtectResult(InvalidationPlan plan, List<Mapping> previous, long tablesAllocated) {
    this.plan = plan;
    this.previous = previous;
    this.tablesAllocated = tablesAllocated;
    this.page = null;
  }

  ProtectResult(PageChange page) {
    this.plan = null;
    this.previous = null;
    this.tablesAllocated = 0;
    this.page = page;
  }

  /** What to invalidate: every changed leaf, smashed huge page and widened table entry. */
  @Override
  public InvalidationPlan plan() {
    return page != null ? page.plan() : plan;
  }

  /** The mappings whose attributes changed, as they were before, in address order. */
  public List<Mapping> previous() {
    return page != null ? page.mappings() : previous;
  }

  /** Tables allocated to smash huge pages that straddled an end of the range. */
  public long tablesAllocated() {
    return tablesAllocated;
  }

  @Override
  public String toString() {
    return "changed " + previous().size() + " mappings with " + tablesAllocated + " new tables; " + plan();
  }
}
