package dev.paging.ops;

/**
 * How a {@link Reclaimer} treats the candidate tables of its range, the tables whose whole
 * virtual span lies inside it and that are neither the root, shared nor pinned.
 */
public enum ReclaimMode {
  /**
   * Free every empty candidate and leave the others: the periodic clean-up a garbage-collecting
   * thread does. Freeing the last tables below a candidate can empty it, and it is then freed in
   * the same call, so the clean-up cascades up to the highest empty candidate.
   */
  COLLECT,
  /**
   * Every candidate must be empty once its empty children are accounted for: for callers that
   * know they unmapped everything in the range. The first candidate found holding something
   * fails the whole call with a {@link dev.paging.api.TableNotEmptyException} naming that table
   * and the entry, and nothing is changed or freed.
   */
  STRICT
}
