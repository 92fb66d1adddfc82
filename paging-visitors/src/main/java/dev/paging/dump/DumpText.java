package dev.paging.dump;

import java.io.IOException;

/** Helpers the text renderers share: fixed-width hex and padding. */
final class DumpText {
  private static final char[] DIGITS = "0123456789abcdef".toCharArray();

  private DumpText() {}

  /** Writes {@code value} as exactly 16 lowercase hex digits, unsigned. */
  static Appendable hex16(Appendable out, long value) throws IOException {
    for (int shift = 60; shift >= 0; shift -= 4) {
      out.append(DIGITS[(int) (value >>> shift) & 0xf]);
    }
    return out;
  }

  /** Writes {@code 0x} and 16 hex digits. */
  static Appendable hex(Appendable out, long value) throws IOException {
    return hex16(out.append("0x"), value);
  }

  /** Writes {@code 0x} and the low 32 bits of {@code value} as 8 hex digits: a 32-bit kernel's {@code %08lx}. */
  static Appendable hex8(Appendable out, long value) throws IOException {
    out.append("0x");
    for (int shift = 28; shift >= 0; shift -= 4) {
      out.append(DIGITS[(int) (value >>> shift) & 0xf]);
    }
    return out;
  }

  /** Writes {@code value} right-aligned in {@code width} columns, unsigned. */
  static Appendable padLeft(Appendable out, long value, int width) throws IOException {
    String digits = Long.toUnsignedString(value);
    for (int i = digits.length(); i < width; i++) {
      out.append(' ');
    }
    return out.append(digits);
  }
}
