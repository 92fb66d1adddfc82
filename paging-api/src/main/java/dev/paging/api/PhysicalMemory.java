package dev.paging.api;

import java.util.Objects;

/**
 * Physical memory holding page tables, read and written a 64-bit little-endian word at a time
 * at 8-byte aligned addresses. The library's users implement it over whatever holds their
 * tables: simulated memory, a memory image, a hypervisor's guest memory.
 *
 * <p><b>Table at a time.</b> Besides single words, the engine asks for runs of words: {@link
 * #read(long, long[], int, int) a whole table}, {@link #firstNonZero the end of a run of empty
 * entries}, {@link #zero zeroing a fresh table}. Each has a default built on the single-word
 * methods, so an implementation needs only {@link #read(long)}, {@link #write} and {@link
 * #contains}; one that can do better (resolve a frame once per table rather than once per word,
 * or know that a frame is all zero without reading it) overrides them.
 *
 * <p><b>Counting.</b> Memories that count reads for cost tests count a run as the words it
 * stands for, so counts do not depend on how cleverly a memory answers: {@link #read(long,
 * long[], int, int)} counts {@code count} reads; {@link #firstNonZero} counts the zero words it
 * passes over and not the non-zero word it stops at, because the caller reads that word next.
 * "Each entry read once" therefore means the same with and without runs.
 *
 * <p><b>Four-byte entries.</b> 32-bit x86 tables hold 4-byte entries, which the engine reads and
 * writes with {@link #read32} and {@link #write32}. Their defaults work on the 8-byte word that
 * holds the half (a write reads the word, replaces the half and writes it back), so a memory of
 * 64-bit words serves every format; one that can address 4 bytes directly overrides them.
 *
 * <p><b>Failures.</b> A run outside this memory or at an unaligned address throws {@link
 * PhysicalAccessException} before anything is read or written.
 */
public interface PhysicalMemory {
  /**
   * The word at {@code address}.
   *
   * @throws PhysicalAccessException if the address is unaligned or outside this memory
   */
  long read(long address);

  /**
   * Writes the word at {@code address}.
   *
   * @throws PhysicalAccessException if the address is unaligned, outside this memory, or the
   *     memory is read-only
   */
  void write(long address, long value);

  /**
   * The 4-byte little-endian value at {@code address}, a multiple of 4: the low half of the word
   * at {@code address & ~7} when bit 2 of the address is clear, its high half otherwise. Counts
   * as one read.
   *
   * @throws PhysicalAccessException if the address is not a multiple of 4 or is outside this
   *     memory
   */
  default int read32(long address) {
    checkHalf(address, "read");
    return (int) (read(address & ~7L) >>> ((address & 4) << 3));
  }

  /**
   * Writes the 4-byte little-endian value at {@code address}, a multiple of 4, leaving the other
   * half of its word as it was. The default reads the word and writes it back whole.
   *
   * @throws PhysicalAccessException if the address is not a multiple of 4, is outside this memory,
   *     or the memory is read-only
   */
  default void write32(long address, int value) {
    checkHalf(address, "write");
    long word = address & ~7L;
    int shift = (int) ((address & 4) << 3);
    long old = read(word);
    write(word, (old & ~(0xffff_ffffL << shift)) | ((value & 0xffff_ffffL) << shift));
  }

  private void checkHalf(long address, String what) {
    if ((address & 3) != 0) {
      throw new PhysicalAccessException(what + " of 4 bytes at " + Addresses.hex(address) + " is not 4-byte aligned");
    }
  }

  /**
   * True when the {@code length} bytes from {@code address} are all backed by this memory. The
   * walker asks this once per table before reading it.
   */
  boolean contains(long address, long length);

  /**
   * Copies the {@code count} words from {@code address} into {@code into[offset, offset +
   * count)}: a whole table in one call.
   *
   * @throws PhysicalAccessException if the words are not all inside this memory or the address
   *     is unaligned; nothing is copied
   * @throws IndexOutOfBoundsException if {@code into} has no room for them
   */
  default void read(long address, long[] into, int offset, int count) {
    Objects.checkFromIndexSize(offset, count, into.length);
    checkRun(this, "read", address, count);
    for (int i = 0; i < count; i++) {
      into[offset + i] = read(address + 8L * i);
    }
  }

  /**
   * The position, from 0, of the first non-zero word among the {@code count} words from {@code
   * address}, or -1 when they are all zero: where a run of empty entries ends. A memory that
   * knows a frame is all zero answers without reading it.
   *
   * @throws PhysicalAccessException if the words are not all inside this memory or the address
   *     is unaligned
   * @throws IllegalArgumentException if {@code count} is negative
   */
  default int firstNonZero(long address, int count) {
    checkRun(this, "scan", address, count);
    for (int i = 0; i < count; i++) {
      if (read(address + 8L * i) != 0) {
        return i;
      }
    }
    return -1;
  }

  /** True when the {@code count} words from {@code address} are all zero (a table with no entry). */
  default boolean isZero(long address, int count) {
    return firstNonZero(address, count) < 0;
  }

  /**
   * Writes zero to the {@code count} words from {@code address}: a fresh table cleared in one
   * call.
   *
   * @throws PhysicalAccessException if the words are not all inside this memory, the address is
   *     unaligned or the memory is read-only; nothing is written in the first two cases
   */
  default void zero(long address, int count) {
    checkRun(this, "zero", address, count);
    for (int i = 0; i < count; i++) {
      write(address + 8L * i, 0);
    }
  }

  /**
   * Checks a run for the default methods: {@code count} whole words from an aligned {@code
   * address}, all inside {@code memory}.
   *
   * @throws PhysicalAccessException naming the run when it is not
   * @throws IllegalArgumentException if {@code count} is negative
   */
  static void checkRun(PhysicalMemory memory, String what, long address, int count) {
    Objects.requireNonNull(memory, "memory");
    Objects.requireNonNull(what, "what");
    if (count < 0) {
      throw new IllegalArgumentException(what + " of " + count + " words at " + Addresses.hex(address));
    }
    if ((address & 7) != 0 || !memory.contains(address, 8L * count)) {
      throw new PhysicalAccessException(what + " of " + count + " words at " + Addresses.hex(address)
          + " is unaligned or not inside " + memory);
    }
  }
}
