package dev.paging.ops;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Level;
import dev.paging.api.VirtualRange;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What a {@link Reclaimer} did: the table frames it unlinked, in the order it unlinked them
 * (children before parents, in address order), how many at each level, the invalidation the
 * caller must apply, and the frames themselves, still held back as {@link PendingFrees}.
 *
 * <p>When this value exists the tables are already changed: the entries that linked the freed
 * tables are zero, and every freed frame holds an all-zero table. The frames are not yet back in
 * the allocator, because a processor may still hold them in its paging-structure caches. The
 * safe order is therefore: apply {@link #plan()}, then {@link PendingFrees#release()}
 * (or both at once with {@link #releaseAfter}).
 *
 * <p>Immutable except for the release state of its {@link PendingFrees}.
 */
public final class ReclaimResult implements MutationResult {
  private final VirtualRange range;
  private final ReclaimMode mode;
  private final List<Level> levels;
  /** The upper half's levels: {@link #levels} unless the halves' geometries differ. */
  private final List<Level> upperLevels;
  /** The level of each freed table, parallel to {@link #frames}. */
  private final Level[] freedLevels;
  private final long[] frames;
  private final int[] countByDepth;
  private final InvalidationPlan invalidation;
  private final PendingFrees pendingFrees;
  private final long tablesVisited;
  private final long entriesRead;

  ReclaimResult(VirtualRange range, ReclaimMode mode, List<Level> levels, List<Level> upperLevels,
      Level[] freedLevels, long[] frames,
      int[] countByDepth, InvalidationPlan invalidation, PendingFrees pendingFrees, long tablesVisited,
      long entriesRead) {
    this.range = range;
    this.mode = mode;
    this.levels = levels;
    this.upperLevels = upperLevels;
    this.freedLevels = freedLevels;
    this.frames = frames;
    this.countByDepth = countByDepth;
    this.invalidation = invalidation;
    this.pendingFrees = pendingFrees;
    this.tablesVisited = tablesVisited;
    this.entriesRead = entriesRead;
  }

  /** The range the reclamation was asked for. */
  public VirtualRange range() {
    return range;
  }

  public ReclaimMode mode() {
    return mode;
  }

  /** The freed table frames in the order they were unlinked: children before parents. */
  public long[] frames() {
    return frames.clone();
  }

  /** How many tables were freed. */
  public int count() {
    return frames.length;
  }

  /** True when no table was freed; the plan is then empty too. */
  public boolean isEmpty() {
    return frames.length == 0;
  }

  /**
   * How many tables of {@code level} were freed (0 for the root level, which is never freed).
   * Where the halves' geometries differ, a level is one half's: its depth counts in that half
   * only.
   *
   * @throws IllegalArgumentException if the format has no level at that depth
   */
  public int count(Level level) {
    Objects.requireNonNull(level, "level");
    if (!isOwn(levels, level) && !isOwn(upperLevels, level)) {
      return countAtDepth(level.depth());
    }
    int n = 0;
    for (Level freed : freedLevels) {
      n += freed == level ? 1 : 0;
    }
    return n;
  }

  private static boolean isOwn(List<Level> list, Level level) {
    for (Level l : list) {
      if (l == level) {
        return true;
      }
    }
    return false;
  }

  /**
   * How many tables at {@code depth} (0 = root) were freed, in both halves.
   *
   * @throws IllegalArgumentException if the format has no level at that depth
   */
  public int countAtDepth(int depth) {
    if (depth < 0 || depth >= countByDepth.length) {
      throw new IllegalArgumentException("depth " + depth + " is not a level of a " + countByDepth.length
          + "-level format");
    }
    return countByDepth[depth];
  }

  /**
   * What must be invalidated before the frames are reused: the span of every freed table, with
   * {@link InvalidationPlan#pagingStructures()} set. Empty when nothing was freed.
   *
   * <p>Freed tables held no leaves, so no translation changes; what may be stale is cached
   * non-leaf entries. On x86 an INVLPG of an address in each span (or a full flush) drops them.
   * On RISC-V an SFENCE.VMA with an address orders only leaf entries, so unlinked tables need
   * SFENCE.VMA with {@code rs1 = x0} (for the address space's ASID, or for all).
   */
  public InvalidationPlan plan() {
    return invalidation;
  }

  /** The freed frames, held until the caller has applied {@link #plan()}. */
  @Override
  public PendingFrees pendingFrees() {
    return pendingFrees;
  }

  /**
   * Hands the plan to {@code invalidate} (which flushes TLBs and paging-structure caches, on
   * every processor that may use these tables) and, once it returns normally, releases the
   * frames to the allocator. If it throws, the frames stay pending.
   *
   * @throws IllegalStateException if the frames were already released
   */
  public void releaseAfter(Consumer<? super InvalidationPlan> invalidate) {
    Objects.requireNonNull(invalidate, "invalidate");
    if (pendingFrees.isReleased()) {
      throw new IllegalStateException("the " + frames.length + " reclaimed frames were already released");
    }
    invalidate.accept(invalidation);
    pendingFrees.release();
  }

  /**
   * Tables the walk visited, the root included: what the call cost, with {@link #entriesRead()}.
   * When the walk met a table through two links it walks a second time, with that table kept,
   * and both walks are counted.
   */
  public long tablesVisited() {
    return tablesVisited;
  }

  /** Entries the walk read from memory. */
  public long entriesRead() {
    return entriesRead;
  }

  /**
   * {@code COLLECT reclaim of [..]: 3 tables freed (PD 1, PT 2), 3 frames pending; invalidate
   * ...}.
   */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder().append(mode).append(" reclaim of ").append(range).append(": ");
    s.append(frames.length).append(frames.length == 1 ? " table freed" : " tables freed");
    if (frames.length > 0) {
      s.append(" (");
      boolean first = true;
      for (int d = 0; d < countByDepth.length; d++) {
        // Where the halves' geometries differ, the upper half's level after the lower half's at
        // each depth, each named with its half: both may be called L3.
        boolean split = upperLevels != levels;
        for (List<Level> half : split ? List.of(levels, upperLevels) : List.of(levels)) {
          int n = d < half.size() ? count(half.get(d)) : 0;
          if (n > 0) {
            s.append(first ? "" : ", ").append(split ? (half == levels ? "lower " : "upper ") : "")
                .append(half.get(d).name()).append(' ').append(n);
            first = false;
          }
        }
      }
      s.append("), ").append(pendingFrees.isReleased() ? "released" : "pending")
          .append(", first ").append(hex(frames[0]));
    }
    return s.append("; ").append(invalidation).toString();
  }
}
