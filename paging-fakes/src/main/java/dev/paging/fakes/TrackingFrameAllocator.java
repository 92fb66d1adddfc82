package dev.paging.fakes;

import dev.paging.api.Addresses;
import dev.paging.api.FrameAllocator;
import dev.paging.api.OutOfFramesException;
import java.util.BitSet;
import java.util.Objects;

/**
 * A frame allocator for tests that knows who owns what, so misuse by the code under test fails
 * loudly at the faulty call instead of corrupting a later one.
 *
 * <p>It hands out the frames of one region {@code [base, base + frameCount * frameBytes)}, 4 KiB
 * frames unless made with a larger size (16 or 64 KiB for AArch64's larger granules), always the
 * lowest free one, so a scenario allocates the same frames on every run and a failing test can
 * name them. It rejects with an {@link IllegalArgumentException} naming the frame in hex a double
 * free, a free of a frame it never handed out (outside the region or never allocated) and an
 * unaligned free. It can fail on purpose ({@link #failAtAllocation}, {@link
 * #failFromAllocation}) to prove that an operation meeting {@link OutOfFramesException} midway
 * leaves the tables and the allocator exactly as before, and it reports the frames still
 * allocated ({@link #leakReport}, {@link #assertNoLeaks}). Not thread-safe.
 */
public final class TrackingFrameAllocator implements FrameAllocator {
  private static final long NOT_ARMED = Long.MAX_VALUE;

  private final int frameShift;
  private final long base;
  private final int frameCount;
  private final BitSet allocated = new BitSet();
  private final BitSet everAllocated = new BitSet();
  private long allocations;
  private long frees;
  private long failedAllocations;
  private long calls;
  private long failAtCall = NOT_ARMED;
  private int failAtArgument;
  private long failFromCall = NOT_ARMED;
  private int failFromArgument;

  private TrackingFrameAllocator(int frameShift, long base, int frameCount) {
    this.frameShift = frameShift;
    this.base = base;
    this.frameCount = frameCount;
  }

  /**
   * An allocator of the {@code frameCount} frames from {@code base}; its capacity is the region,
   * so {@code frameCount} is also the "runs out after N frames" limit.
   *
   * @throws IllegalArgumentException if {@code base} is not 4 KiB aligned, {@code frameCount} is
   *     not in {@code [1, Integer.MAX_VALUE]}, or the region would pass the top of the 64-bit
   *     address space
   */
  public static TrackingFrameAllocator over(long base, long frameCount) {
    return over(base, frameCount, Addresses.FRAME_SIZE);
  }

  /**
   * An allocator of the {@code frameCount} frames of {@code frameBytes} each from {@code base}.
   *
   * @throws IllegalArgumentException if {@code frameBytes} is not a power of two in 4 KiB..1 GiB,
   *     {@code base} is not aligned to it, or as {@link #over(long, long)}
   */
  public static TrackingFrameAllocator over(long base, long frameCount, long frameBytes) {
    if (Long.bitCount(frameBytes) != 1 || frameBytes < Addresses.FRAME_SIZE || frameBytes > (1L << 30)) {
      throw new IllegalArgumentException("frame size " + frameBytes + " is not a power of two from 4096 to 2^30");
    }
    int shift = Long.numberOfTrailingZeros(frameBytes);
    if (!Addresses.isAligned(base, frameBytes)) {
      throw new IllegalArgumentException(
          "allocator region base " + Addresses.hex(base) + " is not " + (frameBytes >>> 10) + " KiB aligned");
    }
    if (frameCount < 1 || frameCount > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "allocator frame count " + frameCount + " is not in [1, " + Integer.MAX_VALUE + "]");
    }
    if (base != 0 && Long.compareUnsigned(frameCount << shift, -base) > 0) {
      throw new IllegalArgumentException(
          "allocator region of "
              + frameCount
              + " frames from "
              + Addresses.hex(base)
              + " passes the top of the address space");
    }
    return new TrackingFrameAllocator(shift, base, (int) frameCount);
  }

  /** The size of every frame of the region: 4 KiB unless made with another. */
  @Override
  public long frameBytes() {
    return 1L << frameShift;
  }

  /**
   * The lowest free frame of the region.
   *
   * @throws OutOfFramesException when every frame is allocated or an injected failure is due;
   *     the allocated set and {@link #allocations()} are then unchanged
   */
  @Override
  public long allocate() {
    long call = ++calls;
    if (call == failAtCall) {
      failedAllocations++;
      throw new OutOfFramesException(
          "injected failure of allocate() call "
              + failAtArgument
              + " since failAtAllocation("
              + failAtArgument
              + ")");
    }
    if (call >= failFromCall) {
      failedAllocations++;
      throw new OutOfFramesException(
          "injected failure of allocate() call "
              + (call - failFromCall + failFromArgument)
              + " since failFromAllocation("
              + failFromArgument
              + ")");
    }
    int index = allocated.nextClearBit(0);
    if (index >= frameCount) {
      failedAllocations++;
      throw new OutOfFramesException(
          "all "
              + frameCount
              + " frames of ["
              + Addresses.hex(base)
              + ", "
              + Addresses.hex(regionEnd())
              + ") are allocated");
    }
    allocated.set(index);
    everAllocated.set(index);
    allocations++;
    return frameAt(index);
  }

  /**
   * Takes back a frame this allocator handed out and has not taken back yet.
   *
   * @throws IllegalArgumentException naming the frame in hex when it is unaligned, outside the
   *     region, never allocated, or already freed; the allocator is then unchanged
   */
  @Override
  public void free(long frame) {
    if (!Addresses.isAligned(frame, frameBytes())) {
      throw new IllegalArgumentException("free of unaligned frame " + Addresses.hex(frame));
    }
    int index = indexOf(frame);
    if (index < 0) {
      throw new IllegalArgumentException(
          "free of foreign frame "
              + Addresses.hex(frame)
              + ": outside this allocator's region ["
              + Addresses.hex(base)
              + ", "
              + Addresses.hex(regionEnd())
              + ")");
    }
    if (!allocated.get(index)) {
      if (everAllocated.get(index)) {
        throw new IllegalArgumentException("double free of frame " + Addresses.hex(frame));
      }
      throw new IllegalArgumentException(
          "free of foreign frame " + Addresses.hex(frame) + ": this allocator never handed it out");
    }
    allocated.clear(index);
    frees++;
  }

  /**
   * Makes the {@code k}-th {@link #allocate()} call from now (1-based) fail, and only that one,
   * so a test can run an operation once per possible failure point. Replaces an earlier
   * {@code failAtAllocation}.
   *
   * @throws IllegalArgumentException if {@code k < 1}
   */
  public void failAtAllocation(int k) {
    checkK(k);
    failAtCall = calls + k;
    failAtArgument = k;
  }

  /**
   * Makes the {@code k}-th {@link #allocate()} call from now (1-based) and every later one fail,
   * like memory that runs out after {@code k - 1} more frames. Replaces an earlier {@code
   * failFromAllocation}.
   *
   * @throws IllegalArgumentException if {@code k < 1}
   */
  public void failFromAllocation(int k) {
    checkK(k);
    failFromCall = calls + k;
    failFromArgument = k;
  }

  /** Cancels the failures armed by {@link #failAtAllocation} and {@link #failFromAllocation}. */
  public void clearFailures() {
    failAtCall = NOT_ARMED;
    failFromCall = NOT_ARMED;
  }

  /** True when {@code frame} is currently allocated; false for any frame outside the region. */
  public boolean isAllocated(long frame) {
    int index = Addresses.isAligned(frame, frameBytes()) ? indexOf(frame) : -1;
    return index >= 0 && allocated.get(index);
  }

  /** The allocated frames in ascending address order; a fresh copy. */
  public long[] allocatedFrames() {
    return allocated.stream().mapToLong(this::frameAt).toArray();
  }

  /** The number of frames allocated and not yet freed. */
  public int allocatedCount() {
    return allocated.cardinality();
  }

  /** Successful {@link #allocate()} calls since creation. */
  public long allocations() {
    return allocations;
  }

  /** Successful {@link #free} calls since creation. */
  public long frees() {
    return frees;
  }

  /** {@link #allocate()} calls that threw, injected or for want of frames. */
  public long failedAllocations() {
    return failedAllocations;
  }

  /** The first frame of the region. */
  public long base() {
    return base;
  }

  /** The number of frames in the region: the capacity. */
  public long frameCount() {
    return frameCount;
  }

  /** The allocated set now, to compare with the set after an operation. */
  public AllocatorState state() {
    return new AllocatorState(allocatedFrames());
  }

  /**
   * The frames still allocated, in hex, or {@code "no leaked frames"}: what a test prints when
   * it expected everything to be freed.
   */
  public String leakReport() {
    long[] frames = allocatedFrames();
    if (frames.length == 0) {
      return "no leaked frames";
    }
    return frames.length
        + (frames.length == 1 ? " leaked frame" : " leaked frames")
        + " (allocated, never freed): "
        + AllocatorState.hexList(frames);
  }

  /**
   * Fails unless every allocated frame has been freed.
   *
   * @throws AssertionError carrying the {@link #leakReport()}
   */
  public void assertNoLeaks() {
    if (!allocated.isEmpty()) {
      throw new AssertionError(leakReport());
    }
  }

  /**
   * Fails if a frame is allocated now that was not in {@code before}: for operations that may
   * legitimately keep frames allocated earlier (a root table) but must not keep new ones.
   *
   * @throws AssertionError listing the new frames in hex
   */
  public void assertNoLeaksSince(AllocatorState before) {
    Objects.requireNonNull(before, "before");
    long[] leaked = state().framesNotIn(before);
    if (leaked.length > 0) {
      throw new AssertionError(
          leaked.length
              + (leaked.length == 1 ? " frame" : " frames")
              + " leaked since the earlier state: "
              + AllocatorState.hexList(leaked));
    }
  }

  @Override
  public String toString() {
    return "TrackingFrameAllocator["
        + Addresses.hex(base)
        + ", "
        + Addresses.hex(regionEnd())
        + "): "
        + allocatedCount()
        + " of "
        + frameCount
        + (frameShift == 12 ? "" : " " + (frameBytes() >>> 10) + " KiB frames")
        + " allocated";
  }

  private long frameAt(int index) {
    return base + ((long) index << frameShift);
  }

  /** The index of an aligned frame in the region, or -1 when outside. */
  private int indexOf(long frame) {
    long offset = frame - base;
    if (Long.compareUnsigned(offset, (long) frameCount << frameShift) >= 0) {
      return -1;
    }
    return (int) (offset >>> frameShift);
  }

  private long regionEnd() {
    return base + ((long) frameCount << frameShift);
  }

  private static void checkK(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("allocation number " + k + " is not 1 or more");
    }
  }
}
