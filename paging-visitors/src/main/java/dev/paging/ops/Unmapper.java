package dev.paging.ops;

import static dev.paging.api.Addresses.hex;
import static dev.paging.ops.FormatLayout.ule;
import static dev.paging.ops.FormatLayout.umax;
import static dev.paging.ops.FormatLayout.umin;

import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryProblem;
import dev.paging.api.MalformedTableException;
import dev.paging.api.MappingConflictException;
import dev.paging.api.PagingException;
import dev.paging.api.TableCursor;
import dev.paging.api.VirtualRange;
import dev.paging.core.Walker;
import java.util.List;
import java.util.Objects;

/**
 * Unmaps a range as two walks of one visitor. An entry wholly inside the range is cleared
 * whatever it holds, so only the entries straddling the ends of the range can stop an unmap or
 * need new tables (a huge page is smashed there, keeping the part outside). The first walk
 * therefore visits only those: it skips every table wholly inside the range. The frames are then
 * allocated and the second walk clears, taking each last-level table whole through its cursor
 * and clearing it in one tight loop.
 *
 * <p>Data frames are never freed (the caller owns them) and neither are tables, even emptied
 * ones: reclaiming them is a separate operation.
 */
final class Unmapper {
  private final FormatLayout g;
  private final Walker walker;
  private final SubtreeBuilder subtrees;
  private final ChangeRecorder runs;
  private final UnmapVisitor visitor;
  private final Journal journal;
  private final FrameRules rules;
  private final PageVisitor pageVisitor;

  private VirtualRange range;
  private long first;
  private long last;

  Unmapper(FormatLayout g) {
    this.g = g;
    this.walker = g.space.walker();
    this.subtrees = new SubtreeBuilder(g);
    this.runs = new ChangeRecorder(g);
    this.journal = new Journal(g.memory);
    this.rules = new FrameRules(g);
    this.visitor = new UnmapVisitor();
    this.pageVisitor = new PageVisitor();
  }

  UnmapResult unmap(VirtualRange range) {
    Objects.requireNonNull(range, "range");
    g.checkPageRange("unmap", range);
    this.range = range;
    this.first = range.first();
    this.last = range.last();
    InvalidationPlan.Builder plan = InvalidationPlan.builder();
    runs.reset(plan);
    rules.clear();
    long frames = subtrees.countThenWrite(walker, first, last, visitor, journal, rules, "unmap", plan);
    List<Mapping> unmapped = runs.mappings();
    return new UnmapResult(plan.build(), unmapped, runs.removedEntries(), frames);
  }

  /**
   * One 4 KiB page: the same as {@link #unmap} of {@code VirtualRange.page(va)}, in one walk that
   * clears the page's leaf where it finds it. A huge leaf (which must be smashed), a marker or a
   * malformed entry sends the call the general way before anything is written; an address
   * nothing maps returns a shared empty result.
   */
  UnmapResult unmapPage(long va) {
    if ((va & (g.half(va).pageSize - 1)) != 0 || !g.format.isCanonical(va) || g.contiguousHints) {
      // The general path checks and says what is wrong, and keeps contiguous runs true.
      return unmap(g.page(va));
    }
    PageVisitor v = pageVisitor;
    v.begin();
    journal.walkPage(walker, g, va, v, "unmap");
    if (v.general) {
      return unmap(VirtualRange.page(va));
    }
    return v.changed ? new UnmapResult(v.change(g, va)) : UnmapResult.NOTHING;
  }

  /** The one walk of {@link #unmapPage}: clears a 4 KiB leaf; anything else goes the general way. */
  private final class PageVisitor extends OnePageVisitor {
    @Override
    public Control onEntry(EntryCursor e) {
      EntryKind kind = e.kind();
      if (kind == EntryKind.TABLE) {
        if (e.recursive()) {
          general = true;
          return Control.STOP;
        }
        return Control.CONTINUE;
      }
      if (kind == EntryKind.LEAF && e.level().depth() == g.half(e.first()).last) {
        changing(e);
        journal.write(e, 0);
      } else {
        general = true;
      }
      return Control.STOP;
    }
  }

  private final class UnmapVisitor extends SubtreeBuilder.TwoPass {
    final long[] buffer = new long[g.maxLastLevelEntries()];

    @Override
    public Control beforeTable(TableCursor t) {
      int d = t.level().depth();
      FormatLayout g = Unmapper.this.g.half(t.first());
      if (!apply) {
        rules.table(t.frame());
      } else if (pool.holds(t.frame())) {
        // The first walk did not go into tables wholly inside the range, so a frame in use
        // there is found only now; the journal undoes what was written.
        throw new PagingException("unmap " + range + ": the allocator handed out frame " + hex(t.frame())
            + ", which is already a page table of the address space; every frame taken was given back and "
            + "nothing was changed");
      }
      if (d == g.last) {
        // Every last-level entry is wholly inside a 4 KiB-aligned range: nothing here can fail.
        if (apply) {
          clear(t, d);
        }
        return Control.SKIP_SUBTREE;
      }
      return Control.CONTINUE;
    }

    /**
     * Clears the entries of a last-level table in the range, coalescing what they mapped. The
     * table is taken whole through the cursor, so its reads count in the walk like any other.
     */
    private void clear(TableCursor t, int d) {
      FormatLayout g = Unmapper.this.g.half(t.first());
      long[] entries = buffer;
      int iFrom = t.firstIndex();
      int iTo = iFrom + t.readEntries(entries) - 1;
      int shift = g.shift[d];
      long span = 1L << shift;
      boolean shared = t.shared();
      long va = t.first() + ((long) iFrom << shift);
      // The current run's continuation in locals: the common case (the next page of the same run)
      // is two comparisons, with no field traffic.
      long step = g.addressShift[d] == FormatLayout.NONLINEAR ? 0 : span >>> g.addressShift[d];
      long nextVa = runs.nextVa(d, shared);
      long nextRaw = runs.nextRaw();
      long extended = 0;
      journal.clearing(t, entries, iFrom, iTo);
      int i = iFrom;
      try {
        for (; i <= iTo; i++, va += span) {
          long raw = entries[i];
          if (raw == 0) {
            continue;
          }
          if (raw == nextRaw && va == nextVa) {
            extended++;
            nextRaw += step;
            nextVa += span;
          } else {
            runs.extendBy(extended);
            extended = 0;
            EntryKind kind = g.kind(d, raw);
            if (kind == EntryKind.LEAF) {
              runs.leaf(d, va, raw, shared);
            } else {
              runs.removed(d, va, raw, kind, kind == EntryKind.MALFORMED ? g.problem(d, raw) : null, shared);
            }
            nextVa = runs.nextVa(d, shared);
            nextRaw = runs.nextRaw();
          }
          t.write(i, 0);
        }
      } catch (RuntimeException | Error e) {
        // Entries after the one whose write failed were not written: nothing to undo there.
        journal.clearedOnly(i - iFrom + 1);
        throw e;
      }
      runs.extendBy(extended);
    }

    @Override
    public Control onEntry(EntryCursor e) {
      int d = e.level().depth();
      long eF = e.first();
      long eL = e.last();
      boolean full = ule(first, eF) && ule(eL, last);
      long raw = e.raw();
      switch (e.kind()) {
        case TABLE:
          g.checkRecursive("unmap " + range, e);
          // The first walk needs only the paths to the ends of the range.
          return full && !apply ? Control.SKIP_SUBTREE : Control.CONTINUE;
        case LEAF:
          if (full) {
            if (apply) {
              runs.leaf(d, eF, raw, e.table().shared());
              journal.write(e, 0);
            }
            return Control.SKIP_SUBTREE;
          }
          subtrees.use(first, last, LeafSource.EMPTY,
              new LeafSource.Pieces(g, eF, e.target(), g.format.attributes(e.level(), raw)));
          long built = subtrees.entry(d, eF);
          if (apply) {
            runs.piece(d, eF, umax(first, eF), umin(last, eL), raw, e.table().shared());
            journal.write(e, built);
          }
          return Control.SKIP_SUBTREE;
        default:
          if (!full) {
            throw new MappingConflictException("unmap " + range + ": the not-present " + e.level() + " entry "
                + hex(raw) + " covers [" + hex(eF) + ", " + hex(eL)
                + "], only part of which is in the range, and a marker cannot be split; nothing was changed");
          }
          if (apply) {
            runs.removed(d, eF, raw, EntryKind.NOT_PRESENT, null, e.table().shared());
            journal.write(e, 0);
          }
          return Control.SKIP_SUBTREE;
      }
    }

    @Override
    public Control onMalformed(EntryCursor e, EntryProblem problem) {
      int d = e.level().depth();
      long eF = e.first();
      long eL = e.last();
      if (!(ule(first, eF) && ule(eL, last))) {
        throw new MalformedTableException("unmap " + range + ": the " + e.level() + " entry " + hex(e.raw())
            + " covering [" + hex(eF) + ", " + hex(eL) + "] is malformed (" + problem
            + ") and only partly in the range, so it cannot be followed or split; nothing was changed");
      }
      if (apply) {
        runs.removed(d, eF, e.raw(), EntryKind.MALFORMED, problem, e.table().shared());
        journal.write(e, 0);
      }
      return Control.CONTINUE;
    }
  }
}
