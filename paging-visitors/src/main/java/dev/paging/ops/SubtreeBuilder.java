package dev.paging.ops;

import static dev.paging.api.Addresses.hex;
import static dev.paging.ops.FormatLayout.ule;
import static dev.paging.ops.FormatLayout.ult;

import dev.paging.api.Attributes;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.Level;
import dev.paging.api.PhysicalMemory;
import dev.paging.api.VirtualRange;
import dev.paging.core.Walker;
import org.jspecify.annotations.Nullable;

/**
 * Builds new subtrees in fresh frames: entries inside a range {@code [a, b]} get the content of
 * one {@link LeafSource}, entries outside it another, and an entry partly inside becomes a new table
 * split the same way one level down. Map fills holes with it (new mapping inside, nothing
 * outside); unmap, protect and smash rebuild a huge leaf with it (pieces outside, nothing or
 * re-protected pieces inside). Each subtree is complete before the entry linking it is written,
 * so the hardware never sees a half-built one.
 *
 * <p>The same code counts: in counting mode it writes nothing and adds up the frames it would
 * take, which is what an operation allocates up front. ChangeRecorder of entries with the same content are
 * handled as a unit, so counting costs a few steps per level whatever the range's size, and
 * writing costs one memory write per entry.
 */
final class SubtreeBuilder {
  private final FormatLayout g;
  private final PhysicalMemory memory;
  private final ContiguousRuns contiguous;

  private boolean counting;
  private long counted;
  private @Nullable FramePool pool;
  private long a;
  private long b;
  private LeafSource in;
  private LeafSource out;
  private @Nullable Attributes pointer;
  /** The live table {@link #fillHoles} fills, whose writes go through {@link #journal}; else -1. */
  private long liveFrame = -1;
  private @Nullable Journal journal;

  SubtreeBuilder(FormatLayout g) {
    this.g = g;
    this.memory = g.memory;
    this.contiguous = new ContiguousRuns(g);
  }

  /** A visitor that walks a range twice: first only reading and counting, then writing. */
  abstract static class TwoPass implements PageTableVisitor {
    /** False during the counting walk, true during the writing one. */
    boolean apply;
    /** In the writing walk, the frames taken for it. */
    @Nullable FramePool pool;
  }

  /**
   * An operation's two walks over {@code [first, last]}: the first only reads and counts the
   * tables the change needs, then every frame is taken at once (checked against {@code rules},
   * which the first walk fills), then the second walk writes, through {@code journal}, so that a
   * failure part way is undone, and contiguous runs the writes cut lose their hint (into {@code
   * plan}). Returns the frames taken.
   */
  long countThenWrite(Walker walker, long first, long last, TwoPass visitor, Journal journal, FrameRules rules,
      String verb, InvalidationPlan.Builder plan) {
    count();
    visitor.apply = false;
    visitor.pool = null;
    walker.walk(g.space.root(), g.space.upperRoot(), first, last, visitor);
    long frames = counted;
    FramePool taken = FramePool.allocate(g.space.allocator(), memory, frames, rules);
    journal.start();
    try {
      write(taken);
      visitor.apply = true;
      visitor.pool = taken;
      walker.walk(g.space.root(), g.space.upperRoot(), first, last, visitor);
      contiguous.repair(journal, first, last, plan);
      taken.finish();
    } catch (RuntimeException | Error e) {
      // The words only on failure: a loop of small calls should not build them.
      throw journal.abort(e, verb + " " + VirtualRange.closed(first, last), taken, first, last,
          g.shared.size() > 0);
    } finally {
      visitor.pool = null;
    }
    return frames;
  }

  /** Count from now on; {@link #counted()} says how many frames the builds so far need. */
  void count() {
    counting = true;
    counted = 0;
    pool = null;
  }

  /** Write from now on, taking frames from {@code pool}. */
  void write(FramePool pool) {
    counting = false;
    this.pool = pool;
  }

  long counted() {
    return counted;
  }

  /**
   * Sets what the next builds write: {@code in} for entries inside {@code [first, last]}, {@code
   * out} for the others. New tables' entries are made permissive enough for the leaves of both.
   *
   * @throws IllegalArgumentException if the format cannot encode such table entries
   */
  void use(long first, long last, LeafSource in, LeafSource out) {
    this.a = first;
    this.b = last;
    this.in = in;
    this.out = out;
    Attributes leaves = FormatLayout.union(in.leafAttributes(), out.leafAttributes());
    this.pointer = leaves == null ? null : g.format.tableAttributesFor(leaves);
  }

  /** As {@link #use(long, long, LeafSource, LeafSource)} with the table entries' attributes given. */
  void use(long first, long last, LeafSource in, LeafSource out, @Nullable Attributes pointer) {
    this.a = first;
    this.b = last;
    this.in = in;
    this.out = out;
    this.pointer = pointer;
  }

  /** Checks up front that the format can encode the table entries the builds may write. */
  void checkPointers() {
    if (pointer == null) {
      return;
    }
    for (FormatLayout h : new FormatLayout[] {g.half(0), g.half(-1L)}) {
      for (int d = 0; d < h.last; d++) {
        h.format.encodeTable(h.levels[d], 0, pointer);
      }
    }
  }

  /**
   * The entry at {@code depth} covering {@code [eF, eF + span)}: a leaf, zero, or a pointer to a
   * new, complete subtree. In counting mode, returns 0 and counts.
   */
  long entry(int depth, long eF) {
    FormatLayout g = this.g.half(eF);
    long eL = eF + g.span(depth) - 1;
    LeafSource src = ule(a, eF) && ule(eL, b) ? in : (ult(eL, a) || ult(b, eF)) ? out : null;
    if (src != null && src.fits(depth, eF)) {
      return counting ? 0 : src.leaf(depth, eF);
    }
    if (depth == g.last) {
      throw new IllegalStateException("no leaf at the last level fits " + hex(eF));
    }
    if (counting) {
      counted += src != null ? full(depth, eF, src) : 1;
      if (src != null) {
        return 0;
      }
      fill(depth + 1, 0, eF, 0, g.entries[depth + 1] - 1);
      return 0;
    }
    long frame = pool.take();
    fill(depth + 1, frame, eF, 0, g.entries[depth + 1] - 1);
    return g.format.encodeTable(g.levels[depth], frame, pointer);
  }

  /**
   * As {@link #fill}, into empty entries of the live table at {@code frame}: its writes go
   * through {@code journal}, so that they are undone if the operation fails; the new tables
   * below need no record.
   */
  void fillHoles(int depth, long frame, long base, int iFrom, int iTo, Journal journal) {
    if (counting) {
      fill(depth, frame, base, iFrom, iTo);
      return;
    }
    this.liveFrame = frame;
    this.journal = journal;
    try {
      fill(depth, frame, base, iFrom, iTo);
    } finally {
      this.liveFrame = -1;
      this.journal = null;
    }
  }

  /** Writes one new entry, through the journal when it is in the live table being filled. */
  private void put(Level level, long frame, int index, long raw) {
    if (frame == liveFrame) {
      journal.write(level, frame, index, 0, raw);
    } else {
      level.writeEntry(memory, frame, index, raw);
    }
  }

  /**
   * Writes entries {@code iFrom..iTo} of the table at {@code frame} (depth {@code depth}), whose
   * entry {@code iFrom} starts at {@code base}; the entries must be contiguous in virtual
   * addresses, as they are in any table and within one canonical half of the root.
   */
  void fill(int depth, long frame, long base, int iFrom, int iTo) {
    FormatLayout g = this.g.half(base);
    Level level = g.levels[depth];
    int shift = g.shift[depth];
    long span = 1L << shift;
    int i = iFrom;
    while (i <= iTo) {
      long eF = base + ((long) (i - iFrom) << shift);
      long eL = eF + span - 1;
      int j;
      LeafSource src;
      if (ult(b, eF)) {
        src = out;
        j = iTo;
      } else if (ult(eL, a)) {
        src = out;
        j = (int) Math.min(iTo, i + ((a - eF) >>> shift) - 1);
      } else if (ule(a, eF) && ule(eL, b)) {
        src = in;
        long d = b - eF;
        long n = (d >>> shift) + ((d & (span - 1)) == span - 1 ? 1 : 0);
        j = (int) Math.min(iTo, i + n - 1);
      } else {
        long raw = entry(depth, eF);
        if (!counting) {
          put(level, frame, i, raw);
        }
        i++;
        continue;
      }
      run(depth, frame, i, j, eF, src);
      i = j + 1;
    }
  }

  /** Entries {@code i..j}, all wholly given to {@code src}; entry {@code i} starts at {@code eF}. */
  private void run(int depth, long frame, int i, int j, long eF, LeafSource src) {
    FormatLayout g = this.g.half(eF);
    Level level = g.levels[depth];
    if (src.fits(depth, eF)) {
      if (counting) {
        return;
      }
      if (src.linear(depth)) {
        long raw = src.leaf(depth, eF);
        long step = src.step(depth);
        for (int k = i; k <= j; k++) {
          put(level, frame, k, raw);
          raw += step;
        }
      } else {
        long span = g.span(depth);
        long va = eF;
        for (int k = i; k <= j; k++, va += span) {
          put(level, frame, k, src.leaf(depth, va));
        }
      }
      return;
    }
    if (depth == g.last) {
      throw new IllegalStateException("no leaf at the last level fits " + hex(eF));
    }
    if (counting) {
      counted += (long) (j - i + 1) * full(depth, eF, src);
      return;
    }
    int shift = g.shift[depth];
    for (int k = i; k <= j; k++) {
      put(level, frame, k, entry(depth, eF + ((long) (k - i) << shift)));
    }
  }

  /** Frames one entry at {@code depth} needs when wholly given to {@code src}, which does not fit there. */
  private long full(int depth, long eF, LeafSource src) {
    FormatLayout g = this.g.half(eF);
    if (depth == g.last) {
      throw new IllegalStateException("no leaf at the last level fits " + hex(eF));
    }
    return 1 + (src.fits(depth + 1, eF) ? 0 : (long) g.entries[depth + 1] * full(depth + 1, eF, src));
  }
}
