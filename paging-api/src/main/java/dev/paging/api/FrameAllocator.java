package dev.paging.api;

/**
 * Hands out and takes back physical frames for page tables, of {@link #frameBytes()} bytes each
 * (4 KiB unless the allocator says otherwise). Frames come back with unspecified contents: the
 * operations clear the tables they create.
 */
public interface FrameAllocator {
  /**
   * The physical address of a free frame, aligned to {@link #frameBytes()}.
   *
   * @throws OutOfFramesException when no frame can be had; the allocator is then unchanged
   */
  long allocate();

  /**
   * Returns a frame obtained from {@link #allocate()}.
   *
   * @throws IllegalArgumentException if the frame is not currently allocated by this allocator
   */
  void free(long frame);

  /**
   * The size and alignment of every frame this allocator hands out, a power of two of at least 4
   * KiB: 4 KiB by default. A format whose tables are larger (AArch64 with a 16 or 64 KiB granule,
   * whose tables are a granule each) needs an allocator of frames at least that large; an
   * address space refuses a smaller one.
   */
  default long frameBytes() {
    return Addresses.FRAME_SIZE;
  }
}
