package dev.paging.ops;

import dev.paging.api.VirtualRange;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a mutating operation requires the caller to invalidate before the change is safe to rely
 * on: the virtual ranges whose cached translations (TLB) or cached paging-structure entries are
 * now stale. Only what changed is listed: a mapping created where nothing was mapped needs no
 * invalidation; a smash that keeps the translation invalidates the one huge entry.
 *
 * <p>How to apply it: if {@link #flushAllSuggested()}, flush everything (global entries too when
 * {@link #global()}); otherwise invalidate each of {@link #invalidations()} once, at any address
 * inside it (x86 INVLPG, RISC-V SFENCE.VMA with that address). If {@link #pagingStructures()},
 * cached table pointers must go too: x86 INVLPG does that, RISC-V needs SFENCE.VMA with rs1 = x0,
 * since an address-specific fence orders only leaf entries. If {@link #sharedTables()}, do it on
 * every processor that may be running any address space sharing those tables.
 *
 * <p>Widening a table entry (granting write, user or execute where it did not) is not listed: it
 * only removes restrictions, and a stale narrower entry can at worst cause one spurious page
 * fault, which itself invalidates the entries for the faulting address (Intel SDM vol. 3A,
 * 4.10.4.3, "Optional Invalidation"). RISC-V table entries carry no permissions.
 *
 * <p>An immutable value. Ranges are sorted (unsigned) and coalesced.
 */
public final class InvalidationPlan {
  /**
   * Above this many entries, flushing the whole TLB is suggested: Linux's x86 default ceiling for
   * single-page invalidations is 33 pages.
   */
  public static final int FLUSH_ALL_CEILING = 33;

  private static final InvalidationPlan NONE = new InvalidationPlan(List.of(), List.of(), 0, false, false, false);

  private final List<VirtualRange> ranges;
  private final List<VirtualRange> invalidations;
  private final long entries;
  private final boolean global;
  private final boolean pagingStructures;
  private final boolean sharedTables;

  private InvalidationPlan(List<VirtualRange> ranges, List<VirtualRange> invalidations, long entries, boolean global,
      boolean pagingStructures, boolean sharedTables) {
    this.ranges = ranges;
    this.invalidations = invalidations;
    this.entries = entries;
    this.global = global;
    this.pagingStructures = pagingStructures;
    this.sharedTables = sharedTables;
  }

  /** Nothing to invalidate. */
  public static InvalidationPlan none() {
    return NONE;
  }

  /** The stale virtual ranges, sorted and coalesced. */
  public List<VirtualRange> ranges() {
    return ranges;
  }

  /**
   * The stale entries one by one, in address order: each range is one page (of its own size) or
   * the span of one unlinked table, and one invalidation at any address inside it suffices. Empty
   * when {@link #flushAllSuggested()}: beyond {@link #FLUSH_ALL_CEILING} entries they are not kept.
   */
  public List<VirtualRange> invalidations() {
    return invalidations;
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

  /** True when a full flush is cheaper than {@link #entries()} single invalidations. */
  public boolean flushAllSuggested() {
    return entries > FLUSH_ALL_CEILING;
  }

  /** This plan and {@code other}: what both operations, applied in turn, need. */
  public InvalidationPlan and(InvalidationPlan other) {
    if (other.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return other;
    }
    Builder b = builder();
    for (VirtualRange r : ranges) {
      b.addRange(r);
    }
    for (VirtualRange r : other.ranges) {
      b.addRange(r);
    }
    b.entries = entries + other.entries;
    if (b.entries <= FLUSH_ALL_CEILING) {
      b.single.addAll(invalidations);
      b.single.addAll(other.invalidations);
    }
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
    if (flushAllSuggested()) {
      notes.add("full flush suggested");
    }
    if (!notes.isEmpty()) {
      s.append(" (").append(String.join(", ", notes)).append(')');
    }
    return s.toString();
  }

  static Builder builder() {
    return new Builder();
  }

  /** Collects stale entries as an operation goes; ranges may arrive in any order. */
  static final class Builder {
    private final List<VirtualRange> ranges = new ArrayList<>();
    /** The entries one by one, while there are no more than the ceiling. */
    private final List<VirtualRange> single = new ArrayList<>();
    private long entries;
    private boolean global;
    private boolean pagingStructures;
    private boolean sharedTables;

    /** A leaf that changed or went away: one entry over {@code [first, last]}. */
    Builder leaf(long first, long last, boolean isGlobal) {
      VirtualRange r = VirtualRange.closed(first, last);
      addRange(r);
      addSingle(r);
      entries++;
      global |= isGlobal;
      return this;
    }

    /** {@code count} adjacent leaves that changed or went away, together covering {@code [first, last]}. */
    Builder leaves(long first, long last, long count, boolean isGlobal) {
      addRange(VirtualRange.closed(first, last));
      if (entries + count <= FLUSH_ALL_CEILING) {
        long size = (last - first + 1) / count;
        for (long i = 0; i < count; i++) {
          single.add(VirtualRange.ofLength(first + i * size, size));
        }
      }
      entries += count;
      global |= isGlobal;
      return this;
    }

    private void addSingle(VirtualRange r) {
      if (entries < FLUSH_ALL_CEILING) {
        single.add(r);
      }
    }

    /** A table that was unlinked or replaced, covering {@code [first, last]}. */
    Builder table(long first, long last) {
      VirtualRange r = VirtualRange.closed(first, last);
      addRange(r);
      addSingle(r);
      entries++;
      pagingStructures = true;
      return this;
    }

    /** Marks the plan as involving global translations (a kernel-half table unlinked, say). */
    Builder global() {
      global = true;
      return this;
    }

    /** Marks the plan as touching tables shared with other address spaces. */
    Builder shared() {
      sharedTables = true;
      return this;
    }

    private void addRange(VirtualRange r) {
      ranges.add(r);
    }

    boolean isEmpty() {
      return ranges.isEmpty();
    }

    InvalidationPlan build() {
      if (ranges.isEmpty()) {
        return NONE;
      }
      List<VirtualRange> sorted = new ArrayList<>(ranges);
      sorted.sort((a, b) -> Long.compareUnsigned(a.first(), b.first()));
      List<VirtualRange> merged = new ArrayList<>();
      VirtualRange current = sorted.get(0);
      for (int i = 1; i < sorted.size(); i++) {
        VirtualRange next = sorted.get(i);
        // Coalesce overlapping and adjacent ranges; the last byte may be the top of the space.
        boolean touches = current.last() == -1L || Long.compareUnsigned(next.first(), current.last() + 1) <= 0;
        if (touches) {
          long last = Long.compareUnsigned(next.last(), current.last()) > 0 ? next.last() : current.last();
          current = VirtualRange.closed(current.first(), last);
        } else {
          merged.add(current);
          current = next;
        }
      }
      merged.add(current);
      List<VirtualRange> one = List.of();
      if (entries <= FLUSH_ALL_CEILING) {
        List<VirtualRange> s = new ArrayList<>(single);
        s.sort((a, b) -> Long.compareUnsigned(a.first(), b.first()));
        one = Collections.unmodifiableList(s);
      }
      return new InvalidationPlan(Collections.unmodifiableList(merged), one, entries, global, pagingStructures,
          sharedTables);
    }
  }
}
