package dev.paging.cli;

import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryProblem;
import dev.paging.api.HoleCursor;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.TableCursor;

/**
 * Ends a dump's walk once its output passes a number of characters. The entry budget bounds the
 * entries read, not what they print: tables that link each other can make a small image print a
 * line for every one of millions of entries. The walk stops as it does when the entry budget
 * runs out, so the renderer still ends its output (the JSON stays well formed and says it is
 * incomplete), past the budget by what the hook that crossed it printed (dot draws a whole
 * table in one) and what closing the output takes.
 */
final class OutputBudget implements PageTableVisitor {
  /** The least default budget: 16 Mi characters, far more than a real image's tables print. */
  static final long MINIMUM_DEFAULT = 16L << 20;
  /** The default budget grows with the image: this many characters per byte of it. */
  static final long DEFAULT_PER_IMAGE_BYTE = 16;

  private final PageTableVisitor visitor;
  private final StreamingOutput output;
  private final long budget;
  private boolean exceeded;

  private OutputBudget(PageTableVisitor visitor, StreamingOutput output, long budget) {
    this.visitor = visitor;
    this.output = output;
    this.budget = budget;
  }

  /** {@code visitor}'s walk, ended after {@code output} has been given more than {@code budget} characters. */
  static OutputBudget of(PageTableVisitor visitor, StreamingOutput output, long budget) {
    return new OutputBudget(visitor, output, budget);
  }

  /** The default for an image of {@code imageBytes}: proportionate to it, and never small. */
  static long defaultFor(long imageBytes) {
    long scaled = imageBytes > Long.MAX_VALUE / DEFAULT_PER_IMAGE_BYTE ? Long.MAX_VALUE
        : imageBytes * DEFAULT_PER_IMAGE_BYTE;
    return Math.max(MINIMUM_DEFAULT, scaled);
  }

  /** True when the walk was ended by this budget. */
  boolean exceeded() {
    return exceeded;
  }

  private Control after(Control c) {
    if (output.charactersWritten() > budget) {
      exceeded = true;
      return Control.STOP;
    }
    return c;
  }

  @Override
  public Control beforeTable(TableCursor table) {
    return after(visitor.beforeTable(table));
  }

  @Override
  public Control onEntry(EntryCursor entry) {
    return after(visitor.onEntry(entry));
  }

  @Override
  public Control onHole(HoleCursor hole) {
    return after(visitor.onHole(hole));
  }

  @Override
  public Control onMalformed(EntryCursor entry, EntryProblem problem) {
    return after(visitor.onMalformed(entry, problem));
  }

  @Override
  public Control afterTable(TableCursor table) {
    return after(visitor.afterTable(table));
  }
}
