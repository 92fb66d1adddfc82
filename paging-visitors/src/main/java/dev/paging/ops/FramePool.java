package dev.paging.ops;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Addresses;
import dev.paging.api.FrameAllocator;
import dev.paging.api.OutOfFramesException;
import dev.paging.api.PagingException;
import dev.paging.api.PhysicalMemory;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The table frames an operation needs, all taken from the allocator before the operation writes
 * anything. This is how operations are all-or-nothing: an allocator that fails does so while the
 * tables are still untouched, and the frames already taken are given back.
 *
 * <p>Every frame is checked as it arrives: a 4 KiB frame inside memory, not one already taken in
 * this call, and not one {@link FrameRules} forbid (a table the operation reads or links into, a
 * data frame it maps). An allocator that hands out such a frame would make the operation link a
 * cycle or write tables over data, so the operation refuses, naming the frame.
 */
final class FramePool {
  private static final long[] NONE = new long[0];
  private static final int MAX_FRAMES = Integer.MAX_VALUE - 8;
  /** Up to this many frames, duplicates are found by scanning; above, by a set. */
  private static final int SCAN_LIMIT = 16;

  private final FrameAllocator allocator;
  private final long[] frames;
  private int next;
  /** Frames from this index on were given back by {@link #finish()}. */
  private int kept;

  private FramePool(FrameAllocator allocator, long[] frames) {
    this.allocator = allocator;
    this.frames = frames;
    this.kept = frames.length;
  }

  /** Whether an operation may use a frame; null when it may, else why not, as a phrase after "which". */
  interface Check {
    @Nullable String refusal(long frame);
  }

  /** Takes {@code count} frames with only the checks every frame gets. */
  static FramePool allocate(FrameAllocator allocator, PhysicalMemory memory, long count) {
    return allocate(allocator, memory, count, frame -> null);
  }

  /**
   * Takes {@code count} frames, checking that each is a 4 KiB frame inside {@code memory}, not
   * one taken already in this call, and one {@code check} allows.
   *
   * @throws OutOfFramesException if the allocator runs out; every frame taken is given back
   * @throws PagingException if the allocator hands out a frame that fails a check; likewise. A
   *     frame handed out twice is given back twice, once for each time it was handed out
   */
  static FramePool allocate(FrameAllocator allocator, PhysicalMemory memory, long count, Check check) {
    if (count == 0) {
      return new FramePool(allocator, NONE);
    }
    if (count > MAX_FRAMES) {
      throw new OutOfFramesException("the operation needs " + count + " table frames, more than can be held");
    }
    long[] frames = new long[(int) count];
    FrameSet seen = count > SCAN_LIMIT ? new FrameSet() : null;
    int taken = 0;
    try {
      for (; taken < count; taken++) {
        long frame = allocator.allocate();
        frames[taken] = frame;
        String refusal = refusal(memory, allocator.frameBytes(), frame, frames, taken, seen, check);
        if (refusal != null) {
          taken++;
          throw new PagingException("the allocator handed out frame " + hex(frame) + ", which " + refusal
              + "; every frame taken was given back and nothing was changed");
        }
        if (seen != null) {
          seen.add(frame);
        }
      }
    } catch (RuntimeException | Error e) {
      giveBack(allocator, frames, 0, taken, e);
      throw e;
    }
    return new FramePool(allocator, frames);
  }

  private static @Nullable String refusal(PhysicalMemory memory, long frameBytes, long frame, long[] frames,
      int taken, @Nullable FrameSet seen, Check check) {
    if (!Addresses.isAligned(frame, frameBytes) || !memory.contains(frame, frameBytes)) {
      return "is not a " + (frameBytes >>> 10) + " KiB frame inside physical memory";
    }
    boolean again = false;
    if (seen != null) {
      again = seen.contains(frame);
    } else {
      for (int i = 0; i < taken && !again; i++) {
        again = frames[i] == frame;
      }
    }
    if (again) {
      return "it had already handed out in this call";
    }
    return check.refusal(frame);
  }

  private static void giveBack(FrameAllocator allocator, long[] frames, int from, int to, Throwable failure) {
    for (int i = to - 1; i >= from; i--) {
      try {
        allocator.free(frames[i]);
      } catch (RuntimeException | Error again) {
        failure.addSuppressed(again);
      }
    }
  }

  long take() {
    if (next == frames.length) {
      throw new IllegalStateException("the operation needs more table frames than it counted ("
          + frames.length + ")");
    }
    return frames[next++];
  }

  int size() {
    return frames.length;
  }

  /** Gives back frames the operation counted but did not use, which only a miscount would leave. */
  void finish() {
    while (kept > next) {
      allocator.free(frames[--kept]);
    }
  }

  /**
   * After a failure that left the tables as before: gives back every frame still held, used or
   * not, adding what the allocator throws to {@code failure}.
   */
  void giveBackAll(Throwable failure) {
    giveBack(allocator, frames, 0, kept, failure);
    kept = 0;
    next = 0;
  }

  /** True when {@code frame} is one of the frames taken (a scan: pools are small where this is asked). */
  boolean holds(long frame) {
    for (int i = 0; i < kept; i++) {
      if (frames[i] == frame) {
        return true;
      }
    }
    return false;
  }

  /** The frames taken and not given back. */
  long[] held() {
    return Arrays.copyOf(frames, kept);
  }
}
