package dev.paging.ops;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Attributes;
import dev.paging.api.Level;
import dev.paging.api.VirtualRange;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A run of leaves of one size that map contiguous virtual addresses to contiguous physical
 * memory with the same attributes, their own and in force: what {@link Leaves} lists. An
 * immutable value.
 */
public final class LeafRun {
  private final VirtualRange range;
  private final long physicalAddress;
  private final Level level;
  private final Attributes attributes;
  private final Attributes effective;

  LeafRun(VirtualRange range, long physicalAddress, Level level, Attributes attributes, Attributes effective) {
    this.range = range;
    this.physicalAddress = physicalAddress;
    this.level = level;
    this.attributes = attributes;
    this.effective = effective;
  }

  /** The virtual addresses. */
  public VirtualRange range() {
    return range;
  }

  /** The physical address {@code range().first()} maps to. */
  public long physicalAddress() {
    return physicalAddress;
  }

  /** The physical address {@code virtualAddress}, which must lie in the range, maps to. */
  public long physicalAddressOf(long virtualAddress) {
    if (!range.contains(virtualAddress)) {
      throw new IllegalArgumentException(hex(virtualAddress) + " is not in " + range);
    }
    return physicalAddress + (virtualAddress - range.first());
  }

  /** The level of the leaves. */
  public Level level() {
    return level;
  }

  /** The size of the leaves' pages. */
  public long pageSize() {
    return level.entrySpan();
  }

  /** The leaves' own attributes. */
  public Attributes attributes() {
    return attributes;
  }

  /** The attributes in force, after the table entries above the leaves (see {@link dev.paging.api.EntryCursor#effectiveAttributes}). */
  public Attributes effectiveAttributes() {
    return effective;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof LeafRun)) {
      return false;
    }
    LeafRun r = (LeafRun) o;
    return r.range.equals(range) && r.physicalAddress == physicalAddress && r.level.equals(level)
        && r.attributes.equals(attributes) && r.effective.equals(effective);
  }

  @Override
  public int hashCode() {
    return Objects.hash(range, physicalAddress, level, attributes, effective);
  }

  /** {@code [first, last] -> physical (4K PT pages) rw-----}, effective attributes shown. */
  @Override
  public String toString() {
    return range + " -> " + hex(physicalAddress) + " (" + dev.paging.api.Addresses.sizeName(pageSize()) + " "
        + level + " pages) " + effective;
  }
}
