package dev.paging.core;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.FrameAllocator;
import dev.paging.api.Level;
import dev.paging.api.OutOfFramesException;
import dev.paging.api.PagingFormat;
import java.util.List;

/** Small helpers over table frames, shared by the engine's classes. */
final class Tables {
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

    /** Large enough for any table: the space never allocates, so no frame size can be wrong. */
    @Override
    public long frameBytes() {
      return 1L << 30;
    }
  };

  private Tables() {}

  /** The bytes of the largest table of {@code format}: what its allocator's frames must hold. */
  static long largestTable(PagingFormat format) {
    long largest = 0;
    for (List<Level> half : List.of(format.levels(), format.levels(-1L))) {
      for (Level level : half) {
        largest = Math.max(largest, Math.max(level.tableBytes(), level.tableAlignment()));
      }
    }
    return largest;
  }

  /** How a message names a table alignment: {@code 4 KiB}, {@code 32-byte}. */
  static String alignment(Level level) {
    long a = level.tableAlignment();
    return a >= 1024 ? (a >>> 10) + " KiB" : a + "-byte";
  }
}
