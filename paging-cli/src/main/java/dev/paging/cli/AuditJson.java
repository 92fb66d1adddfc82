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
import dev.paging.audit.Finding;
import dev.paging.audit.Severity;
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
 */
final class AuditJson {
  static final String SCHEMA = "paging-audit/1";
  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private AuditJson() {}

  /** Writes {@code report} of {@code range} of the tables under {@code root} to {@code out}, then a newline. */
  static void write(Writer out, PagingFormat format, long root, VirtualRange range, AuditReport report)
      throws IOException {
    Indenter indenter = new Indenter();
    try (JsonGenerator json = FACTORY.createGenerator(out)) {
      json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      json.setPrettyPrinter(new DefaultPrettyPrinter()
          .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
          .withObjectIndenter(indenter)
          .withArrayIndenter(indenter));
      json.writeStartObject();
      json.writeStringField("schema", SCHEMA);
      json.writeStringField("format", format.name());
      json.writeStringField("root", hex(root));
      json.writeObjectFieldStart("range");
      json.writeStringField("first", hex(range.first()));
      json.writeStringField("last", hex(range.last()));
      json.writeEndObject();
      json.writeBooleanField("complete", report.complete());
      json.writeArrayFieldStart("findings");
      for (Finding f : report.findings()) {
        json.writeStartObject();
        json.writeStringField("rule", f.ruleId());
        json.writeStringField("severity", name(f.severity()));
        json.writeStringField("first", hex(f.first()));
        json.writeStringField("last", hex(f.last()));
        json.writeStringField("level", f.level().name());
        json.writeStringField("table", hex(f.tableFrame()));
        json.writeStringField("message", f.message());
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeObjectFieldStart("summary");
      json.writeNumberField("findings", report.findings().size());
      for (Severity s : Severity.values()) {
        json.writeNumberField(name(s), report.count(s));
      }
      json.writeObjectFieldStart("byRule");
      for (Map.Entry<String, Integer> e : report.countsByRule().entrySet()) {
        json.writeNumberField(e.getKey(), e.getValue());
      }
      json.writeEndObject();
      json.writeEndObject();
      json.writeEndObject();
    }
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
