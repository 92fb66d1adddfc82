package dev.paging.dump;

import static dev.paging.api.Addresses.hex;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import dev.paging.api.Attributes;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryProblem;
import dev.paging.api.HoleCursor;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import dev.paging.api.TableCursor;
import java.io.Flushable;
import java.io.IOException;
import java.io.Writer;
import java.nio.CharBuffer;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The JSON renderer; the schema is documented on {@link DumpRenderer#json}, whose text this
 * class writes with jackson-core's streaming generator as the walk goes.
 */
final class JsonDumpRenderer implements DumpRenderer {
  static final String SCHEMA = "paging-dump/1";
  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private final Appendable out;
  private final boolean showHoles;
  private JsonGenerator json;
  /** A table entry's object is open, waiting for its child table or the walker's refusal. */
  private boolean pointerOpen;
  /** The format has a root per half: each root table goes in an object of {@code "halves"}. */
  private boolean halves;
  private long lowerLast;
  private long tables;
  private long leaves;
  private long notPresent;
  private long holes;
  private long malformed;
  private long mappedBytes;

  JsonDumpRenderer(Appendable out, boolean showHoles) {
    this.out = Objects.requireNonNull(out, "out");
    this.showHoles = showHoles;
  }

  @Override
  public void begin(PagingFormat format, TableCursor root) throws IOException {
    json = FACTORY.createGenerator(new AppendableWriter(out));
    json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    Indenter indenter = new Indenter();
    json.setPrettyPrinter(new DefaultPrettyPrinter()
        .withSeparators(Separators.createDefaultInstance()
            .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
        .withObjectIndenter(indenter)
        .withArrayIndenter(indenter));
    pointerOpen = false;
    tables = leaves = notPresent = holes = malformed = mappedBytes = 0;
    json.writeStartObject();
    json.writeStringField("schema", SCHEMA);
    json.writeStringField("format", format.name());
    levels("levels", format.levels());
    if (!format.oneGeometry()) {
      // The upper half walks other levels (AArch64 with TG1 or T1SZ apart from TG0, T0SZ).
      levels("upperLevels", format.levels(-1L));
    }
    halves = format.rootPerHalf();
    lowerLast = format.lowerHalf().last();
    if (halves) {
      json.writeArrayFieldStart("halves");
      return;
    }
    rootFields(root);
  }

  private void levels(String field, List<Level> levels) throws IOException {
    json.writeArrayFieldStart(field);
    for (Level level : levels) {
      json.writeStartObject();
      json.writeStringField("name", level.name());
      json.writeNumberField("depth", level.depth());
      json.writeNumberField("shift", level.shift());
      json.writeNumberField("entries", level.entries());
      json.writeBooleanField("leafAllowed", level.leafAllowed());
      json.writeEndObject();
    }
    json.writeEndArray();
  }

  private void rootFields(TableCursor root) throws IOException {
    json.writeStringField("root", hex(root.frame()));
    json.writeObjectFieldStart("range");
    json.writeStringField("first", hex(root.walkFirst()));
    json.writeStringField("last", hex(root.walkLast()));
    json.writeEndObject();
    json.writeFieldName("table");
  }

  @Override
  public void beforeTable(TableCursor table) throws IOException {
    if (table.level().depth() > 0) {
      // Only ever right after the entry that points here.
      json.writeFieldName("table");
      pointerOpen = false;
    } else if (halves) {
      json.writeStartObject();
      json.writeStringField("half", Long.compareUnsigned(table.first(), lowerLast) <= 0 ? "lower" : "upper");
      rootFields(table);
    }
    tables++;
    json.writeStartObject();
    json.writeStringField("level", table.level().name());
    json.writeNumberField("depth", table.level().depth());
    json.writeStringField("frame", hex(table.frame()));
    json.writeStringField("first", hex(table.first()));
    json.writeStringField("last", hex(table.last()));
    json.writeArrayFieldStart("entries");
  }

  @Override
  public void entry(EntryCursor entry, @Nullable Attributes effective) throws IOException {
    closePointer();
    EntryKind kind = entry.kind();
    json.writeStartObject();
    json.writeNumberField("index", entry.index());
    json.writeStringField("kind", kind == EntryKind.TABLE ? "table" : kind == EntryKind.LEAF ? "leaf" : "not-present");
    json.writeStringField("first", hex(entry.first()));
    json.writeStringField("last", hex(entry.last()));
    json.writeStringField("raw", hex(entry.raw()));
    if (kind == EntryKind.NOT_PRESENT) {
      notPresent++;
      json.writeEndObject();
      return;
    }
    json.writeStringField("address", hex(entry.target()));
    if (kind == EntryKind.LEAF) {
      leaves++;
      mappedBytes += entry.level().entrySpan();
      json.writeNumberField("pageSize", entry.level().entrySpan());
    }
    json.writeFieldName("attributes");
    attributes(entry.attributes());
    json.writeFieldName("effective");
    attributes(effective);
    if (kind == EntryKind.TABLE) {
      if (entry.recursive()) {
        json.writeBooleanField("recursive", true);
      }
      pointerOpen = true;
    } else {
      json.writeEndObject();
    }
  }

  @Override
  public void hole(HoleCursor hole) throws IOException {
    closePointer();
    holes++;
    if (!showHoles) {
      return;
    }
    json.writeStartObject();
    json.writeNumberField("index", hole.firstIndex());
    json.writeNumberField("lastIndex", hole.lastIndex());
    json.writeStringField("kind", "hole");
    json.writeStringField("first", hex(hole.first()));
    json.writeStringField("last", hex(hole.last()));
    json.writeEndObject();
  }

  @Override
  public void malformed(EntryCursor entry, EntryProblem problem) throws IOException {
    malformed++;
    if (pointerOpen && problem == EntryProblem.TABLE_OUTSIDE_MEMORY) {
      json.writeStringField("problem", problem.name());
      closePointer();
      return;
    }
    closePointer();
    json.writeStartObject();
    json.writeNumberField("index", entry.index());
    json.writeStringField("kind", "malformed");
    json.writeStringField("first", hex(entry.first()));
    json.writeStringField("last", hex(entry.last()));
    json.writeStringField("raw", hex(entry.raw()));
    json.writeStringField("problem", problem.name());
    json.writeEndObject();
  }

  @Override
  public void afterTable(TableCursor table) throws IOException {
    closePointer();
    json.writeEndArray();
    json.writeEndObject();
    if (table.level().depth() > 0 || halves) {
      // The table was the value of its pointer's (or its half's) "table" field: that is done too.
      json.writeEndObject();
    }
  }

  @Override
  public void end(boolean complete) throws IOException {
    if (!complete) {
      // Close whatever the walk left open, down to the document object.
      JsonStreamContext context = json.getOutputContext();
      while (!(context.inObject() && context.getParent().inRoot())) {
        if (context.inArray()) {
          json.writeEndArray();
        } else {
          json.writeEndObject();
        }
        context = json.getOutputContext();
      }
      pointerOpen = false;
    } else if (halves) {
      json.writeEndArray();
    }
    json.writeBooleanField("complete", complete);
    json.writeObjectFieldStart("summary");
    json.writeNumberField("tables", tables);
    json.writeNumberField("leaves", leaves);
    json.writeNumberField("notPresent", notPresent);
    json.writeNumberField("holes", holes);
    json.writeNumberField("malformed", malformed);
    json.writeNumberField("mappedBytes", mappedBytes);
    json.writeEndObject();
    json.writeEndObject();
    json.flush();
    out.append('\n');
    if (out instanceof Flushable) {
      ((Flushable) out).flush();
    }
  }

  private void closePointer() throws IOException {
    if (pointerOpen) {
      pointerOpen = false;
      json.writeEndObject();
    }
  }

  private void attributes(Attributes a) throws IOException {
    json.writeStartObject();
    json.writeBooleanField("read", a.readable());
    json.writeBooleanField("write", a.writable());
    json.writeBooleanField("execute", a.executable());
    json.writeBooleanField("user", a.user());
    json.writeBooleanField("global", a.global());
    json.writeBooleanField("accessed", a.accessed());
    json.writeBooleanField("dirty", a.dirty());
    json.writeNumberField("memoryType", a.memoryType());
    json.writeNumberField("softwareBits", a.softwareBits());
    json.writeStringField("extraBits", hex(a.extraBits()));
    json.writeEndObject();
  }

  /**
   * New line and two spaces per level, except inside the small fixed objects, which stay on one
   * line so that an entry reads at a glance.
   */
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
      if (!context.inObject() || parent == null) {
        return false;
      }
      if (parent.inArray()) {
        return "levels".equals(parent.getParent().getCurrentName());
      }
      String name = parent.getCurrentName();
      return "attributes".equals(name) || "effective".equals(name) || "range".equals(name)
          || "summary".equals(name);
    }

    @Override
    public boolean isInline() {
      return false;
    }
  }

  /** A {@link Writer} over an {@link Appendable}; closing it leaves the appendable open. */
  private static final class AppendableWriter extends Writer {
    private final Appendable target;

    AppendableWriter(Appendable target) {
      this.target = target;
    }

    @Override
    public void write(char[] buffer, int offset, int length) throws IOException {
      target.append(CharBuffer.wrap(buffer), offset, offset + length);
    }

    @Override
    public void write(String s, int offset, int length) throws IOException {
      target.append(s, offset, offset + length);
    }

    @Override
    public void flush() throws IOException {
      if (target instanceof Flushable) {
        ((Flushable) target).flush();
      }
    }

    @Override
    public void close() {
      // The caller owns the appendable.
    }
  }
}
