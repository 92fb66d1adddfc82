package dev.paging.ops;

import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.Level;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.core.Walker;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The leaves of a space as the hardware uses them: coalesced {@link LeafRun}s with their
 * effective attributes, in address order. A run extends while the next leaf is at the same
 * level, follows in virtual and in physical memory, and has the same own and effective
 * attributes; a malformed or not-present entry is not a leaf and breaks no run it is not inside.
 */
public final class Leaves {
  private Leaves() {}

  /** The leaves of {@code space} over {@code range}, coalesced; leaves straddling an end are clipped to it. */
  public static List<LeafRun> of(AddressSpace space, VirtualRange range) {
    Objects.requireNonNull(space, "space");
    Objects.requireNonNull(range, "range");
    List<LeafRun> out = new ArrayList<>();
    PageTableVisitor collector = collector(out);
    Walker.walk(space, range, collector);
    ((Collector) collector).flush();
    return clip(out, range);
  }

  /**
   * A visitor that appends the leaves it walks to {@code out}, coalesced, to compose with others
   * in one walk. The last run is appended when the root table is done. Leaves are whole, not
   * clipped to the walk's range.
   */
  public static PageTableVisitor collector(List<LeafRun> out) {
    return new Collector(Objects.requireNonNull(out, "out"));
  }

  private static List<LeafRun> clip(List<LeafRun> runs, VirtualRange range) {
    if (runs.isEmpty()) {
      return runs;
    }
    for (int i : new int[] {0, runs.size() - 1}) {
      LeafRun r = runs.get(i);
      long first = Long.compareUnsigned(r.range().first(), range.first()) < 0 ? range.first() : r.range().first();
      long last = Long.compareUnsigned(r.range().last(), range.last()) > 0 ? range.last() : r.range().last();
      if (first != r.range().first() || last != r.range().last()) {
        runs.set(i, new LeafRun(VirtualRange.closed(first, last), r.physicalAddressOf(first), r.level(),
            r.attributes(), r.effectiveAttributes()));
      }
    }
    return runs;
  }

  private static final class Collector implements PageTableVisitor {
    private final List<LeafRun> out;
    private long first;
    private long last;
    private long physical;
    private Level level;
    private Attributes attributes;
    private Attributes effective;
    private boolean open;

    Collector(List<LeafRun> out) {
      this.out = out;
    }

    @Override
    public Control onEntry(EntryCursor e) {
      if (e.kind() != EntryKind.LEAF) {
        return Control.CONTINUE;
      }
      long pa = e.target();
      Attributes own = e.attributes();
      Attributes eff = e.effectiveAttributes();
      if (open && last != -1L && e.first() == last + 1 && e.level().equals(level)
          && pa == physical + (last - first) + 1 && own.equals(attributes) && eff.equals(effective)) {
        last = e.last();
        return Control.CONTINUE;
      }
      flush();
      open = true;
      first = e.first();
      last = e.last();
      physical = pa;
      level = e.level();
      attributes = own;
      effective = eff;
      return Control.CONTINUE;
    }

    @Override
    public Control afterTable(dev.paging.api.TableCursor table) {
      if (table.parent() == null) {
        flush();
      }
      return Control.CONTINUE;
    }

    void flush() {
      if (open) {
        out.add(new LeafRun(VirtualRange.closed(first, last), physical, level, attributes, effective));
        open = false;
      }
    }
  }
}
