package dev.paging.ops;

import static dev.paging.api.Addresses.hex;

import java.util.Objects;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * How {@link PageTables#map} maps a range: the {@link ConflictPolicy} and which page sizes it
 * may use. An immutable value; start from {@link #defaults()} or {@link #replacing()}.
 *
 * <p>By default a map uses, at each address, the largest page the format allows that both the
 * virtual and the physical address are aligned to and that fits in what is left of the range
 * (1 GiB pages only where the format supports them). {@link #withMaxPageSize} caps that size;
 * {@link #withPageSize} asks for exactly one size, and then both ends of the range and the
 * physical start must be aligned to it.
 */
public final class MapOptions {
  private static final MapOptions DEFAULTS = new MapOptions(ConflictPolicy.FAIL, 0, 0);
  private static final MapOptions REPLACING = new MapOptions(ConflictPolicy.REPLACE, 0, 0);

  private final ConflictPolicy conflictPolicy;
  private final long pageSize;
  private final long maxPageSize;

  private MapOptions(ConflictPolicy conflictPolicy, long pageSize, long maxPageSize) {
    this.conflictPolicy = conflictPolicy;
    this.pageSize = pageSize;
    this.maxPageSize = maxPageSize;
  }

  /** Fail on conflicts, largest pages. */
  public static MapOptions defaults() {
    return DEFAULTS;
  }

  /** Replace what is there, largest pages. */
  public static MapOptions replacing() {
    return REPLACING;
  }

  public MapOptions withConflictPolicy(ConflictPolicy policy) {
    Objects.requireNonNull(policy, "policy");
    return policy == conflictPolicy ? this : new MapOptions(policy, pageSize, maxPageSize);
  }

  /**
   * Map with pages of exactly {@code size} bytes, which must be a page size of the format.
   *
   * @throws IllegalArgumentException if {@code size} is not a power of two of at least 4 KiB
   */
  public MapOptions withPageSize(long size) {
    checkSize(size);
    return new MapOptions(conflictPolicy, size, 0);
  }

  /**
   * Map with the largest pages allowed, but none larger than {@code size}.
   *
   * @throws IllegalArgumentException if {@code size} is not a power of two of at least 4 KiB
   */
  public MapOptions withMaxPageSize(long size) {
    checkSize(size);
    return new MapOptions(conflictPolicy, 0, size);
  }

  /** Map with the largest pages allowed (the default). */
  public MapOptions withLargestPages() {
    return pageSize == 0 && maxPageSize == 0 ? this : new MapOptions(conflictPolicy, 0, 0);
  }

  public ConflictPolicy conflictPolicy() {
    return conflictPolicy;
  }

  /** The one page size to use, if one was asked for. */
  public OptionalLong pageSize() {
    return pageSize == 0 ? OptionalLong.empty() : OptionalLong.of(pageSize);
  }

  /** The largest page size to use, if capped. */
  public OptionalLong maxPageSize() {
    return maxPageSize == 0 ? OptionalLong.empty() : OptionalLong.of(maxPageSize);
  }

  private static void checkSize(long size) {
    if (size < 4096 || Long.bitCount(size) != 1) {
      throw new IllegalArgumentException("page size " + hex(size) + " is not a power of two of at least 4 KiB");
    }
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof MapOptions)) {
      return false;
    }
    MapOptions m = (MapOptions) o;
    return m.conflictPolicy == conflictPolicy && m.pageSize == pageSize && m.maxPageSize == maxPageSize;
  }

  @Override
  public int hashCode() {
    return (conflictPolicy.hashCode() * 31 + Long.hashCode(pageSize)) * 31 + Long.hashCode(maxPageSize);
  }

  @Override
  public String toString() {
    String pages = pageSize != 0 ? "pages of " + hex(pageSize)
        : maxPageSize != 0 ? "pages up to " + hex(maxPageSize) : "largest pages";
    return "MapOptions[" + conflictPolicy + ", " + pages + "]";
  }
}
