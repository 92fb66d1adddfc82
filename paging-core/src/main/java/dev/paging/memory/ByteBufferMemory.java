package dev.paging.memory;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.PhysicalAccessException;
import dev.paging.api.PhysicalMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.Objects;

/**
 * Physical memory backed by a {@link ByteBuffer}, heap or direct (a memory-mapped file, memory
 * shared with native code), byte {@code i} of the buffer at physical address {@code base + i}.
 * Words are little-endian whatever the buffer's own order, as every supported MMU reads them; a
 * read-only buffer gives a memory whose writes fail. At most 2 GiB (a buffer's limit); larger
 * images are several buffers behind one memory.
 *
 * <p>It uses the buffer's bytes from position 0 to its capacity, never its position, limit or
 * order, so the caller may keep using the buffer. It does not track zero frames (the buffer may
 * change underneath). Not synchronized.
 */
public final class ByteBufferMemory implements PhysicalMemory {
  private static final long[] ZEROS = new long[512];

  private final Window window;
  private final long base;
  private final long lastWord;
  private final ByteBuffer bytes;
  private final LongBuffer words;
  private final boolean readOnly;

  private ByteBufferMemory(Window window, ByteBuffer buffer) {
    this.window = window;
    this.base = window.base;
    this.lastWord = window.lastWord;
    this.bytes = buffer.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
    this.words = bytes.asLongBuffer();
    this.readOnly = buffer.isReadOnly();
  }

  /**
   * Memory over {@code buffer}'s bytes, not copied. A trailing part of less than a word is not
   * part of the memory.
   *
   * @throws IllegalArgumentException if the buffer holds no whole word, {@code base} is not
   *     8-byte aligned, or the memory would run past the top of the 64-bit physical space
   */
  public static ByteBufferMemory wrap(long base, ByteBuffer buffer) {
    Objects.requireNonNull(buffer, "buffer");
    if (buffer.capacity() < 8) {
      throw new IllegalArgumentException("memory at " + hex(base) + " over a buffer of " + buffer.capacity()
          + " bytes, less than one word");
    }
    return new ByteBufferMemory(Window.of(base, buffer.capacity() & ~7L), buffer);
  }

  /** The physical address of the buffer's byte 0. */
  public long base() {
    return base;
  }

  /** The size in bytes: the buffer's capacity rounded down to whole words. */
  public long size() {
    return window.size;
  }

  /** True when the buffer is read-only, so every write fails. */
  public boolean isReadOnly() {
    return readOnly;
  }

  @Override
  public long read(long address) {
    long offset = address - base;
    if (Long.compareUnsigned(offset, lastWord) > 0 | (address & 7) != 0) {
      throw window.outside("read", address, 1);
    }
    return bytes.getLong((int) offset);
  }

  @Override
  public void write(long address, long value) {
    long offset = address - base;
    if (Long.compareUnsigned(offset, lastWord) > 0 | (address & 7) != 0 | readOnly) {
      throw readOnly && contains(address, 8) && (address & 7) == 0
          ? refused(address, 1) : window.outside("write", address, 1);
    }
    bytes.putLong((int) offset, value);
  }

  @Override
  public boolean contains(long address, long length) {
    return window.contains(address, length);
  }

  @Override
  public void read(long address, long[] into, int offset, int count) {
    Objects.checkFromIndexSize(offset, count, into.length);
    words.get(window.index(address, count, "read"), into, offset, count);
  }

  @Override
  public int firstNonZero(long address, int count) {
    int from = window.index(address, count, "scan");
    LongBuffer w = words;
    for (int i = 0; i < count; i++) {
      if (w.get(from + i) != 0) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public void zero(long address, int count) {
    int from = window.index(address, count, "zero");
    if (readOnly) {
      throw refused(address, count);
    }
    for (int done = 0; done < count; ) {
      int n = Math.min(ZEROS.length, count - done);
      words.put(from + done, ZEROS, 0, n);
      done += n;
    }
  }

  @Override
  public String toString() {
    return (readOnly ? "read-only " : "") + "ByteBufferMemory[" + window + "]";
  }

  private PhysicalAccessException refused(long address, int count) {
    return new PhysicalAccessException((count == 1 ? "write" : "zero of " + count + " words") + " at "
        + hex(address) + " to read-only " + this);
  }
}
