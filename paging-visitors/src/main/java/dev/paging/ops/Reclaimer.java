package dev.paging.ops;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryProblem;
import dev.paging.api.HoleCursor;
import dev.paging.api.Level;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import dev.paging.api.PhysicalMemory;
import dev.paging.api.TableCursor;
import dev.paging.api.TableNotEmptyException;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.core.SharedTables;
import dev.paging.core.Walker;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Frees the empty page tables of a virtual range, bottom-up: a visitor on the engine that
 * decides in the walker's {@code afterTable} hook, after a table's children, so freeing the last
 * tables below a table can empty it and free it in the same call.
 *
 * <p><b>Page tables only.</b> Reclamation never changes a mapping and never frees a data frame:
 * the pages that leaves map belong to the caller, who unmaps them first (and returns their
 * frames to whoever owns them). It frees only table frames whose every entry is zero, replacing
 * the parent's link with a zero entry, so no translation in the space changes.
 *
 * <p><b>What is freed.</b> A table is a <em>candidate</em> when
 *
 * <ul>
 *   <li>its whole virtual span lies inside the range (the floor/ceiling rule: a table partly
 *       outside the range may serve mappings there, so it stays even when empty; the parts of the
 *       range a table covers only in part are still walked for smaller tables inside them);
 *   <li>it is not the root;
 *   <li>it is not recorded in the space's {@link SharedTables} registry, and no table above it
 *       is (a shared table's subtree belongs to every space that links it, so it is not even
 *       read);
 *   <li>the walk did not reach it through two links (a table linked from two parents the
 *       registry does not know about is treated as shared, never freed twice; a link from
 *       outside the range or from another space cannot be seen in the tables, so such tables
 *       must be registered or pinned);
 *   <li>the caller's {@linkplain ReclaimOptions#withPinned pin predicate} does not claim it.
 * </ul>
 *
 * <p>A recursive entry ({@link EntryCursor#recursive()}, a table linking one of its own
 * ancestors, as a self-mapped root does) is a live entry that keeps its table, and is never
 * followed: the tables its window shows are the space's own, reclaimed, if at all, where they
 * really hang, so nothing is freed twice.
 *
 * <p>A candidate is <em>empty</em> when all its entries are zero, counting as zero the links to
 * tables this call frees. Anything else keeps it, in both modes: a leaf of any size (a 1 GiB or
 * 2 MiB leaf keeps its table and the walk goes on with the next entry), a link to a table that
 * stays, a non-present entry that is not zero (a swap or guard marker maps nothing, but it is the
 * OS's information, and every operation of this library reads such entries the same way), and a
 * malformed entry (reported by the walker, never followed; reclamation neither throws nor
 * guesses, it keeps the table). {@link ReclaimMode#COLLECT} frees every empty candidate; {@link
 * ReclaimMode#STRICT} requires every candidate to be empty and otherwise throws {@link
 * TableNotEmptyException} naming the table and its first non-empty entry.
 *
 * <p><b>All or nothing.</b> The walk only decides; nothing is written until it has finished and
 * every check has passed, so a strict failure, a bad range, or an exception thrown during the walk
 * by the memory or the pin predicate changes nothing.
 * Then the links are cleared, children first (each freed frame therefore holds an all-zero
 * table), and if memory refuses a write the entries already cleared are restored.
 *
 * <p><b>Invalidation before reuse.</b> The frames are not returned to the allocator by this
 * class: {@link ReclaimResult#pendingFrees()} holds them until the caller has applied {@link
 * ReclaimResult#plan()} (a processor may still cache the unlinked tables in its
 * paging-structure caches), then calls {@link PendingFrees#release()}.
 *
 * <p><b>Ranges are byte ranges.</b> A range written as one 1 GiB page is the same {@link
 * VirtualRange} as the same bytes written as 262,144 4 KiB pages and reclaims the same tables;
 * half-open, closed (up to {@code 0xffffffffffffffff}) and unbounded ({@link VirtualRange#all()},
 * both canonical halves) ranges all work, and Guava ranges come in through {@link
 * dev.paging.core.VirtualRanges#fromGuava}.
 *
 * <p><b>Cost.</b> One walk that reads each table inside the range once (each entry of it once),
 * skipping absent subtrees: reclaiming the whole
 * 256 TiB (or 128 PiB) space of a sparse tree reads only the tables that exist. The walk
 * allocates nothing per table beyond growing reusable buffers; the result is proportional to the
 * tables freed.
 *
 * <pre>{@code
 * Reclaimer reclaimer = Reclaimer.of(space);
 * ReclaimResult r = reclaimer.reclaim(VirtualRange.halfOpen(start, end), ReclaimMode.COLLECT);
 * r.releaseAfter(plan -> tlb.invalidate(plan));   // flush first, then the frames go back
 * }</pre>
 *
 * <p>Not thread-safe: a reclaimer reuses its walker and buffers from call to call, and callers
 * serialise changes to a hierarchy.
 */
public final class Reclaimer {
  private final AddressSpace space;
  private final PagingFormat format;
  private final PhysicalMemory memory;
  private final Walker walker;
  private final Pass pass;

  private Reclaimer(AddressSpace space) {
    this.space = space;
    this.format = space.format();
    this.memory = space.memory();
    this.walker = space.walker();
    this.pass = new Pass(format, space.sharedTables());
  }

  /** A reclaimer of the tables of {@code space}, returning frames to the space's allocator. */
  public static Reclaimer of(AddressSpace space) {
    return new Reclaimer(Objects.requireNonNull(space, "space"));
  }

  /** The same as {@link #reclaim(VirtualRange, ReclaimOptions)} with nothing pinned. */
  public ReclaimResult reclaim(VirtualRange range, ReclaimMode mode) {
    return reclaim(range, ReclaimOptions.of(mode));
  }

  /**
   * Frees the empty candidate tables of {@code range} (see the class description) and returns
   * what was freed, with the frames still pending.
   *
   * @throws IllegalArgumentException if an end of the range is not canonical for the format
   * @throws TableNotEmptyException in {@link ReclaimMode#STRICT} mode, when a candidate is not
   *     empty; nothing was changed
   */
  public ReclaimResult reclaim(VirtualRange range, ReclaimOptions options) {
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(options, "options");
    space.checkNotDestroyed();
    format.checkCanonical(range);
    pass.protectedFrames.clear();
    pass.start(options);
    walker.walk(space.root(), space.upperRoot(), range.first(), range.last(), pass);
    return afterWalk(pass, range, options, walker.tablesVisited(), walker.entriesRead());
  }

  /**
   * Reclamation as a visitor, to compose with others ({@link dev.paging.core.Visitors#compose})
   * in one walk over exactly {@code range} of this reclaimer's space: an accessed-bit scan, an
   * audit and a reclaim in one pass over the tables. The walk only decides; {@link
   * ReclaimVisitor#finish()} then unlinks and returns what {@link #reclaim(VirtualRange,
   * ReclaimOptions)} would have, or throws what it would have thrown, with nothing changed. In
   * {@link ReclaimMode#STRICT} mode the visitor stops (its part of the walk) at the first
   * candidate that is not empty; the other visitors go on.
   *
   * @throws IllegalArgumentException if an end of the range is not canonical for the format
   */
  public ReclaimVisitor visitor(VirtualRange range, ReclaimOptions options) {
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(options, "options");
    space.checkNotDestroyed();
    format.checkCanonical(range);
    Pass own = new Pass(format, space.sharedTables());
    own.start(options);
    return new ReclaimVisitor(this, own, range, options);
  }

  /**
   * What a walk of {@code pass} over {@code range} decided, made final: a strict failure thrown,
   * a second walk when tables were met through two links, then the unlinking.
   */
  ReclaimResult afterWalk(Pass pass, VirtualRange range, ReclaimOptions options, long tables, long entries) {
    space.checkNotDestroyed();
    while (true) {
      if (pass.failure != null) {
        String message = "STRICT reclaim of " + range + ": " + pass.failure + "; nothing was changed";
        pass.failure = null;
        throw new TableNotEmptyException(message);
      }
      // A table met through a second link was skipped there but may have been walked, and its
      // subtree freed, through the first. Walk again with every such table treated as shared:
      // the second walk meets a subset of the first one's tables, so it finds no new alias.
      if (pass.aliases.size() == 0 || pass.freedCount == 0) {
        break;
      }
      pass.protectedFrames.addAll(pass.aliases);
      pass.start(options);
      walker.walk(space.root(), space.upperRoot(), range.first(), range.last(), pass);
      tables += walker.tablesVisited();
      entries += walker.entriesRead();
    }
    return apply(pass, range, options.mode(), tables, entries);
  }

  /** Writes the parent entry that linked the {@code i}-th table freed, 4 or 8 bytes as its level has. */
  private void writeLink(Pass pass, int i, long raw) {
    long address = pass.linkAddress[i];
    if (format.levels(pass.freedFirst[i]).get(pass.freedDepth[i] - 1).entryBytes() == 4) {
      memory.write32(address, (int) raw);
    } else {
      memory.write(address, raw);
    }
  }

  private ReclaimResult apply(Pass pass, VirtualRange range, ReclaimMode mode, long tables, long entries) {
    int n = pass.freedCount;
    long[] frames = Arrays.copyOf(pass.freedFrame, n);
    int[] countByDepth = new int[pass.depths];
    InvalidationPlan.Builder plan = InvalidationPlan.builder();
    for (int i = 0; i < n; i++) {
      countByDepth[pass.freedDepth[i]]++;
      plan.table(pass.freedFirst[i], pass.freedLast[i]);
    }
    int written = 0;
    try {
      for (; written < n; written++) {
        writeLink(pass, written, 0);
      }
    } catch (RuntimeException e) {
      for (int j = written - 1; j >= 0; j--) {
        try {
          writeLink(pass, j, pass.linkRaw[j]);
        } catch (RuntimeException again) {
          e.addSuppressed(again);
        }
      }
      throw e;
    }
    return new ReclaimResult(range, mode, format.levels(), format.levels(-1L), Arrays.copyOf(pass.freedLevel, n),
        frames, countByDepth,
        plan.build(), PendingFrees.of(space.allocator(), frames), tables, entries);
  }

  @Override
  public String toString() {
    return "Reclaimer of " + space;
  }

  PagingFormat format() {
    return format;
  }

  /**
   * The visitor. Per depth it keeps the current table's frame, whether it is a candidate and how
   * many of its entries are still live: non-zero and not a link to a table this pass frees. The
   * walker has read each entry once by the time {@code afterTable} runs, so the count is exact
   * without reading the table again.
   */
  static final class Pass implements PageTableVisitor {
    /** The deepest walk's levels: both halves' depths index these arrays. */
    final int depths;
    private final PagingFormat format;
    private final SharedTables shared;
    private final long[] frame;
    private final int[] live;
    private final boolean[] candidate;
    private final FrameSet visited = new FrameSet();
    final FrameSet aliases = new FrameSet();
    final FrameSet protectedFrames = new FrameSet();
    private boolean strict;
    private ReclaimOptions.PinnedTables pins;
    private boolean pinsNothing;
    @Nullable String failure;

    int freedCount;
    long[] freedFrame = new long[64];
    long[] freedFirst = new long[64];
    long[] freedLast = new long[64];
    int[] freedDepth = new int[64];
    Level[] freedLevel = new Level[64];
    long[] linkAddress = new long[64];
    long[] linkRaw = new long[64];

    Pass(PagingFormat format, SharedTables shared) {
      this.format = format;
      this.depths = Math.max(format.levels().size(), format.levels(-1L).size());
      this.shared = shared;
      this.frame = new long[depths];
      this.live = new int[depths];
      this.candidate = new boolean[depths];
    }

    void start(ReclaimOptions options) {
      strict = options.mode() == ReclaimMode.STRICT;
      pins = options.pinned();
      pinsNothing = options.pinsNothing();
      failure = null;
      freedCount = 0;
      tablesSeen = 0;
      entriesSeen = 0;
      visited.clear();
      aliases.clear();
    }

    /** Tables and entries this pass was shown: its cost when it is one of several composed visitors. */
    long tablesSeen;
    long entriesSeen;

    @Override
    public Control beforeTable(TableCursor table) {
      tablesSeen++;
      int d = table.level().depth();
      long f = table.frame();
      frame[d] = f;
      live[d] = 0;
      visited.add(f);
      if (d == 0 && shared.isShared(f)) {
        // A root shared between spaces (AArch64's TTBR1 table): its subtree is every space's.
        return Control.SKIP_SUBTREE;
      }
      boolean inRange = d > 0 && table.fullyInRange();
      candidate[d] = inRange && (pinsNothing || !pins.isPinned(f, table.level()));
      return Control.CONTINUE;
    }

    @Override
    public Control onHole(HoleCursor hole) {
      entriesSeen += hole.lastIndex() - hole.firstIndex() + 1;
      return Control.CONTINUE;
    }

    @Override
    public Control onEntry(EntryCursor entry) {
      entriesSeen++;
      int d = entry.level().depth();
      live[d]++;
      if (entry.kind() != EntryKind.TABLE) {
        // A leaf or a non-present marker: it stays, and there is nothing below it to walk.
        return keep(entry, d, Why.HOLDS, 0, null);
      }
      long child = entry.target();
      if (entry.recursive()) {
        // A recursive mapping: a live link, never followed, so its window frees nothing twice.
        return keep(entry, d, Why.RECURSIVE, child, null);
      }
      if (shared.isShared(child)) {
        return keep(entry, d, Why.SHARED, child, null);
      }
      if (protectedFrames.contains(child)) {
        return keep(entry, d, Why.LINKED_TWICE, child, null);
      }
      if (visited.contains(child)) {
        aliases.add(child);
        return keep(entry, d, Why.LINKED_TWICE, child, null);
      }
      // Descend: the walker reported a table outside memory to onMalformed instead.
      return Control.CONTINUE;
    }

    @Override
    public Control onMalformed(EntryCursor entry, EntryProblem problem) {
      entriesSeen++;
      int d = entry.level().depth();
      // Every entry the walker cannot follow comes here instead of onEntry, and keeps its table.
      live[d]++;
      return keep(entry, d, Why.MALFORMED, 0, problem) == Control.STOP ? Control.STOP : Control.CONTINUE;
    }

    @Override
    public Control afterTable(TableCursor table) {
      int d = table.level().depth();
      if (d == 0) {
        return Control.CONTINUE;
      }
      if (candidate[d] && live[d] == 0) {
        EntryCursor link = table.parent();
        record(table.frame(), table.level(), table.first(), table.last(), link.entryAddress(), link.raw());
        live[d - 1]--;
        return Control.CONTINUE;
      }
      // The table stays. Below a candidate it lies wholly in the range too, and had it been a
      // non-empty candidate a strict pass would have failed inside it already: it is pinned.
      return keep(table.parent(), d - 1, Why.PINNED, table.frame(), null) == Control.STOP
          ? Control.STOP : Control.CONTINUE;
    }

    /**
     * An entry that keeps its table alive. A strict pass fails there if the table is a
     * candidate; the message is built only then, so a collecting pass allocates nothing.
     */
    private Control keep(EntryCursor entry, int d, Why why, long child, @Nullable EntryProblem problem) {
      if (strict && candidate[d]) {
        failure = describe(entry, why, child, problem);
        return Control.STOP;
      }
      return Control.SKIP_SUBTREE;
    }

    private String describe(EntryCursor entry, Why why, long child, @Nullable EntryProblem problem) {
      TableCursor t = entry.table();
      StringBuilder s = new StringBuilder();
      s.append(t.level().name()).append(" table ").append(hex(t.frame())).append(" spanning [")
          .append(hex(t.first())).append(", ").append(hex(t.last())).append("] is not empty: entry ")
          .append(entry.index()).append(" [").append(hex(entry.first())).append(", ")
          .append(hex(entry.last())).append("] holds ").append(hex(entry.raw())).append(", ");
      switch (why) {
        case SHARED:
          return s.append("a link to the shared table ").append(hex(child)).toString();
        case LINKED_TWICE:
          return s.append("a link to the table ").append(hex(child))
              .append(", which is also linked from another entry").toString();
        case PINNED:
          return s.append("a link to the pinned table ").append(hex(child)).toString();
        case RECURSIVE:
          return s.append("a recursive link to the table ").append(hex(child))
              .append(", one of its own ancestors").toString();
        case MALFORMED:
          return s.append("malformed (").append(problem).append(')').toString();
        default:
          if (entry.kind() == EntryKind.NOT_PRESENT) {
            return s.append("a non-present entry that is not zero").toString();
          }
          return s.append(entry.level().depth() == format.levels(entry.first()).size() - 1 ? "a leaf" : "a huge leaf")
              .append(" mapping ").append(hex(entry.target())).toString();
      }
    }

    private void record(long f, Level level, long first, long last, long address, long raw) {
      if (freedCount == freedFrame.length) {
        int n = freedCount * 2;
        freedFrame = Arrays.copyOf(freedFrame, n);
        freedFirst = Arrays.copyOf(freedFirst, n);
        freedLast = Arrays.copyOf(freedLast, n);
        freedDepth = Arrays.copyOf(freedDepth, n);
        freedLevel = Arrays.copyOf(freedLevel, n);
        linkAddress = Arrays.copyOf(linkAddress, n);
        linkRaw = Arrays.copyOf(linkRaw, n);
      }
      int i = freedCount++;
      freedFrame[i] = f;
      freedFirst[i] = first;
      freedLast[i] = last;
      freedDepth[i] = level.depth();
      freedLevel[i] = level;
      linkAddress[i] = address;
      linkRaw[i] = raw;
    }
  }

  /** Why an entry keeps its table; words for a strict failure's message. */
  private enum Why {
    HOLDS, SHARED, LINKED_TWICE, PINNED, MALFORMED, RECURSIVE
  }
}
