package dev.paging.cli;

import java.io.Flushable;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.CharBuffer;

/**
 * Standard output for a command that writes while it works (a dump streams as the walk goes),
 * sharing the terminal with a {@link Progress} report on standard error.
 *
 * <ul>
 *   <li>While the report is enabled, only whole lines reach standard output: the text after the
 *       last newline waits for the rest of its line (writers such as jackson's hand over text in
 *       chunks that end anywhere). So the terminal is always at the start of a line when the
 *       report draws, after this output has been flushed to it ({@link Progress#beforeEachDraw});
 *       each line written first erases the report. Without a report, text goes straight through.
 *   <li>A {@link PrintWriter} never throws: when the reader has gone (a closed pipe), writes
 *       vanish and the walk would go on for nothing. This output checks for that every {@value
 *       #CHECK_INTERVAL} characters and on {@link #flush()}, and then throws an {@link
 *       OutputFailedException}, which ends the walk; the command line then ends quietly when
 *       the reader has gone, as a tool killed by SIGPIPE would ({@link OutputWatch}).
 * </ul>
 */
final class StreamingOutput implements Appendable, Flushable {
  /** Characters written between two checks of the writer's error state (each check flushes it). */
  static final int CHECK_INTERVAL = 1 << 16;

  private final PrintWriter out;
  private final Progress progress;
  /** The start of a line not yet written, while a progress report is enabled; null otherwise. */
  private final StringBuilder partialLine;
  private long sinceCheck;
  private long total;

  private StreamingOutput(PrintWriter out, Progress progress) {
    this.out = out;
    this.progress = progress;
    this.partialLine = progress.isEnabled() ? new StringBuilder() : null;
  }

  /** Output to {@code out} that keeps clear of {@code progress}, which it tells to flush it before each draw. */
  static StreamingOutput of(PrintWriter out, Progress progress) {
    StreamingOutput output = new StreamingOutput(out, progress);
    progress.beforeEachDraw(out::flush);
    return output;
  }

  @Override
  public Appendable append(CharSequence text) throws IOException {
    CharSequence s = text == null ? "null" : text;
    return append(s, 0, s.length());
  }

  @Override
  public Appendable append(CharSequence text, int start, int end) throws IOException {
    CharSequence s = text == null ? "null" : text;
    if (end <= start) {
      return this;
    }
    if (partialLine == null) {
      out.append(s, start, end);
      written(end - start);
      return this;
    }
    int lineEnd = end;
    while (lineEnd > start && s.charAt(lineEnd - 1) != '\n') {
      lineEnd--;
    }
    if (lineEnd == start) {
      partialLine.append(s, start, end);
      return this;
    }
    progress.clear();
    out.append(partialLine);
    out.append(s, start, lineEnd);
    written(partialLine.length() + lineEnd - start);
    partialLine.setLength(0);
    partialLine.append(s, lineEnd, end);
    return this;
  }

  @Override
  public Appendable append(char c) throws IOException {
    if (partialLine == null) {
      out.append(c);
      written(1);
      return this;
    }
    partialLine.append(c);
    if (c == '\n') {
      progress.clear();
      out.append(partialLine);
      written(partialLine.length());
      partialLine.setLength(0);
    }
    return this;
  }

  /**
   * Writes what waits for the rest of its line and flushes to standard output.
   *
   * @throws IOException if writing to standard output failed, now or before
   */
  @Override
  public void flush() throws IOException {
    if (partialLine != null && partialLine.length() > 0) {
      progress.clear();
      out.append(partialLine);
      partialLine.setLength(0);
    }
    check();
  }

  /** This output as a {@link Writer}, for writers such as jackson's; closing it closes nothing. */
  Writer asWriter() {
    return new Writer() {
      @Override
      public void write(char[] chars, int offset, int length) throws IOException {
        StreamingOutput.this.append(CharBuffer.wrap(chars, offset, length));
      }

      @Override
      public void write(String text, int offset, int length) throws IOException {
        StreamingOutput.this.append(text, offset, offset + length);
      }

      @Override
      public void flush() throws IOException {
        StreamingOutput.this.flush();
      }

      @Override
      public void close() {}
    };
  }

  /** Characters handed to standard output so far (a line still waiting for its end is not counted yet). */
  long charactersWritten() {
    return total;
  }

  private void written(int n) throws IOException {
    total += n;
    sinceCheck += n;
    if (sinceCheck >= CHECK_INTERVAL) {
      check();
    }
  }

  private void check() throws IOException {
    sinceCheck = 0;
    // checkError() flushes first, then reports any failure so far.
    if (out.checkError()) {
      throw new OutputFailedException();
    }
  }

  /** Standard output failed; the command line decides what that means (see {@link OutputWatch}). */
  static final class OutputFailedException extends IOException {
    private static final long serialVersionUID = 1;

    OutputFailedException() {
      super("cannot write to standard output");
    }
  }
}
