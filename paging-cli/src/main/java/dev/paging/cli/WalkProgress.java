package dev.paging.cli;

import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryProblem;
import dev.paging.api.HoleCursor;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.TableCursor;
import dev.paging.audit.AuditRule;

/**
 * Counts the tables and entries a walk goes through and feeds them to a {@link Progress}: {@code
 * audit: 52340 entries, 210 tables}. An entry counts once whatever happens to it (a run of empty
 * entries counts each one), so the count grows steadily with the work.
 *
 * <p>It joins a walk either as a visitor composed with the work's ({@link #visitor()}) or as a
 * rule of an {@link dev.paging.audit.Audit} ({@link #rule()}) that never reports anything, so
 * that the audit keeps its own walk and its own account of an exhausted entry budget.
 */
final class WalkProgress {
  private final Progress progress;
  private long tables;
  private long entries;

  private WalkProgress(Progress progress) {
    this.progress = progress;
  }

  /**
   * Progress of a walk on {@code progress}. A command that streams its output while the walk
   * runs writes it through a {@link StreamingOutput}, which keeps the two apart.
   */
  static WalkProgress of(Progress progress) {
    return new WalkProgress(progress);
  }

  private void table() {
    tables++;
    report();
  }

  private void entries(long n) {
    entries += n;
    report();
  }

  private void report() {
    progress.update(entries, tables, "tables");
  }

  /** A visitor that counts and never steers the walk. */
  PageTableVisitor visitor() {
    return new PageTableVisitor() {
      @Override
      public Control beforeTable(TableCursor table) {
        table();
        return Control.CONTINUE;
      }

      @Override
      public Control onEntry(EntryCursor entry) {
        entries(1);
        return Control.CONTINUE;
      }

      @Override
      public Control onHole(HoleCursor hole) {
        entries(hole.lastIndex() - hole.firstIndex() + 1);
        return Control.CONTINUE;
      }

      @Override
      public Control onMalformed(EntryCursor entry, EntryProblem problem) {
        entries(1);
        return Control.CONTINUE;
      }
    };
  }

  /** An audit rule that counts and reports no finding. */
  AuditRule rule() {
    return new AuditRule() {
      @Override
      public String id() {
        return "progress";
      }

      @Override
      public void beforeTable(TableCursor table, Context context) {
        table();
      }

      @Override
      public void onEntry(EntryCursor entry, Attributes effective, Context context) {
        entries(1);
      }

      @Override
      public void onHole(HoleCursor hole, Context context) {
        entries(hole.lastIndex() - hole.firstIndex() + 1);
      }

      @Override
      public void onMalformed(EntryCursor entry, EntryProblem problem, Context context) {
        entries(1);
      }
    };
  }
}
