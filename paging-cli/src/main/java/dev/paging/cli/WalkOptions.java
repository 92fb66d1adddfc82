package dev.paging.cli;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.audit.Audit;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * The options of commands that walk a whole range of an image (a picocli mixin): which virtual
 * addresses, and how many entries the walk may read before it gives up on a hostile image.
 */
final class WalkOptions {
  @Spec(Spec.Target.MIXEE)
  private CommandSpec mixee;

  @Option(names = "--range", paramLabel = "FIRST-LAST",
      description = "Walk only virtual addresses FIRST to LAST, both included (0x400000-0x5fffffff); "
          + "both ends canonical. Default: the whole address space.")
  private String rangeText;

  @Option(names = "--from", paramLabel = "ADDRESS", converter = AddressConverter.class,
      description = "Walk from this virtual address on (canonical). Default: 0.")
  private Long from;

  @Option(names = "--to", paramLabel = "ADDRESS", converter = AddressConverter.class,
      description = "Walk up to this virtual address, included (canonical). Default: the top of the space "
          + "(0xffffffffffffffff; 0xffffffff for x86-32 and x86-pae).")
  private Long to;

  @Option(names = "--entry-budget", paramLabel = "N", converter = CountConverter.class,
      description = "Read at most N table entries (default: ${DEFAULT-VALUE}, 2^24). A hostile image can "
          + "link one table from many entries and multiply the work; the budget bounds it.")
  private long entryBudget = Audit.DEFAULT_ENTRY_BUDGET;

  /**
   * The range to walk, checked against {@code format}.
   *
   * @throws ParameterException naming the offending value in hex when the options contradict each
   *     other, an end is not canonical, or the range is reversed
   */
  VirtualRange range(PagingFormat format) {
    long first = 0;
    long top = format.upperHalf().last();
    long last = top;
    String firstName = "--from";
    String lastName = "--to";
    if (rangeText != null) {
      if (from != null || to != null) {
        throw usage("give --range or --from/--to, not both");
      }
      int dash = rangeText.indexOf('-');
      if (dash < 0 || dash != rangeText.lastIndexOf('-')) {
        throw usage("--range '" + rangeText + "' is not FIRST-LAST (two addresses joined by -)");
      }
      first = parse(rangeText.substring(0, dash));
      last = parse(rangeText.substring(dash + 1));
      firstName = "--range start";
      lastName = "--range end";
    } else {
      if (from != null) {
        first = from;
      }
      if (to != null) {
        last = to;
      }
    }
    if (Long.compareUnsigned(first, last) > 0) {
      throw usage("the range [" + hex(first) + ", " + hex(last) + "] is reversed: its start is above its end");
    }
    // The defaults, 0 and the top of the space, are canonical in every format.
    if (!format.isCanonical(first)) {
      throw usage(firstName + " " + hex(first) + " is not canonical for " + format.name());
    }
    if (!format.isCanonical(last)) {
      throw usage(lastName + " " + hex(last) + " is not canonical for " + format.name());
    }
    if (first == 0 && last == top) {
      return top == -1L ? VirtualRange.all() : VirtualRange.closed(0, top);
    }
    return VirtualRange.closed(first, last);
  }

  /** The most entries a walk may read; always positive. */
  long entryBudget() {
    return checkedEntryBudget(entryBudget, mixee.commandLine());
  }

  /** {@code budget}, refused unless positive: the --entry-budget of any command. */
  static long checkedEntryBudget(long budget, CommandLine commandLine) {
    if (budget <= 0) {
      throw new ParameterException(commandLine, "--entry-budget " + budget + " is not positive");
    }
    return budget;
  }

  private long parse(String text) {
    try {
      return AddressConverter.parse(text.strip());
    } catch (TypeConversionException e) {
      throw usage("--range '" + rangeText + "': " + e.getMessage());
    }
  }

  /** Reads a positive count in decimal, with {@code _} allowed between digits ({@code 1_000_000}). */
  static final class CountConverter implements ITypeConverter<Long> {
    @Override
    public Long convert(String text) {
      String plain = text.replace("_", "");
      boolean digits = !plain.isEmpty() && !text.startsWith("_") && !text.endsWith("_");
      for (int i = 0; digits && i < plain.length(); i++) {
        char c = plain.charAt(i);
        digits = c >= '0' && c <= '9';
      }
      if (!digits) {
        throw new TypeConversionException("'" + text + "' is not a count (decimal digits, _ allowed between them)");
      }
      try {
        return Long.parseLong(plain);
      } catch (NumberFormatException e) {
        throw new TypeConversionException("'" + text + "' is above " + Long.MAX_VALUE);
      }
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(mixee.commandLine(), message);
  }
}
