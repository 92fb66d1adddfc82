package dev.paging.api;

/**
 * Helpers for addresses held in primitive {@code long}s, which this library always treats as
 * unsigned: upper-half canonical addresses are negative as signed values.
 */
public final class Addresses {
  /** The size of a frame and of a page table in every supported format. */
  public static final long FRAME_SIZE = 4096;

  private Addresses() {}

  /** Formats an address as {@code 0x} and 16 lowercase hex digits, the form every message uses. */
  public static String hex(long address) {
    String digits = Long.toHexString(address);
    return "0x" + "0000000000000000".substring(digits.length()) + digits;
  }

  /** True when {@code address} is a multiple of {@code alignment}, a power of two. */
  public static boolean isAligned(long address, long alignment) {
    return (address & (alignment - 1)) == 0;
  }

  /** Rounds {@code address} down to a multiple of {@code alignment}, a power of two. */
  public static long alignDown(long address, long alignment) {
    return address & -alignment;
  }

  /**
   * Sign-extends the low {@code bits} bits of {@code value}: the canonical form of a virtual
   * address whose top implemented bit is {@code bits - 1}.
   */
  public static long signExtend(long value, int bits) {
    int shift = 64 - bits;
    return (value << shift) >> shift;
  }
}
