package dev.paging.ops;

import static dev.paging.api.Addresses.hex;
import static dev.paging.ops.FormatLayout.ule;
import static dev.paging.ops.FormatLayout.ult;
import static dev.paging.ops.FormatLayout.umax;
import static dev.paging.ops.FormatLayout.umin;

import dev.paging.api.Addresses;
import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryProblem;
import dev.paging.api.HoleCursor;
import dev.paging.api.MalformedTableException;
import dev.paging.api.Level;
import dev.paging.api.MappingConflictException;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.TableCursor;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.core.Walker;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Maps a range as two walks of one visitor over it. The first walk changes nothing: it finds
 * conflicts and malformed entries, counts the table frames the map needs and records what it will
 * replace. The frames are then all allocated, and the second walk writes: holes are filled with
 * complete subtrees built by {@link SubtreeBuilder}, huge leaves straddling an end of the range are
 * smashed with the rest kept, existing tables on the way are widened if the new leaves need more.
 * Only the memory can fail once the second walk starts; the walk writes live entries through a
 * {@link Journal}, which undoes them if it does, so a map is all-or-nothing either way.
 */
final class Mapper {
  private final FormatLayout g;
  private final Walker walker;
  private final SubtreeBuilder subtrees;
  private final ChangeRecorder runs;
  private final FrameList freed = new FrameList();
  private final Journal journal;
  private final ContiguousRuns contiguous;
  private final FrameRules rules;
  /** The frames of the call under way, for {@link Journal#abort} to give back. */
  private @Nullable FramePool pool;
  private final MapVisitor visitor;
  private final PageVisitor pageVisitor;
  /** The results of one-page maps into empty space, by the number of tables they took. */
  private final MapResult[] intoEmptySpace;

  private VirtualRange range;
  private long first;
  private long last;
  private long physicalStart;
  private ConflictPolicy policy;
  private Attributes attributes;
  private Attributes needs;
  private @Nullable Attributes pointer;
  private LeafSource.NewMapping source;
  private InvalidationPlan.Builder plan;
  private MapOptions cachedFor = MapOptions.defaults();
  private LeafCodec[] cachedCodecs;

  Mapper(FormatLayout g) {
    this.g = g;
    this.walker = g.space.walker();
    this.subtrees = new SubtreeBuilder(g);
    this.runs = new ChangeRecorder(g);
    this.journal = new Journal(g.memory);
    this.contiguous = new ContiguousRuns(g);
    this.rules = new FrameRules(g);
    this.visitor = new MapVisitor();
    this.pageVisitor = new PageVisitor();
    this.intoEmptySpace = new MapResult[g.levels.length];
    for (int n = 0; n < g.levels.length; n++) {
      intoEmptySpace[n] = new MapResult(InvalidationPlan.none(), List.of(), List.of(), n, PendingFrees.none());
    }
  }

  /**
   * One 4 KiB page, failing on conflicts: the same as {@link #map} of {@code VirtualRange.page(va)}
   * with the default options, in one walk. The walk writes where it ends, in the empty entry that
   * covers the page (taking the tables below it first, all or none); whatever else it meets (a
   * leaf or marker in the way, a malformed entry, a table entry to widen, attributes not seen
   * before) sends the call the general way, before anything is written. A map into empty space
   * needs no invalidation, so its result is shared, and the call allocates nothing unless it takes
   * tables.
   */
  MapResult mapPage(long va, long pa, Attributes attributes) {
    Objects.requireNonNull(attributes, "attributes");
    long page = g.pageSize;
    long lastPa = pa + page - 1;
    if ((va & (page - 1)) != 0 || (pa & (page - 1)) != 0 || !g.format.isCanonical(va)
        || (lastPa >>> g.format.physicalAddressBits(g.levels[g.last])) != 0 || ult(lastPa, pa)
        || contiguous.applies()) {
      // The general path checks in its order and says what is wrong, and keeps contiguous runs true.
      return map(g.page(va), pa, attributes, MapOptions.defaults());
    }
    // The last level's codec and the table attributes depend on the attributes alone: a run of
    // calls with the same ones pays once. Otherwise the general path's next check, with its message.
    LeafCodec codec = attributes.equals(this.attributes) ? cachedCodecs[g.last] : null;
    if (codec == null) {
      codec = codecs(va, va + page - 1, pa, attributes, MapOptions.defaults(), -1)[g.last];
    }
    PageVisitor v = pageVisitor;
    v.begin(codec.encode(pa));
    journal.start();
    pool = null;
    try {
      walker.walk(g.space.root(), g.space.upperRoot(), va, va + page - 1, v);
    } catch (RuntimeException | Error e) {
      throw journal.abort(e, "map " + hex(va) + " -> " + hex(pa), pool, va, va + page - 1,
          g.shared.size() > 0);
    }
    if (v.tables < 0) {
      return map(VirtualRange.page(va), pa, attributes, MapOptions.defaults());
    }
    return intoEmptySpace[v.tables];
  }

  MapResult map(VirtualRange range, long physicalStart, Attributes attributes, MapOptions options) {
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(attributes, "attributes");
    Objects.requireNonNull(options, "options");
    prepare(range, physicalStart, attributes, options);
    plan = InvalidationPlan.builder();
    runs.reset(plan);
    freed.clear();
    rules.clear();
    subtrees.count();
    visitor.begin(false);
    walker.walk(g.space.root(), g.space.upperRoot(), first, last, visitor);
    if (visitor.conflict != null) {
      throw new MappingConflictException(visitor.conflict);
    }
    long frames = subtrees.counted();
    FramePool pool = FramePool.allocate(g.space.allocator(), g.memory, frames, rules);
    journal.start();
    try {
      subtrees.write(pool);
      visitor.begin(true);
      walker.walk(g.space.root(), g.space.upperRoot(), first, last, visitor);
      contiguous.repair(journal, first, last, plan);
      pool.finish();
    } catch (RuntimeException | Error e) {
      throw journal.abort(e, what(range, physicalStart), pool, first, last, g.shared.size() > 0);
    }
    List<Mapping> replaced = runs.mappings();
    return new MapResult(plan.build(), replaced, runs.removedEntries(), frames,
        PendingFrees.of(g.space.allocator(), freed.toArray()));
  }

  /** Checks every argument and sets up the leaf encoders; throws before anything is read. */
  private void prepare(VirtualRange range, long pa, Attributes attributes, MapOptions options) {
    g.format.checkCanonical(range);
    boolean lower = g.format.lowerHalf().contains(range);
    if (!lower && !g.format.upperHalf().contains(range)) {
      throw new IllegalArgumentException(what(range, pa) + ": the range crosses the non-canonical hole between "
          + hex(g.format.lowerHalf().last()) + " and " + hex(g.format.upperHalf().first()));
    }
    if (g.space.rootFor(range.first()) == AddressSpace.NO_ROOT) {
      throw new IllegalArgumentException(what(range, pa) + ": the " + (lower ? "lower" : "upper")
          + " half has no root table (it is not translated) in " + g.space);
    }
    long size = range.size();
    long align = options.pageSize().orElse(g.pageSize);
    int exact = -1;
    if (options.pageSize().isPresent()) {
      exact = g.depthOfPageSize(align);
      if (exact < 0) {
        throw new IllegalArgumentException(what(range, pa) + ": page size " + hex(align) + " is not one "
            + g.format.name() + " supports (" + supportedSizes() + ")");
      }
    }
    if (!Addresses.isAligned(range.first(), align)) {
      throw new IllegalArgumentException(what(range, pa) + ": virtual address " + hex(range.first())
          + " is not aligned to the page size " + hex(align));
    }
    if (!Addresses.isAligned(range.last() + 1, align)) {
      throw new IllegalArgumentException(what(range, pa) + ": the range's end " + hex(range.last() + 1)
          + " is not aligned to the page size " + hex(align));
    }
    if (!Addresses.isAligned(pa, align)) {
      throw new IllegalArgumentException(what(range, pa) + ": physical address " + hex(pa)
          + " is not aligned to the page size " + hex(align));
    }
    // The narrowest leaf that may be used decides (32-bit paging: a PTE holds 32 bits, a PSE-36
    // PDE 40), so that no entry is found unencodable half way through the writes.
    int width = g.format.physicalAddressBits();
    String of = g.format.name();
    for (int d = 0; d <= g.last; d++) {
      Level level = g.levels[d];
      int w = g.format.physicalAddressBits(level);
      if ((exact < 0 ? level.leafAllowed() : d == exact) && w < width) {
        width = w;
        of = g.format.name() + "'s " + level + " entries" + (exact < 0 ? " (MapOptions.pageSize chooses larger pages)" : "");
      }
    }
    long lastPa = pa + size - 1;
    if ((pa >>> width) != 0) {
      throw new IllegalArgumentException(what(range, pa) + ": physical address " + hex(pa) + " is beyond the "
          + width + "-bit physical address width of " + of);
    }
    if (ult(lastPa, pa) || (lastPa >>> width) != 0) {
      throw new IllegalArgumentException(what(range, pa) + ": physical address " + hex(lastPa) + " (the range's last byte) is beyond the "
          + width + "-bit physical address width of " + of);
    }
    LeafCodec[] codecs = codecs(range.first(), range.last(), pa, attributes, options, exact);
    this.range = range;
    this.first = range.first();
    this.last = range.last();
    this.physicalStart = pa;
    this.policy = options.conflictPolicy();
    this.source = new LeafSource.NewMapping(g, pa - first, codecs, attributes);
    subtrees.use(first, last, source, LeafSource.EMPTY, pointer);
  }

  /**
   * The leaf encoders for each depth a leaf may be used at (null elsewhere), and the table-entry
   * attributes, made again only when the attributes or the options change: a loop of map calls
   * with the same attributes pays for them once.
   */
  private LeafCodec[] codecs(long first, long last, long pa, Attributes attributes, MapOptions options, int exact) {
    if (attributes.equals(this.attributes) && options.pageSize().equals(cachedFor.pageSize())
        && options.maxPageSize().equals(cachedFor.maxPageSize())) {
      return cachedCodecs;
    }
    long max = options.maxPageSize().orElse(Long.MIN_VALUE);
    LeafCodec[] codecs = new LeafCodec[g.levels.length];
    boolean any = false;
    for (int d = 0; d <= g.last; d++) {
      boolean allowed = g.levels[d].leafAllowed() && (exact >= 0 ? d == exact : ule(g.span(d), max));
      if (!allowed) {
        continue;
      }
      try {
        codecs[d] = LeafCodec.of(g, d, attributes);
        any = true;
      } catch (IllegalArgumentException e) {
        // A huge page that cannot carry these attributes is simply not used; the small page
        // size, or the one asked for, must be able to.
        if (exact >= 0 || d == g.last) {
          throw new IllegalArgumentException(what(VirtualRange.closed(first, last), pa) + ": a " + g.levels[d] + " leaf cannot carry "
              + attributes + ": " + e.getMessage(), e);
        }
      }
    }
    if (!any) {
      throw new IllegalArgumentException(what(VirtualRange.closed(first, last), pa) + ": no page size of "
          + g.format.name() + " is allowed by " + options);
    }
    Attributes needs = g.format.tableAttributesFor(attributes);
    for (int d = 0; d < g.last; d++) {
      g.format.encodeTable(g.levels[d], 0, needs);
    }
    this.attributes = attributes;
    this.needs = needs;
    this.pointer = needs;
    this.cachedFor = options;
    this.cachedCodecs = codecs;
    return codecs;
  }

  private static String what(VirtualRange range, long pa) {
    return "map " + range + " -> " + hex(pa);
  }

  private String supportedSizes() {
    StringBuilder s = new StringBuilder();
    for (int d = g.last; d >= 0; d--) {
      if (g.levels[d].leafAllowed()) {
        s.append(s.length() == 0 ? "" : ", ").append(hex(g.span(d)));
      }
    }
    return s.toString();
  }

  /**
   * The one walk of {@link #mapPage}. Table entries on the way are checked to grant what the leaf
   * needs; one found to grant it is remembered per depth, so a run of maps through the same
   * tables decodes none of them again.
   */
  private final class PageVisitor implements PageTableVisitor {
    private final GrantingEntries granting = new GrantingEntries(g);
    long leaf;
    /** Tables taken by the map, or -1 when the call must go the general way. */
    int tables;
    /** The hole's table and those above it, for checking the frames taken. */
    private @Nullable TableCursor at;

    void begin(long leaf) {
      this.leaf = leaf;
      this.tables = -1;
    }

    @Override
    public Control onEntry(EntryCursor e) {
      if (e.kind() != EntryKind.TABLE || e.recursive()) {
        return Control.STOP;
      }
      return granting.grants(e.level().depth(), e.raw(), needs) ? Control.CONTINUE : Control.STOP;
    }

    @Override
    public Control onMalformed(EntryCursor e, EntryProblem problem) {
      return Control.STOP;
    }

    @Override
    public Control onHole(HoleCursor h) {
      int d = h.level().depth();
      int n = g.last - d;
      long entry = leaf;
      if (n > 0) {
        // Frames taken top-down and tables written bottom-up, as the general path's subtree
        // builder does: the same frames at the same depths, each table whole before it is linked.
        at = h.table();
        FramePool pool = FramePool.allocate(g.space.allocator(), g.memory, n, this::refusal);
        Mapper.this.pool = pool;
        long[] frames = new long[n];
        for (int k = 0; k < n; k++) {
          frames[k] = pool.take();
        }
        long va = h.first();
        for (int k = n - 1; k >= 0; k--) {
          int depth = d + 1 + k;
          long frame = frames[k];
          Level level = g.levels[depth];
          level.clearTable(g.memory, frame);
          level.writeEntry(g.memory, frame, level.index(va), entry);
          entry = g.format.encodeTable(g.levels[depth - 1], frame, pointer);
        }
        pool.finish();
      }
      journal.write(h.table(), h.firstIndex(), 0, entry);
      tables = n;
      return Control.STOP;
    }

    /** The cheap checks of {@link FrameRules}, against the path's tables. */
    private @Nullable String refusal(long frame) {
      String root = FrameRules.rootRefusal(g.space, frame);
      if (root != null) {
        return root;
      }
      for (TableCursor t = at; t != null; t = t.parent() == null ? null : t.parent().table()) {
        if (t.frame() == frame) {
          return "is already a page table of the address space";
        }
      }
      return g.shared.isShared(frame) ? "is a table shared between address spaces" : null;
    }
  }

  /** The visitor of both walks; {@code apply} says which. */
  private final class MapVisitor implements PageTableVisitor {
    boolean apply;
    @Nullable String conflict;
    /** In the first walk, the depth of a table entry a huge leaf will replace, while below it; else -1. */
    int replaceDepth = -1;

    void begin(boolean apply) {
      this.apply = apply;
      this.conflict = null;
      this.replaceDepth = -1;
    }

    @Override
    public Control beforeTable(TableCursor t) {
      if (!apply) {
        rules.table(t.frame());
      }
      return Control.CONTINUE;
    }

    @Override
    public Control onHole(HoleCursor h) {
      int d = h.level().depth();
      leave(d);
      if (replaceDepth >= 0) {
        return Control.CONTINUE;
      }
      TableCursor t = h.table();
      subtrees.use(first, last, source, LeafSource.EMPTY, pointer);
      subtrees.fillHoles(d, t.frame(), g.entryFirst(d, t.first(), h.firstIndex()), h.firstIndex(), h.lastIndex(),
          journal);
      return Control.CONTINUE;
    }

    @Override
    public Control onEntry(EntryCursor e) {
      int d = e.level().depth();
      leave(d);
      long eF = e.first();
      long eL = e.last();
      boolean full = ule(first, eF) && ule(eL, last);
      if (e.kind() == EntryKind.TABLE) {
        g.checkRecursive("map " + range + " -> " + hex(physicalStart), e);
      }
      if (replaceDepth >= 0) {
        return insideReplaced(e, d, eF);
      }
      switch (e.kind()) {
        case TABLE:
          return table(e, d, eF, eL, full);
        case LEAF:
          return leaf(e, d, eF, eL, full);
        default:
          return notPresent(e, d, eF, eL, full);
      }
    }

    private Control table(EntryCursor e, int d, long eF, long eL, boolean full) {
      long target = e.target();
      // Never through a recursive link: what its window shows below is the space's own tables,
      // which a huge leaf replacing the entry would unlink and free.
      if (full && source.fits(d, eF) && !g.shared.isShared(target) && !e.recursive()
          && !e.table().inRecursiveWindow()) {
        // A huge page takes the table's place; its subtree is checked and collected in the first
        // walk, unlinked in the second and freed by the caller after invalidating.
        if (apply) {
          journal.write(e, source.leaf(d, eF));
          return Control.SKIP_SUBTREE;
        }
        replaceDepth = d;
        return Control.CONTINUE;
      }
      long raw = e.raw();
      long widened = g.widen(d, raw, needs);
      if (widened != raw) {
        if (apply) {
          journal.write(e, widened);
        } else {
          if (d == 0 && g.shared.isShared(target) && !e.table().shared()) {
            throw new IllegalArgumentException("map " + range + " -> " + hex(physicalStart) + ": the "
                + e.level() + " entry for [" + hex(eF) + ", " + hex(eL) + "] links table " + hex(target)
                + ", which is shared with other address spaces, and grants less than " + attributes
                + " needs; widening it here would not reach their root tables. Nothing was changed");
          }
          // A permission upgrade: no invalidation needed (see InvalidationPlan).
        }
      }
      return Control.CONTINUE;
    }

    private Control leaf(EntryCursor e, int d, long eF, long eL, boolean full) {
      long raw = e.raw();
      if (policy == ConflictPolicy.FAIL) {
        return conflict(eF, "is already mapped by the " + Addresses.sizeName(g.span(d)) + " " + e.level()
            + " leaf " + hex(raw) + " (-> " + hex(e.target()) + ")");
      }
      if (!apply) {
        if (full) {
          runs.leaf(d, eF, raw, e.table().shared());
        } else {
          runs.piece(d, eF, umax(first, eF), umin(last, eL), raw, e.table().shared());
        }
      }
      if (full) {
        subtrees.use(first, last, source, LeafSource.EMPTY, pointer);
      } else {
        subtrees.use(first, last, source,
            new LeafSource.Pieces(g, eF, e.target(), g.format.attributes(e.level(), raw)));
      }
      long built = subtrees.entry(d, eF);
      if (apply) {
        journal.write(e, built);
      }
      return Control.SKIP_SUBTREE;
    }

    private Control notPresent(EntryCursor e, int d, long eF, long eL, boolean full) {
      long raw = e.raw();
      if (policy == ConflictPolicy.FAIL) {
        return conflict(eF, "holds the not-present " + e.level() + " entry " + hex(raw));
      }
      if (!full) {
        throw new MappingConflictException("map " + range + " -> " + hex(physicalStart) + ": the not-present "
            + e.level() + " entry " + hex(raw) + " covers [" + hex(eF) + ", " + hex(eL)
            + "], only part of which is in the range, and a marker cannot be split; nothing was changed");
      }
      if (!apply) {
        runs.removed(d, eF, raw, EntryKind.NOT_PRESENT, null, e.table().shared());
      }
      subtrees.use(first, last, source, LeafSource.EMPTY, pointer);
      long built = subtrees.entry(d, eF);
      if (apply) {
        journal.write(e, built);
      }
      return Control.SKIP_SUBTREE;
    }

    @Override
    public Control onMalformed(EntryCursor e, EntryProblem problem) {
      int d = e.level().depth();
      leave(d);
      long eF = e.first();
      long eL = e.last();
      long raw = e.raw();
      if (policy == ConflictPolicy.FAIL) {
        return conflict(eF, "holds the malformed " + e.level() + " entry " + hex(raw) + " (" + problem + ")");
      }
      if (replaceDepth >= 0) {
        runs.removed(d, eF, raw, EntryKind.MALFORMED, problem, e.table().shared());
        return Control.CONTINUE;
      }
      if (!(ule(first, eF) && ule(eL, last))) {
        throw new MalformedTableException("map " + range + " -> " + hex(physicalStart) + ": the " + e.level()
            + " entry " + hex(raw) + " covering [" + hex(eF) + ", " + hex(eL) + "] is malformed (" + problem
            + ") and only partly in the range, so it cannot be followed or replaced; nothing was changed");
      }
      if (!apply) {
        runs.removed(d, eF, raw, EntryKind.MALFORMED, problem, e.table().shared());
      }
      subtrees.use(first, last, source, LeafSource.EMPTY, pointer);
      long built = subtrees.entry(d, eF);
      if (apply) {
        // The new subtree is complete: the walk does not go into it.
        journal.write(e, built);
        return Control.SKIP_SUBTREE;
      }
      return Control.CONTINUE;
    }

    /** First walk only: an entry below a table a huge leaf will replace. */
    private Control insideReplaced(EntryCursor e, int d, long eF) {
      long raw = e.raw();
      switch (e.kind()) {
        case TABLE:
          // A shared table is unlinked here but never freed: other spaces still use it; nor is
          // what a recursive entry's window shows, the space's own tables.
          return g.shared.isShared(e.target()) || e.recursive() ? Control.SKIP_SUBTREE : Control.CONTINUE;
        case LEAF:
          if (policy == ConflictPolicy.FAIL) {
            return conflict(eF, "is already mapped by the " + Addresses.sizeName(g.span(d)) + " "
                + e.level() + " leaf " + hex(raw) + " (-> " + hex(e.target()) + ")");
          }
          runs.leaf(d, eF, raw, e.table().shared());
          return Control.SKIP_SUBTREE;
        default:
          if (policy == ConflictPolicy.FAIL) {
            return conflict(eF, "holds the not-present " + e.level() + " entry " + hex(raw));
          }
          runs.removed(d, eF, raw, EntryKind.NOT_PRESENT, null, e.table().shared());
          return Control.SKIP_SUBTREE;
      }
    }

    @Override
    public Control afterTable(TableCursor t) {
      int d = t.level().depth();
      if (replaceDepth >= 0) {
        if (d > replaceDepth) {
          freed.add(t.frame());
          plan.table(t.first(), t.last());
          if (t.shared()) {
            plan.shared();
          }
        } else {
          replaceDepth = -1;
        }
      }
      return Control.CONTINUE;
    }

    private void leave(int d) {
      if (replaceDepth >= 0 && d <= replaceDepth) {
        replaceDepth = -1;
      }
    }

    private Control conflict(long eF, String what) {
      conflict = "map " + range + " -> " + hex(physicalStart) + ": " + hex(umax(first, eF)) + " " + what
          + "; nothing was changed";
      return Control.STOP;
    }
  }
}
