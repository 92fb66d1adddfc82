package dev.paging.testkit.grading;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.core.Walker;
import dev.paging.ops.EntryRewriter;
import dev.paging.ops.InvalidationPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The contract of xv6's {@code pgaccess} lab, for any format: report which pages of a range were
 * accessed since the last scan, and clear their accessed bits. {@link Batteries#accessed()}
 * grades an implementation against {@link #library()}.
 *
 * <p>What a correct implementation does:
 *
 * <ul>
 *   <li>for every leaf, of any size, that overlaps {@code range} and has its accessed bit set,
 *       clears that bit (the whole leaf's: a huge page has one) and changes nothing else: not its
 *       other bits, not any other entry;
 *   <li>reports the accessed pages: the part of each such leaf inside {@code range};
 *   <li>reports the invalidations the cleared bits need: a processor may cache the leaf with its
 *       bit set and would then not set it again, so each changed leaf's part inside {@code
 *       range} must be invalidated (invalidating any address of a leaf drops its cached
 *       translation);
 *   <li>reads only the tables and terminates on any tables.
 * </ul>
 */
@FunctionalInterface
public interface AccessedSubmission {
  /** What a scan found and what it asks of its caller. An immutable value. */
  final class Report {
    private final List<VirtualRange> accessed;
    private final List<VirtualRange> invalidations;

    private Report(List<VirtualRange> accessed, List<VirtualRange> invalidations) {
      this.accessed = accessed;
      this.invalidations = invalidations;
    }

    /** The pages found accessed and the ranges to invalidate, each as ranges in any order. */
    public static Report of(List<VirtualRange> accessed, List<VirtualRange> invalidations) {
      return new Report(List.copyOf(Objects.requireNonNull(accessed, "accessed")),
          List.copyOf(Objects.requireNonNull(invalidations, "invalidations")));
    }

    public List<VirtualRange> accessed() {
      return accessed;
    }

    public List<VirtualRange> invalidations() {
      return invalidations;
    }

    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof Report && ((Report) o).accessed.equals(accessed)
          && ((Report) o).invalidations.equals(invalidations);
    }

    @Override
    public int hashCode() {
      return accessed.hashCode() * 31 + invalidations.hashCode();
    }

    @Override
    public String toString() {
      return "accessed " + accessed + ", invalidate " + invalidations;
    }
  }

  /** Clears the accessed bits of the leaves overlapping {@code range} of {@code space} and reports them. */
  Report clearAccessed(AddressSpace space, VirtualRange range);

  /** The library's scan: a visitor rewriting each accessed leaf through an {@link EntryRewriter}. */
  static AccessedSubmission library() {
    return (space, range) -> {
      InvalidationPlan.Builder plan = InvalidationPlan.builder();
      EntryRewriter rewriter = EntryRewriter.of(space.format(), plan);
      List<VirtualRange> accessed = new ArrayList<>();
      Walker.walk(space, range, new PageTableVisitor() {
        @Override
        public Control onEntry(EntryCursor entry) {
          if (entry.kind() == EntryKind.LEAF && entry.attributes().accessed()) {
            long first = Long.compareUnsigned(entry.first(), range.first()) < 0 ? range.first() : entry.first();
            long last = Long.compareUnsigned(entry.last(), range.last()) > 0 ? range.last() : entry.last();
            if (!rewriter.rewrite(entry, a -> a.withAccessed(false))) {
              throw new IllegalStateException("the leaf at " + hex(entry.first()) + " kept its accessed bit");
            }
            accessed.add(VirtualRange.closed(first, last));
          }
          return Control.CONTINUE;
        }
      });
      List<VirtualRange> invalidations = new ArrayList<>();
      for (VirtualRange r : plan.build().ranges()) {
        // The plan names whole leaves; what the contract asks for is their part inside the range.
        r.clip(range).ifPresent(invalidations::add);
      }
      return Report.of(accessed, invalidations);
    };
  }
}
