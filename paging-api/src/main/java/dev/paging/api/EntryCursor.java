package dev.paging.api;

/**
 * A non-empty entry the walker is at. A flyweight: read it inside the hook, never keep it.
 * {@link #write(long)} changes the entry in memory and in this cursor, and the walker goes on
 * from what it holds after {@code onEntry}, so an entry a visitor turns into a table (a smash) is
 * then walked into, without being read again.
 */
public interface EntryCursor {
  /** The table holding the entry. */
  TableCursor table();

  default Level level() {
    return table().level();
  }

  /** The entry's index in its table. */
  int index();

  /** The physical address of the entry itself. */
  default long entryAddress() {
    return level().entryAddress(table().frame(), index());
  }

  /** The first virtual address the entry maps. */
  long first();

  /** The last virtual address the entry maps, inclusive. */
  long last();

  /** The entry's bits as last read or written through this cursor. */
  long raw();

  EntryKind kind();

  /** The table or page the entry points to; meaningful for {@code TABLE} and {@code LEAF}. */
  long target();

  /**
   * True for a {@code TABLE} entry that points to a table on the walk's path from the root to
   * this entry, its own table included: a recursive (self-referencing) mapping, as Windows x64
   * (PML4 entry 0x1ED, or a randomized one) and rust-osdev's {@code RecursivePageTable} use to
   * make every table addressable. It is legal, and the MMU follows it like any table entry,
   * reading the same table again one level down, so the walk still ends after as many levels as
   * the format has; the walker does the same. Below such an entry every table is seen at a level
   * other than its own ({@link TableCursor#inRecursiveWindow()}). False for every other entry.
   */
  boolean recursive();

  /** The entry's decoded attributes (allocates; meaningful for {@code TABLE} and {@code LEAF}). */
  Attributes attributes();

  /**
   * The attributes in force for this entry as the MMU applies them: its own, folded with those
   * of every table entry above it on the walk's path by {@link PagingFormat#effective} (x86 ANDs
   * writable and user and ORs execute-disable down the levels; RISC-V leaves decide alone). The
   * walker keeps the path's part per table, so asking for every entry of a table costs one
   * decode each. Meaningful for {@code TABLE} and {@code LEAF}; allocates.
   */
  Attributes effectiveAttributes();

  /** Writes {@code raw} to the entry in memory and updates this cursor's view. */
  void write(long raw);
}
