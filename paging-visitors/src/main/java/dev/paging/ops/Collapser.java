package dev.paging.ops;

import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.Level;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.TableCursor;
import dev.paging.api.VirtualRange;
import dev.paging.core.Walker;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Replaces tables whose entries all map one aligned, physically contiguous block with identical
 * attributes by one huge leaf, bottom-up (so 4 KiB pages can become 2 MiB and then 1 GiB in one
 * call), for tables wholly inside the range. The huge leaf carries the rights in force before
 * (the table entry's combined with the leaves'), so no address gains a permission. Shared tables
 * and the root are never collapsed. Needs no allocation; if the memory fails part way, the leaves
 * written so far are written back (see {@link InterruptedChangeException}). The old tables go
 * back to the allocator only through {@link PendingFrees#release()}.
 */
final class Collapser {
  private final FormatLayout g;
  private final Walker walker;
  private final CollapseVisitor visitor;
  private final Journal journal;
  private final ContiguousRuns contiguous;

  Collapser(FormatLayout g) {
    this.g = g;
    this.walker = g.space.walker();
    this.journal = new Journal(g.memory);
    this.visitor = new CollapseVisitor();
    this.contiguous = new ContiguousRuns(g);
  }

  CollapseResult collapse(VirtualRange range) {
    Objects.requireNonNull(range, "range");
    g.format.checkCanonical(range);
    visitor.plan = InvalidationPlan.builder();
    visitor.frames.clear();
    visitor.collapsed = new ArrayList<>();
    journal.start();
    try {
      walker.walk(g.space.root(), g.space.upperRoot(), range.first(), range.last(), visitor);
      contiguous.repair(journal, range.first(), range.last(), visitor.plan);
    } catch (RuntimeException | Error e) {
      // The tables replaced so far are linked again, so none of them is pending.
      throw journal.abort(e, "collapse " + range, null, range.first(), range.last(), g.shared.size() > 0);
    }
    return new CollapseResult(visitor.plan.build(), List.copyOf(visitor.collapsed),
        PendingFrees.of(g.space.allocator(), visitor.frames.toArray()));
  }

  private final class CollapseVisitor implements PageTableVisitor {
    final FrameList frames = new FrameList();
    InvalidationPlan.Builder plan;
    List<Mapping> collapsed;

    @Override
    public Control onEntry(EntryCursor e) {
      // Never through a recursive entry: its window shows tables that hang elsewhere, and a
      // collapse there would free one of them.
      return e.recursive() ? Control.SKIP_SUBTREE : Control.CONTINUE;
    }

    @Override
    public Control afterTable(TableCursor t) {
      int d = t.level().depth();
      FormatLayout g = Collapser.this.g.half(t.first());
      if (d == 0 || !t.fullyInRange() || g.shared.isShared(t.frame())) {
        return Control.CONTINUE;
      }
      EntryCursor parent = t.parent();
      Level up = parent.level();
      Level level = t.level();
      if (!up.leafAllowed()) {
        return Control.CONTINUE;
      }
      long first = t.read(0);
      if (g.kind(d, first) != EntryKind.LEAF) {
        return Control.CONTINUE;
      }
      long pa = g.format.address(level, first);
      if ((pa & (up.entrySpan() - 1)) != 0) {
        return Control.CONTINUE;
      }
      Attributes attributes = g.format.attributes(level, first);
      int s = g.addressShift[d];
      long step = s == FormatLayout.NONLINEAR ? 0 : level.entrySpan() >>> s;
      for (int i = 1; i < level.entries(); i++) {
        long raw = t.read(i);
        if (s != FormatLayout.NONLINEAR) {
          if (raw != first + i * step) {
            return Control.CONTINUE;
          }
        } else if (g.kind(d, raw) != EntryKind.LEAF || g.format.address(level, raw) != pa + i * level.entrySpan()
            || !g.format.attributes(level, raw).equals(attributes)) {
          return Control.CONTINUE;
        }
      }
      Attributes huge = g.format.effective(g.format.attributes(up, parent.raw()), attributes);
      long leaf;
      try {
        leaf = g.format.encodeLeaf(up, pa, huge);
      } catch (IllegalArgumentException e) {
        // Attributes only small leaves can carry (a RISC-V NAPOT mark): not collapsible.
        return Control.CONTINUE;
      }
      journal.write(parent, leaf);
      frames.add(t.frame());
      plan.leaves(t.first(), t.last(), level.entries(), attributes.global());
      plan.table(t.first(), t.last());
      if (parent.table().shared()) {
        plan.shared();
      }
      collapsed.add(Mapping.of(VirtualRange.closed(t.first(), t.last()), pa, up, huge));
      return Control.CONTINUE;
    }
  }
}
