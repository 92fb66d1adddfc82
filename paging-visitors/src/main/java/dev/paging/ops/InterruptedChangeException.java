package dev.paging.ops;

import dev.paging.api.PagingException;
import java.util.List;

/**
 * An operation failed after it had written live table entries: the memory (or anything it
 * relies on) threw part way through its writing walk. The operation then wrote back, newest
 * first, what every entry held before; the cause is what was thrown.
 *
 * <p>When that worked ({@link #restored()}), the tables are bit for bit as before and every
 * frame the operation took went back to the allocator, as when an operation fails before
 * writing (it then throws the failure itself, not this exception). Still, for a moment the
 * hardware could see the new entries and cache them, which is why this exception carries a
 * {@link #plan()}: apply it before relying on the tables, as after a successful operation.
 *
 * <p>When an undo write failed too, no software can finish the job: {@link #entriesLeftChanged()}
 * says exactly which entries still hold what the operation wrote, and the frames it took stay
 * allocated ({@link #framesKept()}), since those entries may link them.
 */
public final class InterruptedChangeException extends PagingException {
  private static final long serialVersionUID = 1L;

  private final transient List<EntryWrite> leftChanged;
  private final transient InvalidationPlan plan;
  private final long[] framesKept;
  private final int written;

  InterruptedChangeException(String operation, int written, List<EntryWrite> leftChanged, InvalidationPlan plan,
      long[] framesKept, Throwable cause) {
    super(message(operation, written, leftChanged, framesKept, cause), cause);
    this.written = written;
    this.leftChanged = List.copyOf(leftChanged);
    this.plan = plan;
    this.framesKept = framesKept.clone();
  }

  private static String message(String operation, int written, List<EntryWrite> leftChanged, long[] framesKept,
      Throwable cause) {
    String what = operation + " failed after writing " + written + (written == 1 ? " live entry" : " live entries")
        + " (" + cause + "); ";
    if (leftChanged.isEmpty()) {
      return what + "every one was written back, so the tables are as before and every frame taken was "
          + "given back; apply the plan, since the hardware may have cached the new entries";
    }
    StringBuilder s = new StringBuilder(what).append(leftChanged.size())
        .append(leftChanged.size() == 1 ? " could not be written back: " : " could not be written back, first ");
    s.append(leftChanged.get(0));
    return s.append("; the ").append(framesKept.length).append(framesKept.length == 1 ? " frame" : " frames")
        .append(" taken stay allocated, since those entries may link them").toString();
  }

  /** True when every entry written was written back: the tables are as before. */
  public boolean restored() {
    return leftChanged.isEmpty();
  }

  /** How many live entries the operation had written when it failed, the failing write included. */
  public int entriesWritten() {
    return written;
  }

  /** The entries still holding what the operation wrote, in the order it wrote them; empty when {@link #restored()}. */
  public List<EntryWrite> entriesLeftChanged() {
    return leftChanged;
  }

  /**
   * What to invalidate: the operation's whole range, paging-structure caches included, since
   * any entry it wrote there may have been cached while it held the new bits.
   */
  public InvalidationPlan plan() {
    return plan;
  }

  /** The table frames the operation took and kept because entries left changed may link them; empty when restored. */
  public long[] framesKept() {
    return framesKept.clone();
  }
}
