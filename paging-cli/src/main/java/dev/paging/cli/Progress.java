package dev.paging.cli;

import java.io.Console;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A one-line progress report on standard error for a person at a terminal:
 * {@code translate: 1200 of 5000 addresses (24%)}, redrawn in place with a carriage return. It
 * appears only once the work has taken {@link #DELAY_NANOS} (quick commands never flash it), is
 * redrawn at most every {@link #INTERVAL_NANOS}, and is erased by {@link #clear()} so that what
 * the command prints next starts on a clean line. Output on standard output and the report share
 * the terminal, so a command prints its results after the work it reports on, not during it.
 *
 * <p>A disabled report prints nothing at all: commands feed one unconditionally and {@link
 * Main} decides, from whether a terminal is attached, which kind they get.
 */
final class Progress {
  /** Work shorter than this shows no progress. */
  static final long DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  /** The least time between two redraws. */
  static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private static final Progress DISABLED = new Progress(null, "", "", 0, () -> 0);

  private final PrintWriter err;
  private final String label;
  private final String unit;
  private final long total;
  private final LongSupplier clock;
  private final long start;
  /** When the line was last drawn; meaningful once {@link #everDrawn}. */
  private long lastDraw;
  private boolean everDrawn;
  /** The length of the line on screen; 0 when nothing is drawn. */
  private int drawn;
  /** Runs before each draw; null for none. */
  private Runnable beforeDraw;

  private Progress(PrintWriter err, String label, String unit, long total, LongSupplier clock) {
    this.err = err;
    this.label = label;
    this.unit = unit;
    this.total = total;
    this.clock = clock;
    this.start = clock.getAsLong();
  }

  /** A report that never prints. */
  static Progress disabled() {
    return DISABLED;
  }

  /**
   * A report on {@code err} of work on {@code total} things called {@code unit} ({@code total}
   * 0 or less when unknown), timed by {@code clock} in nanoseconds ({@code System::nanoTime}).
   */
  static Progress on(PrintWriter err, String label, String unit, long total, LongSupplier clock) {
    return new Progress(err, label, unit, total, clock);
  }

  /**
   * True when a person is likely watching standard error: the JVM has a console (standard input
   * and output are a terminal) and, on JDKs that can tell (22 and later, where a console exists
   * even when redirected), it is a terminal. Java cannot ask about standard error alone.
   */
  static boolean terminalAttached() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      Method isTerminal = Console.class.getMethod("isTerminal");
      return (Boolean) isTerminal.invoke(console);
    } catch (NoSuchMethodException e) {
      return true;
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }

  /** False for a report that never prints. */
  boolean isEnabled() {
    return err != null;
  }

  /**
   * Runs {@code action} just before each draw. A command whose output streams to the terminal
   * the report shares flushes that output there, so the report never lands before text written
   * earlier. Does nothing on a disabled report.
   */
  Progress beforeEachDraw(Runnable action) {
    if (err != null) {
      beforeDraw = action;
    }
    return this;
  }

  /** Reports that {@code done} things are finished; draws only when the delay and interval allow. */
  void update(long done) {
    update(done, 0, null);
  }

  /**
   * Reports {@code done} things and a second count of other things called {@code otherUnit}, as
   * {@code audit: 52340 entries, 210 tables} (an unknown total) or {@code ... 24%), 210 tables}.
   */
  void update(long done, long other, String otherUnit) {
    if (err == null) {
      return;
    }
    long now = clock.getAsLong();
    // The interval counts from the last draw even across a clear(), so a caller that clears
    // before each line of output does not redraw after every line.
    if (now - start < DELAY_NANOS || (everDrawn && now - lastDraw < INTERVAL_NANOS)) {
      return;
    }
    lastDraw = now;
    everDrawn = true;
    if (beforeDraw != null) {
      beforeDraw.run();
    }
    StringBuilder line = new StringBuilder(label).append(": ").append(done);
    if (total > 0) {
      line.append(" of ").append(total).append(' ').append(unit)
          .append(" (").append(done >= total ? 100 : (long) (100.0 * done / total)).append("%)");
    } else {
      line.append(' ').append(unit);
    }
    if (otherUnit != null) {
      line.append(", ").append(other).append(' ').append(otherUnit);
    }
    // Overwrite what is drawn: a report of the same work never gets shorter, so no padding.
    err.print('\r');
    err.print(line);
    err.flush();
    drawn = line.length();
  }

  /** Erases the line if one is drawn; an {@link #update} after the interval draws it again. */
  void clear() {
    if (err == null || drawn == 0) {
      return;
    }
    err.print('\r');
    err.print(" ".repeat(drawn));
    err.print('\r');
    err.flush();
    drawn = 0;
  }
}
