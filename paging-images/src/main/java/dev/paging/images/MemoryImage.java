package dev.paging.images;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.PhysicalAccessException;
import dev.paging.api.PhysicalMemory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A memory image read as physical memory: a raw, ELF core or LiME file, memory-mapped read-only,
 * with its physical map of {@link #segments() segments}, which may leave gaps (the legacy holes
 * below 1 MiB, the PCI hole below 4 GiB) and may lie anywhere in the 64-bit physical space. Files
 * larger than 2 GiB are mapped in chunks; nothing is mapped until it is read.
 *
 * <p>A read inside a segment returns the file's bytes as little-endian words (zero past an ELF
 * segment's file part); a word that runs from one segment into the next, physically adjacent one
 * is assembled from both. A read outside every segment, and every write, throws {@link
 * PhysicalAccessException}; the walker asks {@link #contains} before it reads a table, so a table
 * pointer into a gap is the walker's {@code table-outside-memory} finding, never a crash. The
 * table-at-a-time calls resolve the segment and the mapped chunk once per run.
 *
 * <p>Dumps that record them give the {@link #cpus() CPUs' registers} and roots, and kdump's
 * {@link #vmcoreInfo() VMCOREINFO} the kernel's root. Not thread-safe, like the walkers that read
 * it. Java cannot unmap a buffer explicitly: {@link #close()} closes the file and drops the
 * buffers, and the mappings go when they are collected.
 */
public final class MemoryImage implements PhysicalMemory, AutoCloseable {
  private final FileBytes bytes;
  private final ImageKind kind;
  private final List<Segment> segments;
  private final @Nullable Architecture architecture;
  private final List<Cpu> cpus;
  private final @Nullable VmcoreInfo vmcoreInfo;
  private final long[] starts;
  private final long[] lasts;
  private final long[] fileOffsets;
  private final long[] fileLengths;
  private final long size;
  /** The segment the last lookup found: tables are read a run at a time, mostly in one segment. */
  private int hint;

  private MemoryImage(FileBytes bytes, ImageKind kind, ImageLayout layout) {
    this.bytes = bytes;
    this.kind = kind;
    this.segments = layout.segments;
    this.architecture = layout.architecture;
    this.cpus = layout.cpus;
    this.vmcoreInfo = layout.vmcoreInfo;
    int n = segments.size();
    starts = new long[n];
    lasts = new long[n];
    fileOffsets = new long[n];
    fileLengths = new long[n];
    long total = 0;
    for (int i = 0; i < n; i++) {
      Segment s = segments.get(i);
      starts[i] = s.start();
      lasts[i] = s.last();
      fileOffsets[i] = s.fileOffset();
      fileLengths[i] = s.fileLength();
      total += s.length();
    }
    this.size = total;
  }

  /**
   * Opens {@code file} as the format its first bytes name: ELF ({@code 7f 45 4c 46}), LiME
   * ({@code 45 4d 69 4c}, the little-endian magic 0x4c694d45), otherwise raw from physical address
   * 0.
   *
   * @throws MalformedImageException if the file's headers are not what its format allows
   * @throws IOException if it cannot be read
   */
  public static MemoryImage open(Path file) throws IOException {
    return open(file, null, 0, FileBytes.DEFAULT_CHUNK_SIZE);
  }

  /**
   * Opens {@code file} as {@code kind}, whatever its first bytes say; a raw image from physical
   * address 0.
   *
   * @throws MalformedImageException if the file is not of that kind or its headers are wrong
   * @throws IOException if it cannot be read
   */
  public static MemoryImage open(Path file, ImageKind kind) throws IOException {
    return open(file, Objects.requireNonNull(kind, "kind"), 0, FileBytes.DEFAULT_CHUNK_SIZE);
  }

  /**
   * Opens {@code file} as a raw image: byte {@code i} of the file is physical address {@code base
   * + i}.
   *
   * @throws MalformedImageException if the image would reach past physical address 2^64
   * @throws IOException if it cannot be read
   */
  public static MemoryImage raw(Path file, long base) throws IOException {
    return open(file, ImageKind.RAW, base, FileBytes.DEFAULT_CHUNK_SIZE);
  }

  /**
   * Which format {@code file}'s first bytes name, as {@link #open(Path)} decides it: {@link
   * ImageKind#RAW} when they name none.
   */
  public static ImageKind detect(Path file) throws IOException {
    try (FileBytes b = FileBytes.open(file, FileBytes.DEFAULT_CHUNK_SIZE)) {
      return ImageReaders.detect(b);
    }
  }

  /** {@link #open(Path, ImageKind)} with {@code kind} null to detect it, mapped in chunks of {@code chunkSize}. */
  static MemoryImage open(Path file, @Nullable ImageKind kind, long rawBase, int chunkSize) throws IOException {
    FileBytes b = FileBytes.open(Objects.requireNonNull(file, "file"), chunkSize);
    try {
      ImageKind k = kind != null ? kind : ImageReaders.detect(b);
      return new MemoryImage(b, k, ImageReaders.read(b, k, rawBase));
    } catch (IOException | RuntimeException e) {
      b.close();
      throw e;
    }
  }

  /** The image file. */
  public Path file() {
    return bytes.file();
  }

  /** The file's format. */
  public ImageKind kind() {
    return kind;
  }

  /** The physical map: segments in ascending address order, none overlapping; empty for an empty raw file. */
  public List<Segment> segments() {
    return segments;
  }

  /** The bytes of physical memory the segments cover, gaps excluded. */
  public long size() {
    return size;
  }

  /** The architecture an ELF core's machine field names; empty for raw and LiME images, which do not say. */
  public Optional<Architecture> architecture() {
    return Optional.ofNullable(architecture);
  }

  /** The CPUs the dump records, by index; empty when it records none (raw, LiME, a core without notes). */
  public List<Cpu> cpus() {
    return cpus;
  }

  /** A kdump core's {@code VMCOREINFO} note, when it has one. */
  public Optional<VmcoreInfo> vmcoreInfo() {
    return Optional.ofNullable(vmcoreInfo);
  }

  /**
   * The kernel's root table as {@code VMCOREINFO} gives it (see {@link VmcoreInfo}), when the dump
   * has the note and the note what it takes.
   */
  public Optional<Root> kernelRoot() {
    return vmcoreInfo == null ? Optional.empty() : vmcoreInfo.kernelRoot();
  }

  /**
   * {@code physical 0x...-0x...} for one segment, {@code N segments in physical 0x...-0x...} for
   * several, {@code no physical address} for none: what the image backs, for messages.
   */
  public String extent() {
    if (segments.isEmpty()) {
      return "no physical address";
    }
    String span = "physical " + hex(starts[0]) + ".." + hex(lasts[lasts.length - 1]);
    return segments.size() == 1 ? span : segments.size() + " segments in " + span;
  }

  /**
   * True when at least one byte of {@code [address, address + length)} is in a segment: a page
   * partly inside the image. Computed without {@code address + length}, as {@link #contains} is.
   */
  public boolean overlaps(long address, long length) {
    if (length == 0) {
      return false;
    }
    // The first segment ending at or after the address; it overlaps when it starts within the range.
    int found = UnsignedArrays.lowerBound(lasts, address);
    return found < lasts.length
        && (Long.compareUnsigned(starts[found], address) <= 0
            || Long.compareUnsigned(starts[found] - address, length) < 0);
  }

  @Override
  public long read(long address) {
    if ((address & 7) != 0) {
      throw new PhysicalAccessException("unaligned read at " + hex(address) + " in the memory image " + file());
    }
    int i = find(address);
    if (i >= 0 && Long.compareUnsigned(lasts[i] - address, 7) >= 0) {
      return wordIn(i, address - starts[i]);
    }
    if (!contains(address, 8)) {
      throw new PhysicalAccessException(
          "read at " + hex(address) + " is outside the memory image " + file() + " (" + extent() + ")");
    }
    long word = 0;
    for (int b = 0; b < 8; b++) {
      word |= (byteAt(address + b) & 0xFFL) << (8 * b);
    }
    return word;
  }

  /** Always throws: an image is evidence, and the walker must not change it. */
  @Override
  public void write(long address, long value) {
    throw new PhysicalAccessException(
        "write at " + hex(address) + " refused: the memory image " + file() + " is read-only");
  }

  /**
   * True when every byte of {@code [address, address + length)} is in a segment, across adjacent
   * segments too; computed without {@code address + length}, so a range that would wrap around
   * 2^64 is refused. An empty range is contained where a segment has a byte or ends.
   */
  @Override
  public boolean contains(long address, long length) {
    int i = find(address);
    if (length == 0) {
      return i >= 0 || (address != 0 && find(address - 1) >= 0);
    }
    if (i < 0) {
      return false;
    }
    long remaining = length;
    long at = address;
    while (true) {
      long available = lasts[i] - at + 1; // 0 only for a segment ending at 2^64 - 1 read from 0: impossible
      if (Long.compareUnsigned(remaining, available) <= 0) {
        return true;
      }
      remaining -= available;
      if (i + 1 == starts.length || lasts[i] == -1L || starts[i + 1] != lasts[i] + 1) {
        return false;
      }
      at = starts[++i];
    }
  }

  @Override
  public void read(long address, long[] into, int offset, int count) {
    Objects.checkFromIndexSize(offset, count, Objects.requireNonNull(into, "into").length);
    PhysicalMemory.checkRun(this, "read", address, count);
    int i = inOneFilePart(address, count);
    if (i >= 0) {
      bytes.words(fileOffsets[i] + (address - starts[i]), into, offset, count);
      return;
    }
    for (int k = 0; k < count; k++) {
      into[offset + k] = read(address + 8L * k);
    }
  }

  @Override
  public int firstNonZero(long address, int count) {
    PhysicalMemory.checkRun(this, "scan", address, count);
    int i = inOneFilePart(address, count);
    if (i >= 0) {
      return bytes.firstNonZero(fileOffsets[i] + (address - starts[i]), count);
    }
    for (int k = 0; k < count; k++) {
      if (read(address + 8L * k) != 0) {
        return k;
      }
    }
    return -1;
  }

  /** Always throws, after checking the run: an image is read-only. */
  @Override
  public void zero(long address, int count) {
    PhysicalMemory.checkRun(this, "zero", address, count);
    throw new PhysicalAccessException("zero of " + count + " words at " + hex(address)
        + " refused: the memory image " + file() + " is read-only");
  }

  /** Closes the file; later reads throw {@link IllegalStateException}. Closing twice does nothing. */
  @Override
  public void close() throws IOException {
    bytes.close();
  }

  @Override
  public String toString() {
    return kind.displayName() + " memory image " + file() + " (" + extent() + ")";
  }

  /**
   * The segment holding {@code address}, or -1. Tries the last one found first; otherwise a binary
   * search for the last segment starting at or below the address, in unsigned order.
   */
  private int find(long address) {
    int h = hint;
    if (h < starts.length && Long.compareUnsigned(address - starts[h], lasts[h] - starts[h]) <= 0) {
      return h;
    }
    int found = UnsignedArrays.upperBound(starts, address) - 1;
    if (found >= 0 && Long.compareUnsigned(address, lasts[found]) <= 0) {
      hint = found;
      return found;
    }
    return -1;
  }

  /** The segment whose file part holds all {@code count} words from {@code address}, or -1. */
  private int inOneFilePart(long address, int count) {
    int i = find(address);
    if (i < 0 || count == 0) {
      return -1;
    }
    long offset = address - starts[i];
    return Long.compareUnsigned(8L * count, fileLengths[i]) <= 0 && offset <= fileLengths[i] - 8L * count ? i : -1;
  }

  private long wordIn(int segment, long offset) {
    long inFile = fileLengths[segment];
    if (offset <= inFile - 8) {
      return bytes.word(fileOffsets[segment] + offset);
    }
    if (offset >= inFile) {
      return 0;
    }
    long word = 0;
    for (long b = offset; b < inFile; b++) {
      word |= (bytes.get(fileOffsets[segment] + b) & 0xFFL) << (8 * (b - offset));
    }
    return word;
  }

  private byte byteAt(long address) {
    int i = find(address);
    long offset = address - starts[i];
    return offset < fileLengths[i] ? bytes.get(fileOffsets[i] + offset) : 0;
  }
}
