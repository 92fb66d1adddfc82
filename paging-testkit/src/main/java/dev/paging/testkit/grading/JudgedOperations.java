package dev.paging.testkit.grading;

import dev.paging.api.Attributes;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.ops.ConflictPolicy;
import dev.paging.ops.PageTables;
import dev.paging.ops.ReclaimMode;
import java.util.EnumSet;
import java.util.Set;

/**
 * A {@link PagingSubmission} whose operations of the kinds a check judges are the submission's,
 * and whose others are the library's over the same tables: a check of unmap sets up its mappings
 * with the library's map, so that a bug in the submission's map costs the map check only. (The
 * contract asks that an implementation keep no state beside the tables, which makes this sound.)
 */
final class JudgedOperations implements PagingSubmission {
  private final PagingSubmission submission;
  private final PagingSubmission library;
  private final Set<PagingStep.Kind> judged;

  private JudgedOperations(PagingSubmission submission, PagingSubmission library, Set<PagingStep.Kind> judged) {
    this.submission = submission;
    this.library = library;
    this.judged = judged;
  }

  /** {@code factory}'s implementation for the operations of {@code judged}, the library's for the others. */
  static Factory of(Factory factory, PagingStep.Kind first, PagingStep.Kind... more) {
    Set<PagingStep.Kind> judged = EnumSet.of(first, more);
    return space -> new JudgedOperations(factory.over(space), PagingSubmission.of(PageTables.of(space)), judged);
  }

  private PagingSubmission doing(PagingStep.Kind kind) {
    return judged.contains(kind) ? submission : library;
  }

  @Override
  public AddressSpace space() {
    return submission.space();
  }

  @Override
  public Outcome map(VirtualRange range, long physicalStart, Attributes attributes, ConflictPolicy policy) {
    return doing(PagingStep.Kind.MAP).map(range, physicalStart, attributes, policy);
  }

  @Override
  public Outcome unmap(VirtualRange range) {
    return doing(PagingStep.Kind.UNMAP).unmap(range);
  }

  @Override
  public Outcome protect(VirtualRange range, Attributes attributes) {
    return doing(PagingStep.Kind.PROTECT).protect(range, attributes);
  }

  @Override
  public Outcome smash(long address, long pageSize) {
    return doing(PagingStep.Kind.SMASH).smash(address, pageSize);
  }

  @Override
  public Outcome collapse(VirtualRange range) {
    return doing(PagingStep.Kind.COLLAPSE).collapse(range);
  }

  @Override
  public Outcome reclaim(VirtualRange range, ReclaimMode mode) {
    return doing(PagingStep.Kind.RECLAIM).reclaim(range, mode);
  }

  @Override
  public String toString() {
    return judged + " by " + submission + ", the rest by the library";
  }
}
