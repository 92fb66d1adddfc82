package dev.paging.core;

import com.google.common.collect.BoundType;
import com.google.common.collect.Range;
import com.google.common.primitives.UnsignedLong;
import dev.paging.api.VirtualRange;
import java.util.Objects;
import static dev.paging.api.Addresses.hex;

/** Conversions between {@link VirtualRange} and Guava ranges. */
public final class VirtualRanges {
  private VirtualRanges() {}

  /**
   * The addresses of a Guava range of unsigned longs: open, closed and unbounded ends all work;
   * an unbounded end is the bottom or top of the 64-bit space, so {@code Range.all()} is {@link
   * VirtualRange#all()}.
   *
   * @throws IllegalArgumentException if the range holds no address, e.g. {@code [a, a)} or
   *     {@code (max, +inf)}
   */
  public static VirtualRange fromGuava(Range<UnsignedLong> range) {
    Objects.requireNonNull(range, "range");
    long first = 0;
    long last = -1L;
    if (range.hasLowerBound()) {
      long lower = range.lowerEndpoint().longValue();
      if (range.lowerBoundType() == BoundType.OPEN) {
        if (lower == -1L) {
          throw new IllegalArgumentException("empty range " + describe(range) + ": nothing above " + hex(lower));
        }
        lower++;
      }
      first = lower;
    }
    if (range.hasUpperBound()) {
      long upper = range.upperEndpoint().longValue();
      if (range.upperBoundType() == BoundType.OPEN) {
        if (upper == 0) {
          throw new IllegalArgumentException("empty range " + describe(range) + ": nothing below " + hex(upper));
        }
        upper--;
      }
      last = upper;
    }
    if (Long.compareUnsigned(first, last) > 0) {
      throw new IllegalArgumentException("empty range " + describe(range));
    }
    return VirtualRange.closed(first, last);
  }

  /** The same addresses as a closed Guava range. */
  public static Range<UnsignedLong> toGuava(VirtualRange range) {
    Objects.requireNonNull(range, "range");
    return Range.closed(UnsignedLong.fromLongBits(range.first()), UnsignedLong.fromLongBits(range.last()));
  }

  private static String describe(Range<UnsignedLong> range) {
    StringBuilder s = new StringBuilder();
    s.append(range.hasLowerBound() ? (range.lowerBoundType() == BoundType.OPEN ? "(" : "[") + hex(range.lowerEndpoint().longValue()) : "(-inf");
    s.append(", ");
    s.append(range.hasUpperBound() ? hex(range.upperEndpoint().longValue()) + (range.upperBoundType() == BoundType.OPEN ? ")" : "]") : "+inf)");
    return s.toString();
  }
}
