package dev.paging.ops;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Addresses;
import dev.paging.api.Attributes;
import dev.paging.api.Level;
import dev.paging.api.VirtualRange;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A run of virtual addresses that was (or is) mapped by leaves of one size, with one set of leaf
 * attributes, to physically contiguous memory: what an operation reports it removed, replaced or
 * changed. An immutable value.
 *
 * <p>The range may be part of a page when an operation touched part of a huge page: unmapping
 * 4 KiB of a 2 MiB page reports that 4 KiB with {@link #pageSize()} 2 MiB.
 */
public final class Mapping {
  private final VirtualRange range;
  private final long physicalAddress;
  private final Level level;
  private final Attributes attributes;

  private Mapping(VirtualRange range, long physicalAddress, Level level, Attributes attributes) {
    this.range = range;
    this.physicalAddress = physicalAddress;
    this.level = level;
    this.attributes = attributes;
  }

  static Mapping of(VirtualRange range, long physicalAddress, Level level, Attributes attributes) {
    return new Mapping(range, physicalAddress, level, attributes);
  }

  /** The virtual addresses. */
  public VirtualRange range() {
    return range;
  }

  /** The physical address {@code range().first()} mapped to. */
  public long physicalAddress() {
    return physicalAddress;
  }

  /** The size of the pages (leaves) that mapped the range. */
  public long pageSize() {
    return level.entrySpan();
  }

  /** The level of those leaves. */
  public Level level() {
    return level;
  }

  /** The leaves' own attributes (not combined with the levels above). */
  public Attributes attributes() {
    return attributes;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof Mapping)) {
      return false;
    }
    Mapping m = (Mapping) o;
    return m.range.equals(range) && m.physicalAddress == physicalAddress
        && m.level.depth() == level.depth() && m.level.shift() == level.shift()
        && m.attributes.equals(attributes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(range, physicalAddress, level.depth(), attributes);
  }

  /** {@code [0x..., 0x...] -> 0x... 4K PT rw-----}. */
  @Override
  public String toString() {
    return range + " -> " + hex(physicalAddress) + " " + Addresses.sizeName(level.entrySpan()) + " "
        + level + " " + attributes;
  }
}
