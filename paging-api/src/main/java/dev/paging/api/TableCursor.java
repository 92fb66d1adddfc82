package dev.paging.api;

import org.jspecify.annotations.Nullable;

/**
 * The table the walker is in. Cursors are flyweights the walker reuses and mutates as it goes:
 * read them inside the hook, never keep them.
 */
public interface TableCursor {
  Level level();

  /** The physical address of the table's frame. */
  long frame();

  /**
   * The first virtual address the table maps. The root spans the whole 64-bit space (both
   * canonical halves); a table below it spans its parent entry's range.
   */
  long first();

  /** The last virtual address the table maps, inclusive. */
  long last();

  /** The first address of the walk range inside this table. */
  long walkFirst();

  /** The last address of the walk range inside this table, inclusive. */
  long walkLast();

  /** True when the table's whole span lies inside the walk range. */
  default boolean fullyInRange() {
    return first() == walkFirst() && last() == walkLast();
  }

  /** The entry pointing to this table, or {@code null} for the root. */
  @Nullable EntryCursor parent();

  /** The entry at {@code index} of this table, read from memory now. */
  long read(int index);
}
