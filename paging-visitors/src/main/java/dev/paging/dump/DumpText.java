package dev.paging.dump;

import dev.paging.api.PagingFormat;
import java.io.IOException;

/** Helpers the text renderers share: architecture recognition and fixed-width hex. */
final class DumpText {
  private static final char[] DIGITS = "0123456789abcdef".toCharArray();

  private DumpText() {}

  /**
   * True for the library's x86-64 formats. Renderers that print architecture bits recognise the
   * formats by name, the only thing {@link PagingFormat} says about the architecture.
   */
  static boolean isX86(PagingFormat format) {
    return format.name().startsWith("x86-64");
  }

  /** True for the library's RISC-V formats (sv39, sv48, sv57). */
  static boolean isRiscV(PagingFormat format) {
    return format.name().startsWith("sv");
  }

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

  /** Writes {@code value} right-aligned in {@code width} columns, unsigned. */
  static Appendable padLeft(Appendable out, long value, int width) throws IOException {
    String digits = Long.toUnsignedString(value);
    for (int i = digits.length(); i < width; i++) {
      out.append(' ');
    }
    return out.append(digits);
  }
}
