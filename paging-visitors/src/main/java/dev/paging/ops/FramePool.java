package dev.paging.ops;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Addresses;
import dev.paging.api.FrameAllocator;
import dev.paging.api.OutOfFramesException;
import dev.paging.api.PagingException;
import dev.paging.api.PhysicalMemory;

/**
 * The table frames an operation needs, all taken from the allocator before the operation writes
 * anything. This is how operations are all-or-nothing: an allocator that fails does so while the
 * tables are still untouched, and the frames already taken are given back.
 */
final class FramePool {
  private static final long[] NONE = new long[0];
  private static final int MAX_FRAMES = Integer.MAX_VALUE - 8;

  private final FrameAllocator allocator;
  private final long[] frames;
  private int next;

  private FramePool(FrameAllocator allocator, long[] frames) {
    this.allocator = allocator;
    this.frames = frames;
  }

  /**
   * Takes {@code count} frames, checking that each is a 4 KiB frame inside {@code memory}.
   *
   * @throws OutOfFramesException if the allocator runs out; every frame taken is given back
   * @throws PagingException if the allocator hands out a frame outside memory; likewise
   */
  static FramePool allocate(FrameAllocator allocator, PhysicalMemory memory, long count) {
    if (count == 0) {
      return new FramePool(allocator, NONE);
    }
    if (count > MAX_FRAMES) {
      throw new OutOfFramesException("the operation needs " + count + " table frames, more than can be held");
    }
    long[] frames = new long[(int) count];
    int taken = 0;
    try {
      for (; taken < count; taken++) {
        long frame = allocator.allocate();
        frames[taken] = frame;
        if (!Addresses.isAligned(frame, Addresses.FRAME_SIZE) || !memory.contains(frame, Addresses.FRAME_SIZE)) {
          taken++;
          throw new PagingException("the allocator handed out frame " + hex(frame)
              + ", which is not a 4 KiB frame inside physical memory");
        }
      }
    } catch (RuntimeException e) {
      for (int i = taken - 1; i >= 0; i--) {
        try {
          allocator.free(frames[i]);
        } catch (RuntimeException again) {
          e.addSuppressed(again);
        }
      }
      throw e;
    }
    return new FramePool(allocator, frames);
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
    while (next < frames.length) {
      allocator.free(frames[next++]);
    }
  }
}
