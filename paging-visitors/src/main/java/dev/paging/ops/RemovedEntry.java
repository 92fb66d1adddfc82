package dev.paging.ops;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.EntryKind;
import dev.paging.api.EntryProblem;
import dev.paging.api.Level;
import dev.paging.api.VirtualRange;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An entry an operation removed that mapped nothing it could describe as a {@link Mapping}: a
 * not-present marker (a swap entry an OS keeps in the ignored bits) or a malformed entry. Its
 * bits are kept so the caller loses nothing. An immutable value.
 */
public final class RemovedEntry {
  private final VirtualRange range;
  private final Level level;
  private final EntryKind kind;
  private final long raw;
  private final @Nullable EntryProblem problem;

  private RemovedEntry(VirtualRange range, Level level, EntryKind kind, long raw, @Nullable EntryProblem problem) {
    this.range = range;
    this.level = level;
    this.kind = kind;
    this.raw = raw;
    this.problem = problem;
  }

  static RemovedEntry of(long first, long last, Level level, EntryKind kind, long raw, @Nullable EntryProblem problem) {
    return new RemovedEntry(VirtualRange.closed(first, last), level, kind, raw, problem);
  }

  /** The virtual range the entry covered (all of it: the entry lay wholly inside the operation's range). */
  public VirtualRange range() {
    return range;
  }

  public Level level() {
    return level;
  }

  /** {@link EntryKind#NOT_PRESENT} or {@link EntryKind#MALFORMED}. */
  public EntryKind kind() {
    return kind;
  }

  /** The entry's bits. */
  public long raw() {
    return raw;
  }

  /** Why the entry was malformed; empty for a not-present marker. */
  public Optional<EntryProblem> problem() {
    return Optional.ofNullable(problem);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof RemovedEntry)) {
      return false;
    }
    RemovedEntry r = (RemovedEntry) o;
    return r.range.equals(range) && r.level.depth() == level.depth() && r.kind == kind && r.raw == raw
        && r.problem == problem;
  }

  @Override
  public int hashCode() {
    return Objects.hash(range, level.depth(), kind, raw, problem);
  }

  @Override
  public String toString() {
    return range + " " + level + " " + kind + (problem != null ? " " + problem : "") + " " + hex(raw);
  }
}
