package dev.paging.core;

import static dev.paging.api.Addresses.hex;

import java.util.Arrays;

/**
 * The tables that are linked from more than one parent entry, across every address space that
 * shares this registry (the kernel half that every process links to, a table a hypervisor maps
 * twice). Nothing in the tables themselves says a table is shared, so the library keeps this
 * record, and no operation frees a table recorded here.
 *
 * <p>One registry is shared by a template space and every space created from it. Not
 * thread-safe, like the tables it describes: callers serialise changes to a hierarchy.
 */
public final class SharedTables {
  private long[] frames = new long[8];
  private int size;

  private SharedTables() {}

  /** An empty registry. */
  public static SharedTables create() {
    return new SharedTables();
  }

  /** True when the table at {@code frame} is recorded as shared. */
  public boolean isShared(long frame) {
    return Arrays.binarySearch(frames, 0, size, frame) >= 0;
  }

  /** Records the table at {@code frame} as shared; recording it again changes nothing. */
  public void share(long frame) {
    if ((frame & 0xfff) != 0) {
      throw new IllegalArgumentException("table frame " + hex(frame) + " is not 4 KiB aligned");
    }
    int at = Arrays.binarySearch(frames, 0, size, frame);
    if (at >= 0) {
      return;
    }
    int insert = -at - 1;
    if (size == frames.length) {
      frames = Arrays.copyOf(frames, size * 2);
    }
    System.arraycopy(frames, insert, frames, insert + 1, size - insert);
    frames[insert] = frame;
    size++;
  }

  /** Forgets that the table at {@code frame} is shared (when its last extra link is gone). */
  public void unshare(long frame) {
    int at = Arrays.binarySearch(frames, 0, size, frame);
    if (at < 0) {
      throw new IllegalArgumentException("table frame " + hex(frame) + " is not recorded as shared");
    }
    System.arraycopy(frames, at + 1, frames, at, size - at - 1);
    size--;
  }

  /** The shared tables' frames, ascending. */
  public long[] frames() {
    return Arrays.copyOf(frames, size);
  }

  public int size() {
    return size;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("SharedTables[");
    for (int i = 0; i < size; i++) {
      s.append(i == 0 ? "" : ", ").append(hex(frames[i]));
    }
    return s.append(']').toString();
  }
}
