package dev.paging.api;

/**
 * Hands out and takes back 4 KiB physical frames for page tables. Frames come back with
 * unspecified contents: the operations clear the tables they create.
 */
public interface FrameAllocator {
  /**
   * The physical address of a free 4 KiB-aligned frame.
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
}
