package dev.paging.fakes;

import dev.paging.api.Addresses;
import dev.paging.api.FrameAllocator;
import dev.paging.api.OutOfFramesException;

/**
 * The cheapest possible allocator, for benchmarks: frames go out consecutively from a base and
 * freed frames are counted but never reused, so the cost measured is the page-table code's, not
 * the allocator's. {@link #reset()} starts again from the base between benchmark iterations.
 * Because it keeps no per-frame state it cannot detect a double free; use {@link
 * TrackingFrameAllocator} where correctness matters. Not thread-safe.
 */
public final class BumpFrameAllocator implements FrameAllocator {
  private static final int FRAME_SHIFT = 12;

  private final long base;
  private final long frameCount;
  private long allocated;
  private long frees;

  private BumpFrameAllocator(long base, long frameCount) {
    this.base = base;
    this.frameCount = frameCount;
  }

  /**
   * An allocator of the {@code frameCount} frames from {@code base}.
   *
   * @throws IllegalArgumentException if {@code base} is not 4 KiB aligned, {@code frameCount} is
   *     not in {@code [1, 2^52)}, or the region would pass the top of the 64-bit address space
   */
  public static BumpFrameAllocator over(long base, long frameCount) {
    if (!Addresses.isAligned(base, Addresses.FRAME_SIZE)) {
      throw new IllegalArgumentException(
          "allocator region base " + Addresses.hex(base) + " is not 4 KiB aligned");
    }
    if (frameCount < 1
        || frameCount >= (1L << (64 - FRAME_SHIFT))
        || (base != 0 && Long.compareUnsigned(frameCount << FRAME_SHIFT, -base) > 0)) {
      throw new IllegalArgumentException(
          "allocator region of "
              + frameCount
              + " frames from "
              + Addresses.hex(base)
              + " is empty or passes the top of the address space");
    }
    return new BumpFrameAllocator(base, frameCount);
  }

  /**
   * The frame after the last one handed out.
   *
   * @throws OutOfFramesException when the region is used up; nothing changes then
   */
  @Override
  public long allocate() {
    if (allocated == frameCount) {
      throw new OutOfFramesException(
          "all " + frameCount + " frames from " + Addresses.hex(base) + " are handed out");
    }
    return base + (allocated++ << FRAME_SHIFT);
  }

  /**
   * Counts the free; the frame is not reused.
   *
   * @throws IllegalArgumentException naming the frame in hex if it is unaligned or was not
   *     handed out since the last {@link #reset()}
   */
  @Override
  public void free(long frame) {
    if (!Addresses.isAligned(frame, Addresses.FRAME_SIZE)
        || Long.compareUnsigned(frame - base, allocated << FRAME_SHIFT) >= 0) {
      throw new IllegalArgumentException(
          "free of frame " + Addresses.hex(frame) + " that this allocator did not hand out");
    }
    frees++;
  }

  /** Frames handed out since creation or the last {@link #reset()}. */
  public long allocated() {
    return allocated;
  }

  /** {@link #free} calls since creation or the last {@link #reset()}. */
  public long frees() {
    return frees;
  }

  /** Frames still available before {@link OutOfFramesException}. */
  public long remaining() {
    return frameCount - allocated;
  }

  /**
   * Forgets every frame handed out and starts again from the base, for the next benchmark
   * iteration; the caller must no longer use those frames' tables.
   */
  public void reset() {
    allocated = 0;
    frees = 0;
  }

  @Override
  public String toString() {
    return "BumpFrameAllocator[from "
        + Addresses.hex(base)
        + ": "
        + allocated
        + " of "
        + frameCount
        + " handed out]";
  }
}
