package dev.paging.cli;

import static dev.paging.api.Addresses.hex;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.paging.api.PagingFormat;
import dev.paging.core.Formats;
import dev.paging.images.MemoryImage;
import dev.paging.images.RootCandidate;
import dev.paging.images.RootFinder;
import dev.paging.images.Segment;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code paging roots}: the pages of a memory image that read as root tables, best first, found
 * without registers (see {@link RootFinder}).
 */
@Command(
    name = "roots",
    description = {
        "Finds the address spaces in a memory image without registers: every page that reads as a root "
            + "table of the format, checked through its children, best first, with the evidence and the "
            + "number of leaves each maps.",
    },
    footer = {
        "",
        "Output: a header line, then one line per candidate: ROOT SCORE TABLES UPPER GROUP LEAVES EVIDENCE. "
            + "TABLES counts the root's table entries, UPPER those in the upper (kernel) half; GROUP numbers the "
            + "kernels: candidates linking one same kernel-half table are processes of one kernel (0: none). "
            + "LEAVES is counted for the best 64 (- for the others; >=N when the count stopped at its budget). "
            + "EVIDENCE names a Linux PTI twin (the kernel root 8 KiB aligned, the user root after it) and an "
            + "entry pointing back to the root (Windows' self-reference).",
        "",
        "AArch64 (--format aarch64, --tcr VALUE for the granules and sizes, else Linux's 4 KiB/48-bit setup): each "
            + "half has a root of its own, so the columns are ROOT SCORE TABLES HALF LEAVES EVIDENCE, HALF saying "
            + "ttbr0 (a user half: at least three in four of the leaves the checks met are EL0-accessible), ttbr1 "
            + "(at most one in four is) or either; where TG0/T0SZ and TG1/T1SZ differ, each page is read with each "
            + "half's levels, which then say the half (a page read as a root of both is listed twice). Roots of a "
            + "few entries (a 16 KiB granule's 2-entry level 0) cannot be found so.",
        "",
        "JSON (--json, schema paging-roots/1): { \"schema\", \"image\", \"format\", \"pages\", \"candidates\": "
            + "[ { \"root\", \"score\", \"tableEntries\", \"upperHalfTableEntries\", \"leafEntries\", "
            + "\"kernelGroup\", \"half\" (whole, lower, upper or either), \"ptiTwin\" (or null), "
            + "\"selfReference\" (or null), \"leaves\" (or null), "
            + "\"leavesComplete\" } ] }, addresses as \"0x\" and 16 hex digits.",
        "",
        "Exit status: 0 when at least one candidate is found, 1 when none is, 2 on bad input.",
    })
final class RootsCommand implements Callable<Integer> {
  static final String SCHEMA = "paging-roots/1";
  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  @ParentCommand
  private Main main;

  @Spec
  private CommandSpec spec;

  @Mixin
  private ImageFileOptions imageFile;

  @Option(names = "--format", paramLabel = "FORMAT",
      description = "x86-64, x86-64-5level, x86-32, sv39, sv48, sv57 or aarch64 (a PAE root is too small to find "
          + "by scanning). Default: aarch64 with --tcr, else what the dump's registers say, else x86-64 (and a line "
          + "on standard error says so).")
  private String format;

  @Option(names = "--tcr", paramLabel = "VALUE", converter = AddressConverter.class,
      description = "aarch64: TCR_EL1, whose TG0/TG1 and T0SZ/T1SZ give the halves' granules and sizes and IPS the "
          + "output size. Default: 0x5b5103510, as Linux sets it up (a line on standard error says so).")
  private Long tcr;

  @Option(names = "--pse", description = "x86-32: read PDEs with PS as 4 MiB pages (CR4.PSE set).")
  private boolean pse;

  @Option(names = "--json", description = "Write the candidates as JSON (schema paging-roots/1, below).")
  private boolean json;

  @Override
  public Integer call() throws IOException {
    if (format != null && !ImageOptions.FORMAT_NAMES.contains(format.toLowerCase(Locale.ROOT))) {
      throw new ParameterException(spec.commandLine(), "unknown format '" + format
          + "' (expected " + ImageOptions.FORMAT_LIST + ")");
    }
    if (pse && (format == null || !format.equalsIgnoreCase("x86-32"))) {
      throw new ParameterException(spec.commandLine(), "--pse is CR4.PSE of 32-bit paging; give it with --format x86-32");
    }
    boolean aarch64 = format != null ? format.equalsIgnoreCase("aarch64") : tcr != null;
    if (tcr != null && !aarch64) {
      throw new ParameterException(spec.commandLine(), "--tcr is AArch64's TCR_EL1; give it with --format aarch64");
    }
    if (format != null && format.equalsIgnoreCase("x86-pae")) {
      throw new ParameterException(spec.commandLine(), "a PAE root is 4 entries, too few to find by scanning: "
          + "give the tables' CR3 to inspect or translate with --format x86-pae --cr3 VALUE");
    }
    // Formats the image cannot tell are settled before it is opened, so the command line's problem comes first.
    PagingFormat given = aarch64 ? ImageOptions.aarch64ForScan(tcr, spec)
        : format != null && format.equalsIgnoreCase("x86-32") ? Formats.x86_32(pse) : null;
    RootFinder givenFinder = given == null ? null : finder(given);
    PrintWriter out = spec.commandLine().getOut();
    try (MemoryImage image = imageFile.open()) {
      PagingFormat pagingFormat = given != null ? given : ImageOptions.scanFormat(format, null, image, spec);
      RootFinder finder = givenFinder != null ? givenFinder : finder(pagingFormat);
      long pages = 0;
      for (Segment s : image.segments()) {
        pages += s.length() / 4096;
      }
      Progress progress = main.progress(spec.commandLine().getErr(), "roots", "pages", pages);
      long[] read = new long[1];
      List<RootCandidate> found;
      try {
        found = finder.scan(image, n -> {
          read[0] = n;
          progress.update(n);
        });
      } finally {
        progress.clear();
      }
      if (json) {
        writeJson(out, image, pagingFormat, read[0], found);
      } else {
        out.println("candidate roots in " + image.file() + " read as " + pagingFormat.name() + ", best first: "
            + found.size());
        boolean halves = pagingFormat.rootPerHalf();
        if (!found.isEmpty() && halves) {
          out.println(String.format("%-18s %6s %6s %6s %10s  %s", "ROOT", "SCORE", "TABLES", "HALF", "LEAVES",
              "EVIDENCE"));
        } else if (!found.isEmpty()) {
          out.println(String.format("%-18s %6s %6s %5s %5s %10s  %s", "ROOT", "SCORE", "TABLES", "UPPER", "GROUP",
              "LEAVES", "EVIDENCE"));
        }
        for (RootCandidate c : found) {
          if (halves) {
            out.println(String.format("%-18s %6d %6d %6s %10s  %s", hex(c.address()), c.score(), c.tableEntries(),
                halfName(c.half()), leaves(c), evidence(c)).stripTrailing());
          } else {
            out.println(String.format("%-18s %6d %6d %5d %5d %10s  %s", hex(c.address()), c.score(),
                c.tableEntries(), c.upperHalfTableEntries(), c.kernelGroup(), leaves(c), evidence(c)).stripTrailing());
          }
        }
      }
      out.flush();
      if (found.isEmpty()) {
        spec.commandLine().getErr().println(spec.qualifiedName() + ": no page of " + image.file() + " reads as a "
            + pagingFormat.name() + " root table");
        return 1;
      }
      return 0;
    }
  }

  /** The finder of {@code f}'s roots, or the usage error of a format whose roots are too small to find. */
  private RootFinder finder(PagingFormat f) {
    try {
      return RootFinder.of(f);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private static String halfName(RootCandidate.Half half) {
    switch (half) {
      case LOWER:
        return "ttbr0";
      case UPPER:
        return "ttbr1";
      default:
        return "either";
    }
  }

  private static String leaves(RootCandidate c) {
    if (c.leaves() < 0) {
      return "-";
    }
    return (c.leavesComplete() ? "" : ">=") + c.leaves();
  }

  private static String evidence(RootCandidate c) {
    StringBuilder s = new StringBuilder();
    c.ptiTwin().ifPresent(t -> s.append("PTI twin ").append(hex(t)));
    c.selfReference().ifPresent(i -> s.append(s.length() == 0 ? "" : "; ").append("self-reference at index 0x")
        .append(Integer.toHexString(i)));
    return s.toString();
  }

  private static void writeJson(PrintWriter out, MemoryImage image, PagingFormat format, long pages,
      List<RootCandidate> found) throws IOException {
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      g.writeStringField("schema", SCHEMA);
      g.writeStringField("image", image.file().toString());
      g.writeStringField("format", format.name());
      g.writeNumberField("pages", pages);
      g.writeArrayFieldStart("candidates");
      for (RootCandidate c : found) {
        g.writeStartObject();
        g.writeStringField("root", hex(c.address()));
        g.writeNumberField("score", c.score());
        g.writeNumberField("tableEntries", c.tableEntries());
        g.writeNumberField("upperHalfTableEntries", c.upperHalfTableEntries());
        g.writeNumberField("leafEntries", c.leafEntries());
        g.writeNumberField("kernelGroup", c.kernelGroup());
        g.writeStringField("half", c.half().name().toLowerCase(Locale.ROOT));
        g.writeFieldName("ptiTwin");
        if (c.ptiTwin().isPresent()) {
          g.writeString(hex(c.ptiTwin().getAsLong()));
        } else {
          g.writeNull();
        }
        g.writeFieldName("selfReference");
        if (c.selfReference().isPresent()) {
          g.writeNumber(c.selfReference().getAsInt());
        } else {
          g.writeNull();
        }
        g.writeFieldName("leaves");
        if (c.leaves() >= 0) {
          g.writeNumber(c.leaves());
        } else {
          g.writeNull();
        }
        g.writeBooleanField("leavesComplete", c.leavesComplete());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    out.println();
  }
}
