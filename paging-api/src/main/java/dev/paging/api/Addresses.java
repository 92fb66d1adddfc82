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

  /**
   * A size (unsigned bytes) as one token in the largest binary unit that divides it exactly, the
   * way Linux's ptdump and every message of this library write page sizes: {@code 4K}, {@code 2M},
   * {@code 1G}, {@code 512G}, {@code 12B}. Never rounds, so a size printed is a size.
   */
  public static String sizeName(long bytes) {
    String units = "BKMGTPE";
    long n = bytes;
    int unit = 0;
    while (n != 0 && (n & 1023) == 0 && unit + 1 < units.length()) {
      n >>>= 10;
      unit++;
    }
    return Long.toUnsignedString(n) + units.charAt(unit);
  }
}
