package dev.paging.testkit.grading;

import dev.paging.api.TableNotEmptyException;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.ops.ReclaimMode;
import dev.paging.ops.Reclaimer;

/**
 * The contract of page-table reclamation, as a student implements it (typically a visitor whose
 * {@code afterTable} hook frees empty tables bottom-up): free the empty page tables of {@code
 * space} whose whole span lies in {@code range}. {@link Batteries#reclaim()} grades an
 * implementation by running it and the library's {@link Reclaimer} on identical copies of the
 * same tables and comparing memory, word by word, and the allocator's frames.
 *
 * <p>What a correct implementation does (the rules of {@link Reclaimer}, which the library
 * documents in full):
 *
 * <ul>
 *   <li>a table is a candidate when its whole virtual span lies in {@code range}, it is not the
 *       root, and neither it nor a table above it is recorded in {@code space.sharedTables()};
 *   <li>a candidate is empty when every entry is zero, counting as zero the links to tables this
 *       same call frees, so emptiness cascades upwards; a leaf of any size keeps its table, and the
 *       walk goes on past it;
 *   <li>{@link ReclaimMode#COLLECT} zeroes the parent entry of every empty candidate and returns
 *       its frame through {@code space.allocator().free}; data frames are never freed and no
 *       mapping changes;
 *   <li>{@link ReclaimMode#STRICT} does the same when every candidate is empty, and otherwise
 *       throws {@link TableNotEmptyException} having changed nothing at all, memory or allocator.
 * </ul>
 */
@FunctionalInterface
public interface ReclaimSubmission {
  /**
   * Frees the empty candidate tables of {@code range} in {@code space}.
   *
   * @throws TableNotEmptyException in {@link ReclaimMode#STRICT} mode when a candidate is not empty
   */
  void reclaim(AddressSpace space, VirtualRange range, ReclaimMode mode);

  /**
   * The library's {@link Reclaimer}, releasing the freed frames at once (a simulated machine has
   * no TLB to flush first): the reference.
   */
  static ReclaimSubmission library() {
    return (space, range, mode) -> Reclaimer.of(space).reclaim(range, mode).pendingFrees().release();
  }
}
