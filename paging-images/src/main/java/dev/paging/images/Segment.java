package dev.paging.images;

import static dev.paging.api.Addresses.hex;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One contiguous piece of an image's physical map: {@link #length()} bytes of physical memory
 * from {@link #start()}, of which the first {@link #fileLength()} are the file's bytes from
 * {@link #fileOffset()} and the rest read as zero (an ELF segment whose {@code p_memsz} exceeds
 * its {@code p_filesz}). Immutable; equal when all four numbers are.
 */
public final class Segment {
  private final long start;
  private final long length;
  private final long fileOffset;
  private final long fileLength;

  private Segment(long start, long length, long fileOffset, long fileLength) {
    this.start = start;
    this.length = length;
    this.fileOffset = fileOffset;
    this.fileLength = fileLength;
  }

  /**
   * The segment of {@code length} bytes at physical {@code start}, all of them in the file from
   * {@code fileOffset}.
   *
   * @throws IllegalArgumentException if the length is not positive, the offset is negative or the
   *     segment would run past physical address 2^64
   */
  public static Segment of(long start, long length, long fileOffset) {
    return of(start, length, fileOffset, length);
  }

  /**
   * The segment of {@code length} bytes at physical {@code start} whose first {@code fileLength}
   * bytes are in the file from {@code fileOffset}, the rest zero.
   *
   * @throws IllegalArgumentException if the length is not positive, the file length is negative
   *     or above the length, the offset is negative or the segment would run past 2^64
   */
  public static Segment of(long start, long length, long fileOffset, long fileLength) {
    if (length <= 0) {
      throw new IllegalArgumentException("a segment at " + hex(start) + " of " + length + " bytes");
    }
    if (fileLength < 0 || fileLength > length || fileOffset < 0) {
      throw new IllegalArgumentException("a segment at " + hex(start) + " of " + hex(length) + " bytes with "
          + fileLength + " of them at file offset " + fileOffset);
    }
    if (Long.compareUnsigned(start + length - 1, start) < 0) {
      throw new IllegalArgumentException(
          "a segment of " + hex(length) + " bytes at " + hex(start) + " runs past physical address 2^64");
    }
    return new Segment(start, length, fileOffset, fileLength);
  }

  /** The physical address of its first byte. */
  public long start() {
    return start;
  }

  /** The physical address of its last byte (inclusive, so the top of memory is expressible). */
  public long last() {
    return start + length - 1;
  }

  /** Its size in bytes, at least 1. */
  public long length() {
    return length;
  }

  /** Where its first byte is in the file. */
  public long fileOffset() {
    return fileOffset;
  }

  /** How many of its bytes the file holds; the ones after them read as zero. */
  public long fileLength() {
    return fileLength;
  }

  /** True when {@code address} is one of its bytes. */
  public boolean contains(long address) {
    return Long.compareUnsigned(address - start, length) < 0;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Segment
        && ((Segment) o).start == start
        && ((Segment) o).length == length
        && ((Segment) o).fileOffset == fileOffset
        && ((Segment) o).fileLength == fileLength;
  }

  @Override
  public int hashCode() {
    return Objects.hash(start, length, fileOffset, fileLength);
  }

  /** {@code [0x...1000, 0x...1fff] at file offset 0x2000}, with the zero tail when there is one. */
  @Override
  public String toString() {
    return "[" + hex(start) + ", " + hex(last()) + "] at file offset 0x" + Long.toHexString(fileOffset)
        + (fileLength == length ? "" : " (" + hex(fileLength) + " bytes in the file, the rest zero)");
  }
}
