package dev.paging.ops;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.FrameAllocator;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Table frames an operation has unlinked but not yet returned to the allocator. A freed table
 * may still sit in paging-structure caches, so the frames go back only when the caller, having
 * applied the operation's {@link InvalidationPlan}, calls {@link #release()}: the safe order is
 * the natural one.
 */
public final class PendingFrees {
  private static final long[] NO_FRAMES = new long[0];
  /** Never asked for anything: the empty set releases nothing. */
  private static final FrameAllocator NO_ALLOCATOR = new FrameAllocator() {
    @Override
    public long allocate() {
      throw new AssertionError("PendingFrees.none() allocates nothing");
    }

    @Override
    public void free(long frame) {
      throw new AssertionError("PendingFrees.none() holds no frame");
    }
  };
  private static final PendingFrees NONE = new PendingFrees(NO_ALLOCATOR, NO_FRAMES);

  private final FrameAllocator allocator;
  private final long[] frames;
  private boolean released;

  private PendingFrees(FrameAllocator allocator, long[] frames) {
    this.allocator = allocator;
    this.frames = frames;
  }

  static PendingFrees of(FrameAllocator allocator, long[] frames) {
    return frames.length == 0 ? NONE : new PendingFrees(allocator, frames.clone());
  }

  /** No frames: what operations that unlink no table hold. Releasing it does nothing. */
  public static PendingFrees none() {
    return NONE;
  }

  /** The frames, in the order the operation unlinked them (children before parents). */
  public long[] frames() {
    return frames.clone();
  }

  public int count() {
    return frames.length;
  }

  /** True once the frames went back; always true when there are none. */
  public boolean isReleased() {
    return released || frames.length == 0;
  }

  /**
   * Returns every frame to the allocator, in order. Call it after applying the invalidation plan.
   * With no frames it does nothing, however often it is called.
   *
   * @throws IllegalStateException if the frames were already released
   */
  public void release() {
    if (frames.length == 0) {
      return;
    }
    if (released) {
      throw new IllegalStateException("these " + frames.length + " frames were already released");
    }
    released = true;
    for (long frame : frames) {
      allocator.free(frame);
    }
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder().append(frames.length).append(frames.length == 1 ? " frame" : " frames");
    s.append(released ? " released" : " pending");
    if (frames.length > 0) {
      s.append(": ");
      for (int i = 0; i < Math.min(frames.length, 8); i++) {
        s.append(i == 0 ? "" : ", ").append(hex(frames[i]));
      }
      if (frames.length > 8) {
        s.append(", ...");
      }
    }
    return s.toString();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof PendingFrees && Arrays.equals(((PendingFrees) o).frames, frames)
        && ((PendingFrees) o).released == released;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(frames) * 2 + (released ? 1 : 0);
  }
}
