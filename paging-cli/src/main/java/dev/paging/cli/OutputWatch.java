package dev.paging.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import org.jspecify.annotations.Nullable;

/**
 * Standard output, watched: it remembers why a write failed, which the writers above it (a
 * {@link java.io.PrintWriter} never throws) would otherwise forget, so that the command line can
 * tell a reader that has gone (a closed pipe, as in {@code paging inspect ... | head}: end
 * quietly with status {@value #CLOSED_PIPE_STATUS}, as a tool killed by SIGPIPE does) from a
 * real failure (a full disk: say so).
 */
final class OutputWatch extends OutputStream {
  /** 128 + SIGPIPE: the status a shell reports for a process the signal ended. */
  static final int CLOSED_PIPE_STATUS = 141;

  private final OutputStream target;
  private @Nullable IOException failure;
  private boolean failed;

  OutputWatch(OutputStream target) {
    this.target = target;
  }

  @Override
  public void write(int b) throws IOException {
    try {
      target.write(b);
    } catch (IOException e) {
      throw failed(e);
    }
    afterWrite();
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    try {
      target.write(b, off, len);
    } catch (IOException e) {
      throw failed(e);
    }
    afterWrite();
  }

  @Override
  public void flush() throws IOException {
    try {
      target.flush();
    } catch (IOException e) {
      throw failed(e);
    }
    afterWrite();
  }

  private void afterWrite() throws IOException {
    // A PrintStream swallows its failures and keeps only a flag: the cause is lost, and the
    // only failure an embedder's stream meets in practice is a reader that has gone.
    if (target instanceof PrintStream && ((PrintStream) target).checkError()) {
      failed = true;
      throw new IOException("the stream reports an error");
    }
  }

  private IOException failed(IOException e) {
    if (!failed) {
      failed = true;
      failure = e;
    }
    return e;
  }

  /** Whether a write to standard output has failed. */
  boolean failed() {
    return failed;
  }

  /**
   * Whether the failure was the reader going away: a broken pipe (EPIPE, "Broken pipe" on Linux
   * and macOS, "The pipe is being closed" on Windows), or any failure of an embedder's {@link
   * PrintStream}, which keeps no cause.
   */
  boolean readerGone() {
    if (!failed) {
      return false;
    }
    if (failure == null) {
      return true;
    }
    String m = failure.getMessage();
    return m != null && (m.contains("Broken pipe") || m.contains("pipe is being closed") || m.contains("EPIPE"));
  }

  /** What went wrong, for the one line a real failure gets. */
  String describe() {
    return failure == null || failure.getMessage() == null ? "write error" : failure.getMessage();
  }
}
