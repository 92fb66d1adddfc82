package dev.paging.api;

import java.util.Objects;

/**
 * One level of a page-table hierarchy: a table at this level has {@link #entries()} entries of
 * {@link #entryBytes()} bytes each, each mapping {@link #entrySpan()} bytes of virtual space.
 * Levels are immutable values owned by a {@link PagingFormat}; depth 0 is the root.
 *
 * <p>The level is also where a table's geometry lives, so that no caller computes an entry's
 * address by hand: {@link #entryAddress}, {@link #readEntry}, {@link #writeEntry}, {@link
 * #readEntries}, {@link #firstNonZeroEntry} and {@link #clearTable} read and write 8-byte entries
 * as {@link PhysicalMemory} words and 4-byte entries (32-bit x86) with {@link
 * PhysicalMemory#read32}. Most tables fill one 4 KiB frame; a PAE PDPT is 4 entries (32 bytes,
 * 32-byte aligned).
 */
public final class Level {
  private final String name;
  private final int depth;
  private final int shift;
  private final int indexBits;
  private final boolean leafAllowed;
  /** log2 of the entry size: 2 or 3. */
  private final int entryShift;
  private final long tableAlignment;

  private Level(String name, int depth, int shift, int indexBits, boolean leafAllowed, int entryShift,
      long tableAlignment) {
    this.name = name;
    this.depth = depth;
    this.shift = shift;
    this.indexBits = indexBits;
    this.leafAllowed = leafAllowed;
    this.entryShift = entryShift;
    this.tableAlignment = tableAlignment;
  }

  /**
   * A level named {@code name} at {@code depth} (0 = root), whose entry index is the virtual
   * address bits {@code [shift, shift + indexBits)}. {@code leafAllowed} says whether an entry at
   * this level may map a page of {@code 2^shift} bytes directly. Its entries are 8 bytes and its
   * tables are aligned to their size; {@link #withEntryBytes} and {@link #withTableAlignment}
   * change that.
   */
  public static Level of(String name, int depth, int shift, int indexBits, boolean leafAllowed) {
    Objects.requireNonNull(name, "name");
    if (depth < 0 || shift < 12 || indexBits < 1 || shift + indexBits > 64) {
      throw new IllegalArgumentException(
          "level " + name + ": bad geometry depth=" + depth + " shift=" + shift + " bits=" + indexBits);
    }
    return new Level(name, depth, shift, indexBits, leafAllowed, 3, 8L << indexBits);
  }

  /**
   * This level with entries of {@code bytes} bytes (4 or 8) and tables aligned to their new size.
   *
   * @throws IllegalArgumentException if {@code bytes} is neither 4 nor 8
   */
  public Level withEntryBytes(int bytes) {
    if (bytes != 4 && bytes != 8) {
      throw new IllegalArgumentException("level " + name + ": entries of " + bytes + " bytes; 4 or 8 are supported");
    }
    int s = bytes == 4 ? 2 : 3;
    return new Level(name, depth, shift, indexBits, leafAllowed, s, (long) bytes << indexBits);
  }

  /**
   * This level with tables aligned to {@code alignment} bytes, a power of two no smaller than an
   * entry: smaller than the table where the hardware ignores fewer address bits (a PAE PDPT is
   * 32-byte aligned), or larger where it asks for more (an AArch64 root of fewer than 8 entries
   * is 64-byte aligned). At most 1 GiB.
   *
   * @throws IllegalArgumentException if the alignment is not such a power of two
   */
  public Level withTableAlignment(long alignment) {
    if (Long.bitCount(alignment) != 1 || alignment < entryBytes() || alignment > (1L << 30)) {
      throw new IllegalArgumentException("level " + name + ": table alignment " + alignment
          + " is not a power of two in " + entryBytes() + ".." + (1L << 30));
    }
    return new Level(name, depth, shift, indexBits, leafAllowed, entryShift, alignment);
  }

  /** The name the architecture's manual uses: {@code PML4}, {@code PT}, {@code L2}... */
  public String name() {
    return name;
  }

  /** 0 for the root, increasing towards the last level. */
  public int depth() {
    return depth;
  }

  /** The lowest virtual address bit of this level's index. */
  public int shift() {
    return shift;
  }

  public int indexBits() {
    return indexBits;
  }

  /** Entries in one table of this level. */
  public int entries() {
    return 1 << indexBits;
  }

  /** Bytes per entry: 8, or 4 for 32-bit x86 paging. */
  public int entryBytes() {
    return 1 << entryShift;
  }

  /** Bytes per table: {@code entries() * entryBytes()} (4 KiB, or 32 for a PAE PDPT). */
  public long tableBytes() {
    return (long) entryBytes() << indexBits;
  }

  /** The alignment a table of this level must have, in bytes. */
  public long tableAlignment() {
    return tableAlignment;
  }

  /** Bytes of virtual space one entry covers; the page size of a leaf at this level. */
  public long entrySpan() {
    return 1L << shift;
  }

  /** True when an entry at this level may be a leaf (a huge page above the last level). */
  public boolean leafAllowed() {
    return leafAllowed;
  }

  /** The index of the entry of a table at this level that covers {@code address}. */
  public int index(long address) {
    return (int) ((address >>> shift) & ((1L << indexBits) - 1));
  }

  /** The physical address of entry {@code index} of the table at {@code table}. */
  public long entryAddress(long table, int index) {
    return table + ((long) index << entryShift);
  }

  /**
   * Entry {@code index} of the table at {@code table}, zero-extended when entries are 4 bytes.
   *
   * @throws PhysicalAccessException if the entry is outside {@code memory}
   */
  public long readEntry(PhysicalMemory memory, long table, int index) {
    Objects.requireNonNull(memory, "memory");
    long address = entryAddress(table, index);
    return entryShift == 3 ? memory.read(address) : memory.read32(address) & 0xffff_ffffL;
  }

  /**
   * Writes entry {@code index} of the table at {@code table}.
   *
   * @throws IllegalArgumentException if the entry is 4 bytes and {@code raw} does not fit them;
   *     nothing is written
   * @throws PhysicalAccessException if the entry is outside {@code memory} or memory is read-only
   */
  public void writeEntry(PhysicalMemory memory, long table, int index, long raw) {
    Objects.requireNonNull(memory, "memory");
    long address = entryAddress(table, index);
    if (entryShift == 3) {
      memory.write(address, raw);
      return;
    }
    if ((raw >>> 32) != 0) {
      throw new IllegalArgumentException("entry " + Addresses.hex(raw) + " does not fit the 4 bytes of a " + name
          + " entry (" + Addresses.hex(address) + ")");
    }
    memory.write32(address, (int) raw);
  }

  /**
   * Entries {@code from .. from + count - 1} of the table at {@code table} into the same
   * positions of {@code into}: one run of words for 8-byte entries, counted as {@code count}
   * reads either way.
   */
  public void readEntries(PhysicalMemory memory, long table, int from, long[] into, int count) {
    Objects.requireNonNull(memory, "memory");
    Objects.requireNonNull(into, "into");
    Objects.checkFromIndexSize(from, count, entries());
    Objects.checkFromIndexSize(from, count, into.length);
    if (entryShift == 3) {
      memory.read(entryAddress(table, from), into, from, count);
      return;
    }
    if (count > 0 && !memory.contains(entryAddress(table, from), (long) count << entryShift)) {
      throw new PhysicalAccessException(name + " entries " + from + ".." + (from + count - 1) + " of the table at "
          + Addresses.hex(table) + " are not inside " + memory);
    }
    for (int i = from; i < from + count; i++) {
      into[i] = memory.read32(entryAddress(table, i)) & 0xffff_ffffL;
    }
  }

  /**
   * The position, from {@code from}, of the first non-zero entry among the {@code count} from
   * entry {@code from}, or -1 when they are all zero. For 8-byte entries this is {@link
   * PhysicalMemory#firstNonZero}, with its counting. For 4-byte entries the whole words in the
   * run are scanned as words, so an empty table still costs one call; the word the scan stops at
   * is then read once more to tell its two entries apart.
   */
  public int firstNonZeroEntry(PhysicalMemory memory, long table, int from, int count) {
    Objects.requireNonNull(memory, "memory");
    Objects.checkFromIndexSize(from, count, entries());
    if (entryShift == 3) {
      return memory.firstNonZero(entryAddress(table, from), count);
    }
    int end = from + count;
    int i = from;
    if ((i & 1) != 0 && i < end) {
      if (memory.read32(entryAddress(table, i)) != 0) {
        return 0;
      }
      i++;
    }
    int words = (end - i) >>> 1;
    if (words > 0) {
      int found = memory.firstNonZero(entryAddress(table, i), words);
      if (found >= 0) {
        int entry = i + 2 * found;
        // The word holds two entries; its low one, when zero, was passed over.
        return memory.read32(entryAddress(table, entry)) != 0 ? entry - from : entry + 1 - from;
      }
      i += 2 * words;
    }
    if (i < end && memory.read32(entryAddress(table, i)) != 0) {
      return i - from;
    }
    return -1;
  }

  /** Writes zero to every entry of the table at {@code table}. */
  public void clearTable(PhysicalMemory memory, long table) {
    Objects.requireNonNull(memory, "memory");
    memory.zero(table, (int) (tableBytes() >>> 3));
  }

  @Override
  public String toString() {
    return name;
  }
}
