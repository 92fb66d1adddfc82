package dev.paging.api;

/** What a visitor's hook tells the walker to do next. */
public enum Control {
  /** Go on with the walk. */
  CONTINUE,
  /**
   * Do not go below what was just visited: from {@code beforeTable}, skip the table's entries
   * and its {@code afterTable}; from {@code onEntry}, do not descend into the table the entry
   * points to. From a hook with nothing below it (a hole, a malformed entry, {@code
   * afterTable}) it means {@link #CONTINUE}.
   */
  SKIP_SUBTREE,
  /** End the walk now: no further hook is called, not even the pending {@code afterTable}s. */
  STOP
}
