package dev.paging.testkit.grading;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Attributes;
import dev.paging.api.MappingConflictException;
import dev.paging.api.OutOfFramesException;
import dev.paging.api.TableNotEmptyException;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.ops.ConflictPolicy;
import dev.paging.ops.InvalidationPlan;
import dev.paging.ops.PageTables;
import dev.paging.ops.PendingFrees;
import dev.paging.ops.ReclaimMode;
import dev.paging.ops.Reclaimer;
import dev.paging.testkit.Invariants;
import dev.paging.testkit.ReferenceModel;
import dev.paging.testkit.TlbModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The contract of a whole page-table implementation over one address space, as a student (or
 * another library) implements it: the mutating operations of {@link PageTables} and the
 * reclamation of {@link Reclaimer}. {@link Batteries#paging()} grades an implementation by
 * running random operation sequences against a {@link ReferenceModel} of the mappings, a {@link
 * TlbModel}, {@link Invariants} after every step, and the library's {@link Reclaimer} on a copy
 * for every reclaim.
 *
 * <p>Every operation returns an {@link Outcome}: the virtual ranges whose cached translations it
 * made stale, and the table frames it unlinked but has not freed. The caller invalidates those
 * ranges first and only then frees the frames, because a processor may still cache the unlinked
 * tables. Every operation is all-or-nothing: when it throws (a conflict, an allocator that ran
 * out, a strict reclaim that met a non-empty table, bad input) the memory and the allocator are
 * exactly as before. The semantics are those documented on {@link PageTables}: largest pages,
 * conflict policies, smashing of huge pages that straddle the ends of a range, accessed and
 * dirty bits kept by protect.
 *
 * <p>An implementation keeps no state of its own beside the tables and the space's shared-table
 * registry: the battery's check of one operation sets up its scenarios with the library's other
 * operations over the same tables, so that a bug costs the check of its operation.
 */
public interface PagingSubmission {
  /** Builds the implementation under test over a fresh, empty address space for each scenario. */
  @FunctionalInterface
  interface Factory {
    /**
     * The implementation over {@code space}: its format, memory, allocator, root table (already
     * allocated and cleared) and shared-table registry are the ones to use.
     */
    PagingSubmission over(AddressSpace space);
  }

  /**
   * What a mutating operation asks of its caller: the virtual ranges to invalidate (TLB entries
   * and paging-structure caches), then the table frames to free. An immutable value.
   *
   * <p>{@link InvalidationPlan} has no public constructor, so implementations other than the
   * library's state their invalidations as plain ranges with {@link #of(List, long...)}.
   */
  final class Outcome {
    private static final Outcome NONE = new Outcome(List.of(), new long[0]);

    private final List<VirtualRange> invalidations;
    private final long[] pendingFrees;

    private Outcome(List<VirtualRange> invalidations, long[] pendingFrees) {
      this.invalidations = invalidations;
      this.pendingFrees = pendingFrees;
    }

    /** Nothing to invalidate, nothing to free: a map into empty space, say. */
    public static Outcome none() {
      return NONE;
    }

    /**
     * Invalidate {@code invalidations} (any order, overlaps allowed), then free {@code
     * pendingFrees} to the space's allocator.
     */
    public static Outcome of(List<VirtualRange> invalidations, long... pendingFrees) {
      List<VirtualRange> ranges = List.copyOf(Objects.requireNonNull(invalidations, "invalidations"));
      Objects.requireNonNull(pendingFrees, "pendingFrees");
      return ranges.isEmpty() && pendingFrees.length == 0 ? NONE : new Outcome(ranges, pendingFrees.clone());
    }

    /** The library's plan, with nothing to free. */
    public static Outcome of(InvalidationPlan plan) {
      return of(Objects.requireNonNull(plan, "plan").ranges());
    }

    /** The library's plan and the frames it holds back. */
    public static Outcome of(InvalidationPlan plan, PendingFrees pending) {
      return of(Objects.requireNonNull(plan, "plan").ranges(), Objects.requireNonNull(pending, "pending").frames());
    }

    /** The ranges to invalidate before freeing anything. */
    public List<VirtualRange> invalidations() {
      return invalidations;
    }

    /** The table frames to free once the ranges are invalidated; a fresh copy. */
    public long[] pendingFrees() {
      return pendingFrees.clone();
    }

    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof Outcome && ((Outcome) o).invalidations.equals(invalidations)
          && Arrays.equals(((Outcome) o).pendingFrees, pendingFrees);
    }

    @Override
    public int hashCode() {
      return invalidations.hashCode() * 31 + Arrays.hashCode(pendingFrees);
    }

    /** {@code invalidate [..], [..]; free 0x.., 0x..} or {@code nothing to invalidate or free}. */
    @Override
    public String toString() {
      if (invalidations.isEmpty() && pendingFrees.length == 0) {
        return "nothing to invalidate or free";
      }
      List<String> parts = new ArrayList<>();
      if (!invalidations.isEmpty()) {
        List<String> ranges = new ArrayList<>();
        invalidations.forEach(r -> ranges.add(r.toString()));
        parts.add("invalidate " + String.join(", ", ranges));
      }
      if (pendingFrees.length > 0) {
        List<String> frames = new ArrayList<>();
        for (long f : pendingFrees) {
          frames.add(hex(f));
        }
        parts.add("free " + String.join(", ", frames));
      }
      return String.join("; ", parts);
    }
  }

  /** The address space this implementation works on. */
  AddressSpace space();

  /**
   * Maps {@code range} to physical memory from {@code physicalStart} with leaves carrying {@code
   * attributes}, with the largest pages alignment allows.
   *
   * @throws MappingConflictException under {@link ConflictPolicy#FAIL} when something in the
   *     range is mapped; nothing changed
   * @throws OutOfFramesException when the allocator fails; nothing changed
   */
  Outcome map(VirtualRange range, long physicalStart, Attributes attributes, ConflictPolicy policy);

  /** Removes every mapping in {@code range}, smashing huge pages that straddle its ends. */
  Outcome unmap(VirtualRange range);

  /** Gives every leaf in {@code range} {@code attributes}, except the accessed and dirty bits, which each keeps. */
  Outcome protect(VirtualRange range, Attributes attributes);

  /**
   * Splits the huge page at {@code address} until the page holding it is {@code pageSize} bytes.
   *
   * @throws IllegalArgumentException when nothing is mapped at {@code address}; nothing changed
   */
  Outcome smash(long address, long pageSize);

  /** Replaces each table wholly inside {@code range} that maps one aligned block alike by one huge leaf. */
  Outcome collapse(VirtualRange range);

  /**
   * Unlinks the empty tables of {@code range} as {@link Reclaimer} does, returning their frames
   * in {@link Outcome#pendingFrees()}.
   *
   * @throws TableNotEmptyException in {@link ReclaimMode#STRICT} mode when a candidate table is
   *     not empty; nothing changed
   */
  Outcome reclaim(VirtualRange range, ReclaimMode mode);

  /** The library's operations over {@code tables}, and its {@link Reclaimer} over the same space. */
  static PagingSubmission of(PageTables tables) {
    return new LibrarySubmission(Objects.requireNonNull(tables, "tables"), null);
  }

  /** The library itself, over each fresh space: the reference, which scores full marks. */
  static Factory library() {
    return space -> of(PageTables.of(space));
  }

  /**
   * The library's operations with reclamation done by {@code reclaim}: how a student's reclaim
   * visitor is exercised in context. Its frees happen inside the call, so its {@link Outcome} of
   * a reclaim is empty (no translation changes when only empty tables go).
   */
  static Factory libraryWith(ReclaimSubmission reclaim) {
    Objects.requireNonNull(reclaim, "reclaim");
    return space -> new LibrarySubmission(PageTables.of(space), reclaim);
  }
}
