package dev.paging.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.PhysicalAccessException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads over a physical map with every awkward seam: adjacent segments with a word across the
 * seam, a file part that ends inside a word, a segment at an odd file offset, a gap, and mapped
 * chunks smaller than a word. Every single word and every run must equal what the bytes say,
 * computed here byte by byte from the file.
 */
class SegmentedReadsTest {
  @TempDir
  Path dir;

  // Physical map: [0, 0x1000) | [0x1000, 0x2ffc) file part 0x804 | [0x2ffc, 0x4000) at file 0x2803 | gap | [0x8000, 0x9000)
  private static final long[][] LOADS = {
      {0, 0x1000, 0x1000, 0x1000},
      {0x1000, 0x2000, 0x804, 0x1ffc},
      {0x2ffc, 0x2803, 0x1004, 0x1004},
      {0x8000, 0x3808, 0x1000, 0x1000},
  };

  private byte[] bytes;

  private Path image() throws IOException {
    CoreFile core = new CoreFile(0x4808);
    for (long[] l : LOADS) {
      core.load(l[0], l[1], l[2], l[3]);
    }
    core.assemble();
    byte[] all = core.array();
    SplittableRandom random = new SplittableRandom(99);
    for (int i = 0x1000; i < all.length; i++) {
      // Some zero runs, so that scans have something to find and something to skip.
      all[i] = (i & 0x300) == 0 ? 0 : (byte) random.nextInt(256);
    }
    bytes = all;
    return Files.write(dir.resolve("seams.elf"), all);
  }

  /** The byte at physical {@code address} by the ELF rules, or -1 outside every segment. */
  private int byteAt(long address) {
    for (long[] l : LOADS) {
      long off = address - l[0];
      if (off >= 0 && off < l[3]) {
        return off < l[2] ? bytes[(int) (l[1] + off)] & 0xff : 0;
      }
    }
    return -1;
  }

  private Long wordAt(long address) {
    long word = 0;
    for (int b = 0; b < 8; b++) {
      int v = byteAt(address + b);
      if (v < 0) {
        return null;
      }
      word |= (long) v << (8 * b);
    }
    return word;
  }

  @Test
  void everyWordAndEveryRunIsWhatTheBytesSayWhateverTheChunkSize() throws IOException {
    Path file = image();
    for (int chunk : new int[] {8, 12, 4096, 4100, FileBytes.DEFAULT_CHUNK_SIZE}) {
      try (MemoryImage m = MemoryImage.open(file, null, 0, chunk)) {
        for (long a = 0; a < 0xa000; a += 8) {
          Long expected = wordAt(a);
          long at = a;
          if (expected == null) {
            assertThat(m.contains(a, 8)).as("chunk %d, 0x%x", chunk, a).isFalse();
            assertThatThrownBy(() -> m.read(at)).isInstanceOf(PhysicalAccessException.class);
          } else {
            assertThat(m.contains(a, 8)).as("chunk %d, 0x%x", chunk, a).isTrue();
            assertThat(m.read(a)).as("chunk %d, 0x%x", chunk, a).isEqualTo(expected);
          }
        }
        SplittableRandom random = new SplittableRandom(chunk);
        for (int i = 0; i < 400; i++) {
          long start = 8L * random.nextInt(0x4000 / 8);
          int count = random.nextInt(1 + (int) ((0x4000 - start) / 8));
          long[] run = new long[count + 2];
          m.read(start, run, 1, count);
          int firstNonZero = -1;
          for (int k = 0; k < count; k++) {
            assertThat(run[1 + k]).isEqualTo(wordAt(start + 8L * k));
            if (firstNonZero < 0 && run[1 + k] != 0) {
              firstNonZero = k;
            }
          }
          assertThat(run[0]).isZero();
          assertThat(run[count + 1]).isZero();
          assertThat(m.firstNonZero(start, count)).as("scan of %d at 0x%x", count, start).isEqualTo(firstNonZero);
        }
      }
    }
  }

  @Test
  void containsFollowsAdjacentSegmentsAndStopsAtTheGap() throws IOException {
    try (MemoryImage m = MemoryImage.open(image())) {
      assertThat(m.segments()).hasSize(4);
      assertThat(m.contains(0, 0x4000)).isTrue();
      assertThat(m.contains(0x2ff8, 8)).isTrue(); // across the seam at 0x2ffc
      assertThat(m.contains(0, 0x4001)).isFalse();
      assertThat(m.contains(0x3ff8, 16)).isFalse();
      assertThat(m.contains(0x8000, 0x1000)).isTrue();
      assertThat(m.contains(0x4000, 0)).isTrue(); // an empty range where a segment ends
      assertThat(m.contains(0x5000, 0)).isFalse();
      assertThat(m.contains(0x1000, -0x1000L)).isFalse();
      assertThat(m.overlaps(0x3ff8, 0x1000)).isTrue(); // its first word is inside
      assertThat(m.overlaps(0x7ff8, 16)).isTrue(); // its second word is inside
      assertThat(m.overlaps(0x4000, 0x4000)).isFalse(); // exactly the gap
      assertThat(m.overlaps(0x9000, -0x9000L)).isFalse(); // from the end to the top of memory
      assertThat(m.overlaps(0x9000, -0x9000L - 1)).isFalse();
      assertThat(m.overlaps(0xfff, 0)).isFalse();
      assertThat(m.overlaps(-1L, 1)).isFalse();
      // A run across the gap is refused before anything is copied.
      long[] into = {7, 7};
      assertThatThrownBy(() -> m.read(0x3ff8, into, 0, 2)).isInstanceOf(PhysicalAccessException.class)
          .hasMessageContaining("read of 2 words at 0x0000000000003ff8");
      assertThat(into).containsExactly(7, 7);
      assertThatThrownBy(() -> m.zero(0x1000, 1)).isInstanceOf(PhysicalAccessException.class)
          .hasMessage("zero of 1 words at 0x0000000000001000 refused: the memory image " + m.file()
              + " is read-only");
    }
  }
}
