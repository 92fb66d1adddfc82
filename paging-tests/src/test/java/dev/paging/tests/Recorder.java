package dev.paging.tests;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryProblem;
import dev.paging.api.HoleCursor;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.TableCursor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Records every hook as one line of text, optionally answering with a chosen control. */
class Recorder implements PageTableVisitor {
  final List<String> trace = new ArrayList<>();
  private final Function<String, Control> decide;

  Recorder() {
    this(line -> Control.CONTINUE);
  }

  /** {@code decide} sees each recorded line and returns what the hook answers. */
  Recorder(Function<String, Control> decide) {
    this.decide = decide;
  }

  private Control record(String line) {
    trace.add(line);
    return decide.apply(line);
  }

  @Override
  public Control beforeTable(TableCursor t) {
    return record("before " + t.level() + " " + range(t.walkFirst(), t.walkLast()));
  }

  @Override
  public Control onEntry(EntryCursor e) {
    return record("entry " + e.level() + "[" + e.index() + "] " + e.kind() + " " + range(e.first(), e.last())
        + (e.kind() == dev.paging.api.EntryKind.LEAF ? " -> " + hex(e.target()) : ""));
  }

  @Override
  public Control onHole(HoleCursor h) {
    return record("hole " + h.level() + "[" + h.firstIndex() + ".." + h.lastIndex() + "] " + range(h.first(), h.last()));
  }

  @Override
  public Control onMalformed(EntryCursor e, EntryProblem problem) {
    return record("malformed " + e.level() + "[" + e.index() + "] " + problem + " " + hex(e.raw()));
  }

  @Override
  public Control afterTable(TableCursor t) {
    return record("after " + t.level());
  }

  static String range(long first, long last) {
    return hex(first) + ".." + hex(last);
  }
}
