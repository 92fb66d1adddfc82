package dev.paging.memory;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.PhysicalMemory;
import java.util.Arrays;
import java.util.Objects;

/**
 * Physical memory backed by one {@code long[]}, word {@code i} at physical address {@code base +
 * 8 * i}: one array load per entry, the least a Java memory can cost, and a table in one {@link
 * System#arraycopy}. For emulators and tools that keep guest memory, or its table region, as
 * words; at most 2^31 - 1 words (16 GiB).
 *
 * <p>It does not track which frames are zero: the caller may change the array directly, and a
 * memory that tracked would then answer wrongly. Not synchronized: like the array itself, share
 * it between threads only under the caller's own lock.
 */
public final class LongArrayMemory implements PhysicalMemory {
  private final Window window;
  private final long base;
  private final long lastWord;
  private final long[] words;

  private LongArrayMemory(Window window, long[] words) {
    this.window = window;
    this.base = window.base;
    this.lastWord = window.lastWord;
    this.words = words;
  }

  /**
   * Memory over {@code words}, not copied: writes through this memory change the array and
   * changes to the array are seen here.
   *
   * @throws IllegalArgumentException if {@code words} is empty, {@code base} is not 8-byte
   *     aligned or the memory would run past the top of the 64-bit physical space
   */
  public static LongArrayMemory wrap(long base, long[] words) {
    Objects.requireNonNull(words, "words");
    if (words.length == 0) {
      throw new IllegalArgumentException("memory at " + hex(base) + " over an empty array");
    }
    return new LongArrayMemory(Window.of(base, 8L * words.length), words);
  }

  /**
   * A new, zeroed memory of {@code bytes} bytes at {@code base}.
   *
   * @throws IllegalArgumentException if {@code bytes} is not a positive multiple of 8 of at most
   *     2^31 - 1 words, or {@code base} is not 8-byte aligned
   */
  public static LongArrayMemory ofSize(long base, long bytes) {
    if (bytes <= 0 || (bytes & 7) != 0 || (bytes >>> 3) > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "memory size " + hex(bytes) + " is not a positive multiple of 8 bytes that fits one long[]");
    }
    Window window = Window.of(base, bytes);
    return new LongArrayMemory(window, new long[(int) (bytes >>> 3)]);
  }

  /** The physical address of word 0. */
  public long base() {
    return base;
  }

  /** The size in bytes. */
  public long size() {
    return window.size;
  }

  @Override
  public long read(long address) {
    long offset = address - base;
    if (Long.compareUnsigned(offset, lastWord) > 0 | (address & 7) != 0) {
      throw window.outside("read", address, 1);
    }
    return words[(int) (offset >>> 3)];
  }

  @Override
  public void write(long address, long value) {
    long offset = address - base;
    if (Long.compareUnsigned(offset, lastWord) > 0 | (address & 7) != 0) {
      throw window.outside("write", address, 1);
    }
    words[(int) (offset >>> 3)] = value;
  }

  @Override
  public boolean contains(long address, long length) {
    return window.contains(address, length);
  }

  @Override
  public void read(long address, long[] into, int offset, int count) {
    Objects.requireNonNull(into, "into");
    Objects.checkFromIndexSize(offset, count, into.length);
    System.arraycopy(words, window.index(address, count, "read"), into, offset, count);
  }

  @Override
  public int firstNonZero(long address, int count) {
    int from = window.index(address, count, "scan");
    long[] w = words;
    for (int i = 0; i < count; i++) {
      if (w[from + i] != 0) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public void zero(long address, int count) {
    int from = window.index(address, count, "zero");
    Arrays.fill(words, from, from + count, 0L);
  }

  @Override
  public String toString() {
    return "LongArrayMemory[" + window + "]";
  }
}
