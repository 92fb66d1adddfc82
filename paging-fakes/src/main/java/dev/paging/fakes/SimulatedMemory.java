package dev.paging.fakes;

import dev.paging.api.Addresses;
import dev.paging.api.PhysicalAccessException;
import dev.paging.api.PhysicalMemory;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Sparse physical memory held in the JVM heap, so tests and benchmarks can build page tables
 * anywhere in a large physical address space without paying for the untouched part.
 *
 * <p>Memory is a radix tree of 4 KiB frames ({@code long[512]}) under two directory levels of
 * 2048 entries each and a top array sized to the memory: an access is a handful of array loads,
 * with no hashing and no boxing, cheap enough for the JMH benchmarks. A frame is allocated on the
 * first write of a non-zero word to it; reading a frame never written, or writing zero to it,
 * allocates nothing, so {@link #backedFrames()} measures exactly what the code under test
 * touched.
 *
 * <p><b>Zero frames known.</b> Each frame keeps, beside its words, how many of them are non-zero,
 * maintained on every write (the forum thread's {@code ent_num}, kept at the one layer that sees
 * every write). So {@link #firstNonZero} and {@link #isZero} answer for an all-zero frame without
 * reading it, and the table-at-a-time calls resolve a frame once per table, not once per word.
 *
 * <p>{@link #read} and {@link #write} count successful accesses in plain fields so that a test can
 * assert how many words an operation touched, runs counting as the words they stand for (see
 * {@link PhysicalMemory}); {@link #wordsExamined()} counts what the memory actually had to look
 * at, which zero tracking saves. The image helpers ({@link #fill}, {@link
 * #writeBytes}, {@link #readBytes}, {@link #snapshot}) do not count, because they set up or
 * inspect a scenario rather than take part in it. Not thread-safe: each test or benchmark thread
 * owns its memory.
 */
public final class SimulatedMemory implements PhysicalMemory {
  /**
   * The largest memory one can create: 2^56 bytes, the widest physical address among the
   * supported formats (RISC-V's 44-bit page numbers). The top array costs 4 to 8 bytes per 16 GiB
   * of size, so even this size is affordable.
   */
  public static final long MAX_SIZE = 1L << 56;

  private static final int FRAME_SHIFT = 12;
  private static final int WORD_MASK = 511;
  private static final int WORDS = 512;
  /** Where a frame's array keeps the number of its non-zero words, after the words. */
  private static final int NON_ZERO = WORDS;
  private static final int DIR_BITS = 11;
  private static final int DIR_SIZE = 1 << DIR_BITS;
  private static final int DIR_MASK = DIR_SIZE - 1;
  private static final long FRAMES_PER_LEAF_DIR = DIR_SIZE;
  private static final long FRAMES_PER_MID_DIR = (long) DIR_SIZE * DIR_SIZE;

  private final long size;
  // top[f >>> 22][(f >>> 11) & 2047][f & 2047][word]: f is the frame number.
  private final long[][][][] top;
  private long reads;
  private long writes;
  private long examined;
  /** The last frame found and its number; -1 matches no frame. */
  private long cachedNumber = -1;
  private long @Nullable [] cachedFrame;
  private long backedFrames;

  private SimulatedMemory(long size) {
    this.size = size;
    long frames = size >>> FRAME_SHIFT;
    this.top = new long[(int) ((frames + FRAMES_PER_MID_DIR - 1) / FRAMES_PER_MID_DIR)][][][];
  }

  /**
   * Memory of {@code bytes} bytes, all zero, at physical addresses {@code [0, bytes)}.
   *
   * @throws IllegalArgumentException unless {@code bytes} is a positive multiple of 4 KiB no
   *     larger than {@link #MAX_SIZE}
   */
  public static SimulatedMemory ofSize(long bytes) {
    if (bytes <= 0 || bytes > MAX_SIZE || !Addresses.isAligned(bytes, Addresses.FRAME_SIZE)) {
      throw new IllegalArgumentException(
          "memory size "
              + Addresses.hex(bytes)
              + " is not a positive multiple of 4 KiB up to "
              + Addresses.hex(MAX_SIZE));
    }
    return new SimulatedMemory(bytes);
  }

  /** The size in bytes; addresses {@code [0, size())} are backed. */
  public long size() {
    return size;
  }

  @Override
  public long read(long address) {
    if (Long.compareUnsigned(address, size) >= 0 | (address & 7) != 0) {
      throw accessError("read", address);
    }
    reads++;
    examined++;
    long frameNumber = address >>> FRAME_SHIFT;
    long[] frame = frameNumber == cachedNumber ? cachedFrame : lookup(frameNumber);
    return frame == null ? 0 : frame[(int) (address >>> 3) & WORD_MASK];
  }

  @Override
  public void write(long address, long value) {
    if (Long.compareUnsigned(address, size) >= 0 | (address & 7) != 0) {
      throw accessError("write", address);
    }
    writes++;
    store(address, value);
  }

  @Override
  public void read(long address, long[] into, int offset, int count) {
    Objects.requireNonNull(into, "into");
    Objects.checkFromIndexSize(offset, count, into.length);
    checkRun("read", address, count);
    reads += count;
    examined += count;
    long current = address;
    int done = 0;
    while (done < count) {
      int w = wordIndex(current);
      int n = Math.min(WORDS - w, count - done);
      long[] frame = lookup(current >>> FRAME_SHIFT);
      if (frame == null) {
        Arrays.fill(into, offset + done, offset + done + n, 0L);
      } else {
        System.arraycopy(frame, w, into, offset + done, n);
      }
      done += n;
      current += 8L * n;
    }
  }

  @Override
  public int firstNonZero(long address, int count) {
    checkRun("scan", address, count);
    long current = address;
    int done = 0;
    while (done < count) {
      int w = wordIndex(current);
      int n = Math.min(WORDS - w, count - done);
      long[] frame = lookup(current >>> FRAME_SHIFT);
      if (frame != null && frame[NON_ZERO] != 0) {
        for (int k = 0; k < n; k++) {
          if (frame[w + k] != 0) {
            examined += k + 1;
            reads += done + k;
            return done + k;
          }
        }
        examined += n;
      }
      done += n;
      current += 8L * n;
    }
    reads += count;
    return -1;
  }

  @Override
  public void zero(long address, int count) {
    checkRun("zero", address, count);
    writes += count;
    long current = address;
    int done = 0;
    while (done < count) {
      int w = wordIndex(current);
      int n = Math.min(WORDS - w, count - done);
      long[] frame = lookup(current >>> FRAME_SHIFT);
      if (frame != null && frame[NON_ZERO] != 0) {
        if (n == WORDS) {
          Arrays.fill(frame, 0, WORDS, 0L);
          frame[NON_ZERO] = 0;
        } else {
          for (int k = w; k < w + n; k++) {
            if (frame[k] != 0) {
              frame[k] = 0;
              frame[NON_ZERO]--;
            }
          }
        }
      }
      done += n;
      current += 8L * n;
    }
  }

  /**
   * True when {@code [address, address + length)} lies inside {@code [0, size())}. Both values
   * are unsigned, and the test never computes {@code address + length}, so an address near 2^64
   * with a length that would wrap around is correctly refused. An empty range is contained when
   * it starts inside the memory or exactly at its end.
   */
  @Override
  public boolean contains(long address, long length) {
    return Long.compareUnsigned(address, size) <= 0
        && Long.compareUnsigned(length, size - address) <= 0;
  }

  /** Successful {@link #read} calls since creation or the last {@link #resetCounters()}. */
  public long reads() {
    return reads;
  }

  /** Successful {@link #write} calls since creation or the last {@link #resetCounters()}. */
  public long writes() {
    return writes;
  }

  /**
   * Words this memory actually looked at to answer reads and scans since creation or the last
   * {@link #resetCounters()}: like {@link #reads()}, except that a scan passes over a frame it
   * knows is all zero (or that was never written) without looking at it. The difference is what
   * zero tracking saves, deterministically.
   */
  public long wordsExamined() {
    return examined;
  }

  /** Zeroes the access counters, typically after setting up a scenario and before the step measured. */
  public void resetCounters() {
    reads = 0;
    writes = 0;
    examined = 0;
  }

  /**
   * Frames that have storage: those that ever received a non-zero word. Tells a test whether an
   * operation wrote where it should not have, even if it wrote the word back to zero later.
   */
  public long backedFrames() {
    return backedFrames;
  }

  /** Frames that now hold at least one non-zero word; scans every backed frame. */
  public long nonZeroFrames() {
    long count = 0;
    for (long[][][] mid : top) {
      if (mid == null) {
        continue;
      }
      for (long[][] leafDir : mid) {
        if (leafDir == null) {
          continue;
        }
        for (long[] frame : leafDir) {
          if (frame != null && frame[NON_ZERO] != 0) {
            count++;
          }
        }
      }
    }
    return count;
  }

  /**
   * The current contents as an immutable value, so a test can assert that an operation which
   * failed left memory bit-for-bit as it was.
   */
  public MemorySnapshot snapshot() {
    long[] addresses = new long[64];
    long[] values = new long[64];
    int count = 0;
    for (int t = 0; t < top.length; t++) {
      long[][][] mid = top[t];
      if (mid == null) {
        continue;
      }
      for (int m = 0; m < DIR_SIZE; m++) {
        long[][] leafDir = mid[m];
        if (leafDir == null) {
          continue;
        }
        for (int l = 0; l < DIR_SIZE; l++) {
          long[] frame = leafDir[l];
          if (frame == null) {
            continue;
          }
          long frameAddress =
              (((long) t << (2 * DIR_BITS)) | ((long) m << DIR_BITS) | l) << FRAME_SHIFT;
          for (int w = 0; w <= WORD_MASK; w++) {
            if (frame[w] != 0) {
              if (count == addresses.length) {
                addresses = Arrays.copyOf(addresses, count * 2);
                values = Arrays.copyOf(values, count * 2);
              }
              addresses[count] = frameAddress + 8L * w;
              values[count] = frame[w];
              count++;
            }
          }
        }
      }
    }
    return new MemorySnapshot(Arrays.copyOf(addresses, count), Arrays.copyOf(values, count));
  }

  /**
   * A view of this memory that refuses writes, for code that must only read tables (walkers,
   * dumps, audits): a stray write fails the test at the write instead of corrupting the scenario.
   * Reads go through to this memory and count here.
   */
  public PhysicalMemory readOnlyView() {
    return new ReadOnlyView();
  }

  /**
   * Sets every word of {@code [address, address + length)} to {@code word}, without counting
   * writes. Filling with zero allocates no frame.
   *
   * @throws IllegalArgumentException if {@code address} is not 8-byte aligned or {@code length}
   *     is not a multiple of 8
   * @throws PhysicalAccessException if the range is not inside this memory
   */
  public void fill(long address, long length, long word) {
    if ((address & 7) != 0 || (length & 7) != 0) {
      throw new IllegalArgumentException(
          "fill of "
              + Addresses.hex(length)
              + " bytes at "
              + Addresses.hex(address)
              + " is not whole aligned words");
    }
    checkRange("fill", address, length);
    long end = address + length;
    long current = address;
    while (current < end) {
      long frameNumber = current >>> FRAME_SHIFT;
      long frameEnd = Math.min(end, (frameNumber + 1) << FRAME_SHIFT);
      if (word == 0) {
        long[][][] mid = top[(int) (frameNumber >>> (2 * DIR_BITS))];
        if (mid == null) {
          current = Math.min(end, nextBoundary(frameNumber, FRAMES_PER_MID_DIR));
          continue;
        }
        long[][] leafDir = mid[(int) (frameNumber >>> DIR_BITS) & DIR_MASK];
        if (leafDir == null) {
          current = Math.min(end, nextBoundary(frameNumber, FRAMES_PER_LEAF_DIR));
          continue;
        }
        long[] frame = leafDir[(int) frameNumber & DIR_MASK];
        if (frame != null) {
          Arrays.fill(frame, wordIndex(current), wordIndex(frameEnd - 8) + 1, 0L);
          recount(frame);
        }
      } else {
        long[] frame = frameForWrite(frameNumber);
        Arrays.fill(frame, wordIndex(current), wordIndex(frameEnd - 8) + 1, word);
        recount(frame);
      }
      current = frameEnd;
    }
  }

  /**
   * Copies {@code bytes} into memory at {@code address}, little-endian, at any byte alignment:
   * the way to load a memory image or a hand-written table, without counting writes.
   *
   * @throws PhysicalAccessException if the bytes do not fit inside this memory
   */
  public void writeBytes(long address, byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    checkRange("writeBytes", address, bytes.length);
    long current = address;
    int index = 0;
    while (index < bytes.length) {
      long wordAddress = current & ~7L;
      int offset = (int) (current & 7);
      int count = Math.min(8 - offset, bytes.length - index);
      long word = load(wordAddress);
      for (int b = 0; b < count; b++) {
        int shift = (offset + b) * 8;
        word = (word & ~(0xFFL << shift)) | ((bytes[index + b] & 0xFFL) << shift);
      }
      store(wordAddress, word);
      index += count;
      current += count;
    }
  }

  /**
   * The {@code length} bytes at {@code address}, little-endian, at any byte alignment, without
   * counting reads.
   *
   * @throws IllegalArgumentException if {@code length} is negative
   * @throws PhysicalAccessException if the bytes are not inside this memory
   */
  public byte[] readBytes(long address, int length) {
    if (length < 0) {
      throw new IllegalArgumentException("negative length " + length);
    }
    checkRange("readBytes", address, length);
    byte[] bytes = new byte[length];
    long current = address;
    int index = 0;
    while (index < length) {
      long wordAddress = current & ~7L;
      int offset = (int) (current & 7);
      int count = Math.min(8 - offset, length - index);
      long word = load(wordAddress);
      for (int b = 0; b < count; b++) {
        bytes[index + b] = (byte) (word >>> ((offset + b) * 8));
      }
      index += count;
      current += count;
    }
    return bytes;
  }

  @Override
  public String toString() {
    return "SimulatedMemory[size=" + Addresses.hex(size) + ", backedFrames=" + backedFrames + "]";
  }

  private long load(long address) {
    long frameNumber = address >>> FRAME_SHIFT;
    long[][][] mid = top[(int) (frameNumber >>> (2 * DIR_BITS))];
    if (mid == null) {
      return 0;
    }
    long[][] leafDir = mid[(int) (frameNumber >>> DIR_BITS) & DIR_MASK];
    if (leafDir == null) {
      return 0;
    }
    long[] frame = leafDir[(int) frameNumber & DIR_MASK];
    return frame == null ? 0 : frame[wordIndex(address)];
  }

  private void store(long address, long value) {
    long frameNumber = address >>> FRAME_SHIFT;
    long[] frame = frameNumber == cachedNumber ? cachedFrame : lookup(frameNumber);
    if (frame != null) {
      int w = wordIndex(address);
      long old = frame[w];
      frame[w] = value;
      frame[NON_ZERO] += (value != 0 ? 1 : 0) - (old != 0 ? 1 : 0);
    } else if (value != 0) {
      frame = frameForWrite(frameNumber);
      frame[wordIndex(address)] = value;
      frame[NON_ZERO] = 1;
    }
  }

  /**
   * The frame {@code frameNumber}, remembered when it exists: accesses within one table then
   * resolve it once. A frame, once made, is never dropped, so what is remembered never goes
   * stale.
   */
  private long @Nullable [] lookup(long frameNumber) {
    long[] frame = frameOrNull(frameNumber);
    if (frame != null) {
      cachedNumber = frameNumber;
      cachedFrame = frame;
    }
    return frame;
  }

  private long @Nullable [] frameOrNull(long frameNumber) {
    long[][][] mid = top[(int) (frameNumber >>> (2 * DIR_BITS))];
    if (mid == null) {
      return null;
    }
    long[][] leafDir = mid[(int) (frameNumber >>> DIR_BITS) & DIR_MASK];
    return leafDir == null ? null : leafDir[(int) frameNumber & DIR_MASK];
  }

  private static void recount(long[] frame) {
    long n = 0;
    for (int w = 0; w < WORDS; w++) {
      if (frame[w] != 0) {
        n++;
      }
    }
    frame[NON_ZERO] = n;
  }

  private long[] frameForWrite(long frameNumber) {
    int t = (int) (frameNumber >>> (2 * DIR_BITS));
    long[][][] mid = top[t];
    if (mid == null) {
      mid = new long[DIR_SIZE][][];
      top[t] = mid;
    }
    int m = (int) (frameNumber >>> DIR_BITS) & DIR_MASK;
    long[][] leafDir = mid[m];
    if (leafDir == null) {
      leafDir = new long[DIR_SIZE][];
      mid[m] = leafDir;
    }
    int l = (int) frameNumber & DIR_MASK;
    long[] frame = leafDir[l];
    if (frame == null) {
      frame = new long[WORDS + 1];
      leafDir[l] = frame;
      backedFrames++;
    }
    return frame;
  }

  private static int wordIndex(long address) {
    return (int) (address >>> 3) & WORD_MASK;
  }

  private static long nextBoundary(long frameNumber, long framesPerDir) {
    return (frameNumber / framesPerDir + 1) * framesPerDir << FRAME_SHIFT;
  }

  private void checkRange(String what, long address, long length) {
    if (!contains(address, length)) {
      throw new PhysicalAccessException(
          what
              + " of "
              + Addresses.hex(length)
              + " bytes at "
              + Addresses.hex(address)
              + " is outside simulated memory of "
              + Addresses.hex(size)
              + " bytes");
    }
  }

  private void checkRun(String what, long address, int count) {
    if (count < 0) {
      throw new IllegalArgumentException(what + " of " + count + " words at " + Addresses.hex(address));
    }
    if ((address & 7) != 0) {
      throw accessError(what, address);
    }
    checkRange(what, address, 8L * count);
  }

  private PhysicalAccessException accessError(String what, long address) {
    if (Long.compareUnsigned(address, size) >= 0) {
      return new PhysicalAccessException(
          what
              + " at "
              + Addresses.hex(address)
              + " is outside simulated memory of "
              + Addresses.hex(size)
              + " bytes");
    }
    return new PhysicalAccessException(
        "unaligned "
            + what
            + " at "
            + Addresses.hex(address)
            + " in simulated memory of "
            + Addresses.hex(size)
            + " bytes");
  }

  /** Reads through to the enclosing memory; writes fail. */
  private final class ReadOnlyView implements PhysicalMemory {
    @Override
    public long read(long address) {
      return SimulatedMemory.this.read(address);
    }

    @Override
    public void write(long address, long value) {
      throw new PhysicalAccessException(
          "write at "
              + Addresses.hex(address)
              + " to a read-only view of simulated memory of "
              + Addresses.hex(size)
              + " bytes");
    }

    @Override
    public boolean contains(long address, long length) {
      return SimulatedMemory.this.contains(address, length);
    }

    @Override
    public void read(long address, long[] into, int offset, int count) {
      Objects.requireNonNull(into, "into");
      SimulatedMemory.this.read(address, into, offset, count);
    }

    @Override
    public int firstNonZero(long address, int count) {
      return SimulatedMemory.this.firstNonZero(address, count);
    }

    @Override
    public void zero(long address, int count) {
      throw new PhysicalAccessException(
          "zero of " + count + " words at " + Addresses.hex(address)
              + " in a read-only view of simulated memory of " + Addresses.hex(size) + " bytes");
    }

    @Override
    public String toString() {
      return "read-only " + SimulatedMemory.this;
    }
  }
}
