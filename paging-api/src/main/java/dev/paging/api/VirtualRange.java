package dev.paging.api;

import static dev.paging.api.Addresses.hex;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An immutable, non-empty range of virtual addresses, unsigned, stored as its first and last
 * byte (both inclusive). Storing the last byte rather than an exclusive end lets the range that
 * ends at the top of the address space, {@code 0xffffffffffffffff}, exist without overflow.
 *
 * <p>A range is a range of bytes, never of pages of some size: {@code [0, 1 GiB)} is the same
 * value whether the caller thought of it as one 1 GiB page or 262,144 4 KiB pages.
 *
 * <p>Ranges do not know about formats; {@link PagingFormat#checkCanonical(VirtualRange)} rejects
 * ranges whose ends are not canonical for a format.
 */
public final class VirtualRange {
  private static final VirtualRange ALL = new VirtualRange(0, -1L);

  private final long first;
  private final long last;

  private VirtualRange(long first, long last) {
    this.first = first;
    this.last = last;
  }

  /**
   * The range {@code [start, end)}. Both are unsigned; {@code end} must be above {@code start}.
   * The top byte of the address space cannot be the end of a half-open range: use {@link
   * #closed(long, long)} for ranges that reach it.
   */
  public static VirtualRange halfOpen(long start, long end) {
    if (Long.compareUnsigned(start, end) >= 0) {
      throw new IllegalArgumentException(
          (start == end ? "empty" : "reversed") + " range [" + hex(start) + ", " + hex(end) + ")");
    }
    return new VirtualRange(start, end - 1);
  }

  /** The range {@code [first, last]}, both ends inclusive and unsigned. */
  public static VirtualRange closed(long first, long last) {
    if (Long.compareUnsigned(first, last) > 0) {
      throw new IllegalArgumentException(
          "reversed range [" + hex(first) + ", " + hex(last) + "]");
    }
    return new VirtualRange(first, last);
  }

  /** {@code length} bytes from {@code start}; the range must not wrap past the top. */
  public static VirtualRange ofLength(long start, long length) {
    if (length == 0) {
      throw new IllegalArgumentException("empty range of length 0 at " + hex(start));
    }
    long last = start + length - 1;
    if (Long.compareUnsigned(last, start) < 0) {
      throw new IllegalArgumentException(
          "range of length " + hex(length) + " at " + hex(start) + " wraps past the top of the address space");
    }
    return new VirtualRange(start, last);
  }

  /** The 4 KiB page that starts at {@code address}, which must be 4 KiB aligned. */
  public static VirtualRange page(long address) {
    return page(address, Addresses.FRAME_SIZE);
  }

  /** The page of {@code pageSize} bytes (a power of two) that starts at {@code address}. */
  public static VirtualRange page(long address, long pageSize) {
    if (pageSize <= 0 || Long.bitCount(pageSize) != 1) {
      throw new IllegalArgumentException("page size " + hex(pageSize) + " is not a power of two");
    }
    if (!Addresses.isAligned(address, pageSize)) {
      throw new IllegalArgumentException(
          "address " + hex(address) + " is not aligned to the page size " + hex(pageSize));
    }
    return new VirtualRange(address, address + pageSize - 1);
  }

  /**
   * Every address, {@code [0, 0xffffffffffffffff]}: the unbounded range. Walks over it cover
   * both canonical halves of the format and skip the non-canonical hole between them.
   */
  public static VirtualRange all() {
    return ALL;
  }

  /** The first byte, unsigned. */
  public long first() {
    return first;
  }

  /** The last byte, inclusive and unsigned. */
  public long last() {
    return last;
  }

  /** True for {@link #all()}, whose size, 2^64, does not fit a {@code long}. */
  public boolean isAll() {
    return first == 0 && last == -1L;
  }

  /**
   * The number of bytes, unsigned.
   *
   * @throws ArithmeticException for {@link #all()}, whose size is 2^64
   */
  public long size() {
    if (isAll()) {
      throw new ArithmeticException("the whole 64-bit address space has 2^64 bytes");
    }
    return last - first + 1;
  }

  public boolean contains(long address) {
    return Long.compareUnsigned(first, address) <= 0 && Long.compareUnsigned(address, last) <= 0;
  }

  public boolean contains(VirtualRange other) {
    Objects.requireNonNull(other, "other");
    return contains(other.first) && contains(other.last);
  }

  public boolean intersects(VirtualRange other) {
    Objects.requireNonNull(other, "other");
    return Long.compareUnsigned(first, other.last) <= 0
        && Long.compareUnsigned(other.first, last) <= 0;
  }

  /** The part of this range inside {@code other}, if any. */
  public Optional<VirtualRange> clip(VirtualRange other) {
    Objects.requireNonNull(other, "other");
    if (!intersects(other)) {
      return Optional.empty();
    }
    long f = Long.compareUnsigned(first, other.first) >= 0 ? first : other.first;
    long l = Long.compareUnsigned(last, other.last) <= 0 ? last : other.last;
    return Optional.of(f == first && l == last ? this : new VirtualRange(f, l));
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof VirtualRange && ((VirtualRange) o).first == first && ((VirtualRange) o).last == last;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(first) * 31 + Long.hashCode(last);
  }

  /** {@code [0x..., 0x...]}, both ends inclusive. */
  @Override
  public String toString() {
    return "[" + hex(first) + ", " + hex(last) + "]";
  }
}
