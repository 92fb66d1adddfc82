package dev.paging.api;

/**
 * A non-empty entry the walker is at. A flyweight: read it inside the hook, never keep it.
 * {@link #write(long)} changes the entry in memory; the walker re-reads the entry after {@code
 * onEntry}, so an entry a visitor turns into a table (a smash) is then walked into.
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
    return table().frame() + 8L * index();
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

  /** The entry's decoded attributes (allocates; meaningful for {@code TABLE} and {@code LEAF}). */
  Attributes attributes();

  /** Writes {@code raw} to the entry in memory and updates this cursor's view. */
  void write(long raw);
}
