package dev.paging.dump;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Addresses;
import dev.paging.api.Attributes;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryProblem;
import dev.paging.api.HoleCursor;
import dev.paging.api.PagingFormat;
import dev.paging.api.TableCursor;
import java.io.IOException;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A Graphviz picture of the tree (see {@link DumpRenderer#dot}). Each row's port is its text
 * cell and edges leave it eastwards, the direction the picture is laid out in. A node's label must
 * be written in one statement, so each open table's rows are kept until its {@code afterTable}: at
 * most one table per level is buffered, never the whole dump. A row stands for a run of entries
 * (leaves of one size and attributes, empty or not-present entries, pointers to one table), and a
 * pointer run's edge is written when its run ends; DOT lets an edge name a node defined anywhere.
 * So a real kernel's tables stay a picture a screen can show: a PD whose 512 entries all point to
 * one PT (as Linux's ESPFIX area does) is one row and one edge labelled {@code x512}, not 512.
 */
final class DotRenderer implements DumpRenderer {
  private enum Run { NONE, LEAVES, NOT_PRESENT, POINTERS }

  private final Appendable out;
  private PagingFormat format;
  private Node[] open;
  /** Tables already drawn: a table linked from several parents is one node. */
  private final Set<Long> drawn = new HashSet<>();

  DotRenderer(Appendable out) {
    this.out = Objects.requireNonNull(out, "out");
  }

  /** One open table: its buffered rows and the run of similar entries not yet written as a row. */
  private static final class Node {
    long frame;
    @Nullable String level;
    long first;
    long last;
    boolean duplicate;
    final StringBuilder rows = new StringBuilder();
    Run run = Run.NONE;
    int runFirst;
    int runLast;
    long runPa;
    long runNextPa;
    boolean runContiguous;
    long runPageSize;
    long runRaw;
    long runTarget;
    boolean runRecursive;
    @Nullable Attributes runAttributes;
  }

  @Override
  public void begin(PagingFormat format, TableCursor root) throws IOException {
    this.format = format;
    this.open = new Node[Math.max(format.levels().size(), format.levels(-1L).size())];
    for (int d = 0; d < open.length; d++) {
      open[d] = new Node();
    }
    drawn.clear();
    out.append("digraph paging {\n");
    if (format.rootPerHalf()) {
      // The roots' own nodes say where each is and what it maps.
      out.append("  graph [rankdir=LR, label=\"").append(format.name()).append(", a root per half\"];\n");
    } else {
      out.append("  graph [rankdir=LR, label=\"").append(format.name()).append(" root ").append(hex(root.frame()))
          .append(" [").append(hex(root.walkFirst())).append(", ").append(hex(root.walkLast())).append("]\"];\n");
    }
    out.append("  node [shape=plaintext, fontname=\"monospace\", fontsize=10];\n");
    out.append("  edge [arrowsize=0.6];\n");
  }

  @Override
  public void beforeTable(TableCursor table) throws IOException {
    Node n = open[table.level().depth()];
    n.frame = table.frame();
    n.level = table.level().name();
    n.first = table.first();
    n.last = table.last();
    // A recursive entry's window shows tables drawn where they hang: not drawn again, and not
    // marked drawn, so a table first met in the window is still drawn at its own place.
    n.duplicate = table.inRecursiveWindow() || !drawn.add(table.frame());
    n.rows.setLength(0);
    n.run = Run.NONE;
  }

  @Override
  public void entry(EntryCursor entry, @Nullable Attributes effective) throws IOException {
    Node n = open[entry.level().depth()];
    if (n.duplicate) {
      return;
    }
    int index = entry.index();
    EntryKind kind = entry.kind();
    if (kind == EntryKind.LEAF) {
      long pa = entry.target();
      long size = entry.level().entrySpan();
      Attributes a = entry.attributes();
      // Grouped as the text views group them: by size and attributes, wherever the pages are.
      if (n.run == Run.LEAVES && n.runLast + 1 == index && n.runPageSize == size && a.equals(n.runAttributes)) {
        n.runLast = index;
        n.runContiguous &= n.runNextPa == pa;
        n.runNextPa = pa + size;
        return;
      }
      endRun(n);
      n.run = Run.LEAVES;
      n.runFirst = n.runLast = index;
      n.runPa = pa;
      n.runNextPa = pa + size;
      n.runContiguous = true;
      n.runPageSize = size;
      n.runAttributes = a;
      return;
    }
    if (kind == EntryKind.NOT_PRESENT) {
      if (n.run == Run.NOT_PRESENT && n.runLast + 1 == index) {
        n.runLast = index;
        return;
      }
      endRun(n);
      n.run = Run.NOT_PRESENT;
      n.runFirst = n.runLast = index;
      n.runRaw = entry.raw();
      return;
    }
    long target = entry.target();
    boolean recursive = entry.recursive();
    if (n.run == Run.POINTERS && n.runLast + 1 == index && n.runTarget == target && n.runRecursive == recursive) {
      n.runLast = index;
      return;
    }
    endRun(n);
    n.run = Run.POINTERS;
    n.runFirst = n.runLast = index;
    n.runTarget = target;
    n.runRecursive = recursive;
  }

  @Override
  public void hole(HoleCursor hole) throws IOException {
    Node n = open[hole.level().depth()];
    if (n.duplicate) {
      return;
    }
    endRun(n);
    int count = hole.lastIndex() - hole.firstIndex() + 1;
    row(n, hole.firstIndex(), hole.lastIndex(), count == 1 ? "empty" : count + " empty", "grey50");
  }

  @Override
  public void malformed(EntryCursor entry, EntryProblem problem) throws IOException {
    int depth = entry.level().depth();
    Node n = open[depth];
    String from = id(n.frame) + ":e" + entry.index() + ":e";
    if (problem == EntryProblem.TABLE_OUTSIDE_MEMORY) {
      if (!n.duplicate) {
        // entry() has just counted this pointer into a run; it gets a row and a red edge of its own.
        if (n.run == Run.POINTERS && n.runLast == entry.index()) {
          if (n.runFirst == n.runLast) {
            n.run = Run.NONE;
          } else {
            n.runLast--;
          }
        }
        endRun(n);
        row(n, entry.index(), entry.index(), "table " + hex(entry.target()), null);
        String outside = "m" + hex(entry.target()).substring(2);
        out.append("  ").append(outside).append(" [shape=box, color=red, fontcolor=red, label=\"")
            .append(hex(entry.target())).append("\\noutside memory\"];\n");
        out.append("  ").append(from).append(" -> ").append(outside).append(" [color=red];\n");
      }
      return;
    }
    if (n.duplicate) {
      return;
    }
    endRun(n);
    row(n, entry.index(), entry.index(), "malformed " + problem.name() + " " + hex(entry.raw()), "red");
  }

  @Override
  public void afterTable(TableCursor table) throws IOException {
    writeNode(open[table.level().depth()]);
  }

  @Override
  public void end(boolean complete) throws IOException {
    if (!complete) {
      // Tables the walk left open are drawn with the rows seen so far, deepest first.
      for (int d = open.length - 1; d >= 0; d--) {
        if (open[d].level != null) {
          writeNode(open[d]);
        }
      }
      out.append("  incomplete [shape=box, color=red, label=\"walk stopped early\"];\n");
    }
    out.append("}\n");
  }

  private void writeNode(Node n) throws IOException {
    if (!n.duplicate) {
      endRun(n);
      // The span is the one the table was first reached for; a shared table serves others too.
      out.append("  ").append(id(n.frame)).append(" [label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\">")
          .append("<tr><td colspan=\"2\" bgcolor=\"lightgrey\"><b>").append(escape(n.level)).append("</b> ")
          .append(hex(n.frame)).append("<br/>").append(hex(n.first)).append("..").append(hex(n.last))
          .append("</td></tr>").append(n.rows).append("</table>>];\n");
    }
    n.level = null;
    n.rows.setLength(0);
  }

  private void endRun(Node n) throws IOException {
    if (n.run == Run.LEAVES) {
      int count = n.runLast - n.runFirst + 1;
      String size = Addresses.sizeName(n.runPageSize);
      String where = n.runContiguous ? " -> " + hex(n.runPa) : " (not physically contiguous)";
      row(n, n.runFirst, n.runLast, (count == 1 ? size : count + " x " + size) + where + " " + n.runAttributes, null);
    } else if (n.run == Run.POINTERS) {
      int count = n.runLast - n.runFirst + 1;
      String what = (n.runRecursive ? "recursive " : "table ") + hex(n.runTarget);
      row(n, n.runFirst, n.runLast, count == 1 ? what : count + " x " + what, null);
      out.append("  ").append(id(n.frame)).append(":e").append(Integer.toString(n.runFirst)).append(":e -> ")
          .append(id(n.runTarget));
      if (n.runRecursive) {
        out.append(" [style=dashed, label=\"recursive").append(count == 1 ? "" : " x" + count).append("\"]");
      } else if (count > 1) {
        out.append(" [label=\"x").append(Integer.toString(count)).append("\"]");
      }
      out.append(";\n");
    } else if (n.run == Run.NOT_PRESENT) {
      int count = n.runLast - n.runFirst + 1;
      row(n, n.runFirst, n.runLast, count == 1 ? "not present " + hex(n.runRaw) : count + " not present", "grey50");
    }
    n.run = Run.NONE;
    n.runAttributes = null;
  }

  private static void row(Node n, int first, int last, String text, @Nullable String color) {
    n.rows.append("<tr><td>").append(first);
    if (last != first) {
      n.rows.append("..").append(last);
    }
    n.rows.append("</td><td port=\"e").append(first).append("\" align=\"left\">");
    if (color != null) {
      n.rows.append("<font color=\"").append(color).append("\">").append(escape(text)).append("</font>");
    } else {
      n.rows.append(escape(text));
    }
    n.rows.append("</td></tr>");
  }

  private static String id(long frame) {
    return "t" + hex(frame).substring(2);
  }

  private static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&':
          b.append("&amp;");
          break;
        case '<':
          b.append("&lt;");
          break;
        case '>':
          b.append("&gt;");
          break;
        case '"':
          b.append("&quot;");
          break;
        default:
          b.append(c);
      }
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return "dot renderer" + (format == null ? "" : " for " + format.name());
  }
}
