package dev.paging.ops;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.VirtualRange;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import org.jspecify.annotations.Nullable;

/**
 * What a mutating operation requires the caller to invalidate before the change is safe to rely
 * on: the virtual ranges whose cached translations (TLB) or cached paging-structure entries are
 * now stale. Only what changed is listed: a mapping created where nothing was mapped needs no
 * invalidation; a smash that keeps the translation invalidates the one huge entry.
 *
 * <p>How to apply it: invalidate each of {@link #invalidations()} once, at any address inside it
 * (x86 INVLPG, RISC-V SFENCE.VMA with that address), or, when {@link #entries()} is above the
 * caller's own ceiling ({@link #flushAllSuggested(long)}), flush everything instead (global
 * entries too when {@link #global()}). Where a full flush becomes cheaper is the caller's policy
 * and differs by processor and kernel, so the plan always keeps every stale entry. If {@link #pagingStructures()},
 * cached table pointers must go too: x86 INVLPG does that, RISC-V needs SFENCE.VMA with rs1 = x0,
 * since an address-specific fence orders only leaf entries. If {@link #sharedTables()}, do it on
 * every processor that may be running any address space sharing those tables.
 *
 * <p>Widening a table entry (granting write, user or execute where it did not) is not listed: it
 * only removes restrictions, and a stale narrower entry can at worst cause one spurious page
 * fault, which itself invalidates the entries for the faulting address (Intel SDM vol. 3A,
 * 4.10.4.3, "Optional Invalidation"). RISC-V table entries carry no permissions.
 *
 * <p>An immutable value. Ranges are sorted (unsigned) and coalesced. The entries are kept as
 * runs of equal-sized neighbours, so a plan for a million pages takes a few words, and {@link
 * #invalidations()} is a view that makes each entry when asked for it.
 */
public final class InvalidationPlan {
  /**
   * Linux's default ceiling on x86 for single-page invalidations before it flushes the whole
   * TLB ({@code tlb_single_page_flush_ceiling}, 33 pages): one policy a caller may pass to
   * {@link #flushAllSuggested(long)}, not a property of the plan.
   */
  public static final int LINUX_X86_FLUSH_CEILING = 33;

  private static final long[] NO_LONGS = new long[0];
  private static final InvalidationPlan NONE =
      new InvalidationPlan(List.of(), NO_LONGS, NO_LONGS, NO_LONGS, 0, false, false, false);

  private final List<VirtualRange> ranges;
  /** Runs of entries: run i has {@code counts[i]} entries of {@code sizes[i]} bytes from {@code firsts[i]}. */
  private final long[] firsts;
  private final long[] sizes;
  /** Entries before run i, so that entry k is found by a binary search. */
  private final long[] before;
  private final long entries;
  private final boolean global;
  private final boolean pagingStructures;
  private final boolean sharedTables;

  private InvalidationPlan(List<VirtualRange> ranges, long[] firsts, long[] sizes, long[] before, long entries,
      boolean global, boolean pagingStructures, boolean sharedTables) {
    this.ranges = ranges;
    this.firsts = firsts;
    this.sizes = sizes;
    this.before = before;
    this.entries = entries;
    this.global = global;
    this.pagingStructures = pagingStructures;
    this.sharedTables = sharedTables;
  }

  /** Nothing to invalidate. */
  public static InvalidationPlan none() {
    return NONE;
  }

  /**
   * One leaf of {@code size} bytes from {@code first} that changed or went away: what the builder
   * makes of a single {@code leaf} call, made directly for the one-page calls.
   */
  static InvalidationPlan leaf(long first, long size, boolean global, boolean shared) {
    return new InvalidationPlan(List.of(VirtualRange.closed(first, first + size - 1)), new long[] {first},
        new long[] {size}, new long[] {0}, 1, global, false, shared);
  }

  /** The stale virtual ranges, sorted and coalesced. */
  public List<VirtualRange> ranges() {
    return ranges;
  }

  /**
   * Every stale entry, one by one, ordered by first address: each is one page (of its own size)
   * or the span of one unlinked table, and one invalidation at any address inside it suffices.
   * Its size is {@link #entries()}, however large; the list is a view, each element made when
   * read.
   */
  public List<VirtualRange> invalidations() {
    return new Entries();
  }

  /** How many entries (pages of any size, or unlinked tables) changed: one invalidation each. */
  public long entries() {
    return entries;
  }

  /** True when a stale translation was global: an address-space switch does not drop it. */
  public boolean global() {
    return global;
  }

  /**
   * True when tables were unlinked or replaced, so paging-structure caches must be flushed for
   * the ranges before a freed table frame may be reused: x86 INVLPG does both; on RISC-V an
   * SFENCE.VMA with an address orders only leaf entries, so use one with rs1 = x0.
   */
  public boolean pagingStructures() {
    return pagingStructures;
  }

  /**
   * True when a stale entry lies in a table shared with other address spaces (the kernel half
   * every process links to): the plan must then be applied on every processor that may run any
   * of those spaces, not only where this one is live.
   */
  public boolean sharedTables() {
    return sharedTables;
  }

  /** True when nothing needs invalidating. */
  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  /**
   * True when more than {@code ceiling} entries changed, so that by the caller's measure one full
   * flush is cheaper than {@link #entries()} single invalidations ({@link #LINUX_X86_FLUSH_CEILING}
   * is Linux's on x86).
   *
   * @throws IllegalArgumentException if {@code ceiling} is negative
   */
  public boolean flushAllSuggested(long ceiling) {
    if (ceiling < 0) {
      throw new IllegalArgumentException("flush ceiling " + ceiling + " is negative");
    }
    return entries > ceiling;
  }

  /** This plan and {@code other}: what both operations, applied in turn, need. */
  public InvalidationPlan and(InvalidationPlan other) {
    Objects.requireNonNull(other, "other");
    if (other.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return other;
    }
    Builder b = builder();
    b.addRuns(this);
    b.addRuns(other);
    b.global = global || other.global;
    b.pagingStructures = pagingStructures || other.pagingStructures;
    b.sharedTables = sharedTables || other.sharedTables;
    return b.build();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof InvalidationPlan)) {
      return false;
    }
    InvalidationPlan p = (InvalidationPlan) o;
    return p.ranges.equals(ranges) && p.entries == entries && p.global == global
        && p.pagingStructures == pagingStructures && p.sharedTables == sharedTables;
  }

  @Override
  public int hashCode() {
    return ranges.hashCode() * 31 + Long.hashCode(entries) * 7 + (global ? 4 : 0) + (pagingStructures ? 2 : 0)
        + (sharedTables ? 1 : 0);
  }

  /**
   * {@code invalidate 2 entries in [..], [..] (global, paging structures, shared tables)} or
   * {@code nothing to invalidate}.
   */
  @Override
  public String toString() {
    if (isEmpty()) {
      return "nothing to invalidate";
    }
    StringBuilder s = new StringBuilder("invalidate ").append(entries).append(entries == 1 ? " entry in " : " entries in ");
    for (int i = 0; i < ranges.size(); i++) {
      s.append(i == 0 ? "" : ", ").append(ranges.get(i));
    }
    List<String> notes = new ArrayList<>();
    if (global) {
      notes.add("global");
    }
    if (pagingStructures) {
      notes.add("paging structures");
    }
    if (sharedTables) {
      notes.add("shared tables");
    }
    if (!notes.isEmpty()) {
      s.append(" (").append(String.join(", ", notes)).append(')');
    }
    return s.toString();
  }

  /**
   * A builder for a visitor of the caller's own that changes tables (an accessed-bit scanner that
   * clears A, a copy-on-write pass that write-protects) and must hand back what to invalidate, as
   * the library's operations do.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The entries as a list, made one at a time from the runs. */
  private final class Entries extends AbstractList<VirtualRange> implements RandomAccess {
    @Override
    public VirtualRange get(int index) {
      if (index < 0 || index >= entries) {
        throw new IndexOutOfBoundsException("entry " + index + " of " + entries);
      }
      // Every run holds at least one entry, so the counts before the runs strictly increase.
      int run = Arrays.binarySearch(before, index);
      if (run < 0) {
        run = -run - 2;
      }
      return VirtualRange.ofLength(firsts[run] + (index - before[run]) * sizes[run], sizes[run]);
    }

    @Override
    public int size() {
      return (int) Math.min(entries, Integer.MAX_VALUE);
    }
  }

  /**
   * Collects stale entries as an operation goes; ranges may arrive in any order. Not
   * thread-safe; {@link #build()} may be called more than once.
   */
  public static final class Builder {
    /**
     * Runs as (first, size, count) triples, in arrival order. The plan's ranges are the union of
     * the runs' extents, so they are made from the runs when the plan is built.
     */
    private long[] runs = new long[24];
    private int runCount;
    private long entries;
    private boolean global;
    private boolean pagingStructures;
    private boolean sharedTables;

    /**
     * A leaf that changed or went away: one entry over {@code [first, last]} (an {@link
     * dev.paging.api.EntryCursor}'s {@code first()} and {@code last()}); {@code isGlobal} when
     * its translation is global.
     *
     * @throws IllegalArgumentException if {@code last} is below {@code first} (unsigned)
     */
    public Builder leaf(long first, long last, boolean isGlobal) {
      checkOrder(first, last);
      addRun(first, last - first + 1, 1);
      global |= isGlobal;
      return this;
    }

    /**
     * {@code count} adjacent leaves of one size that changed or went away, together covering
     * {@code [first, last]}.
     *
     * @throws IllegalArgumentException if the range is reversed or does not split into {@code
     *     count} equal entries
     */
    public Builder leaves(long first, long last, long count, boolean isGlobal) {
      checkOrder(first, last);
      long size = last - first + 1;
      if (count < 1 || (size != 0 && Long.remainderUnsigned(size, count) != 0)) {
        throw new IllegalArgumentException(
            "[" + hex(first) + ", " + hex(last) + "] does not split into " + count + " equal entries");
      }
      addRun(first, (last - first + 1) / count, count);
      global |= isGlobal;
      return this;
    }

    /**
     * A table that was unlinked or replaced, covering {@code [first, last]}: its cached
     * paging-structure entries are stale too.
     *
     * @throws IllegalArgumentException if {@code last} is below {@code first} (unsigned)
     */
    public Builder table(long first, long last) {
      checkOrder(first, last);
      addRun(first, last - first + 1, 1);
      pagingStructures = true;
      return this;
    }

    /** Marks the plan as involving global translations (a kernel-half table unlinked, say). */
    public Builder global() {
      global = true;
      return this;
    }

    /** Marks the plan as touching tables shared with other address spaces. */
    public Builder shared() {
      sharedTables = true;
      return this;
    }

    /**
     * Adds {@code count} entries of {@code size} bytes from {@code first}, extending the last run
     * when they continue it (a size of 0 stands for the whole 2^64 space, one entry).
     */
    private void addRun(long first, long size, long count) {
      entries += count;
      if (runCount > 0) {
        int last = 3 * (runCount - 1);
        if (runs[last + 1] == size && size != 0 && runs[last] + runs[last + 2] * size == first) {
          runs[last + 2] += count;
          return;
        }
      }
      if (3 * runCount + 3 > runs.length) {
        runs = Arrays.copyOf(runs, runs.length * 2);
      }
      runs[3 * runCount] = first;
      runs[3 * runCount + 1] = size;
      runs[3 * runCount + 2] = count;
      runCount++;
    }

    private void addRuns(InvalidationPlan plan) {
      for (int i = 0; i < plan.firsts.length; i++) {
        long count = (i + 1 < plan.before.length ? plan.before[i + 1] : plan.entries) - plan.before[i];
        addRun(plan.firsts[i], plan.sizes[i], count);
      }
    }

    /** True when nothing has been added. */
    public boolean isEmpty() {
      return runCount == 0;
    }

    private static void checkOrder(long first, long last) {
      if (Long.compareUnsigned(first, last) > 0) {
        throw new IllegalArgumentException("reversed range [" + hex(first) + ", " + hex(last) + "]");
      }
    }

    /** The plan of everything added so far. */
    public InvalidationPlan build() {
      if (runCount == 0) {
        return NONE;
      }
      // Runs in address order; at one address the wider entry (an unlinked table) comes first.
      int[] order = sortedRuns();
      long[] firsts = new long[runCount];
      long[] sizes = new long[runCount];
      long[] before = new long[runCount];
      long n = 0;
      List<VirtualRange> merged = new ArrayList<>();
      long mergedFirst = 0;
      long mergedLast = 0;
      for (int i = 0; i < runCount; i++) {
        int r = order[i];
        long first = runs[3 * r];
        long size = runs[3 * r + 1];
        long count = runs[3 * r + 2];
        firsts[i] = first;
        sizes[i] = size;
        before[i] = n;
        n += count;
        // The run's extent; a size of 0 is the whole space.
        long last = size == 0 ? -1L : first + size * count - 1;
        if (i == 0) {
          mergedFirst = first;
          mergedLast = last;
        } else if (mergedLast == -1L || Long.compareUnsigned(first, mergedLast + 1) <= 0) {
          // Overlapping or adjacent: one range (the last byte may be the top of the space).
          if (Long.compareUnsigned(last, mergedLast) > 0) {
            mergedLast = last;
          }
        } else {
          merged.add(VirtualRange.closed(mergedFirst, mergedLast));
          mergedFirst = first;
          mergedLast = last;
        }
      }
      merged.add(VirtualRange.closed(mergedFirst, mergedLast));
      return new InvalidationPlan(Collections.unmodifiableList(merged), firsts, sizes, before, entries, global,
          pagingStructures, sharedTables);
    }

    /** Run indices by first address (unsigned), wider first at one address; a stable merge sort. */
    private int[] sortedRuns() {
      int[] a = new int[runCount];
      for (int i = 0; i < runCount; i++) {
        a[i] = i;
      }
      if (isSorted(a)) {
        return a;
      }
      int[] b = new int[runCount];
      for (int width = 1; width < runCount; width *= 2) {
        for (int lo = 0; lo < runCount; lo += 2 * width) {
          int mid = Math.min(lo + width, runCount);
          int hi = Math.min(lo + 2 * width, runCount);
          int i = lo;
          int j = mid;
          for (int k = lo; k < hi; k++) {
            b[k] = i < mid && (j >= hi || compare(a[i], a[j]) <= 0) ? a[i++] : a[j++];
          }
        }
        int[] t = a;
        a = b;
        b = t;
      }
      return a;
    }

    private boolean isSorted(int[] order) {
      for (int i = 1; i < order.length; i++) {
        if (compare(order[i - 1], order[i]) > 0) {
          return false;
        }
      }
      return true;
    }

    private int compare(int x, int y) {
      int c = Long.compareUnsigned(runs[3 * x], runs[3 * y]);
      // Wider first; size 0 (the whole space) is the widest, which size - 1 as unsigned makes so.
      return c != 0 ? c : Long.compareUnsigned(runs[3 * y + 1] - 1, runs[3 * x + 1] - 1);
    }
  }
}
