package dev.paging.core;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.FrameAllocator;
import dev.paging.api.OutOfFramesException;
import dev.paging.api.PhysicalMemory;

/** Small helpers over table frames, shared by the engine's classes. */
final class Tables {
  static final int ENTRIES = 512;

  static final FrameAllocator NO_FRAMES = new FrameAllocator() {
    @Override
    public long allocate() {
      throw new OutOfFramesException("this address space is read-only: it cannot allocate tables");
    }

    @Override
    public void free(long frame) {
      throw new IllegalArgumentException(
          "frame " + hex(frame) + " was not allocated by this read-only address space");
    }
  };

  private Tables() {}

  static void clear(PhysicalMemory memory, long table) {
    memory.zero(table, ENTRIES);
  }
}
