package dev.paging.fakes;

import dev.paging.api.Addresses;
import dev.paging.api.Level;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The non-zero words of a {@link SimulatedMemory} at one moment, as an immutable value: two
 * snapshots are equal exactly when the memory held the same bits, which is how a test states
 * that a failed operation changed nothing. {@link #diff} says where they differ, because "not
 * equal" alone does not help anyone fix a bug.
 */
public final class MemorySnapshot {
  /** How many differing words {@link #diff} lists before summarising the rest. */
  public static final int DIFF_LIMIT = 8;

  // Parallel arrays, addresses strictly increasing (all below 2^56, so signed order is fine).
  private final long[] addresses;
  private final long[] values;

  MemorySnapshot(long[] addresses, long[] values) {
    this.addresses = addresses;
    this.values = values;
  }

  /** The number of non-zero words. */
  public int wordCount() {
    return addresses.length;
  }

  /** The word at {@code address} when the snapshot was taken; zero for words never written. */
  public long word(long address) {
    int index = Arrays.binarySearch(addresses, address);
    return index >= 0 ? values[index] : 0;
  }

  /**
   * Entry {@code index} of the {@code level} table at {@code table} when the snapshot was taken:
   * a word, or the half of one that holds a 4-byte entry.
   */
  public long entry(Level level, long table, int index) {
    Objects.requireNonNull(level, "level");
    long address = level.entryAddress(table, index);
    if (level.entryBytes() == 8) {
      return word(address);
    }
    return (word(address & ~7L) >>> ((address & 4) << 3)) & 0xffff_ffffL;
  }

  /** The addresses of the non-zero words, ascending; a fresh copy the caller may keep. */
  public long[] addresses() {
    return addresses.clone();
  }

  /**
   * What changed from this snapshot to {@code other}: one line per differing word as {@code
   * address: before -> after} in hex, at most {@link #DIFF_LIMIT} of them after a count, or the
   * empty string when the snapshots are equal.
   */
  public String diff(MemorySnapshot other) {
    StringBuilder lines = new StringBuilder();
    int differing = 0;
    int i = 0;
    int j = 0;
    while (i < addresses.length || j < other.addresses.length) {
      long address;
      long before;
      long after;
      if (j == other.addresses.length
          || (i < addresses.length && addresses[i] < other.addresses[j])) {
        address = addresses[i];
        before = values[i++];
        after = 0;
      } else if (i == addresses.length || other.addresses[j] < addresses[i]) {
        address = other.addresses[j];
        before = 0;
        after = other.values[j++];
      } else {
        address = addresses[i];
        before = values[i++];
        after = other.values[j++];
      }
      if (before != after) {
        differing++;
        if (differing <= DIFF_LIMIT) {
          lines
              .append("\n  ")
              .append(Addresses.hex(address))
              .append(": ")
              .append(Addresses.hex(before))
              .append(" -> ")
              .append(Addresses.hex(after));
        }
      }
    }
    if (differing == 0) {
      return "";
    }
    if (differing > DIFF_LIMIT) {
      lines.append("\n  ... and ").append(differing - DIFF_LIMIT).append(" more");
    }
    return differing + (differing == 1 ? " word differs:" : " words differ:") + lines;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof MemorySnapshot
        && Arrays.equals(addresses, ((MemorySnapshot) o).addresses)
        && Arrays.equals(values, ((MemorySnapshot) o).values);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(addresses) + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "MemorySnapshot[" + addresses.length + " non-zero words]";
  }
}
