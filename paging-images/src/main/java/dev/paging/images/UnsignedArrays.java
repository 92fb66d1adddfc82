package dev.paging.images;

import java.util.Arrays;

/** Searches and sorts of {@code long}s in unsigned order: physical addresses above 2^63 included. */
final class UnsignedArrays {
  private UnsignedArrays() {}

  /** The first index whose value is at or above {@code key}, or {@code sorted.length}. */
  static int lowerBound(long[] sorted, long key) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(sorted[mid], key) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The first index whose value is above {@code key}, or {@code sorted.length}. */
  static int upperBound(long[] sorted, long key) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(sorted[mid], key) <= 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Sorts {@code values} in unsigned order, in place. */
  static void sort(long[] values) {
    // Flipping the sign bit makes signed order unsigned order.
    for (int i = 0; i < values.length; i++) {
      values[i] ^= Long.MIN_VALUE;
    }
    Arrays.sort(values);
    for (int i = 0; i < values.length; i++) {
      values[i] ^= Long.MIN_VALUE;
    }
  }
}
