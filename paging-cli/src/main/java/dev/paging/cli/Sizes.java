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

  /**
   * {@code bytes} (unsigned) as one token in the largest unit that divides it exactly, the way
   * Linux's ptdump writes page sizes: {@code 4K}, {@code 2M}, {@code 1G}, {@code 512G}, {@code 12B}.
   */
  static String shortName(long bytes) {
    String name = name(bytes);
    int space = name.indexOf(' ');
    return name.substring(0, space) + name.charAt(space + 1);
  }
}
