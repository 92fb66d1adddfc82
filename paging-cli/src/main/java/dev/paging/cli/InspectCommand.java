package dev.paging.cli;

import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.Visitors;
import dev.paging.core.WalkOutcome;
import dev.paging.core.Walker;
import dev.paging.dump.Dump;
import dev.paging.dump.DumpFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code paging inspect}: dumps the page tables of a memory image in one of the library's dump
 * layouts, streaming to standard output as the walk goes, so an image of any size is dumped in
 * bounded memory.
 */
@Command(
    name = "inspect",
    description = {
        "Dumps the page tables in a memory image as Linux ptdump, QEMU info mem or info tlb, xv6 vmprint, "
            + "JSON or Graphviz DOT.",
    },
    footer = {
        "",
        "Views:",
        "  ptdump         Linux ptdump: runs of pages with the same flags and level,",
        "                 holes included (RISC-V: mapped runs only, as in Linux)",
        "  ptdump-mapped  ptdump without the runs that map nothing",
        "  info-mem       QEMU info mem: runs of pages by effective permission",
        "  info-tlb       QEMU info tlb: one line per leaf (x86 only, as in QEMU)",
        "  vmprint        xv6 vmprint: one line per present entry, by index",
        "  vmprint-va     xv6 vmprint: one line per present entry, by virtual address",
        "  json           every table, entry and hole as JSON, schema paging-dump/1",
        "  dot            a Graphviz digraph of the tables (render with dot -Tsvg)",
        "",
        "Entries the walker cannot follow (reserved bits, a table outside the image) appear in "
            + "every view as what they are (ptdump marks their runs ! PROBLEM) and never stop the dump; a line on "
            + "standard error counts them at the end, and 'paging audit' judges them. "
            + "An entry pointing back to a table above it (a recursive mapping) is followed as the MMU "
            + "follows it, so the views list its window as QEMU does. "
            + "The dump is written as the walk goes, so it starts at once and needs little memory "
            + "whatever the image's size.",
        "",
        "Exit status: 0 when the dump is complete; 1 when the entry budget ran out: the dump ends there "
            + "(JSON says \"complete\": false) and a line on standard error says so; 2 on bad input "
            + "(nothing is dumped).",
    })
final class InspectCommand implements Callable<Integer> {
  private long outputBudget(long imageBytes) {
    if (outputBudget == null) {
      return OutputBudget.defaultFor(imageBytes);
    }
    if (outputBudget <= 0) {
      throw new ParameterException(spec.commandLine(), "--output-budget " + outputBudget + " is not positive");
    }
    return outputBudget;
  }

  /** The exit status when the entry budget ran out before the dump was complete. */
  static final int INCOMPLETE = 1;

  /** A view's name as {@code --view} takes it, and the renderer it selects. */
  enum View {
    PTDUMP("ptdump", DumpFormat.PTDUMP),
    PTDUMP_MAPPED("ptdump-mapped", DumpFormat.PTDUMP_MAPPED),
    INFO_MEM("info-mem", DumpFormat.QEMU_INFO_MEM),
    INFO_TLB("info-tlb", DumpFormat.QEMU_INFO_TLB),
    VMPRINT("vmprint", DumpFormat.VMPRINT),
    VMPRINT_VA("vmprint-va", DumpFormat.VMPRINT_VA),
    JSON("json", DumpFormat.JSON),
    DOT("dot", DumpFormat.DOT);

    final String viewName;
    final DumpFormat dump;

    View(String viewName, DumpFormat dump) {
      this.viewName = viewName;
      this.dump = dump;
    }

    @Override
    public String toString() {
      return viewName;
    }
  }

  /** Reads a view by name, case-insensitively. */
  static final class ViewConverter implements ITypeConverter<View> {
    @Override
    public View convert(String text) {
      for (View v : View.values()) {
        if (v.viewName.equals(text.toLowerCase(Locale.ROOT))) {
          return v;
        }
      }
      String[] names = Arrays.stream(View.values()).map(v -> v.viewName).toArray(String[]::new);
      throw new TypeConversionException("unknown view '" + text + "' (expected "
          + Arrays.stream(names, 0, names.length - 1).collect(Collectors.joining(", "))
          + " or " + names[names.length - 1] + ")");
    }
  }

  @ParentCommand
  private Main main;

  @Spec
  private CommandSpec spec;

  @Mixin
  private ImageOptions imageOptions;

  @Mixin
  private WalkOptions walkOptions;

  @Option(names = "--view", paramLabel = "VIEW", converter = ViewConverter.class, defaultValue = "ptdump",
      description = "ptdump, ptdump-mapped, info-mem, info-tlb, vmprint, vmprint-va, json or dot "
          + "(see below). Default: ${DEFAULT-VALUE}.")
  private View view;

  @Option(names = "--mapped-only",
      description = "Leave out what maps nothing: json without its hole entries (the summary still counts "
          + "them), ptdump as ptdump-mapped; info-mem, info-tlb and vmprint list only mappings anyway.")
  private boolean mappedOnly;

  @Option(names = "--output-budget", paramLabel = "N", converter = WalkOptions.CountConverter.class,
      description = "Stop the dump once it has written N characters; the output then ends as an "
          + "incomplete dump (exit status 1). Default: 16 characters per byte of the image, and at least "
          + "16 Mi: tables that link each other can make a small image print without end.")
  private @Nullable Long outputBudget;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    long budget = walkOptions.entryBudget();
    try (Image image = imageOptions.open()) {
      PagingFormat format = image.format();
      VirtualRange range = walkOptions.range(format);
      if (view == View.INFO_TLB && !format.architecture().isX86()) {
        throw new ParameterException(spec.commandLine(), "--view info-tlb: QEMU has info tlb for x86 only, not "
            + format.name() + " (info-mem lists RISC-V mappings)");
      }
      DumpFormat dumpFormat = view.dump;
      if (mappedOnly) {
        if (view == View.DOT) {
          throw new ParameterException(spec.commandLine(),
              "--mapped-only: the dot view draws every table whole; it has no mapped-only form");
        }
        dumpFormat = view == View.JSON ? DumpFormat.JSON_MAPPED : view == View.PTDUMP ? DumpFormat.PTDUMP_MAPPED
            : dumpFormat;
      }
      Progress progress = main.progress(err, "inspect", "entries", 0);
      StreamingOutput output = StreamingOutput.of(out, progress);
      WalkProgress counter = WalkProgress.of(progress);
      Dump dump = Dump.of(format, dumpFormat.renderer(output));
      Walker walker = image.space().walker().entryBudget(budget);
      NotFollowed notFollowed = new NotFollowed();
      long characters = outputBudget(image.memory().size());
      OutputBudget limited = OutputBudget.of(Visitors.compose(dump, counter.visitor(), notFollowed.visitor()), output,
          characters);
      WalkOutcome outcome;
      try {
        outcome = walker.walk(image.root(), image.upperRoot(), range, limited);
        dump.finish();
        output.flush();
      } catch (UncheckedIOException e) {
        throw e.getCause();
      } finally {
        progress.clear();
      }
      String summary = notFollowed.summary(spec.qualifiedName(), "entry could not be followed",
          "entries could not be followed");
      if (summary != null) {
        err.println(summary);
      }
      if (limited.exceeded()) {
        err.println(spec.qualifiedName() + ": the dump passed its output budget of " + characters
            + " characters and stopped; it is incomplete (raise --output-budget to see the rest)");
        return INCOMPLETE;
      }
      if (outcome == WalkOutcome.BUDGET_EXHAUSTED) {
        err.println(spec.qualifiedName() + ": the walk read its entry budget of " + budget
            + " entries and stopped; the dump is incomplete (raise --entry-budget to see the rest)");
        return INCOMPLETE;
      }
      return 0;
    }
  }
}
