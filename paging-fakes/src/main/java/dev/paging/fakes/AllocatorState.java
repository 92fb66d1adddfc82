package dev.paging.fakes;

import dev.paging.api.Addresses;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The set of frames a {@link TrackingFrameAllocator} had handed out at one moment, as an
 * immutable value: a test takes one before an operation and compares after it, which is how
 * "an operation that failed leaked nothing and freed nothing it did not own" is stated.
 */
public final class AllocatorState {
  /** How many frames {@link #toString} and the leak reports list before summarising the rest. */
  public static final int LIST_LIMIT = 32;

  // Ascending in unsigned order; the allocator's region never wraps, so also index order.
  private final long[] frames;

  AllocatorState(long[] frames) {
    this.frames = frames;
  }

  /** The allocated frames in ascending address order; a fresh copy the caller may keep. */
  public long[] frames() {
    return frames.clone();
  }

  /** The number of allocated frames. */
  public int count() {
    return frames.length;
  }

  /** True when {@code frame} was allocated. */
  public boolean contains(long frame) {
    return indexOf(frame) >= 0;
  }

  /**
   * The frames allocated in this state but not in {@code earlier}, ascending: taken after an
   * operation against the state before it, these are the frames the operation kept.
   */
  public long[] framesNotIn(AllocatorState earlier) {
    return Arrays.stream(frames).filter(frame -> !earlier.contains(frame)).toArray();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof AllocatorState && Arrays.equals(frames, ((AllocatorState) o).frames);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(frames);
  }

  @Override
  public String toString() {
    return "AllocatorState[" + frames.length + " allocated: " + hexList(frames) + "]";
  }

  /** The frames in hex, comma-separated, at most {@link #LIST_LIMIT} before a count of the rest. */
  public static String hexList(long[] frames) {
    Objects.requireNonNull(frames, "frames");
    StringBuilder text = new StringBuilder();
    int shown = Math.min(frames.length, LIST_LIMIT);
    for (int i = 0; i < shown; i++) {
      if (i > 0) {
        text.append(", ");
      }
      text.append(Addresses.hex(frames[i]));
    }
    if (frames.length > shown) {
      text.append(", ... and ").append(frames.length - shown).append(" more");
    }
    return text.toString();
  }

  private int indexOf(long frame) {
    int low = 0;
    int high = frames.length - 1;
    while (low <= high) {
      int middle = (low + high) >>> 1;
      int order = Long.compareUnsigned(frames[middle], frame);
      if (order < 0) {
        low = middle + 1;
      } else if (order > 0) {
        high = middle - 1;
      } else {
        return middle;
      }
    }
    return -1;
  }
}
