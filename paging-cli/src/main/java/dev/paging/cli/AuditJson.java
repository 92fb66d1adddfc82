package dev.paging.cli;

import static dev.paging.api.Addresses.hex;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.audit.AuditReport;
import dev.paging.audit.AuditSummary;
import dev.paging.audit.Finding;
import dev.paging.audit.Severity;
import dev.paging.core.AddressSpace;
import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.util.Locale;
import java.util.Map;

/**
 * Writes an {@link AuditReport} as JSON with jackson-core's streaming generator, two-space
 * indented, one finding per line. The schema, {@value #SCHEMA}, is stable: fields may be added
 * under the same name, never renamed or removed. Addresses are strings {@code "0x"} + 16 hex
 * digits (they may exceed 2^53); counts are numbers.
 *
 * <pre>
 * {
 *   "schema": "paging-audit/1",
 *   "format": "x86-64",                                 the paging format's name
 *   "root": "0x...",                                    the root table's physical address
 *   "upperRoot": "0x...",                               AArch64 only: TTBR1's root ("root" is TTBR0's);
 *                                                       null for a half not walked
 *   "range": { "first": "0x...", "last": "0x..." },     the audited virtual range, both ends included
 *   "complete": true,                                   false when the walk stopped early (entry budget);
 *                                                       an incomplete-walk finding then names what was missed
 *   "findings": [ FINDING, ... ],                       by first address, then rule
 *   "summary": { "findings": n, "error": n, "warning": n, "info": n, "byRule": { "rule": n, ... } }
 * }
 * FINDING = { "rule": "wx", "severity": "error" | "warning" | "info", "first": "0x...", "last": "0x...",
 *             "level": "PT", "table": "0x...", "message": "..." }
 *   first/last: the virtual addresses concerned, both included; level: the level of the entries concerned;
 *   table: the physical address of the table holding the first of them
 * </pre>
 *
 * <p>Streamed ({@code audit --stream}), the same schema with the findings in walk order, as the
 * audit finds them: {@code "order": "walk"} comes before {@code "findings"}, and {@code
 * "complete"}, known only at the end, after it.
 */
final class AuditJson implements Closeable {
  static final String SCHEMA = "paging-audit/1";
  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private final Writer out;
  private final JsonGenerator json;

  private AuditJson(Writer out) throws IOException {
    this.out = out;
    Indenter indenter = new Indenter();
    this.json = FACTORY.createGenerator(out);
    json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    // A streamed finding is handed on whole (flush below) without flushing standard output per finding.
    json.disable(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM);
    json.setPrettyPrinter(new DefaultPrettyPrinter()
        .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
        .withObjectIndenter(indenter)
        .withArrayIndenter(indenter));
  }

  /** Writes {@code report} of {@code range} of the tables under {@code root} to {@code out}, then a newline. */
  static void write(Writer out, PagingFormat format, long root, long upperRoot, VirtualRange range, AuditReport report)
      throws IOException {
    try (AuditJson json = begin(out, format, root, upperRoot, range)) {
      json.complete(report.complete());
      json.json.writeArrayFieldStart("findings");
      for (Finding f : report.findings()) {
        json.finding(f);
      }
      json.json.writeEndArray();
      json.summary(report.summary());
    }
  }

  /**
   * Starts a streamed report: the header, {@code "order": "walk"} and the findings array, which
   * {@link #finding} then fills as the audit finds; {@link #end} closes it.
   */
  static AuditJson streaming(Writer out, PagingFormat format, long root, long upperRoot, VirtualRange range)
      throws IOException {
    AuditJson json = begin(out, format, root, upperRoot, range);
    json.json.writeStringField("order", "walk");
    json.json.writeArrayFieldStart("findings");
    return json;
  }

  /** Closes a streamed report's findings and writes whether it is complete and its summary. */
  void end(AuditSummary summary) throws IOException {
    json.writeEndArray();
    complete(summary.complete());
    summary(summary);
  }

  private static AuditJson begin(Writer out, PagingFormat format, long root, long upperRoot, VirtualRange range)
      throws IOException {
    AuditJson audit = new AuditJson(out);
    JsonGenerator json = audit.json;
    json.writeStartObject();
    json.writeStringField("schema", SCHEMA);
    json.writeStringField("format", format.name());
    if (format.rootPerHalf()) {
      // A half not walked has no root: null.
      rootField(json, "root", root);
      rootField(json, "upperRoot", upperRoot);
    } else {
      json.writeStringField("root", hex(root));
    }
    json.writeObjectFieldStart("range");
    json.writeStringField("first", hex(range.first()));
    json.writeStringField("last", hex(range.last()));
    json.writeEndObject();
    return audit;
  }

  private static void rootField(JsonGenerator json, String name, long root) throws IOException {
    if (root == AddressSpace.NO_ROOT) {
      json.writeNullField(name);
    } else {
      json.writeStringField(name, hex(root));
    }
  }

  private void complete(boolean complete) throws IOException {
    json.writeBooleanField("complete", complete);
  }

  void finding(Finding f) throws IOException {
    json.writeStartObject();
    json.writeStringField("rule", f.ruleId());
    json.writeStringField("severity", name(f.severity()));
    json.writeStringField("first", hex(f.first()));
    json.writeStringField("last", hex(f.last()));
    json.writeStringField("level", f.level().name());
    json.writeStringField("table", hex(f.tableFrame()));
    json.writeStringField("message", f.message());
    json.writeEndObject();
    json.flush();
  }

  private void summary(AuditSummary summary) throws IOException {
    json.writeObjectFieldStart("summary");
    json.writeNumberField("findings", summary.findings());
    for (Severity s : Severity.values()) {
      json.writeNumberField(name(s), summary.count(s));
    }
    json.writeObjectFieldStart("byRule");
    for (Map.Entry<String, Long> e : summary.countsByRule().entrySet()) {
      json.writeNumberField(e.getKey(), e.getValue());
    }
    json.writeEndObject();
    json.writeEndObject();
  }

  /** Ends the document with a newline and flushes; the writer stays open. */
  @Override
  public void close() throws IOException {
    json.writeEndObject();
    json.close();
    out.write('\n');
    out.flush();
  }

  /** A severity as JSON and {@code --fail-on} spell it: {@code error}, {@code warning}, {@code info}. */
  static String name(Severity severity) {
    return severity.name().toLowerCase(Locale.ROOT);
  }

  /** New line and two spaces per level, except inside a finding, the range and the summary. */
  private static final class Indenter implements DefaultPrettyPrinter.Indenter {
    @Override
    public void writeIndentation(JsonGenerator g, int level) throws IOException {
      if (inline(g.getOutputContext())) {
        g.writeRaw(' ');
        return;
      }
      g.writeRaw('\n');
      for (int i = 0; i < level; i++) {
        g.writeRaw("  ");
      }
    }

    private static boolean inline(JsonStreamContext context) {
      JsonStreamContext parent = context.getParent();
      boolean document = context.inObject() && parent != null && parent.inRoot();
      // The document and the findings array break lines; every object inside them stays on one.
      return !document && !context.inArray();
    }

    @Override
    public boolean isInline() {
      return false;
    }
  }
}
