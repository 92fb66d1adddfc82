package dev.paging.dump;

import dev.paging.api.Attributes;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryProblem;
import dev.paging.api.PagingFormat;
import dev.paging.api.TableCursor;
import java.io.IOException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * xv6's {@code vmprint}, in its two variants (see {@link DumpRenderer#vmprintByIndex} and {@link
 * DumpRenderer#vmprintByAddress}). xv6 prints every entry with the valid bit set and descends
 * into pointers; here that is every table pointer, leaf and malformed entry (a malformed entry is
 * present; it is printed but not descended into). Not-present entries are skipped, as in xv6.
 */
final class VmprintRenderer implements DumpRenderer {
  private final Appendable out;
  private final boolean byAddress;
  private int roots;
  private PagingFormat format;

  VmprintRenderer(Appendable out, boolean byAddress) {
    this.out = Objects.requireNonNull(out, "out");
    this.byAddress = byAddress;
  }

  @Override
  public void begin(PagingFormat format, TableCursor root) throws IOException {
    this.format = format;
    this.roots = 0;
  }

  /** Each root gets xv6's header line; where each half has its own root there are two. */
  @Override
  public void beforeTable(TableCursor table) throws IOException {
    if (table.level().depth() == 0) {
      roots++;
      DumpText.hex(out.append(roots == 1 ? "page table " : "\npage table "), table.frame()).append('\n');
    }
  }

  @Override
  public void entry(EntryCursor entry, @Nullable Attributes effective) throws IOException {
    if (entry.kind() != EntryKind.NOT_PRESENT) {
      line(entry);
    }
  }

  @Override
  public void malformed(EntryCursor entry, EntryProblem problem) throws IOException {
    if (problem != EntryProblem.TABLE_OUTSIDE_MEMORY) {
      // A walker-found problem concerns a pointer whose line is already out.
      line(entry);
    }
  }

  private void line(EntryCursor entry) throws IOException {
    int depth = entry.level().depth();
    if (byAddress) {
      for (int d = 0; d <= depth; d++) {
        out.append(" ..");
      }
      DumpText.hex(out, entry.first());
    } else {
      for (int d = 0; d <= depth; d++) {
        out.append(d == 0 ? ".." : " ..");
      }
      out.append(Integer.toString(entry.index()));
    }
    DumpText.hex(out.append(": pte "), entry.raw());
    DumpText.hex(out.append(" pa "), format.address(entry.level(), entry.raw())).append('\n');
  }

  @Override
  public void end(boolean complete) {
    // Every line is written as its entry is met.
  }
}
