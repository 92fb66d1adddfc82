package dev.paging.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.paging.api.PhysicalAccessException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A raw image: one window of physical memory from a base, mapped in chunks. */
class RawImageTest {
  @TempDir
  Path dir;

  /** {@code length} seeded random bytes in a file. */
  private Path randomImage(int length, long seed) throws IOException {
    byte[] bytes = new byte[length];
    new SplittableRandom(seed).nextBytes(bytes);
    return Files.write(dir.resolve("random.img"), bytes);
  }

  /** The little-endian word at byte {@code offset} of the file, read independently of the class under test. */
  private static long wordAt(byte[] bytes, int offset) {
    return ByteBuffer.wrap(bytes, offset, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }

  @Test
  void readsLittleEndianWords() throws IOException {
    byte[] bytes = {1, 2, 3, 4, 5, 6, 7, (byte) 0x88, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff};
    Path file = Files.write(dir.resolve("le.img"), bytes);

    try (MemoryImage m = MemoryImage.raw(file, 0)) {
      assertThat(m.read(0)).isEqualTo(0x8807_0605_0403_0201L);
      assertThat(m.read(8)).isEqualTo(0xff00_0000_0000_0000L);
      assertThat(m.size()).isEqualTo(16);
    }
  }

  @Test
  void everyWordMatchesTheFileWhateverTheChunkSize() throws IOException {
    int length = 3 * 4096 + 512;
    Path file = randomImage(length, 42);
    byte[] bytes = Files.readAllBytes(file);
    long base = 0x8000_0000L;

    // 4096: words end exactly at chunk boundaries; 12 and 4100: words straddle two chunks.
    for (int chunk : new int[] {8, 12, 4096, 4100, FileBytes.DEFAULT_CHUNK_SIZE}) {
      try (MemoryImage m = MemoryImage.open(file, ImageKind.RAW, base, chunk)) {
        for (int offset = 0; offset + 8 <= length; offset += 8) {
          assertThat(m.read(base + offset)).as("chunk %d, offset %d", chunk, offset)
              .isEqualTo(wordAt(bytes, offset));
        }
      }
    }
  }

  @Test
  void wordsAcrossAChunkBoundaryAreAssembledFromBothChunks() throws IOException {
    byte[] bytes = new byte[24];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (0x10 + i);
    }
    Path file = Files.write(dir.resolve("straddle.img"), bytes);

    // Chunks of 12 bytes: the word at 8 has 4 bytes in each chunk; the word at 16 lies in the second.
    try (MemoryImage m = MemoryImage.open(file, ImageKind.RAW, 0x1000, 12)) {
      assertThat(m.read(0x1008)).isEqualTo(0x1f1e_1d1c_1b1a_1918L);
      assertThat(m.read(0x1010)).isEqualTo(0x2726_2524_2322_2120L);
      assertThat(m.read(0x1000)).isEqualTo(0x1716_1514_1312_1110L);
    }
  }

  @Test
  void anImageLargerThan2GiBIsReadBeyondTheFirstChunks() throws IOException {
    Path file = dir.resolve("large.img");
    long size = (5L << 30) / 2; // 2.5 GiB, sparse: only the pages written take space
    long far = size - 4096;
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(size);
      f.seek(far);
      // RandomAccessFile writes big-endian: these bytes are the little-endian word 0x0102030405060708.
      f.writeLong(0x0807_0605_0403_0201L);
      f.seek((2L << 30) - 8);
      f.writeLong(0x0100_0000_0000_00ffL);
    }
    assumeTrue(Files.size(file) == size, "the file system could not make a 2.5 GiB file");

    try (MemoryImage m = MemoryImage.raw(file, 0)) {
      assertThat(m.size()).isEqualTo(size);
      assertThat(m.read(far)).isEqualTo(0x0102_0304_0506_0708L);
      // The last word of the first 2 GiB: bytes 01 00 .. 00 ff.
      assertThat(m.read((2L << 30) - 8)).isEqualTo(0xff00_0000_0000_0001L);
      assertThat(m.read(2L << 30)).isZero();
      assertThat(m.contains(size - 8, 8)).isTrue();
      assertThat(m.contains(size - 8, 9)).isFalse();
    }
  }

  @Test
  void containsIsTheImageExtentFromTheBase() throws IOException {
    Path file = Files.write(dir.resolve("small.img"), new byte[0x2000]);

    try (MemoryImage m = MemoryImage.raw(file, 0x8000_0000L)) {
      assertThat(m.contains(0x8000_0000L, 0x2000)).isTrue();
      assertThat(m.contains(0x8000_1000L, 0x1000)).isTrue();
      assertThat(m.contains(0x8000_2000L, 0)).isTrue(); // empty, at the end
      assertThat(m.contains(0x8000_1000L, 0x1001)).isFalse();
      assertThat(m.contains(0x8000_2000L, 1)).isFalse();
      assertThat(m.contains(0x7fff_f000L, 0x1000)).isFalse(); // below the base
      assertThat(m.contains(0x7fff_fff8L, 16)).isFalse(); // straddles the base
      assertThat(m.contains(0xffff_ffff_ffff_f000L, 0x1000)).isFalse();
      // A length that would wrap around 2^64 back into the image.
      assertThat(m.contains(0x8000_1000L, -0x1000L)).isFalse();
      assertThat(m.segments()).containsExactly(Segment.of(0x8000_0000L, 0x2000, 0));
      assertThat(m.extent()).isEqualTo("physical 0x0000000080000000..0x0000000080001fff");
    }
  }

  @Test
  void readsOutsideTheImageNameTheAddress() throws IOException {
    Path file = Files.write(dir.resolve("small.img"), new byte[0x1000]);

    try (MemoryImage m = MemoryImage.raw(file, 0x1000)) {
      assertThatThrownBy(() -> m.read(0x2000))
          .isInstanceOf(PhysicalAccessException.class)
          .hasMessage("read at 0x0000000000002000 is outside the memory image " + file
              + " (physical 0x0000000000001000..0x0000000000001fff)");
      assertThatThrownBy(() -> m.read(0xff8))
          .isInstanceOf(PhysicalAccessException.class)
          .hasMessage("read at 0x0000000000000ff8 is outside the memory image " + file
              + " (physical 0x0000000000001000..0x0000000000001fff)");
      assertThatThrownBy(() -> m.read(0xffff_ffff_ffff_fff8L))
          .isInstanceOf(PhysicalAccessException.class)
          .hasMessageStartingWith("read at 0xfffffffffffffff8 is outside");
      assertThatThrownBy(() -> m.read(0x1004))
          .isInstanceOf(PhysicalAccessException.class)
          .hasMessage("unaligned read at 0x0000000000001004 in the memory image " + file);
    }
  }

  @Test
  void aTrailingPartialWordIsOutside() throws IOException {
    Path file = Files.write(dir.resolve("odd.img"), new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0});

    try (MemoryImage m = MemoryImage.raw(file, 0)) {
      assertThat(m.read(0)).isEqualTo(1);
      assertThat(m.contains(8, 8)).isFalse();
      assertThatThrownBy(() -> m.read(8)).isInstanceOf(PhysicalAccessException.class);
    }
  }

  @Test
  void writesAreRefusedAndTheFileIsUnchanged() throws IOException {
    Path file = randomImage(4096, 7);
    byte[] before = Files.readAllBytes(file);

    try (MemoryImage m = MemoryImage.raw(file, 0)) {
      long word = m.read(8);
      assertThatThrownBy(() -> m.write(8, ~word))
          .isInstanceOf(PhysicalAccessException.class)
          .hasMessage("write at 0x0000000000000008 refused: the memory image " + file + " is read-only");
      assertThat(m.read(8)).isEqualTo(word);
    }
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
  }

  @Test
  void anEmptyImageBacksNothing() throws IOException {
    Path file = Files.write(dir.resolve("empty.img"), new byte[0]);

    try (MemoryImage m = MemoryImage.raw(file, 0)) {
      assertThat(m.size()).isZero();
      assertThat(m.contains(0, 8)).isFalse();
      assertThat(m.extent()).isEqualTo("no physical address");
      assertThatThrownBy(() -> m.read(0)).isInstanceOf(PhysicalAccessException.class);
    }
  }

  @Test
  void anImageEndingAtTheTopOfPhysicalMemoryReadsItsLastWord() throws IOException {
    Path file = Files.write(dir.resolve("top.img"), new byte[0x2000]);

    try (MemoryImage m = MemoryImage.raw(file, 0xffff_ffff_ffff_e000L)) {
      assertThat(m.contains(0xffff_ffff_ffff_f000L, 0x1000)).isTrue();
      assertThat(m.read(0xffff_ffff_ffff_fff8L)).isZero();
      assertThat(m.segments().get(0).last()).isEqualTo(-1L);
    }
  }

  @Test
  void aChunkSizeMustBePositive() throws IOException {
    Path file = Files.write(dir.resolve("x.img"), new byte[8]);

    assertThatThrownBy(() -> MemoryImage.open(file, ImageKind.RAW, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("chunk size 0 is not positive");
  }

  @Test
  void closeReleasesTheFileAndLaterReadsFail() throws IOException {
    Path file = randomImage(4096, 3);
    Path proc = Path.of("/proc/self/fd");
    assumeTrue(Files.isDirectory(proc), "needs /proc to see open files");
    Path real = file.toRealPath();

    MemoryImage m = MemoryImage.raw(file, 0);
    m.read(0);
    assertThat(openDescriptorsOf(proc, real)).isEqualTo(1);
    m.close();
    assertThat(openDescriptorsOf(proc, real)).isZero();
    assertThatThrownBy(() -> m.read(0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the memory image " + file + " is closed");
    m.close(); // a second close does nothing
  }

  private static long openDescriptorsOf(Path proc, Path file) throws IOException {
    try (Stream<Path> fds = Files.list(proc)) {
      return fds.filter(fd -> {
        try {
          return Files.readSymbolicLink(fd).equals(file);
        } catch (IOException e) {
          return false; // the descriptor of the listing itself may be gone already
        }
      }).count();
    }
  }
}
