package dev.paging.ops;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Addresses;
import dev.paging.api.Attributes;
import dev.paging.api.EntryProblem;
import dev.paging.api.Level;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What one virtual address translates to, or why it does not: an immutable value. An unmapped
 * result still says at which level the walk ended and what entry it found there.
 */
public final class Translation {
  /** Why a translation ended where it did. */
  public enum Outcome {
    /** A leaf maps the address. */
    MAPPED,
    /** The entry at {@link #level()} is zero. */
    EMPTY,
    /** The entry at {@link #level()} is not present but holds bits (a swap marker, say). */
    NOT_PRESENT,
    /** The entry at {@link #level()} cannot be followed; {@link #problem()} says why. */
    MALFORMED
  }

  private final long virtualAddress;
  private final Outcome outcome;
  private final Level level;
  private final long entry;
  private final long physicalAddress;
  private final @Nullable Attributes leafAttributes;
  private final @Nullable Attributes effectiveAttributes;
  private final @Nullable EntryProblem problem;

  private Translation(long virtualAddress, Outcome outcome, Level level, long entry, long physicalAddress,
      @Nullable Attributes leafAttributes, @Nullable Attributes effectiveAttributes, @Nullable EntryProblem problem) {
    this.virtualAddress = virtualAddress;
    this.outcome = outcome;
    this.level = level;
    this.entry = entry;
    this.physicalAddress = physicalAddress;
    this.leafAttributes = leafAttributes;
    this.effectiveAttributes = effectiveAttributes;
    this.problem = problem;
  }

  static Translation mapped(long va, Level level, long entry, long pa, Attributes leaf, Attributes effective) {
    return new Translation(va, Outcome.MAPPED, level, entry, pa, leaf, effective, null);
  }

  static Translation unmapped(long va, Outcome outcome, Level level, long entry, @Nullable EntryProblem problem) {
    return new Translation(va, outcome, level, entry, -1L, null, null, problem);
  }

  public long virtualAddress() {
    return virtualAddress;
  }

  public Outcome outcome() {
    return outcome;
  }

  public boolean isMapped() {
    return outcome == Outcome.MAPPED;
  }

  /** The level of the leaf, or of the entry where the walk ended. */
  public Level level() {
    return level;
  }

  /** The raw leaf entry, or the entry where the walk ended. */
  public long entry() {
    return entry;
  }

  /** The physical address of {@link #virtualAddress()}, offset within the page included. */
  public long physicalAddress() {
    requireMapped("physicalAddress");
    return physicalAddress;
  }

  /** The page size: the span of one entry at the leaf's level. */
  public long pageSize() {
    requireMapped("pageSize");
    return level.entrySpan();
  }

  /** The leaf's own attributes. */
  public Attributes leafAttributes() {
    requireMapped("leafAttributes");
    return leafAttributes;
  }

  /** The attributes in force, combined down the levels as the format says. */
  public Attributes effectiveAttributes() {
    requireMapped("effectiveAttributes");
    return effectiveAttributes;
  }

  /** Why the entry cannot be followed, for {@link Outcome#MALFORMED}; otherwise empty. */
  public Optional<EntryProblem> problem() {
    return Optional.ofNullable(problem);
  }

  private void requireMapped(String what) {
    if (outcome != Outcome.MAPPED) {
      throw new IllegalStateException(hex(virtualAddress) + " is not mapped (" + this + "): no " + what);
    }
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof Translation)) {
      return false;
    }
    Translation t = (Translation) o;
    return t.virtualAddress == virtualAddress && t.outcome == outcome && t.level == level && t.entry == entry
        && t.physicalAddress == physicalAddress && Objects.equals(t.leafAttributes, leafAttributes)
        && Objects.equals(t.effectiveAttributes, effectiveAttributes) && t.problem == problem;
  }

  @Override
  public int hashCode() {
    return Objects.hash(virtualAddress, outcome, level, entry, physicalAddress, leafAttributes, effectiveAttributes, problem);
  }

  /**
   * {@code 0x... -> 0x... 4K PT rw----- (leaf rw---a-)} when mapped; {@code 0x... not mapped:
   * EMPTY at PD (entry 0x...)} when not.
   */
  @Override
  public String toString() {
    if (outcome == Outcome.MAPPED) {
      return hex(virtualAddress) + " -> " + hex(physicalAddress) + " " + Addresses.sizeName(level.entrySpan()) + " "
          + level + " " + effectiveAttributes + " (leaf " + leafAttributes + ")";
    }
    return hex(virtualAddress) + " not mapped: " + outcome + (problem != null ? " " + problem : "")
        + " at " + level + " (entry " + hex(entry) + ")";
  }
}
