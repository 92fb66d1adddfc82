package dev.paging.ops;

/** What {@link PageTables#map} does when something in the range is already there. */
public enum ConflictPolicy {
  /**
   * Refuse: if any entry in the range is a leaf, a not-present marker or a malformed entry, throw
   * {@link dev.paging.api.MappingConflictException} naming the first such address, and change
   * nothing. Empty tables in the range are not conflicts.
   */
  FAIL,
  /**
   * Overwrite whatever is in the range. Part of a huge page that is replaced is smashed and the
   * rest of it stays mapped with the same translation and attributes; what was replaced is
   * reported in the {@link MapResult}.
   */
  REPLACE
}
