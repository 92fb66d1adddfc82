package dev.paging.memory;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.PhysicalAccessException;

/**
 * The physical window a memory of this package covers, {@code [base, base + size)}, and the one
 * bounds rule its accesses share: whole, aligned words inside the window, checked without ever
 * computing an address that could wrap past 2^64.
 */
final class Window {
  final long base;
  final long size;
  /** The offset of the last word: a single access needs one unsigned comparison. */
  final long lastWord;

  private Window(long base, long size) {
    this.base = base;
    this.size = size;
    this.lastWord = size - 8;
  }

  /**
   * The window of {@code size} bytes (a positive multiple of 8) at {@code base}.
   *
   * @throws IllegalArgumentException if {@code base} is not 8-byte aligned or the window would
   *     run past the top of the 64-bit physical space
   */
  static Window of(long base, long size) {
    if ((base & 7) != 0) {
      throw new IllegalArgumentException("memory base " + hex(base) + " is not 8-byte aligned");
    }
    if (Long.compareUnsigned(base + size - 1, base) < 0) {
      throw new IllegalArgumentException(
          hex(size) + " bytes from " + hex(base) + " run past the top of the physical space");
    }
    return new Window(base, size);
  }

  boolean contains(long address, long length) {
    long offset = address - base;
    return Long.compareUnsigned(offset, size) <= 0 && Long.compareUnsigned(length, size - offset) <= 0;
  }

  /** The word index of {@code count} words from {@code address}, all of which must be inside. */
  int index(long address, int count, String what) {
    long offset = address - base;
    if (count < 0) {
      throw new IllegalArgumentException(what + " of " + count + " words at " + hex(address));
    }
    if ((address & 7) != 0 || Long.compareUnsigned(offset, size) > 0
        || Long.compareUnsigned(8L * count, size - offset) > 0) {
      throw outside(what, address, count);
    }
    return (int) (offset >>> 3);
  }

  PhysicalAccessException outside(String what, long address, int count) {
    return new PhysicalAccessException(what + (count == 1 ? "" : " of " + count + " words") + " at "
        + hex(address) + " is unaligned or outside memory [" + hex(base) + ", " + hex(base + size) + ")");
  }

  @Override
  public String toString() {
    return hex(base) + ", " + hex(size) + " bytes";
  }
}
