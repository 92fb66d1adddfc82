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
 */
public interface PageTableVisitor {
  default Control beforeTable(TableCursor table) {
    return Control.CONTINUE;
  }

  /**
   * A non-empty entry: a table pointer, a leaf (at any level), or a not-present marker. A
   * malformed entry is reported to {@link #onMalformed} instead.
   */
  default Control onEntry(EntryCursor entry) {
    return Control.CONTINUE;
  }

  default Control onHole(HoleCursor hole) {
    return Control.CONTINUE;
  }

  /**
   * An entry the walker will not follow: its bits are malformed for the format, or it points to
   * a table outside physical memory or to one of its own ancestors (a cycle).
   */
  default Control onMalformed(EntryCursor entry, EntryProblem problem) {
    return Control.CONTINUE;
  }

  default Control afterTable(TableCursor table) {
    return Control.CONTINUE;
  }
}
