package dev.paging.fakes;

import dev.paging.api.PhysicalMemory;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Passes every access through to another memory and counts the reads of each 64-bit word, so a
 * test can say which tables an operation read and how often it read each entry ("each entry of
 * the range read once", "the shared table never read"). {@link SimulatedMemory#reads()} counts
 * the total; this memory says where the reads went.
 *
 * <p>Counts are exact and deterministic, which is what cost tests assert instead of time. Runs
 * pass through to the memory below and count as the words they stand for (see {@link
 * PhysicalMemory}). Not thread-safe.
 */
public final class CountingMemory implements PhysicalMemory {
  private final PhysicalMemory memory;
  private final Map<Long, Integer> readsByWord = new HashMap<>();

  private CountingMemory(PhysicalMemory memory) {
    this.memory = memory;
  }

  /** A counting view of {@code memory}; writes pass through uncounted. */
  public static CountingMemory over(PhysicalMemory memory) {
    return new CountingMemory(Objects.requireNonNull(memory, "memory"));
  }

  @Override
  public long read(long address) {
    long value = memory.read(address);
    readsByWord.merge(address, 1, Integer::sum);
    return value;
  }

  @Override
  public void write(long address, long value) {
    memory.write(address, value);
  }

  @Override
  public boolean contains(long address, long length) {
    return memory.contains(address, length);
  }

  /** Passes the run through whole, so the memory below answers it its own way; counts each word. */
  @Override
  public void read(long address, long[] into, int offset, int count) {
    memory.read(address, into, offset, count);
    for (int i = 0; i < count; i++) {
      readsByWord.merge(address + 8L * i, 1, Integer::sum);
    }
  }

  /** Counts the zero words passed over, not the word found, which the caller reads next. */
  @Override
  public int firstNonZero(long address, int count) {
    int found = memory.firstNonZero(address, count);
    int passed = found < 0 ? count : found;
    for (int i = 0; i < passed; i++) {
      readsByWord.merge(address + 8L * i, 1, Integer::sum);
    }
    return found;
  }

  @Override
  public void zero(long address, int count) {
    memory.zero(address, count);
  }

  /**
   * Reads of each 4 KiB frame that was read at all, keyed by frame address in unsigned order: a
   * frame absent from the map was never read.
   */
  public Map<Long, Integer> readsByFrame() {
    Map<Long, Integer> byFrame = new TreeMap<>(Long::compareUnsigned);
    readsByWord.forEach((address, n) -> byFrame.merge(address & ~0xfffL, n, Integer::sum));
    return byFrame;
  }

  /** How many times the word at {@code address} was read since creation or the last reset. */
  public int readsOf(long address) {
    return readsByWord.getOrDefault(address, 0);
  }

  /** The most reads of any single word of the 4 KiB frame at {@code frame}. */
  public int mostReadsOfOneWord(long frame) {
    int most = 0;
    for (int i = 0; i < 512; i++) {
      most = Math.max(most, readsOf(frame + 8L * i));
    }
    return most;
  }

  /** The reads of every word, summed. */
  public long reads() {
    long total = 0;
    for (int n : readsByWord.values()) {
      total += n;
    }
    return total;
  }

  /** Forgets every count, so the next operation is counted alone. */
  public void reset() {
    readsByWord.clear();
  }
}
