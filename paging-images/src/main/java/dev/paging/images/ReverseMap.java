package dev.paging.images;

import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import dev.paging.api.PhysicalMemory;
import dev.paging.api.VirtualRange;
import dev.paging.core.WalkOutcome;
import dev.paging.core.Walker;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reverse translation: which virtual addresses of a space map given physical addresses. Aliasing
 * is real (shared memory, the direct map beside the kernel's own mapping of its text, Linux's
 * ESPFIX mapping 65,536 virtual pages to one frame), so each address gets every alias, in
 * ascending virtual order. One walk of the whole space answers any number of addresses.
 */
public final class ReverseMap {
  private final PagingFormat format;
  private final PhysicalMemory memory;
  private final long budget;

  private ReverseMap(PagingFormat format, PhysicalMemory memory, long budget) {
    this.format = format;
    this.memory = memory;
    this.budget = budget;
  }

  /** Reverse translation through tables of {@code format} in {@code memory}, without an entry budget. */
  public static ReverseMap of(PagingFormat format, PhysicalMemory memory) {
    return new ReverseMap(Objects.requireNonNull(format, "format"), Objects.requireNonNull(memory, "memory"),
        Long.MAX_VALUE);
  }

  /**
   * This reverse map with each walk stopped after {@code entries} entries (for hostile images);
   * {@link Result#complete()} then says the aliases may be incomplete.
   *
   * @throws IllegalArgumentException if {@code entries} is not positive
   */
  public ReverseMap withEntryBudget(long entries) {
    if (entries <= 0) {
      throw new IllegalArgumentException("entry budget " + entries + " is not positive");
    }
    return new ReverseMap(format, memory, entries);
  }

  /** The aliases of each of {@code physicalAddresses} in the space whose root table is at {@code root}. */
  public Result find(long root, long... physicalAddresses) {
    return find(root, root, Objects.requireNonNull(physicalAddresses, "physicalAddresses"));
  }

  /**
   * The aliases in a space with a root per half (AArch64 TTBR0 and TTBR1; either may be {@code
   * AddressSpace.NO_ROOT}, a half not walked).
   */
  public Result find(long lowerRoot, long upperRoot, long[] physicalAddresses) {
    long[] sorted = Objects.requireNonNull(physicalAddresses, "physicalAddresses").clone();
    UnsignedArrays.sort(sorted);
    List<List<Alias>> bySorted = new ArrayList<>();
    for (int i = 0; i < sorted.length; i++) {
      bySorted.add(new ArrayList<>());
    }
    PageTableVisitor finder = new PageTableVisitor() {
      @Override
      public Control onEntry(EntryCursor entry) {
        if (entry.kind() != EntryKind.LEAF) {
          return Control.CONTINUE;
        }
        long base = entry.target();
        long span = entry.level().entrySpan();
        // The first query at or above the page's base; then every query inside the page.
        int i = UnsignedArrays.lowerBound(sorted, base);
        for (; i < sorted.length && Long.compareUnsigned(sorted[i] - base, span) < 0; i++) {
          if (i > 0 && sorted[i] == sorted[i - 1]) {
            continue;
          }
          bySorted.get(i).add(new Alias(entry.first() + (sorted[i] - base), span, entry.level(),
              entry.effectiveAttributes()));
        }
        return Control.CONTINUE;
      }
    };
    Walker walker = Walker.of(format, memory);
    if (budget != Long.MAX_VALUE) {
      walker.entryBudget(budget);
    }
    WalkOutcome outcome = walker.walk(lowerRoot, upperRoot, VirtualRange.all(), finder);
    List<List<Alias>> byQuery = new ArrayList<>();
    for (long pa : physicalAddresses) {
      int i = UnsignedArrays.lowerBound(sorted, pa);
      byQuery.add(List.copyOf(bySorted.get(i)));
    }
    return new Result(physicalAddresses.clone(), byQuery, outcome == WalkOutcome.COMPLETED);
  }

  /** The aliases of each physical address asked about, in the order asked. Immutable. */
  public static final class Result {
    private final long[] physicalAddresses;
    private final List<List<Alias>> aliases;
    private final boolean complete;

    Result(long[] physicalAddresses, List<List<Alias>> aliases, boolean complete) {
      this.physicalAddresses = physicalAddresses;
      this.aliases = List.copyOf(aliases);
      this.complete = complete;
    }

    /** How many addresses were asked about. */
    public int size() {
      return physicalAddresses.length;
    }

    /** The {@code i}-th physical address asked about. */
    public long physicalAddress(int i) {
      return physicalAddresses[i];
    }

    /** The virtual addresses mapping the {@code i}-th one, ascending; empty when none does. */
    public List<Alias> aliases(int i) {
      return aliases.get(i);
    }

    /** False when the walk stopped at the entry budget, so aliases may be missing. */
    public boolean complete() {
      return complete;
    }

    @Override
    public String toString() {
      return "aliases of " + physicalAddresses.length + " addresses" + (complete ? "" : " (incomplete walk)");
    }
  }
}
