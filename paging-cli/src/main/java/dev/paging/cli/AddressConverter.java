package dev.paging.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a 64-bit unsigned value as people write addresses: hex with a {@code 0x} prefix
 * ({@code 0xffff_8880_0000_0000}) or decimal ({@code 4096}), with {@code _} allowed between
 * digits as in Java literals. Values above {@code 0x7fffffffffffffff} come back as negative
 * {@code long}s, the library's unsigned convention.
 */
final class AddressConverter implements ITypeConverter<Long> {
  @Override
  public Long convert(String text) {
    return parse(text);
  }

  /**
   * The value {@code text} spells.
   *
   * @throws TypeConversionException naming {@code text} and what is wrong with it
   */
  static long parse(String text) {
    boolean hex = text.startsWith("0x") || text.startsWith("0X");
    String digits = hex ? text.substring(2) : text;
    if (digits.isEmpty() || digits.startsWith("_") || digits.endsWith("_")) {
      throw notAnAddress(text);
    }
    String plain = digits.replace("_", "");
    int radix = hex ? 16 : 10;
    for (int i = 0; i < plain.length(); i++) {
      char c = plain.charAt(i);
      // ASCII only: Character.digit also accepts other scripts' digits.
      if (c >= 128 || Character.digit(c, radix) < 0) {
        throw notAnAddress(text);
      }
    }
    try {
      return Long.parseUnsignedLong(plain, radix);
    } catch (NumberFormatException e) {
      // Only the length can be wrong now: every character is a digit of the radix.
      throw new TypeConversionException("'" + text + "' does not fit in 64 bits");
    }
  }

  /**
   * The values of positional {@code arguments}, each parsed here rather than by picocli, which
   * reports a bad value after the first as merely "unmatched".
   *
   * @throws ParameterException naming {@code label} and the first bad value
   */
  static long[] parseAll(List<String> arguments, String label, CommandLine commandLine) {
    long[] values = new long[arguments.size()];
    for (int i = 0; i < values.length; i++) {
      try {
        values[i] = parse(arguments.get(i));
      } catch (TypeConversionException e) {
        throw new ParameterException(commandLine, "Invalid value for " + label + ": " + e.getMessage());
      }
    }
    return values;
  }

  private static TypeConversionException notAnAddress(String text) {
    return new TypeConversionException(
        "'" + text + "' is not an address (hex with 0x, or decimal; _ allowed between digits)");
  }
}
