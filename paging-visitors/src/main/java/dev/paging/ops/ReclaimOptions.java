package dev.paging.ops;

import dev.paging.api.Level;
import java.util.Objects;

/**
 * How a {@link Reclaimer} runs: its {@link ReclaimMode} and the tables the caller pins. An
 * immutable value; {@code with...} methods return a new one.
 *
 * <p>Pinning exists because the tables alone cannot say whether a table is in use: an OS may
 * keep a table it is about to fill, a hypervisor may have handed a table's frame to a guest. The
 * {@link dev.paging.core.SharedTables} registry covers tables linked from several parents; the
 * pin predicate covers everything else the library cannot know.
 */
public final class ReclaimOptions {
  /**
   * Says which tables must stay even when empty. Asked once per walk about each table, other
   * than the root, whose whole span lies in the range and that the walk enters (the subtrees of
   * shared tables are not entered).
   */
  @FunctionalInterface
  public interface PinnedTables {
    /** True when the table at {@code frame}, at {@code level}, must not be freed. */
    boolean isPinned(long frame, Level level);
  }

  private static final PinnedTables NONE_PINNED = (frame, level) -> false;
  private static final ReclaimOptions COLLECT = new ReclaimOptions(ReclaimMode.COLLECT, NONE_PINNED);
  private static final ReclaimOptions STRICT = new ReclaimOptions(ReclaimMode.STRICT, NONE_PINNED);

  private final ReclaimMode mode;
  private final PinnedTables pinned;

  private ReclaimOptions(ReclaimMode mode, PinnedTables pinned) {
    this.mode = mode;
    this.pinned = pinned;
  }

  /** {@code mode}, nothing pinned. */
  public static ReclaimOptions of(ReclaimMode mode) {
    return Objects.requireNonNull(mode, "mode") == ReclaimMode.COLLECT ? COLLECT : STRICT;
  }

  /** {@link ReclaimMode#COLLECT}, nothing pinned. */
  public static ReclaimOptions collect() {
    return COLLECT;
  }

  /** {@link ReclaimMode#STRICT}, nothing pinned. */
  public static ReclaimOptions strict() {
    return STRICT;
  }

  public ReclaimMode mode() {
    return mode;
  }

  /** The pin predicate; by default nothing is pinned. */
  public PinnedTables pinned() {
    return pinned;
  }

  /** True unless a pin predicate was set. */
  public boolean pinsNothing() {
    return pinned == NONE_PINNED;
  }

  public ReclaimOptions withMode(ReclaimMode newMode) {
    Objects.requireNonNull(newMode, "newMode");
    return newMode == mode ? this : new ReclaimOptions(newMode, pinned);
  }

  /**
   * These options with {@code predicate} deciding which tables are pinned. A pinned table is
   * never freed, so its parent keeps a non-empty entry; the tables below it are still
   * candidates.
   */
  public ReclaimOptions withPinned(PinnedTables predicate) {
    return new ReclaimOptions(mode, Objects.requireNonNull(predicate, "predicate"));
  }

  @Override
  public String toString() {
    return mode + (pinsNothing() ? "" : " with pinned tables");
  }
}
