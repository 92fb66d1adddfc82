package dev.paging.cli;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryProblem;
import dev.paging.api.HoleCursor;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.TableCursor;
import java.io.PrintWriter;

/**
 * A visitor that prints what the walker shows it, one line per table, leaf, hole, not-present
 * or malformed entry: the virtual range first (so the column lines up), then the tree indented
 * by level. Table pointers get no line of their own: the table they lead to names them.
 */
final class TreePrinter implements PageTableVisitor {
  private final PrintWriter out;
  private long tables;

  TreePrinter(PrintWriter out) {
    this.out = out;
  }

  /** Tables printed so far. */
  long tables() {
    return tables;
  }

  @Override
  public Control beforeTable(TableCursor table) {
    tables++;
    StringBuilder line = new StringBuilder()
        .append(table.level()).append(" table ").append(hex(table.frame()));
    EntryCursor parent = table.parent();
    if (parent != null) {
      line.append("  via ").append(parent.level()).append('[').append(parent.index()).append("] ")
          .append(parent.attributes());
    }
    print(table.walkFirst(), table.walkLast(), table.level().depth(), line);
    return Control.CONTINUE;
  }

  @Override
  public Control onEntry(EntryCursor entry) {
    if (entry.kind() == EntryKind.LEAF) {
      print(entry.first(), entry.last(), entry.level().depth() + 1, new StringBuilder()
          .append(slot(entry)).append(' ').append(Sizes.name(entry.level().entrySpan()))
          .append(" page -> ").append(hex(entry.target())).append("  ").append(entry.attributes()));
    } else if (entry.kind() == EntryKind.NOT_PRESENT) {
      print(entry.first(), entry.last(), entry.level().depth() + 1, new StringBuilder()
          .append(slot(entry)).append(" not present, raw ").append(hex(entry.raw())));
    }
    return Control.CONTINUE;
  }

  @Override
  public Control onHole(HoleCursor hole) {
    int count = hole.lastIndex() - hole.firstIndex() + 1;
    StringBuilder line = new StringBuilder().append(hole.level()).append('[').append(hole.firstIndex());
    if (count > 1) {
      line.append("..").append(hole.lastIndex());
    }
    line.append("] hole, ").append(count).append(" x ").append(Sizes.name(hole.level().entrySpan()));
    print(hole.first(), hole.last(), hole.level().depth() + 1, line);
    return Control.CONTINUE;
  }

  @Override
  public Control onMalformed(EntryCursor entry, EntryProblem problem) {
    print(entry.first(), entry.last(), entry.level().depth() + 1, new StringBuilder()
        .append(slot(entry)).append(" malformed (").append(problem).append("), raw ").append(hex(entry.raw())));
    return Control.CONTINUE;
  }

  private static String slot(EntryCursor entry) {
    return entry.level() + "[" + entry.index() + "]";
  }

  /**
   * Entries and holes sit one step right of the table that holds them, where a table pointer's
   * child table sits too: its line stands for the pointer.
   */
  private void print(long first, long last, int indent, CharSequence text) {
    StringBuilder line = new StringBuilder(96).append(hex(first)).append("..").append(hex(last)).append("  ");
    line.append("  ".repeat(indent));
    out.println(line.append(text));
  }
}
