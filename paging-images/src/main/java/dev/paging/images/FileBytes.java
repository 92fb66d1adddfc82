package dev.paging.images;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.PhysicalAccessException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A file's bytes by offset, memory-mapped read-only in chunks of at most {@value
 * #DEFAULT_CHUNK_SIZE} bytes, because one mapped buffer cannot exceed 2 GiB. A chunk is mapped
 * the first time it is read, so opening a large image costs nothing until its tables are walked;
 * a word that straddles two chunks is assembled from both. Headers are read with positional reads
 * instead ({@link #copy}), so that parsing a hostile header maps nothing.
 */
final class FileBytes implements Closeable {
  /** One GiB: a power of two below the 2 GiB limit of a mapped buffer. */
  static final int DEFAULT_CHUNK_SIZE = 1 << 30;

  private final Path file;
  private final FileChannel channel;
  private final long size;
  private final int chunkSize;
  private final MappedByteBuffer[] chunks;
  private boolean closed;

  private FileBytes(Path file, FileChannel channel, long size, int chunkSize) {
    this.file = file;
    this.channel = channel;
    this.size = size;
    this.chunkSize = chunkSize;
    this.chunks = new MappedByteBuffer[size == 0 ? 0 : (int) ((size - 1) / chunkSize + 1)];
  }

  /**
   * Opens {@code file} for reading.
   *
   * @throws IllegalArgumentException if {@code chunkSize} is not positive or the file needs more
   *     than 2^31 chunks
   */
  static FileBytes open(Path file, int chunkSize) throws IOException {
    if (chunkSize <= 0) {
      throw new IllegalArgumentException("chunk size " + chunkSize + " is not positive");
    }
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    try {
      long size = channel.size();
      if (size > 0 && (size - 1) / chunkSize >= Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "a file of " + hex(size) + " bytes needs more than 2^31 chunks of " + chunkSize + " bytes");
      }
      return new FileBytes(file, channel, size, chunkSize);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  Path file() {
    return file;
  }

  long size() {
    return size;
  }

  /**
   * {@code length} bytes from {@code offset}, copied into a little-endian heap buffer by
   * positional reads; the caller has checked that they are inside the file.
   */
  ByteBuffer copy(long offset, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, offset + buffer.position());
      if (n < 0) {
        // The file shrank under us: what was checked no longer holds.
        throw new IOException(file + ": the file ended at offset 0x" + Long.toHexString(offset + buffer.position())
            + " while it was read");
      }
    }
    return buffer.flip();
  }

  /** The little-endian word at {@code offset}; the caller has checked that its 8 bytes are in the file. */
  long word(long offset) {
    int chunk = (int) (offset / chunkSize);
    int within = (int) (offset % chunkSize);
    MappedByteBuffer buffer = chunk(chunk);
    if (within <= buffer.limit() - 8) {
      return buffer.getLong(within);
    }
    long word = 0;
    for (int b = 0; b < 8; b++) {
      word |= (get(offset + b) & 0xFFL) << (8 * b);
    }
    return word;
  }

  /** The byte at {@code offset}, inside the file. */
  byte get(long offset) {
    return chunk((int) (offset / chunkSize)).get((int) (offset % chunkSize));
  }

  /**
   * Copies {@code count} words from {@code offset} into {@code into[at...]}, one chunk lookup for
   * the run when it lies in one chunk.
   */
  void words(long offset, long[] into, int at, int count) {
    int within = (int) (offset % chunkSize);
    MappedByteBuffer buffer = chunk((int) (offset / chunkSize));
    if (within <= buffer.limit() - 8L * count) {
      for (int i = 0; i < count; i++) {
        into[at + i] = buffer.getLong(within + 8 * i);
      }
      return;
    }
    for (int i = 0; i < count; i++) {
      into[at + i] = word(offset + 8L * i);
    }
  }

  /** The index of the first non-zero one of {@code count} words from {@code offset}, or -1. */
  int firstNonZero(long offset, int count) {
    int within = (int) (offset % chunkSize);
    MappedByteBuffer buffer = chunk((int) (offset / chunkSize));
    if (within <= buffer.limit() - 8L * count) {
      for (int i = 0; i < count; i++) {
        if (buffer.getLong(within + 8 * i) != 0) {
          return i;
        }
      }
      return -1;
    }
    for (int i = 0; i < count; i++) {
      if (word(offset + 8L * i) != 0) {
        return i;
      }
    }
    return -1;
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
        throw new PhysicalAccessException("cannot map bytes 0x" + Long.toHexString(start) + "..0x"
            + Long.toHexString(start + length - 1) + " of the memory image " + file + ": " + e.getMessage());
      }
      buffer.order(ByteOrder.LITTLE_ENDIAN);
      chunks[index] = buffer;
    }
    return buffer;
  }
}
