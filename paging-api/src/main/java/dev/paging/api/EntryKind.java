package dev.paging.api;

/** What a page-table entry is, as its format decodes it at a given level. */
public enum EntryKind {
  /** All bits zero: nothing here. Runs of empty entries are reported as holes. */
  EMPTY,
  /**
   * Not present to the hardware but not zero either, e.g. a swap or guard marker an OS keeps in
   * the ignored bits. It maps nothing, yet it is information, so it is visited as an entry and
   * keeps its table from being reclaimed.
   */
  NOT_PRESENT,
  /** Present and pointing to a table of the next level. */
  TABLE,
  /** Present and mapping a page, at the last level or (huge page) above it. */
  LEAF,
  /** Present but with an encoding the hardware rejects; {@link PagingFormat#problem} says why. */
  MALFORMED
}
