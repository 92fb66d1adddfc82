package dev.paging.cli;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.PagingFormat;
import dev.paging.audit.Audit;
import dev.paging.core.AddressSpace;
import dev.paging.images.Alias;
import dev.paging.images.MemoryImage;
import dev.paging.images.ReverseMap;
import dev.paging.images.RootCandidate;
import dev.paging.images.RootFinder;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code paging reverse}: the virtual addresses that map each physical address, in one root or
 * in every root {@link RootFinder} finds.
 */
@Command(
    name = "reverse",
    description = {
        "Reverse translation: lists the virtual addresses that map each physical address, through one root "
            + "(given, or from the dump's registers) or through every root the image holds (--all-roots).",
    },
    footer = {
        "",
        "Output, per PHYSICAL in the order given, one line per alias in virtual order:",
        "  PA <- VA SIZE LEVEL ATTRIBUTES               (with --all-roots: ... in root ROOT)",
        "  PA not mapped                                no virtual address maps it",
        "SIZE, LEVEL and ATTRIBUTES read as in paging translate. Aliases are real: shared memory, the direct "
            + "map beside the kernel's mapping of its image, Linux's ESPFIX (65,536 pages of one frame).",
        "",
        "Exit status: 0 when every address is mapped somewhere, 1 when one is not, 2 on bad input.",
    })
final class ReverseCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Mixin
  private ImageOptions imageOptions;

  @Option(names = "--entry-budget", paramLabel = "N", converter = WalkOptions.CountConverter.class,
      description = "Stop each walk after reading N entries (hostile images); a line on standard error then says "
          + "aliases may be missing. Default: ${DEFAULT-VALUE}, 2^24.")
  private long entryBudget = Audit.DEFAULT_ENTRY_BUDGET;

  @Option(names = "--all-roots", description = "Look through every root paging roots finds, instead of one. An "
      + "AArch64 root is walked as the half paging roots says it is (both halves when it says either).")
  private boolean allRoots;

  @Parameters(paramLabel = "PHYSICAL", arity = "1..*",
      description = "Physical addresses: hex with 0x or decimal, _ allowed between digits.")
  private List<String> addressArguments;

  @Override
  public Integer call() throws IOException {
    long[] addresses = AddressConverter.parseAll(addressArguments, "PHYSICAL", spec.commandLine());
    PrintWriter out = spec.commandLine().getOut();
    long budget = WalkOptions.checkedEntryBudget(entryBudget, spec.commandLine());
    boolean[] mapped = new boolean[addresses.length];
    List<List<String>> lines = new ArrayList<>();
    for (int i = 0; i < addresses.length; i++) {
      lines.add(new ArrayList<>());
    }
    boolean complete = true;
    if (allRoots) {
      List<String> given = imageOptions.givenRootOptions();
      if (!given.isEmpty()) {
        throw new ParameterException(spec.commandLine(), "--all-roots looks through every root; it cannot be "
            + "given with " + given.get(0));
      }
      try (MemoryImage image = imageOptions.openFile()) {
        PagingFormat format = imageOptions.scanFormat(image);
        RootFinder finder;
        try {
          finder = RootFinder.of(format);
        } catch (IllegalArgumentException e) {
          throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        for (RootCandidate root : finder.scan(image)) {
          // A root of one half maps that half's addresses; one the scan could not place, both.
          long r = root.address();
          long lower = root.half() == RootCandidate.Half.UPPER ? AddressSpace.NO_ROOT : r;
          long upper = root.half() == RootCandidate.Half.LOWER ? AddressSpace.NO_ROOT : r;
          complete &= collect(ReverseMap.of(format, image).withEntryBudget(budget).find(lower, upper, addresses),
              " in root " + hex(r), lines, mapped);
        }
      }
    } else {
      try (Image image = imageOptions.open()) {
        complete = collect(ReverseMap.of(image.format(), image.memory()).withEntryBudget(budget)
            .find(image.root(), image.upperRoot(), addresses), "", lines, mapped);
      }
    }
    boolean all = true;
    for (int i = 0; i < addresses.length; i++) {
      if (!mapped[i]) {
        out.println(hex(addresses[i]) + " not mapped");
        all = false;
      }
      for (String line : lines.get(i)) {
        out.println(line);
      }
    }
    out.flush();
    if (!complete) {
      spec.commandLine().getErr().println(spec.qualifiedName() + ": the walk stopped at the entry budget of "
          + budget + " entries; aliases may be missing (raise --entry-budget)");
    }
    return all ? 0 : 1;
  }

  private static boolean collect(ReverseMap.Result r, String suffix, List<List<String>> lines, boolean[] mapped) {
    for (int i = 0; i < r.size(); i++) {
      for (Alias a : r.aliases(i)) {
        lines.get(i).add(hex(r.physicalAddress(i)) + " <- " + a + suffix);
        mapped[i] = true;
      }
    }
    return r.complete();
  }
}
