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
}
