package dev.paging.api;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a format makes of one entry at one level, in one answer: its {@link EntryKind} and, for a
 * malformed entry, exactly why. {@link PagingFormat#decode} returns one of these constants, so a
 * malformed kind always comes with its problem and deciding costs no allocation.
 *
 * <p>The problem only the walker can see from where an entry points ({@link
 * EntryProblem#TABLE_OUTSIDE_MEMORY}) has no verdict here: for the format such an entry is a
 * {@link #TABLE}.
 */
public enum EntryVerdict {
  EMPTY(EntryKind.EMPTY, null),
  NOT_PRESENT(EntryKind.NOT_PRESENT, null),
  TABLE(EntryKind.TABLE, null),
  LEAF(EntryKind.LEAF, null),
  RESERVED_BITS(EntryKind.MALFORMED, EntryProblem.RESERVED_BITS),
  ADDRESS_BEYOND_PHYSICAL_WIDTH(EntryKind.MALFORMED, EntryProblem.ADDRESS_BEYOND_PHYSICAL_WIDTH),
  MISALIGNED_LEAF(EntryKind.MALFORMED, EntryProblem.MISALIGNED_LEAF),
  LEAF_NOT_ALLOWED(EntryKind.MALFORMED, EntryProblem.LEAF_NOT_ALLOWED),
  RESERVED_ENCODING(EntryKind.MALFORMED, EntryProblem.RESERVED_ENCODING),
  NON_LEAF_FLAGS(EntryKind.MALFORMED, EntryProblem.NON_LEAF_FLAGS),
  TABLE_AT_LAST_LEVEL(EntryKind.MALFORMED, EntryProblem.TABLE_AT_LAST_LEVEL);

  private static final EntryVerdict[] BY_PROBLEM = new EntryVerdict[EntryProblem.values().length];

  static {
    for (EntryVerdict v : values()) {
      if (v.problem != null) {
        BY_PROBLEM[v.problem.ordinal()] = v;
      }
    }
  }

  private final EntryKind kind;
  private final @Nullable EntryProblem problem;

  EntryVerdict(EntryKind kind, @Nullable EntryProblem problem) {
    this.kind = kind;
    this.problem = problem;
  }

  public EntryKind kind() {
    return kind;
  }

  /** Why the entry is malformed: non-null exactly when {@link #kind()} is {@code MALFORMED}. */
  public @Nullable EntryProblem problem() {
    return problem;
  }

  /**
   * The verdict for an entry the format rejects for {@code problem}.
   *
   * @throws IllegalArgumentException for the problem only the walker can see ({@code
   *     TABLE_OUTSIDE_MEMORY})
   */
  public static EntryVerdict malformed(EntryProblem problem) {
    Objects.requireNonNull(problem, "problem");
    EntryVerdict v = BY_PROBLEM[problem.ordinal()];
    if (v == null) {
      throw new IllegalArgumentException(problem + " is found by the walker from where an entry points, not by a format");
    }
    return v;
  }
}
