package dev.paging.testkit;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.PhysicalAccessException;
import dev.paging.api.PhysicalMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Checks that a {@link PhysicalMemory}'s table-at-a-time calls agree with its word-at-a-time
 * ones, for implementers who override them to go fast: a run read is the words read one by one,
 * a scan stops at the first non-zero word, a zeroed run reads back zero and touches nothing
 * else, a frame that tracks its zero words notices every write, and a bad run throws before it
 * changes anything.
 *
 * <p>The check writes: it fills the region it is given with patterns, so give it memory whose
 * contents do not matter. The region must be at least three 4 KiB frames and start on a frame.
 */
public final class MemoryContract {
  private static final int WORDS = 512;

  private MemoryContract() {}

  /**
   * Runs every check on {@code [base, base + bytes)} of {@code memory}.
   *
   * @throws AssertionError naming the first run on which the memory disagrees with itself
   * @throws IllegalArgumentException if the region is smaller than three frames, does not start
   *     on a frame, or is not inside the memory
   */
  public static void check(PhysicalMemory memory, long base, long bytes) {
    Objects.requireNonNull(memory, "memory");
    if ((base & 0xfff) != 0 || bytes < 3 * 4096L || (bytes & 7) != 0 || !memory.contains(base, bytes)) {
      throw new IllegalArgumentException("the region of " + hex(bytes) + " bytes at " + hex(base)
          + " must start on a frame, span at least three frames and lie inside " + memory);
    }
    new MemoryContract.Run(memory, base, (int) Math.min(bytes >>> 3, 4 * WORDS)).all();
  }

  /** One check of one memory over a region of {@code words} words. */
  private static final class Run {
    final PhysicalMemory memory;
    final long base;
    final int words;

    Run(PhysicalMemory memory, long base, int words) {
      this.memory = memory;
      this.base = base;
      this.words = words;
    }

    void all() {
      pattern();
      long[] expected = singleWords();
      for (int[] run : runs()) {
        readsAgree(expected, run[0], run[1]);
        scanAgrees(expected, run[0], run[1]);
      }
      zeroing();
      trackingFollowsWrites();
      badRuns();
    }

    /** Frame 0 empty, frame 1 one word near its end, frame 2 dense with gaps, the rest random. */
    private void pattern() {
      SplittableRandom random = new SplittableRandom(0x5eed);
      for (int i = 0; i < words; i++) {
        long value;
        if (i < WORDS) {
          value = 0;
        } else if (i < 2 * WORDS) {
          value = i == WORDS + 300 ? 0x8000_0000_0000_0001L : 0;
        } else if (i < 3 * WORDS) {
          value = i % 7 == 0 ? 0 : random.nextLong() | 1;
        } else {
          value = random.nextInt(4) == 0 ? random.nextLong() : 0;
        }
        memory.write(address(i), value);
      }
    }

    private long[] singleWords() {
      long[] values = new long[words];
      for (int i = 0; i < words; i++) {
        values[i] = memory.read(address(i));
      }
      return values;
    }

    /** Runs that start and end inside frames, on their edges and across them, and empty ones. */
    private List<int[]> runs() {
      List<int[]> runs = new ArrayList<>();
      int[] starts = {0, 1, 300, WORDS - 1, WORDS, WORDS + 299, WORDS + 300, WORDS + 301, 2 * WORDS - 3, 2 * WORDS};
      int[] counts = {0, 1, 2, 211, WORDS - 1, WORDS, WORDS + 1, 2 * WORDS};
      for (int start : starts) {
        for (int count : counts) {
          if (start + count <= words) {
            runs.add(new int[] {start, count});
          }
        }
      }
      runs.add(new int[] {0, words});
      return runs;
    }

    private void readsAgree(long[] expected, int start, int count) {
      long[] into = new long[count + 2];
      into[0] = 0x5a5a;
      into[count + 1] = 0xa5a5;
      memory.read(address(start), into, 1, count);
      for (int i = 0; i < count; i++) {
        if (into[1 + i] != expected[start + i]) {
          throw fail("read of " + count + " words at " + hex(address(start)) + " gave " + hex(into[1 + i])
              + " for the word at " + hex(address(start + i)) + ", which reads " + hex(expected[start + i]));
        }
      }
      if (into[0] != 0x5a5a || into[count + 1] != 0xa5a5) {
        throw fail("read of " + count + " words at " + hex(address(start)) + " wrote outside its place in the array");
      }
    }

    private void scanAgrees(long[] expected, int start, int count) {
      int want = -1;
      for (int i = 0; i < count; i++) {
        if (expected[start + i] != 0) {
          want = i;
          break;
        }
      }
      int got = memory.firstNonZero(address(start), count);
      if (got != want) {
        throw fail("firstNonZero of " + count + " words at " + hex(address(start)) + " gave " + got
            + " where reading word by word finds " + want);
      }
      if (memory.isZero(address(start), count) != (want < 0)) {
        throw fail("isZero of " + count + " words at " + hex(address(start)) + " disagrees with firstNonZero");
      }
    }

    private void zeroing() {
      pattern();
      long[] before = singleWords();
      int start = 2 * WORDS + 5;
      int count = WORDS - 10;
      memory.zero(address(start), count);
      for (int i = 0; i < words; i++) {
        long want = i >= start && i < start + count ? 0 : before[i];
        long got = memory.read(address(i));
        if (got != want) {
          throw fail("after zero of " + count + " words at " + hex(address(start)) + " the word at "
              + hex(address(i)) + " reads " + hex(got) + ", not " + hex(want));
        }
      }
      memory.zero(address(2 * WORDS), WORDS);
      if (memory.firstNonZero(address(2 * WORDS), WORDS) != -1) {
        throw fail("the frame at " + hex(address(2 * WORDS)) + " was zeroed whole but a scan finds a word in it");
      }
    }

    /** A memory that knows its zero frames must notice each write that makes one non-zero and zero again. */
    private void trackingFollowsWrites() {
      long frame = address(0);
      memory.zero(frame, WORDS);
      for (int i : new int[] {0, 17, WORDS - 1}) {
        memory.write(frame + 8L * i, 0x1000);
        int got = memory.firstNonZero(frame, WORDS);
        if (got != i) {
          throw fail("after writing the word at " + hex(frame + 8L * i) + " of a zero frame, a scan of the frame gives "
              + got + ", not " + i);
        }
        memory.write(frame + 8L * i, 0);
        if (!memory.isZero(frame, WORDS)) {
          throw fail("after writing the word at " + hex(frame + 8L * i) + " back to zero, the frame is not zero");
        }
      }
    }

    private void badRuns() {
      pattern();
      long[] before = singleWords();
      long[] into = new long[2 * WORDS];
      expectRefused("an unaligned read", () -> memory.read(address(1) + 4, into, 0, 2));
      expectRefused("an unaligned scan", () -> memory.firstNonZero(address(1) + 4, 2));
      expectRefused("an unaligned zero", () -> memory.zero(address(1) + 4, 2));
      long end = address(words);
      if (!memory.contains(end, 8)) {
        expectRefused("a read past the end", () -> memory.read(end - 8, into, 0, 2));
        expectRefused("a scan past the end", () -> memory.firstNonZero(end - 8, 2));
        expectRefused("a zero past the end", () -> memory.zero(end - 8, 2));
      }
      if (Long.compareUnsigned(base, 8) >= 0 && !memory.contains(base - 8, 8)) {
        expectRefused("a zero from before the start", () -> memory.zero(base - 8, 2));
      }
      expectIllegal("a scan of a negative count", () -> memory.firstNonZero(base, -1));
      expectIllegal("a zero of a negative count", () -> memory.zero(base, -1));
      long[] after = singleWords();
      for (int i = 0; i < words; i++) {
        if (after[i] != before[i]) {
          throw fail("a refused run changed the word at " + hex(address(i)) + " from " + hex(before[i]) + " to "
              + hex(after[i]));
        }
      }
    }

    private void expectRefused(String what, Runnable run) {
      try {
        run.run();
      } catch (PhysicalAccessException expected) {
        return;
      }
      throw fail(what + " was not refused with a PhysicalAccessException");
    }

    private void expectIllegal(String what, Runnable run) {
      try {
        run.run();
      } catch (IllegalArgumentException expected) {
        return;
      }
      throw fail(what + " was not refused with an IllegalArgumentException");
    }

    private long address(int word) {
      return base + 8L * word;
    }

    private AssertionError fail(String message) {
      return new AssertionError(memory + ": " + message);
    }
  }
}
