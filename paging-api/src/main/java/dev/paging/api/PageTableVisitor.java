package dev.paging.api;

/**
 * The hooks the walker calls while it walks a range through a page-table hierarchy, top-down,
 * in address order. Every hook has a default that continues, so a visitor overrides only what
 * it needs.
 *
 * <p>For each table: {@link #beforeTable}, then for each part of the range in the table either
 * {@link #onEntry} (a non-empty entry; if it points to a table, that table's hooks follow before
 * the next entry), {@link #onHole} (a run of empty entries) or {@link #onMalformed}, then {@link
 * #afterTable} once its children are done (post-order, so bottom-up work comes naturally).
 *
 * <p>Each non-empty entry reaches exactly one of {@link #onEntry} and {@link #onMalformed}: an
 * entry the walker cannot follow — malformed bits, or a table pointer whose table lies outside
 * physical memory — goes to {@code onMalformed} and never to {@code onEntry}. A table pointer to
 * one of its own ancestors is followed, as the MMU follows it ({@link EntryCursor#recursive()}).
 * (An entry a visitor rewrites in {@code onEntry} through a cursor is walked as rewritten; if
 * what it wrote cannot be followed, that new value is reported to {@code onMalformed}.)
 */
public interface PageTableVisitor {
  default Control beforeTable(TableCursor table) {
    return Control.CONTINUE;
  }

  /**
   * A non-empty entry the walker can follow: a table pointer to a table inside memory (one of
   * its ancestors included: a recursive mapping), a leaf (at any level), or a not-present marker.
   * An entry that is malformed, or points to a table outside memory, is reported to {@link
   * #onMalformed} instead, and only there.
   */
  default Control onEntry(EntryCursor entry) {
    return Control.CONTINUE;
  }

  default Control onHole(HoleCursor hole) {
    return Control.CONTINUE;
  }

  /**
   * An entry the walker will not follow, instead of {@link #onEntry}: its bits are malformed for
   * the format ({@code entry.kind()} is {@link EntryKind#MALFORMED} and {@code problem} is the
   * format's {@link PagingFormat#problem}), or it is a well-formed table pointer ({@code
   * entry.kind()} is {@link EntryKind#TABLE}) to a table outside physical memory ({@link
   * EntryProblem#TABLE_OUTSIDE_MEMORY}). Nothing below the entry is walked.
   */
  default Control onMalformed(EntryCursor entry, EntryProblem problem) {
    return Control.CONTINUE;
  }

  default Control afterTable(TableCursor table) {
    return Control.CONTINUE;
  }
}
