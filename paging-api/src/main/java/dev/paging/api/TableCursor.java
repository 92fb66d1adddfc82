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

  /**
   * True when this table, or a table above it on the walk's path, is recorded in the registry of
   * shared tables the walker was given (an address space's walker is given the space's): changes
   * here reach every space that links the table. False when the walker was given none.
   */
  boolean shared();

  /**
   * True when an entry above this table on the walk's path is {@linkplain EntryCursor#recursive()
   * recursive}: the walk reached this frame through a recursive mapping's window, so the frame is
   * a table the space already has, read here at a level other than its own (what a program
   * reading the window's virtual addresses sees). Operations that free, unlink or rebuild tables
   * must not act on what they see here as if it were a table of this level.
   */
  boolean inRecursiveWindow();

  /** The index of the table's first entry inside the walk range. */
  default int firstIndex() {
    return level().index(walkFirst());
  }

  /** The index of the table's last entry inside the walk range. */
  default int lastIndex() {
    return level().index(walkLast());
  }

  /**
   * The entry at {@code index} of this table, read from memory now. The read counts in the
   * walker's {@code entriesRead} and against its entry budget; past the budget the value is still
   * returned and the walk ends, exhausted, after the hook.
   *
   * @throws IndexOutOfBoundsException if the table has no such entry
   */
  long read(int index);

  /**
   * Takes the table at once: reads the entries {@link #firstIndex()} to {@link #lastIndex()}
   * into the same positions of {@code into}, in one call to the memory, as Linux's {@code
   * pmd_entry} may take a whole PTE table. The reads count in the walker's {@code entriesRead}
   * and against its entry budget exactly as if the walker had read them. A visitor that takes a
   * table in {@code beforeTable} usually returns {@link Control#SKIP_SUBTREE}, so the walker does
   * not visit the entries again, and changes them through {@link #write(int, long)}.
   *
   * @return how many entries were read, from {@code firstIndex()}: all of them unless the entry
   *     budget ran out part way, in which case only those are valid and the walk ends, exhausted,
   *     when the hook returns
   * @throws IndexOutOfBoundsException if {@code into} is shorter than the table
   */
  int readEntries(long[] into);

  /**
   * Writes {@code raw} to the entry at {@code index} of this table. The walker does not visit
   * that entry again in this walk unless it has yet to reach it.
   *
   * @throws IndexOutOfBoundsException if the table has no such entry
   */
  void write(int index, long raw);
}
