package dev.paging.ops;

import dev.paging.api.Attributes;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryProblem;
import dev.paging.api.Level;
import dev.paging.api.VirtualRange;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Records the leaves an operation removes or changes as coalesced {@link Mapping}s and as entries
 * of its {@link InvalidationPlan}, and the other entries it removes. Adjacent leaves whose bits
 * differ exactly by one page's step (same level, same attributes, contiguous physical memory)
 * extend one run, checked with one comparison per leaf; attributes are decoded once per run.
 */
final class ChangeRecorder {
  private final FormatLayout g;
  private final List<Mapping> mappings = new ArrayList<>();
  private final List<RemovedEntry> removed = new ArrayList<>();
  private InvalidationPlan.Builder plan;

  private int depth = -1;
  /** The layout of the current run's half: its depth means that half's level. */
  private FormatLayout run;
  private long first;
  private long nextVa;
  private long firstRaw;
  private long nextRaw;
  private long count;
  private long step;
  private boolean shared;

  ChangeRecorder(FormatLayout g) {
    this.g = g;
  }

  void reset(InvalidationPlan.Builder plan) {
    this.plan = plan;
    mappings.clear();
    removed.clear();
    depth = -1;
  }

  /**
   * Extends the current run with the whole leaf {@code raw} at {@code depth} over {@code [va, va +
   * span)} if it continues it; false otherwise.
   */
  boolean extend(int depth, long va, long raw, boolean inShared) {
    if (raw != nextRaw || va != nextVa || depth != this.depth || inShared != shared) {
      return false;
    }
    count++;
    nextVa = va + run.span(depth);
    nextRaw = raw + step;
    return true;
  }

  /**
   * The virtual address the current run continues at, if it is a run of leaves at {@code depth}
   * in tables whose sharing is {@code inShared}; otherwise an address no leaf at that depth has
   * (it is not aligned), so a loop comparing against it never extends the run.
   */
  long nextVa(int depth, boolean inShared) {
    return this.depth == depth && shared == inShared ? nextVa : 1;
  }

  /** The bits the leaf at {@link #nextVa} must have to continue the current run. */
  long nextRaw() {
    return nextRaw;
  }

  /** Extends the current run by {@code n} leaves a caller found continuing it, as {@link #extend} would have. */
  void extendBy(long n) {
    if (n == 0) {
      return;
    }
    count += n;
    nextVa += n * run.span(depth);
    nextRaw += n * step;
  }

  /** The whole leaf {@code raw} at {@code depth} over {@code [va, va + span)}. */
  void leaf(int depth, long va, long raw, boolean inShared) {
    if (extend(depth, va, raw, inShared)) {
      return;
    }
    flush();
    FormatLayout g = this.g.half(va);
    this.run = g;
    this.depth = depth;
    this.first = va;
    this.nextVa = va + g.span(depth);
    this.firstRaw = raw;
    this.count = 1;
    this.shared = inShared;
    int s = g.addressShift[depth];
    if (s == FormatLayout.NONLINEAR) {
      // No run can be extended: a raw value never equals this one's complement.
      this.step = 0;
      this.nextRaw = ~raw;
    } else {
      this.step = g.span(depth) >>> s;
      this.nextRaw = raw + step;
    }
  }

  /**
   * The part {@code [pieceFirst, pieceLast]} of the huge leaf {@code raw} at {@code depth} over
   * {@code [leafFirst, ...]}: its own mapping, and one invalidation of the whole leaf.
   */
  void piece(int depth, long leafFirst, long pieceFirst, long pieceLast, long raw, boolean inShared) {
    flush();
    Level level = g.half(leafFirst).levels[depth];
    Attributes attributes = g.format.attributes(level, raw);
    long pa = g.format.address(level, raw) + (pieceFirst - leafFirst);
    mappings.add(Mapping.of(VirtualRange.closed(pieceFirst, pieceLast), pa, level, attributes));
    plan.leaf(leafFirst, leafFirst + level.entrySpan() - 1, attributes.global());
    if (inShared) {
      plan.shared();
    }
  }

  /** An entry that mapped nothing describable, removed whole. */
  void removed(int depth, long entryFirst, long raw, EntryKind kind, @Nullable EntryProblem problem, boolean inShared) {
    Level level = g.half(entryFirst).levels[depth];
    long last = entryFirst + level.entrySpan() - 1;
    removed.add(RemovedEntry.of(entryFirst, last, level, kind, raw, problem));
    // The hardware may have cached a pointer it could follow (one out of memory).
    if (problem == EntryProblem.TABLE_OUTSIDE_MEMORY) {
      plan.table(entryFirst, last);
      if (inShared) {
        plan.shared();
      }
    }
  }

  void flush() {
    if (depth < 0) {
      return;
    }
    Level level = run.levels[depth];
    Attributes attributes = g.format.attributes(level, firstRaw);
    long last = nextVa - 1;
    mappings.add(Mapping.of(VirtualRange.closed(first, last), g.format.address(level, firstRaw), level, attributes));
    plan.leaves(first, last, count, attributes.global());
    if (shared) {
      plan.shared();
    }
    depth = -1;
  }

  List<Mapping> mappings() {
    flush();
    return List.copyOf(mappings);
  }

  List<RemovedEntry> removedEntries() {
    return List.copyOf(removed);
  }
}
