package dev.paging.images;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Addresses;
import dev.paging.api.Attributes;
import dev.paging.api.Level;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One virtual address that maps a physical address: through the leaf at {@link #level()} of
 * {@link #pageSize()} bytes, with the {@link #attributes() effective attributes} of its path.
 * Immutable.
 */
public final class Alias {
  private final long virtualAddress;
  private final long pageSize;
  private final Level level;
  private final Attributes attributes;

  Alias(long virtualAddress, long pageSize, Level level, Attributes attributes) {
    this.virtualAddress = virtualAddress;
    this.pageSize = pageSize;
    this.level = level;
    this.attributes = attributes;
  }

  /** The virtual address whose translation is the physical address asked about. */
  public long virtualAddress() {
    return virtualAddress;
  }

  /** The size of the page that maps it. */
  public long pageSize() {
    return pageSize;
  }

  /** The level of the leaf. */
  public Level level() {
    return level;
  }

  /** The effective attributes along the path to the leaf. */
  public Attributes attributes() {
    return attributes;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Alias
        && ((Alias) o).virtualAddress == virtualAddress
        && ((Alias) o).pageSize == pageSize
        && ((Alias) o).level.equals(level)
        && ((Alias) o).attributes.equals(attributes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(virtualAddress, pageSize, level, attributes);
  }

  /** {@code 0x... 4K PT r-xu-a-}, as {@code paging translate} prints a mapping. */
  @Override
  public String toString() {
    return hex(virtualAddress) + " " + Addresses.sizeName(pageSize) + " " + level + " " + attributes;
  }
}
