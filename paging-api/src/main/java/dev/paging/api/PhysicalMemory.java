package dev.paging.api;

/**
 * Physical memory holding page tables, read and written a 64-bit little-endian word at a time
 * at 8-byte aligned addresses. The library's users implement it over whatever holds their
 * tables: simulated memory, a memory image, a hypervisor's guest memory.
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
   * True when the {@code length} bytes from {@code address} are all backed by this memory. The
   * walker asks this once per table before reading it.
   */
  boolean contains(long address, long length);
}
