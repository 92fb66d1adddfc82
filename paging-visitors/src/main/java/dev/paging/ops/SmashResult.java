package dev.paging.ops;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** What a {@link PageTables#smash} did. */
public final class SmashResult implements MutationResult {
  private final InvalidationPlan plan;
  private final @Nullable Mapping smashed;
  private final long tablesAllocated;

  SmashResult(InvalidationPlan plan, @Nullable Mapping smashed, long tablesAllocated) {
    this.plan = plan;
    this.smashed = smashed;
    this.tablesAllocated = tablesAllocated;
  }

  /**
   * What to invalidate: exactly the one huge entry that was replaced (the translation of every
   * address is unchanged), or nothing when the page was already small enough.
   */
  @Override
  public InvalidationPlan plan() {
    return plan;
  }

  /** The huge page that was split, whole, or empty when nothing was split. */
  public Optional<Mapping> smashed() {
    return Optional.ofNullable(smashed);
  }

  /** New tables: one per level split (two for 1 GiB down to 4 KiB). */
  public long tablesAllocated() {
    return tablesAllocated;
  }

  @Override
  public String toString() {
    return smashed == null ? "nothing to smash" : "smashed " + smashed + " with " + tablesAllocated + " new tables; " + plan;
  }
}
