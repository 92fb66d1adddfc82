package dev.paging.ops;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Addresses;
import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryProblem;
import dev.paging.api.HoleCursor;
import dev.paging.api.MalformedTableException;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.TableCursor;
import dev.paging.api.VirtualRange;
import dev.paging.core.Walker;
import org.jspecify.annotations.Nullable;

/**
 * Splits the huge leaf that maps an address until the page holding the address has the asked
 * size, keeping every translation and attribute: 1 GiB down to 4 KiB takes two new tables, and
 * the 511 other pieces of each level stay as large as they can. The split subtree is built
 * complete and linked with one write, so the only stale entry is the huge one replaced.
 */
final class Smasher {
  private final FormatLayout g;
  private final Walker walker;
  private final SubtreeBuilder subtrees;
  private final SmashVisitor visitor;
  private final Journal journal;
  private final ContiguousRuns contiguous;
  private final FrameRules rules;

  Smasher(FormatLayout g) {
    this.g = g;
    this.walker = g.space.walker();
    this.subtrees = new SubtreeBuilder(g);
    this.journal = new Journal(g.memory);
    this.contiguous = new ContiguousRuns(g);
    this.rules = new FrameRules(g);
    this.visitor = new SmashVisitor();
  }

  SmashResult smash(long address, long pageSize) {
    if (!g.format.isCanonical(address)) {
      throw new IllegalArgumentException("smash: address " + hex(address) + " is not canonical for " + g.format.name());
    }
    int target = g.depthOfPageSize(pageSize);
    if (target < 0) {
      throw new IllegalArgumentException("smash " + hex(address) + ": page size " + hex(pageSize)
          + " is not one " + g.format.name() + " supports");
    }
    rules.clear();
    visitor.begin(false, -1);
    visitor.address = address;
    walker.walk(g.space.root(), g.space.upperRoot(), address, address, visitor);
    int d = visitor.depth;
    switch (visitor.kind) {
      case LEAF:
        break;
      case MALFORMED:
        throw new MalformedTableException("smash " + hex(address) + ": the " + g.levels[d] + " entry "
            + hex(visitor.raw) + " on the way is malformed (" + visitor.problem + ")");
      case NOT_PRESENT:
        throw new IllegalArgumentException("smash " + hex(address) + ": nothing is mapped there; the "
            + g.levels[d] + " entry " + hex(visitor.raw) + " is not present");
      default:
        throw new IllegalArgumentException("smash " + hex(address) + ": nothing is mapped there (the "
            + g.levels[d] + " entry is empty)");
    }
    if (d >= target) {
      return new SmashResult(InvalidationPlan.none(), null, 0);
    }
    long raw = visitor.raw;
    long eF = visitor.first;
    long eL = eF + g.span(d) - 1;
    Attributes attributes = g.format.attributes(g.levels[d], raw);
    long pa = g.format.address(g.levels[d], raw);
    LeafSource.Pieces pieces = new LeafSource.Pieces(g, eF, pa, attributes);
    long page = Addresses.alignDown(address, pageSize);
    subtrees.use(page, page + pageSize - 1, pieces, pieces);
    subtrees.count();
    subtrees.entry(d, eF);
    long frames = subtrees.counted();
    FramePool pool = FramePool.allocate(g.space.allocator(), g.memory, frames, rules);
    journal.start();
    InvalidationPlan.Builder plan = InvalidationPlan.builder().leaf(eF, eL, attributes.global());
    try {
      subtrees.write(pool);
      visitor.begin(true, d);
      walker.walk(g.space.root(), g.space.upperRoot(), address, address, visitor);
      // The smashed leaf's run, and the runs its pieces inherited the hint for, must stay true.
      contiguous.repair(journal, eF, eL, plan);
      pool.finish();
    } catch (RuntimeException | Error e) {
      throw journal.abort(e, "smash " + hex(address), pool, eF, eL, g.shared.size() > 0);
    }
    if (visitor.shared) {
      plan.shared();
    }
    return new SmashResult(plan.build(),
        Mapping.of(VirtualRange.closed(eF, eL), pa, g.levels[d], attributes), frames);
  }

  /** Finds the entry the walk to one address ends at; in the second walk, replaces the leaf. */
  private final class SmashVisitor implements PageTableVisitor {
    long address;
    boolean apply;
    int leafDepth;
    int depth;
    EntryKind kind;
    long raw;
    long first;
    @Nullable EntryProblem problem;
    boolean shared;

    void begin(boolean apply, int leafDepth) {
      this.apply = apply;
      this.leafDepth = leafDepth;
      this.kind = EntryKind.EMPTY;
      this.shared = false;
    }

    @Override
    public Control beforeTable(TableCursor t) {
      shared = t.shared();
      if (!apply) {
        rules.table(t.frame());
      }
      return Control.CONTINUE;
    }

    @Override
    public Control onEntry(EntryCursor e) {
      if (e.recursive()) {
        throw FormatLayout.recursive("smash " + hex(address), e,
            "smash the page where the space maps it outside the window");
      }
      depth = e.level().depth();
      kind = e.kind();
      raw = e.raw();
      first = e.first();
      if (apply && kind == EntryKind.LEAF && depth == leafDepth) {
        journal.write(e, subtrees.entry(depth, first));
        return Control.STOP;
      }
      return Control.CONTINUE;
    }

    @Override
    public Control onHole(HoleCursor h) {
      depth = h.level().depth();
      kind = EntryKind.EMPTY;
      return Control.STOP;
    }

    @Override
    public Control onMalformed(EntryCursor e, EntryProblem p) {
      depth = e.level().depth();
      kind = EntryKind.MALFORMED;
      raw = e.raw();
      problem = p;
      return Control.STOP;
    }
  }
}
