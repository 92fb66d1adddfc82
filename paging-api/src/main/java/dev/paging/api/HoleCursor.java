package dev.paging.api;

/**
 * A maximal run of empty entries in one table, clipped to the walk range and never crossing the
 * canonical hole. A flyweight: read it inside the hook, never keep it.
 */
public interface HoleCursor {
  TableCursor table();

  default Level level() {
    return table().level();
  }

  int firstIndex();

  int lastIndex();

  /** The first virtual address of the hole, clipped to the walk range. */
  long first();

  /** The last virtual address of the hole, inclusive, clipped to the walk range. */
  long last();

  default VirtualRange range() {
    return VirtualRange.closed(first(), last());
  }

  /**
   * Asks the walker, once this hook returns, to re-read the hole's entries and visit what is now
   * there (entries, tables to descend into, smaller holes), as if it had found them: for visitors
   * that fill holes, such as a map that writes a table pointer and lets the walk continue into
   * the new table. Holes met during that second pass cannot be revisited again.
   *
   * @throws IllegalStateException when called on a hole met during such a second pass
   */
  void revisit();
}
