package dev.paging.cli;

/** Byte counts as people read them. */
final class Sizes {
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

  private Sizes() {}

  /**
   * {@code bytes} (unsigned) in the largest binary unit that divides it exactly: {@code 4 KiB},
   * {@code 2 MiB}, {@code 512 GiB}, {@code 1536 KiB}. Never rounds, so a size printed is a size.
   */
  static String name(long bytes) {
    if (bytes == 0) {
      return "0 B";
    }
    int unit = 0;
    long n = bytes;
    while ((n & 1023) == 0 && unit < UNITS.length - 1) {
      n >>>= 10;
      unit++;
    }
    return Long.toUnsignedString(n) + " " + UNITS[unit];
  }
}
