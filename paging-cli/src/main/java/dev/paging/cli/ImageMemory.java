package dev.paging.cli;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.PhysicalAccessException;
import dev.paging.api.PhysicalMemory;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Read-only physical memory over a raw memory image file, such as QEMU's {@code pmemsave} writes:
 * byte {@code i} of the file is the byte at physical address {@code base + i}, and words are
 * little-endian.
 *
 * <p>The file is memory-mapped in chunks of at most {@value #DEFAULT_CHUNK_SIZE} bytes, because
 * one {@link MappedByteBuffer} cannot exceed 2 GiB; a chunk is mapped the first time it is read,
 * so opening a large image costs nothing until its tables are walked. A word that straddles two
 * chunks (only possible with a chunk size or a base that is not a multiple of 8) is assembled from
 * both.
 *
 * <p>Reads outside the image and every write throw {@link PhysicalAccessException}; the walker
 * asks {@link #contains} before it reads a table, so a table pointer outside the image is reported
 * as a finding and never reaches {@link #read}. Not thread-safe, like the walkers that read it.
 * Java cannot unmap a buffer explicitly: {@link #close()} closes the file and drops the buffers,
 * and the mappings go when they are collected.
 */
final class ImageMemory implements PhysicalMemory, AutoCloseable {
  /** One GiB: a power of two below the 2 GiB limit of a mapped buffer. */
  static final int DEFAULT_CHUNK_SIZE = 1 << 30;

  private final Path file;
  private final FileChannel channel;
  private final long base;
  private final long size;
  private final int chunkSize;
  private final MappedByteBuffer[] chunks;
  private boolean closed;

  private ImageMemory(Path file, FileChannel channel, long base, long size, int chunkSize) {
    this.file = file;
    this.channel = channel;
    this.base = base;
    this.size = size;
    this.chunkSize = chunkSize;
    this.chunks = new MappedByteBuffer[size == 0 ? 0 : (int) ((size - 1) / chunkSize + 1)];
  }

  /**
   * Opens {@code file} as the physical memory from {@code base} on, in chunks of {@value
   * #DEFAULT_CHUNK_SIZE} bytes.
   *
   * @throws IOException if the file cannot be opened for reading
   * @throws IllegalArgumentException if the image would reach beyond physical address 2^64
   */
  static ImageMemory open(Path file, long base) throws IOException {
    return open(file, base, DEFAULT_CHUNK_SIZE);
  }

  /**
   * Opens {@code file} as the physical memory from {@code base} on, mapped in chunks of {@code
   * chunkSize} bytes (tests use small chunks to cross chunk boundaries in a small file).
   *
   * @throws IOException if the file cannot be opened for reading
   * @throws IllegalArgumentException if {@code chunkSize} is not positive, or the image would reach
   *     beyond physical address 2^64
   */
  static ImageMemory open(Path file, long base, int chunkSize) throws IOException {
    if (chunkSize <= 0) {
      throw new IllegalArgumentException("chunk size " + chunkSize + " is not positive");
    }
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    try {
      long size = channel.size();
      // The last byte's address, base + size - 1, must not wrap around 2^64.
      if (size > 0 && Long.compareUnsigned(size - 1, -1L - base) > 0) {
        throw new IllegalArgumentException("an image of " + hex(size) + " bytes at base " + hex(base)
            + " reaches beyond physical address 0xffffffffffffffff");
      }
      if ((size - 1) / chunkSize >= Integer.MAX_VALUE) {
        throw new IllegalArgumentException("an image of " + hex(size) + " bytes needs more than 2^31 chunks of "
            + chunkSize + " bytes");
      }
      return new ImageMemory(file, channel, base, size, chunkSize);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** The image file. */
  Path file() {
    return file;
  }

  /** The physical address of the image's first byte. */
  long base() {
    return base;
  }

  /** The image's length in bytes: physical addresses {@code [base, base + size)} are backed. */
  long size() {
    return size;
  }

  /** {@code 0x...-0x...}: the physical addresses backed, both ends inclusive; empty when the image is. */
  String extent() {
    return size == 0 ? "no physical address" : "physical " + hex(base) + ".." + hex(base + size - 1);
  }

  @Override
  public long read(long address) {
    if ((address & 7) != 0) {
      throw new PhysicalAccessException("unaligned read at " + hex(address) + " in the memory image " + file);
    }
    if (!contains(address, 8)) {
      throw new PhysicalAccessException(
          "read at " + hex(address) + " is outside the memory image " + file + " (" + extent() + ")");
    }
    long offset = address - base;
    int chunk = (int) (offset / chunkSize);
    int within = (int) (offset % chunkSize);
    MappedByteBuffer buffer = chunk(chunk);
    if (within <= buffer.limit() - 8) {
      return buffer.getLong(within);
    }
    long word = 0;
    for (int b = 0; b < 8; b++) {
      int at = within + b;
      MappedByteBuffer from = at < buffer.limit() ? buffer : chunk(chunk + 1);
      word |= (from.get(at < buffer.limit() ? at : at - buffer.limit()) & 0xFFL) << (8 * b);
    }
    return word;
  }

  /** Always throws: an image is evidence, and the walker must not change it. */
  @Override
  public void write(long address, long value) {
    throw new PhysicalAccessException(
        "write at " + hex(address) + " refused: the memory image " + file + " is read-only");
  }

  /**
   * True when {@code [address, address + length)} lies inside the image. Unsigned, and computed
   * without {@code address + length}, so a range that would wrap around 2^64 is refused.
   */
  @Override
  public boolean contains(long address, long length) {
    long offset = address - base;
    return Long.compareUnsigned(address, base) >= 0
        && Long.compareUnsigned(offset, size) <= 0
        && Long.compareUnsigned(length, size - offset) <= 0;
  }

  /** Closes the file; later reads throw {@link IllegalStateException}. Closing twice does nothing. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    Arrays.fill(chunks, null);
    channel.close();
  }

  @Override
  public String toString() {
    return "memory image " + file + " (" + extent() + ")";
  }

  private MappedByteBuffer chunk(int index) {
    if (closed) {
      throw new IllegalStateException("the memory image " + file + " is closed");
    }
    MappedByteBuffer buffer = chunks[index];
    if (buffer == null) {
      long start = (long) index * chunkSize;
      long length = Math.min(chunkSize, size - start);
      try {
        buffer = channel.map(FileChannel.MapMode.READ_ONLY, start, length);
      } catch (IOException e) {
        throw new PhysicalAccessException("cannot map bytes " + hex(start) + ".." + hex(start + length - 1)
            + " of the memory image " + file + ": " + e.getMessage());
      }
      buffer.order(ByteOrder.LITTLE_ENDIAN);
      chunks[index] = buffer;
    }
    return buffer;
  }
}
