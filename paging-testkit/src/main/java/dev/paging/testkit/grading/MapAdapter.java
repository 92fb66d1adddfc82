package dev.paging.testkit.grading;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Attributes;
import dev.paging.api.MappingConflictException;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.ops.ConflictPolicy;
import dev.paging.ops.LeafRun;
import dev.paging.ops.Leaves;
import dev.paging.ops.PageTables;
import dev.paging.ops.ReclaimMode;
import java.util.List;
import java.util.Set;

/**
 * A whole {@link PagingSubmission} made of a {@link MapSubmission}'s map or unmap (or both) and
 * the library's other operations, so that a check of one of them does not depend on the other.
 * A {@link MapSubmission} takes its space with every call and keeps no state beside the tables,
 * so the two can share them. A map that must fail on a conflict is refused here, before the
 * submission (whose map always replaces) is asked.
 */
final class MapAdapter implements PagingSubmission {
  /** Which operations the submission does; the library does the rest. */
  enum Part {
    /** Maps into empty space (a scenario's maps that must fail on a conflict). */
    NEW_MAPS,
    /** Maps that replace what is mapped. */
    REPLACING_MAPS,
    UNMAPS
  }

  private final MapSubmission submission;
  private final Set<Part> parts;
  private final PagingSubmission library;

  private MapAdapter(AddressSpace space, MapSubmission submission, Set<Part> parts) {
    this.submission = submission;
    this.parts = parts;
    this.library = PagingSubmission.of(PageTables.of(space));
  }

  /** The submission doing {@code parts}, and the library the other operations. */
  static Factory of(MapSubmission submission, Set<Part> parts) {
    Set<Part> copy = Set.copyOf(parts);
    return space -> new MapAdapter(space, submission, copy);
  }

  @Override
  public AddressSpace space() {
    return library.space();
  }

  @Override
  public Outcome map(VirtualRange range, long physicalStart, Attributes attributes, ConflictPolicy policy) {
    if (!parts.contains(policy == ConflictPolicy.FAIL ? Part.NEW_MAPS : Part.REPLACING_MAPS)) {
      return library.map(range, physicalStart, attributes, policy);
    }
    if (policy == ConflictPolicy.FAIL) {
      List<LeafRun> mapped = Leaves.of(space(), range);
      if (!mapped.isEmpty()) {
        throw new MappingConflictException("map of " + range + ": " + hex(mapped.get(0).range().first()) + " is mapped");
      }
    }
    return submission.map(space(), range, physicalStart, attributes);
  }

  @Override
  public Outcome unmap(VirtualRange range) {
    return parts.contains(Part.UNMAPS) ? submission.unmap(space(), range) : library.unmap(range);
  }

  @Override
  public Outcome protect(VirtualRange range, Attributes attributes) {
    return library.protect(range, attributes);
  }

  @Override
  public Outcome smash(long address, long pageSize) {
    return library.smash(address, pageSize);
  }

  @Override
  public Outcome collapse(VirtualRange range) {
    return library.collapse(range);
  }

  @Override
  public Outcome reclaim(VirtualRange range, ReclaimMode mode) {
    return library.reclaim(range, mode);
  }

  @Override
  public String toString() {
    return parts + " by " + submission + ", the rest by the library";
  }
}
