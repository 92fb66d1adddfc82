package dev.paging.api;

/**
 * Why an entry cannot be followed. The first group is decided by the format from the entry's
 * bits alone; the last by the walker, from where the entry points. A table entry that points to
 * one of its own ancestors is not a problem: the MMU follows it, and so does the walker (see
 * {@link EntryCursor#recursive()}).
 */
public enum EntryProblem {
  /** A reserved bit is set (x86 PS in the top level, XD without NXE, RISC-V bits 60:54...). */
  RESERVED_BITS,
  /** The output address has bits at or above the format's physical address width. */
  ADDRESS_BEYOND_PHYSICAL_WIDTH,
  /** A huge leaf whose address has bits set below its page size. */
  MISALIGNED_LEAF,
  /** A leaf at a level that cannot hold one (x86 PS in a PDPT entry without 1 GiB pages). */
  LEAF_NOT_ALLOWED,
  /** A RISC-V encoding the spec reserves: W without R, or PBMT value 3. */
  RESERVED_ENCODING,
  /** RISC-V A, D or U set in an entry that points to a table. */
  NON_LEAF_FLAGS,
  /** A pointer to a next table at the last level. */
  TABLE_AT_LAST_LEVEL,
  /** Reported by the walker: the table lies (partly) outside physical memory. */
  TABLE_OUTSIDE_MEMORY
}
