package dev.paging.ops;

import static dev.paging.api.Addresses.hex;
import static dev.paging.ops.FormatLayout.ule;
import static dev.paging.ops.FormatLayout.umax;
import static dev.paging.ops.FormatLayout.umin;

import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryProblem;
import dev.paging.api.Level;
import dev.paging.api.MalformedTableException;
import dev.paging.api.TableCursor;
import dev.paging.api.VirtualRange;
import dev.paging.core.Walker;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Changes the attributes of the leaves in a range, as two walks of one visitor: the first checks
 * (malformed entries, attributes a level cannot carry) and counts the tables needed to smash the
 * huge pages that straddle the ends of the range; the second writes. A huge page wholly inside
 * the range keeps its size. Each leaf keeps its accessed and dirty bits, which the hardware owns;
 * everything else becomes the given attributes. Table entries above a changed leaf are widened,
 * after the leaf is written, when the new attributes need more than they grant.
 */
final class Protector {
  private final FormatLayout g;
  private final Walker walker;
  private final SubtreeBuilder subtrees;
  private final ChangeRecorder runs;
  private final ProtectVisitor visitor;
  private final Journal journal;
  private final FrameRules rules;
  /** Per half ({@link FormatLayout#halfIndex}) and depth, the leaf rewriter of the call under way. */
  private final Rewriter[][] rewriters;
  private final PageVisitor pageVisitor;
  /** The last-level rewriter of the last one-page call, and the attributes it was made for. */
  private @Nullable Rewriter pageRewriter;
  private @Nullable Attributes pageAttributes;
  private @Nullable Attributes pageNeeds;
  /** The half {@link #pageRewriter} was made for. */
  private @Nullable FormatLayout pageLayout;

  private VirtualRange range;
  private long first;
  private long last;
  private Attributes attributes;
  private Attributes needs;
  private InvalidationPlan.Builder plan;

  Protector(FormatLayout g) {
    this.g = g;
    this.walker = g.space.walker();
    this.subtrees = new SubtreeBuilder(g);
    this.runs = new ChangeRecorder(g);
    this.rewriters = new Rewriter[2][g.maxDepths];
    this.journal = new Journal(g.memory);
    this.rules = new FrameRules(g);
    this.visitor = new ProtectVisitor();
    this.pageVisitor = new PageVisitor();
  }

  ProtectResult protect(VirtualRange range, Attributes attributes) {
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(attributes, "attributes");
    g.checkPageRange("protect", range);
    this.range = range;
    this.first = range.first();
    this.last = range.last();
    this.attributes = attributes;
    this.needs = g.format.tableAttributesFor(attributes);
    Arrays.fill(rewriters[0], null);
    Arrays.fill(rewriters[1], null);
    plan = InvalidationPlan.builder();
    runs.reset(plan);
    rules.clear();
    long frames = subtrees.countThenWrite(walker, first, last, visitor, journal, rules, "protect", plan);
    List<Mapping> previous = runs.mappings();
    return new ProtectResult(plan.build(), previous, frames);
  }

  /**
   * One 4 KiB page: the same as {@link #protect} of {@code VirtualRange.page(va)}, in one walk that
   * rewrites the page's leaf where it finds it. A huge leaf (which must be smashed), a malformed
   * entry, a table entry that must be widened or attributes the leaf cannot carry send the call
   * the general way before anything is written.
   */
  ProtectResult protectPage(long va, Attributes attributes) {
    Objects.requireNonNull(attributes, "attributes");
    FormatLayout h = g.half(va);
    if ((va & (h.pageSize - 1)) != 0 || !g.format.isCanonical(va) || g.contiguousHints) {
      // The general path checks and says what is wrong, and keeps contiguous runs true.
      return protect(g.page(va), attributes);
    }
    if (!attributes.equals(pageAttributes) || h != pageLayout) {
      try {
        pageRewriter = new Rewriter(h, h.last, attributes);
        pageLayout = h;
      } catch (IllegalArgumentException e) {
        return protect(VirtualRange.page(va), attributes);
      }
      pageAttributes = attributes;
      pageNeeds = g.format.tableAttributesFor(attributes);
    }
    PageVisitor v = pageVisitor;
    v.begin();
    journal.walkPage(walker, g, va, v, "protect");
    if (v.general) {
      return protect(VirtualRange.page(va), attributes);
    }
    return v.changed ? new ProtectResult(v.change(g, va)) : ProtectResult.NOTHING;
  }

  /** The one walk of {@link #protectPage}; table entries found to grant enough are remembered per depth. */
  private final class PageVisitor extends OnePageVisitor {
    /** Per half: a half's depths are its own levels. */
    private final GrantingEntries[] granting = {new GrantingEntries(g.half(0)), new GrantingEntries(g.half(-1L))};

    @Override
    public Control onEntry(EntryCursor e) {
      int d = e.level().depth();
      long entry = e.raw();
      switch (e.kind()) {
        case TABLE:
          if (e.recursive() || !granting[g.half(e.first()).halfIndex].grants(d, entry, pageNeeds)) {
            general = true;
            return Control.STOP;
          }
          return Control.CONTINUE;
        case LEAF:
          if (d != g.half(e.first()).last) {
            general = true;
            return Control.STOP;
          }
          long rewritten = pageRewriter.rewrite(entry);
          if (rewritten != entry) {
            changing(e);
            journal.write(e, rewritten);
          }
          return Control.STOP;
        default:
          // A not-present marker: protect leaves it as it is.
          return Control.STOP;
      }
    }
  }

  /** The leaf rewriter for {@code depth}; the first walk meets each level it needs before the second. */
  private Rewriter rewriter(FormatLayout g, int depth) {
    Rewriter r = rewriters[g.halfIndex][depth];
    if (r == null) {
      try {
        r = new Rewriter(g, depth, attributes);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("protect " + range + ": a " + g.levels[depth] + " leaf cannot carry "
            + attributes + ": " + e.getMessage(), e);
      }
      rewriters[g.halfIndex][depth] = r;
    }
    return r;
  }

  /** Turns a leaf at one level into the same leaf with the new attributes and its own A and D. */
  private static final class Rewriter {
    private final FormatLayout g;
    private final Level level;
    private final LeafCodec[] byAccessedDirty = new LeafCodec[4];
    private final long accessed;
    private final long dirty;

    Rewriter(FormatLayout g, int depth, Attributes attributes) {
      this.g = g;
      this.level = g.levels[depth];
      // A format without a dirty bit (AArch64) has only the accessed flag to keep.
      boolean dirtyBit = g.hasDirtyBit(depth);
      for (int i = 0; i < 4; i++) {
        byAccessedDirty[i] = LeafCodec.of(g, depth,
            attributes.withAccessed((i & 1) != 0).withDirty(dirtyBit && (i & 2) != 0));
      }
      long none = byAccessedDirty[0].encode(0);
      this.accessed = byAccessedDirty[1].encode(0) ^ none;
      this.dirty = byAccessedDirty[2].encode(0) ^ none;
    }

    long rewrite(long raw) {
      int i = ((raw & accessed) != 0 ? 1 : 0) | ((raw & dirty) != 0 ? 2 : 0);
      return byAccessedDirty[i].encode(g.format.address(level, raw));
    }
  }

  private final class ProtectVisitor extends SubtreeBuilder.TwoPass {
    final long[] buffer = new long[g.maxLastLevelEntries()];
    /** Per depth: a leaf in the current table's subtree changed, so the entry above it may need widening. */
    final boolean[] changed = new boolean[g.maxDepths];

    @Override
    public Control beforeTable(TableCursor t) {
      int d = t.level().depth();
      changed[d] = false;
      if (!apply) {
        rules.table(t.frame());
      }
      if (d == g.half(t.first()).last) {
        leaves(t, d);
        if (changed[d]) {
          widenParent(t, d);
        }
        return Control.SKIP_SUBTREE;
      }
      return Control.CONTINUE;
    }

    /** The entries of a last-level table in the range, taken whole through the cursor, in one loop. */
    private void leaves(TableCursor t, int d) {
      FormatLayout g = Protector.this.g.half(t.first());
      long[] entries = buffer;
      int shift = g.shift[d];
      int iFrom = t.firstIndex();
      int iTo = iFrom + t.readEntries(entries) - 1;
      boolean shared = t.shared();
      for (int i = iFrom; i <= iTo; i++) {
        long raw = entries[i];
        if (raw == 0) {
          continue;
        }
        EntryKind kind = g.kind(d, raw);
        if (kind == EntryKind.LEAF) {
          long rewritten = rewriter(g, d).rewrite(raw);
          if (rewritten != raw) {
            changed[d] = true;
            if (apply) {
              runs.leaf(d, t.first() + ((long) i << shift), raw, shared);
              journal.write(t, i, raw, rewritten);
            }
          }
        } else if (kind == EntryKind.MALFORMED) {
          malformed(t.level(), t.first() + ((long) i << shift), raw, g.problem(d, raw));
        }
      }
    }

    @Override
    public Control onEntry(EntryCursor e) {
      if (e.kind() != EntryKind.LEAF) {
        if (e.kind() == EntryKind.TABLE) {
          g.checkRecursive("protect " + range, e);
          return Control.CONTINUE;
        }
        return Control.SKIP_SUBTREE;
      }
      int d = e.level().depth();
      long eF = e.first();
      long eL = e.last();
      long raw = e.raw();
      long rewritten = rewriter(g.half(eF), d).rewrite(raw);
      if (rewritten == raw) {
        return Control.SKIP_SUBTREE;
      }
      changed[d] = true;
      if (ule(first, eF) && ule(eL, last)) {
        if (apply) {
          runs.leaf(d, eF, raw, e.table().shared());
          journal.write(e, rewritten);
        }
        return Control.SKIP_SUBTREE;
      }
      Attributes old = g.format.attributes(e.level(), raw);
      Attributes now = attributes.withAccessed(old.accessed()).withDirty(old.dirty());
      long pa = e.target();
      subtrees.use(first, last, new LeafSource.Pieces(g, eF, pa, now), new LeafSource.Pieces(g, eF, pa, old));
      long built;
      try {
        built = subtrees.entry(d, eF);
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException("protect " + range + ": smashing the " + e.level() + " leaf at "
            + hex(eF) + " needs smaller leaves that cannot carry " + now + ": " + ex.getMessage(), ex);
      }
      if (apply) {
        runs.piece(d, eF, umax(first, eF), umin(last, eL), raw, e.table().shared());
        journal.write(e, built);
      }
      return Control.SKIP_SUBTREE;
    }

    @Override
    public Control onMalformed(EntryCursor e, EntryProblem problem) {
      malformed(e.level(), e.first(), e.raw(), problem);
      return Control.CONTINUE;
    }

    private void malformed(Level level, long eF, long raw, EntryProblem problem) {
      if (!apply) {
        throw new MalformedTableException("protect " + range + ": the " + level + " entry " + hex(raw)
            + " at " + hex(eF) + " is malformed (" + problem + "); nothing was changed");
      }
    }

    @Override
    public Control afterTable(TableCursor t) {
      int d = t.level().depth();
      if (changed[d] && d > 0) {
        widenParent(t, d);
      }
      return Control.CONTINUE;
    }

    /** Widens the entry pointing to table {@code t} if the new leaves below need more. */
    private void widenParent(TableCursor t, int d) {
      EntryCursor parent = t.parent();
      long raw = parent.raw();
      long widened = g.half(t.first()).widen(d - 1, raw, needs);
      if (widened != raw) {
        if (apply) {
          journal.write(parent, widened);
        } else {
          if (d - 1 == 0 && g.shared.isShared(t.frame()) && !parent.table().shared()) {
            throw new IllegalArgumentException("protect " + range + ": the " + parent.level() + " entry for ["
                + hex(parent.first()) + ", " + hex(parent.last()) + "] links table " + hex(t.frame())
                + ", which is shared with other address spaces, and grants less than " + attributes
                + " needs; widening it here would not reach their root tables. Nothing was changed");
          }
          // A permission upgrade: no invalidation needed (see InvalidationPlan).
        }
      }
      changed[d - 1] = true;
    }
  }
}
