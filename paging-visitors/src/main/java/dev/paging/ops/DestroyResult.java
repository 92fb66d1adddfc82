package dev.paging.ops;

/** What a {@link PageTables#destroy} leaves the caller to do. */
public final class DestroyResult implements MutationResult {
  private final InvalidationPlan plan;
  private final PendingFrees pendingFrees;

  DestroyResult(InvalidationPlan plan, PendingFrees pendingFrees) {
    this.plan = plan;
    this.pendingFrees = pendingFrees;
  }

  /**
   * What to invalidate: every leaf and table the space owned. In practice, switch away from the
   * space and flush its ASID/PCID (or everything non-global) before releasing the frames.
   */
  @Override
  public InvalidationPlan plan() {
    return plan;
  }

  /**
   * Every table frame the space owned, children before parents and the root last; tables shared
   * with other spaces are not among them.
   */
  @Override
  public PendingFrees pendingFrees() {
    return pendingFrees;
  }

  @Override
  public String toString() {
    return "destroyed: " + pendingFrees + "; " + plan;
  }
}
