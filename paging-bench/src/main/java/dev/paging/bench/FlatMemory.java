package dev.paging.bench;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.PhysicalAccessException;
import dev.paging.api.PhysicalMemory;

/**
 * Physical memory that backs one window with a single {@code long[]}: one array load per entry,
 * the least a Java {@link PhysicalMemory} can cost. Only for comparing against {@link
 * dev.paging.fakes.SimulatedMemory}, whose sparse radix tree costs four dependent loads per
 * access; the window holds the tables, the data frames are never touched.
 */
final class FlatMemory implements PhysicalMemory {
  private final long base;
  private final long[] words;

  FlatMemory(long base, int bytes) {
    this.base = base;
    this.words = new long[bytes >>> 3];
  }

  @Override
  public long read(long address) {
    long offset = address - base;
    if (Long.compareUnsigned(offset, (long) words.length << 3) >= 0 || (address & 7) != 0) {
      throw new PhysicalAccessException("read at " + hex(address) + " is outside the flat window");
    }
    return words[(int) (offset >>> 3)];
  }

  @Override
  public void write(long address, long value) {
    long offset = address - base;
    if (Long.compareUnsigned(offset, (long) words.length << 3) >= 0 || (address & 7) != 0) {
      throw new PhysicalAccessException("write at " + hex(address) + " is outside the flat window");
    }
    words[(int) (offset >>> 3)] = value;
  }

  @Override
  public boolean contains(long address, long length) {
    long size = (long) words.length << 3;
    long offset = address - base;
    return Long.compareUnsigned(offset, size) <= 0 && Long.compareUnsigned(length, size - offset) <= 0;
  }
}
