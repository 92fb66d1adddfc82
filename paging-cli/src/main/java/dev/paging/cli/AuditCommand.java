package dev.paging.cli;

import dev.paging.api.VirtualRange;
import dev.paging.audit.Audit;
import dev.paging.audit.AuditReport;
import dev.paging.audit.AuditRule;
import dev.paging.audit.AuditRules;
import dev.paging.audit.AuditSummary;
import dev.paging.audit.Finding;
import dev.paging.audit.Severity;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code paging audit}: checks the page tables of a memory image with the library's audit rules
 * and the image's own, and says through its exit status whether a finding at or above a chosen
 * severity exists, so that scripts and CI can gate on it.
 */
@Command(
    name = "audit",
    description = {
        "Audits the page tables in a memory image; the exit status says whether a finding at or above "
            + "a chosen severity exists.",
    },
    footer = {
        "",
        "Rules, by severity:",
        "  error    reserved-bits, address-width, misaligned-leaf, leaf-not-allowed,",
        "           reserved-encoding, non-leaf-flags, table-at-last-level,",
        "           table-outside-memory (a table pointer outside the image),",
        "           user-exec-kernel-half",
        "  warning  wx, user-kernel-half, incomplete-walk, links-not-walked (a table",
        "           already entered through 1024 links is not entered again)",
        "  info     recursive-mapping (an entry pointing back to a table above it, as",
        "           Windows x64 uses; its window is not audited twice), shared-table,",
        "           writable-alias, empty-table, outside-image (a page whose memory the",
        "           image does not hold: a device, or a short image)",
        "",
        "Text output: one line per finding in address order,",
        "  SEVERITY RULE [FIRST, LAST] LEVEL table TABLE: MESSAGE",
        "then a summary by severity and by rule.",
        "",
        "With --stream, findings are written as the audit finds them, in walk order, and none is kept:",
        "findings about entries as the walk passes them, shared-table findings and the counts of folded",
        "findings at the end. The JSON then has \"order\": \"walk\" before \"findings\" and \"complete\" after.",
        "Without it the report is sorted and lists at most 100,000 findings; past that each rule only counts.",
        "",
        "JSON output (--json), schema paging-audit/1:",
        "  { \"schema\": \"paging-audit/1\", \"format\": FORMAT, \"root\": ADDRESS,",
        "    \"range\": { \"first\": ADDRESS, \"last\": ADDRESS },",
        "    \"complete\": true or false,",
        "    \"findings\": [ { \"rule\": RULE, \"severity\": \"error\", \"warning\" or \"info\",",
        "                    \"first\": ADDRESS, \"last\": ADDRESS, \"level\": LEVEL,",
        "                    \"table\": ADDRESS, \"message\": TEXT }, ... ],",
        "    \"summary\": { \"findings\": N, \"error\": N, \"warning\": N, \"info\": N,",
        "                 \"byRule\": { RULE: N, ... } } }",
        "ADDRESS is a string, 0x and 16 hex digits; N is a number. FIRST and LAST are the virtual "
            + "addresses concerned, both included; TABLE is the physical address of the table holding "
            + "the first entry concerned.",
        "",
        "A walk that reads its --entry-budget stops: the report then ends with an incomplete-walk warning "
            + "naming the range left unchecked (\"complete\": false), which only --fail-on warning or info "
            + "turns into exit status 1. A rule lists at most 16 findings about one table; one more finding "
            + "counts the rest.",
        "",
        "Exit status: 0 when no finding is at or above the --fail-on severity; 1 when one is; 2 on bad input "
            + "(nothing is audited).",
    })
final class AuditCommand implements Callable<Integer> {
  /** The exit status when a finding at or above the {@code --fail-on} severity exists. */
  static final int FINDINGS = 1;

  /** Reads a severity by its lowercase name. */
  static final class SeverityConverter implements ITypeConverter<Severity> {
    @Override
    public Severity convert(String text) {
      for (Severity s : Severity.values()) {
        if (AuditJson.name(s).equals(text.toLowerCase(Locale.ROOT))) {
          return s;
        }
      }
      throw new TypeConversionException("unknown severity '" + text + "' (expected error, warning or info)");
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

  @Option(names = "--json", description = "Write the report as JSON (schema paging-audit/1, below) instead of text.")
  private boolean json;

  @Option(names = "--stream", description = "Write each finding as soon as it is found, in walk order, instead of "
      + "sorting the report at the end; keeps no findings in memory.")
  private boolean stream;

  @Option(names = "--fail-on", paramLabel = "SEVERITY", converter = SeverityConverter.class, defaultValue = "error",
      description = "error, warning or info: exit with status 1 when a finding of this severity or a more "
          + "serious one exists. Default: ${DEFAULT-VALUE}.")
  private Severity failOn;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    long budget = walkOptions.entryBudget();
    try (Image image = imageOptions.open()) {
      VirtualRange range = walkOptions.range(image.format());
      Progress progress = main.progress(spec.commandLine().getErr(), "audit", "entries", 0);
      List<AuditRule> rules = new ArrayList<>(AuditRules.defaults());
      rules.add(new OutsideImageRule(image.memory()));
      rules.add(WalkProgress.of(progress).rule());
      AuditSummary summary;
      if (stream) {
        summary = streamed(image, range, rules, budget, StreamingOutput.of(out, progress), progress);
      } else {
        AuditReport report;
        try {
          report = Audit.run(image.space(), range, rules, budget);
        } finally {
          progress.clear();
        }
        if (json) {
          AuditJson.write(out, image.format(), image.root(), image.upperRoot(), range, report);
        } else {
          report.writeTo(out);
          out.flush();
        }
        summary = report.summary();
      }
      return summary.hasAtLeast(failOn) ? FINDINGS : 0;
    }
  }

  /** Audits with each finding written as it is final; the output's failures end the walk. */
  private AuditSummary streamed(Image image, VirtualRange range, List<AuditRule> rules, long budget,
      StreamingOutput output, Progress progress) throws IOException {
    AuditJson auditJson = json
        ? AuditJson.streaming(output.asWriter(), image.format(), image.root(), image.upperRoot(), range)
        : null;
    Consumer<Finding> sink = f -> {
      try {
        if (auditJson != null) {
          auditJson.finding(f);
        } else {
          output.append(f.toString()).append('\n');
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
    AuditSummary summary;
    try {
      summary = Audit.stream(image.space(), range, rules, budget, sink);
      if (auditJson != null) {
        auditJson.end(summary);
        auditJson.close();
      } else {
        summary.writeTo(output);
      }
      output.flush();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } finally {
      progress.clear();
    }
    return summary;
  }
}
