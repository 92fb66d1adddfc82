package dev.paging.cli;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Addresses;
import dev.paging.api.EntryProblem;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import dev.paging.core.AddressSpace;
import dev.paging.ops.Translation;
import dev.paging.ops.Translator;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code paging translate}: one line per virtual address, saying where it maps in a memory image
 * or why it does not. The line formats are part of the command's contract (scripts parse them)
 * and are spelled out in its help.
 */
@Command(
    name = "translate",
    description = {
        "Translates virtual addresses through the page tables in a memory image, printing one line per address.",
    },
    footer = {
        "",
        "Output, one line per ADDRESS in the order given (addresses in 16 hex digits):",
        "  VA -> PA SIZE LEVEL ATTRIBUTES                 mapped",
        "  VA not mapped: LEVEL[INDEX] empty              the entry on the path is zero",
        "  VA not mapped: LEVEL[INDEX] not present (entry RAW)",
        "  VA not mapped: LEVEL[INDEX] PROBLEM (entry RAW[, table ADDRESS])",
        "  VA not canonical for FORMAT",
        "SIZE is 4K, 2M, 1G...; ATTRIBUTES are the effective ones (x86: W and U ANDed, NX ORed down the "
            + "levels), as letters rwxugad with - when clear, then type=N (PAT index or PBMT), sw=0x... "
            + "(software bits) and extra=0x... (other bits) when not zero. PROBLEM is one of RESERVED_BITS, "
            + "ADDRESS_BEYOND_PHYSICAL_WIDTH, MISALIGNED_LEAF, LEAF_NOT_ALLOWED, RESERVED_ENCODING, "
            + "NON_LEAF_FLAGS, TABLE_AT_LAST_LEVEL or TABLE_OUTSIDE_MEMORY (the table is not in the "
            + "image). An entry that points back to a table above it (a recursive mapping, as Windows "
            + "x64 uses) is followed as the MMU follows it. When walks ended at entries that could not be "
            + "followed, a line on standard error counts them by problem.",
        "",
        "Exit status: 0 when every address is mapped, 1 when one is not mapped or not canonical, "
            + "2 on bad input (nothing is translated).",
        "Many addresses: put them in a file, one per line, and pass @FILE.",
    })
final class TranslateCommand implements Callable<Integer> {
  /** The exit status when an address is not mapped or not canonical. */
  static final int NOT_ALL_MAPPED = 1;

  @ParentCommand
  private Main main;

  @Spec
  private CommandSpec spec;

  @Mixin
  private ImageOptions imageOptions;

  // Converted in call(): picocli reports a bad value after the first as merely "unmatched".
  @Parameters(paramLabel = "ADDRESS", arity = "1..*",
      description = "Virtual addresses: hex with 0x or decimal, _ allowed between digits.")
  private List<String> addressArguments;

  @Override
  public Integer call() throws IOException {
    long[] addresses = AddressConverter.parseAll(addressArguments, "ADDRESS", spec.commandLine());
    PrintWriter out = spec.commandLine().getOut();
    try (Image image = imageOptions.open()) {
      PagingFormat format = image.format();
      Translator translator = Translator.of(image.space());
      Progress progress = main.progress(spec.commandLine().getErr(), "translate", "addresses", addresses.length);
      // The lines are printed after the work: with a progress report, both go to the terminal.
      String[] lines = new String[addresses.length];
      NotFollowed notFollowed = new NotFollowed();
      boolean allMapped = true;
      for (int i = 0; i < addresses.length; i++) {
        long va = addresses[i];
        String line;
        if (!format.isCanonical(va)) {
          line = hex(va) + " not canonical for " + format.name();
          allMapped = false;
        } else if (image.space().rootFor(va) == AddressSpace.NO_ROOT) {
          boolean upper = va < 0;
          line = hex(va) + " not mapped: the " + (upper ? "upper" : "lower") + " half is not walked (no --ttbr"
              + (upper ? 1 : 0) + ", or EPD" + (upper ? 1 : 0) + " set in --tcr)";
          allMapped = false;
        } else {
          Translation t = translator.translate(va);
          allMapped &= t.isMapped();
          t.problem().ifPresent(notFollowed::add);
          line = line(format, t);
        }
        lines[i] = line;
        progress.update(i + 1);
      }
      progress.clear();
      for (String line : lines) {
        out.println(line);
      }
      out.flush();
      String summary = notFollowed.summary(spec.qualifiedName(), "address ended at an entry that could not be followed",
          "addresses ended at entries that could not be followed");
      if (summary != null) {
        spec.commandLine().getErr().println(summary);
      }
      return allMapped ? 0 : NOT_ALL_MAPPED;
    }
  }

  /** The line for a translation of a canonical address, in the formats the help lists. */
  static String line(PagingFormat format, Translation t) {
    String va = hex(t.virtualAddress());
    if (t.isMapped()) {
      return va + " -> " + hex(t.physicalAddress()) + " " + Addresses.sizeName(t.pageSize()) + " " + t.level()
          + " " + t.effectiveAttributes();
    }
    Level level = t.level();
    String slot = va + " not mapped: " + level + "[" + level.index(t.virtualAddress()) + "] ";
    switch (t.outcome()) {
      case EMPTY:
        return slot + "empty";
      case NOT_PRESENT:
        return slot + "not present (entry " + hex(t.entry()) + ")";
      default:
        EntryProblem problem = t.problem().orElseThrow();
        String table = problem == EntryProblem.TABLE_OUTSIDE_MEMORY
            ? ", table " + hex(format.address(level, t.entry()))
            : "";
        return slot + problem + " (entry " + hex(t.entry()) + table + ")";
    }
  }
}
