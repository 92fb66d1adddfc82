package dev.paging.tests;

import dev.paging.api.PhysicalMemory;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes through to another memory and counts the reads of every word, so a test can
 * say which tables an operation read and how many times it read each entry.
 */
final class CountingMemory implements PhysicalMemory {
  private final PhysicalMemory memory;
  private final Map<Long, Integer> readsByWord = new HashMap<>();

  CountingMemory(PhysicalMemory memory) {
    this.memory = memory;
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

  /** Reads of each 4 KiB frame that was read at all, by frame address. */
  Map<Long, Integer> readsByFrame() {
    Map<Long, Integer> byFrame = new TreeMap<>(Long::compareUnsigned);
    readsByWord.forEach((address, n) -> byFrame.merge(address & ~0xfffL, n, Integer::sum));
    return byFrame;
  }

  /** How many times the word at {@code address} was read. */
  int readsOf(long address) {
    return readsByWord.getOrDefault(address, 0);
  }

  /** The largest number of reads of any single word inside {@code frame}. */
  int mostReadsOfOneWord(long frame) {
    int most = 0;
    for (int i = 0; i < 512; i++) {
      most = Math.max(most, readsOf(frame + 8L * i));
    }
    return most;
  }

  void reset() {
    readsByWord.clear();
  }
}
