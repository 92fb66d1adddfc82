package dev.paging.ops;

import java.util.List;

/** What a {@link PageTables#collapse} did. */
public final class CollapseResult implements MutationResult {
  private final InvalidationPlan plan;
  private final List<Mapping> collapsed;
  private final PendingFrees pendingFrees;

  CollapseResult(InvalidationPlan plan, List<Mapping> collapsed, PendingFrees pendingFrees) {
    this.plan = plan;
    this.collapsed = collapsed;
    this.pendingFrees = pendingFrees;
  }

  /**
   * What to invalidate: for each collapsed table, every one of its leaves and the table itself
   * (so a full flush is usually suggested), which is why collapsing is never automatic.
   */
  @Override
  public InvalidationPlan plan() {
    return plan;
  }

  /** The huge leaves that now map what the collapsed tables mapped, in the order they were made. */
  public List<Mapping> collapsed() {
    return collapsed;
  }

  /** The collapsed tables, to give back with {@link PendingFrees#release()} once the plan is applied. */
  @Override
  public PendingFrees pendingFrees() {
    return pendingFrees;
  }

  @Override
  public String toString() {
    return "collapsed " + collapsed.size() + " tables; " + plan + "; " + pendingFrees;
  }
}
