package dev.paging.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each way an image's headers can be wrong: one exact line naming the file, the offset and the value. */
class MalformedImageTest {
  @TempDir
  Path dir;

  private Path file(byte[] bytes) throws IOException {
    return Files.write(dir.resolve("bad.img"), bytes);
  }

  private void assertMalformed(byte[] bytes, long offset, String problem) throws IOException {
    Path f = file(bytes);
    assertThatThrownBy(() -> MemoryImage.open(f).close())
        .isInstanceOf(MalformedImageException.class)
        .hasMessage(f + ": offset 0x" + Long.toHexString(offset) + ": " + problem)
        .satisfies(e -> assertThat(((MalformedImageException) e).offset()).isEqualTo(offset));
  }

  /** A valid core of two loads with a note, to break one field at a time. */
  private static CoreFile goodCore() {
    return new CoreFile(0x3000)
        .load(0, 0x1000, 0x1000, 0x1000)
        .load(0x10_0000, 0x2000, 0x1000, 0x1000)
        .note("CORE", 1, CoreFile.x86Prstatus(1, 0, 0))
        .assemble();
  }

  @Test
  void theGoodCoreOpens() throws IOException {
    try (MemoryImage image = MemoryImage.open(file(goodCore().array()))) {
      assertThat(image.segments()).hasSize(2);
    }
  }

  @Test
  void aTruncatedElfHeader() throws IOException {
    assertMalformed(Arrays.copyOf(goodCore().array(), 0x30), 0,
        "truncated ELF header: the file has 0x30 bytes, an ELF64 header 0x40");
  }

  @Test
  void anElf32File() throws IOException {
    CoreFile core = goodCore();
    core.bytes.put(4, (byte) 1);
    assertMalformed(core.array(), 4, "ELF class 1 (32-bit): only ELF64 cores are read");
    // A 52-byte ELF32 header is shorter than ELF64's: the class is named, not the length.
    assertMalformed(Arrays.copyOf(core.array(), 52), 4, "ELF class 1 (32-bit): only ELF64 cores are read");
  }

  @Test
  void aBigEndianElf() throws IOException {
    CoreFile core = goodCore();
    core.bytes.put(5, (byte) 2);
    assertMalformed(core.array(), 5, "ELF data encoding 2 (big-endian): only little-endian cores are read");
  }

  @Test
  void anElfThatIsNotACore() throws IOException {
    CoreFile core = goodCore();
    core.bytes.putShort(16, (short) 2);
    assertMalformed(core.array(), 0x10, "ELF type 2 is not a core file (ET_CORE, 4)");
  }

  @Test
  void anUnknownMachine() throws IOException {
    CoreFile core = goodCore();
    core.bytes.putShort(18, (short) 40);
    assertMalformed(core.array(), 0x12, "ELF machine 40 is neither x86-64 (62) nor RISC-V (243)");
  }

  @Test
  void aWrongProgramHeaderSize() throws IOException {
    CoreFile core = goodCore();
    core.bytes.putShort(54, (short) 32);
    assertMalformed(core.array(), 0x36, "program header size 32; ELF64's is 56");
  }

  @Test
  void programHeadersPastTheEndOfTheFile() throws IOException {
    CoreFile core = goodCore();
    core.bytes.putLong(32, 0x2fe0);
    assertMalformed(core.array(), 0x20,
        "3 program headers at offset 0x2fe0 run past the end of the file (0x3000 bytes)");
    core.bytes.putLong(32, 64).putShort(56, (short) 0xfff0);
    assertMalformed(core.array(), 0x20,
        "65520 program headers at offset 0x40 run past the end of the file (0x3000 bytes)");
  }

  @Test
  void anAbsurdExtendedProgramHeaderCount() throws IOException {
    CoreFile core = goodCore();
    // e_phnum PN_XNUM: the count is section header 0's sh_info, here 0x7fffffff.
    core.bytes.putShort(56, (short) 0xffff).putLong(40, 0x2800).putInt(0x2800 + 44, 0x7fff_ffff);
    assertMalformed(core.array(), 0x38, "2147483647 program headers, more than 1048576");
    core.bytes.putLong(40, 0x2fc8);
    assertMalformed(core.array(), 0x28, "e_phnum is PN_XNUM but section header 0 at offset 0x2fc8 is past the "
        + "end of the file (0x3000 bytes)");
  }

  @Test
  void aSegmentPastTheEndOfTheFile() throws IOException {
    CoreFile core = goodCore();
    core.bytes.putLong(CoreFile.programHeader(2) + 32, 0x1001); // p_filesz of the second load
    core.bytes.putLong(CoreFile.programHeader(2) + 40, 0x1001);
    assertMalformed(core.array(), CoreFile.programHeader(2) + 8, "program header 2: PT_LOAD bytes at offset "
        + "0x2000 of length 0x1001 run past the end of the file (0x3000 bytes)");
    core.bytes.putLong(CoreFile.programHeader(2) + 8, 0x7fff_ffff_ffff_f000L);
    assertMalformed(core.array(), CoreFile.programHeader(2) + 8, "program header 2: PT_LOAD bytes at offset "
        + "0x7ffffffffffff000 of length 0x1001 run past the end of the file (0x3000 bytes)");
  }

  @Test
  void aSegmentWhoseFileSizeExceedsItsMemorySize() throws IOException {
    CoreFile core = goodCore();
    core.bytes.putLong(CoreFile.programHeader(1) + 40, 0x800);
    assertMalformed(core.array(), CoreFile.programHeader(1) + 32,
        "program header 1: p_filesz 0x1000 exceeds p_memsz 0x800");
  }

  @Test
  void aSegmentPastPhysicalAddress2To64() throws IOException {
    CoreFile core = goodCore();
    core.bytes.putLong(CoreFile.programHeader(2) + 24, 0xffff_ffff_ffff_f800L);
    assertMalformed(core.array(), CoreFile.programHeader(2) + 24,
        "program header 2: 0x1000 bytes at physical 0xfffffffffffff800 run past physical address 2^64");
  }

  @Test
  void overlappingSegments() throws IOException {
    CoreFile core = goodCore();
    core.bytes.putLong(CoreFile.programHeader(2) + 24, 0x800);
    assertMalformed(core.array(), CoreFile.programHeader(2), "PT_LOAD of program header 2 [0x0000000000000800, "
        + "0x00000000000017ff] overlaps PT_LOAD of program header 1 [0x0000000000000000, 0x0000000000000fff]");
  }

  @Test
  void aNoteThatRunsPastItsSegment() throws IOException {
    CoreFile core = goodCore();
    int note = CoreFile.notesAt(3);
    core.bytes.putInt(note + 4, 0x200); // descsz: 0x200 of data in a segment of 12 + 8 + 336 bytes
    assertMalformed(core.array(), note, "note 1 (name 0x5 bytes, data 0x200 bytes) runs past its PT_NOTE segment, "
        + "which ends at offset 0x" + Integer.toHexString(note + 356));
    core.bytes.putInt(note, 0xffff_fff0); // namesz near 2^32: no int overflow, the same refusal
    assertMalformed(core.array(), note, "note 1 (name 0xfffffff0 bytes, data 0x200 bytes) runs past its PT_NOTE "
        + "segment, which ends at offset 0x" + Integer.toHexString(note + 356));
  }

  @Test
  void anAbsurdNoteSegment() throws IOException {
    CoreFile core = goodCore();
    core.bytes.putLong(CoreFile.programHeader(0) + 32, 0x100_0001L);
    // The length is checked against the file first: past its end.
    assertMalformed(core.array(), CoreFile.programHeader(0) + 8, "program header 0: PT_NOTE bytes at offset 0xe8 "
        + "of length 0x1000001 run past the end of the file (0x3000 bytes)");
  }

  @Test
  void aNoteSegmentOfMoreThan16MiB() throws IOException {
    CoreFile core = goodCore();
    core.bytes.putLong(CoreFile.programHeader(0) + 32, (16 << 20) + 1);
    Path f = file(core.array());
    try (java.io.RandomAccessFile grow = new java.io.RandomAccessFile(f.toFile(), "rw")) {
      grow.setLength(17 << 20); // sparse: the note segment fits in the file and is refused for its size
    }
    assertThatThrownBy(() -> MemoryImage.open(f).close())
        .isInstanceOf(MalformedImageException.class)
        .hasMessage(f + ": offset 0x" + Integer.toHexString(CoreFile.programHeader(0) + 32)
            + ": a PT_NOTE segment of 0x1000001 bytes, more than 16 MiB");
  }

  @Test
  void moreThan65536Notes() throws IOException {
    // 65,537 empty notes (12 bytes each, no name, no data) in one PT_NOTE segment.
    int notes = 65_537;
    ByteBuffer b = ByteBuffer.allocate(0x1000 + notes * 12).order(ByteOrder.LITTLE_ENDIAN);
    byte[] header = new CoreFile(0x1000).load(0, 0, 0x1000, 0x1000).assemble().array();
    b.put(0, header);
    b.putShort(56, (short) 2);
    int ph = CoreFile.programHeader(1);
    b.putInt(ph, 4).putLong(ph + 8, 0x1000).putLong(ph + 32, notes * 12L).putLong(ph + 40, notes * 12L);
    assertMalformed(b.array(), 0x1000 + 65_536 * 12, "more than 65536 notes");
  }

  @Test
  void aPrstatusTooShortForItsArchitecture() throws IOException {
    CoreFile core = new CoreFile(0x2000)
        .load(0, 0x1000, 0x1000, 0x1000)
        .note("CORE", 1, new byte[200])
        .assemble();
    assertMalformed(core.array(), CoreFile.notesAt(2) + 20,
        "NT_PRSTATUS note 1 has 0xc8 bytes of data; x86-64's elf_prstatus has 0x150");
  }

  @Test
  void aQemuCpuStateOfAnotherVersion() throws IOException {
    byte[] state = CoreFile.qemuState(0, 0, 0, 0);
    state[0] = 2;
    CoreFile core = new CoreFile(0x2000)
        .load(0, 0x1000, 0x1000, 0x1000)
        .note("QEMU", 0, state)
        .assemble();
    assertMalformed(core.array(), CoreFile.notesAt(2) + 20,
        "QEMU CPU-state note 1 has version 2; version 1 is read");
  }

  @Test
  void aFileThatIsNotTheKindAskedFor() throws IOException {
    Path f = file(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    assertThatThrownBy(() -> MemoryImage.open(f, ImageKind.ELF_CORE))
        .isInstanceOf(MalformedImageException.class)
        .hasMessage(f + ": offset 0x0: not an ELF file: it starts with 01 02 03 04, not 7f 45 4c 46");
    assertThatThrownBy(() -> MemoryImage.open(f, ImageKind.LIME))
        .isInstanceOf(MalformedImageException.class)
        .hasMessage(f + ": offset 0x0: truncated LiME header of range 1: 0x8 bytes left, a header has 0x20");
    Path empty = file(new byte[0]);
    assertThatThrownBy(() -> MemoryImage.open(empty, ImageKind.ELF_CORE))
        .isInstanceOf(MalformedImageException.class)
        .hasMessage(empty + ": offset 0x0: not an ELF file: it starts with nothing (the file is empty), "
            + "not 7f 45 4c 46");
  }

  private static byte[] lime(long[]... ranges) {
    int size = 0;
    for (long[] r : ranges) {
      size += 32 + (int) r[2];
    }
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    int at = 0;
    for (long[] r : ranges) {
      b.putInt(at, 0x4c69_4d45).putInt(at + 4, 1).putLong(at + 8, r[0]).putLong(at + 16, r[1]);
      at += 32 + (int) r[2];
    }
    return b.array();
  }

  @Test
  void limeRangesThatAreWrong() throws IOException {
    byte[] good = lime(new long[] {0x1000, 0x1fff, 0x1000}, new long[] {0x10_0000, 0x10_0fff, 0x1000});
    try (MemoryImage image = MemoryImage.open(file(good))) {
      assertThat(image.kind()).isEqualTo(ImageKind.LIME);
      assertThat(image.segments()).containsExactly(Segment.of(0x1000, 0x1000, 32),
          Segment.of(0x10_0000, 0x1000, 0x1040));
    }
    assertMalformed(Arrays.copyOf(good, good.length + 16), 0x2040,
        "truncated LiME header of range 3: 0x10 bytes left, a header has 0x20");

    byte[] magic = good.clone();
    magic[0x1020] = 0;
    assertMalformed(magic, 0x1020, "range 2 has magic 0x4c694d00, not LiME's 0x4c694d45");

    byte[] version = good.clone();
    version[0x1024] = 2;
    assertMalformed(version, 0x1024, "range 2 has LiME version 2; version 1 is read");

    assertMalformed(lime(new long[] {0x2000, 0x1fff, 0x1000}), 0x10,
        "range 1 ends at 0x0000000000001fff, below its start 0x0000000000002000");
    assertMalformed(lime(new long[] {0x1000, 0x2fff, 0x1000}), 0x8,
        "range 1 [0x0000000000001000, 0x0000000000002fff] runs past the end of the file (0x1020 bytes)");
    assertMalformed(lime(new long[] {0, -1L, 0x1000}), 0x8,
        "range 1 [0x0000000000000000, 0xffffffffffffffff] runs past the end of the file (0x1020 bytes)");
    assertMalformed(lime(new long[] {0x1000, 0x1fff, 0x1000}, new long[] {0x1800, 0x27ff, 0x1000}), 0x1020,
        "range 2 [0x0000000000001800, 0x00000000000027ff] overlaps range 1 [0x0000000000001000, 0x0000000000001fff]");
  }

  @Test
  void aRawImageThatWouldWrapAround2To64() throws IOException {
    Path f = file(new byte[0x2000]);
    assertThatThrownBy(() -> MemoryImage.raw(f, 0xffff_ffff_ffff_f000L))
        .isInstanceOf(MalformedImageException.class)
        .hasMessage(f + ": offset 0x0: a raw image of 0x2000 bytes at base 0xfffffffffffff000 reaches beyond "
            + "physical address 0xffffffffffffffff");
  }

  /**
   * Hostile headers: every byte of a good core's headers and notes flipped at random, 3,000 times.
   * Each image either opens (and then reads its segments without a crash) or fails with one
   * {@link MalformedImageException}: nothing else escapes, nothing hangs.
   */
  @Test
  void randomlyCorruptedHeadersOpenOrFailWithOneLine() throws IOException {
    byte[] good = new CoreFile(0x3000)
        .load(0, 0x1000, 0x1000, 0x1000)
        .load(0x10_0000, 0x2000, 0x1000, 0x1000)
        .note("CORE", 1, CoreFile.x86Prstatus(1, 0, 0))
        .note("QEMU", 0, CoreFile.qemuState(0, 0x8000_0001L, 0x1000, 0x20))
        .note("VMCOREINFO", 0, "SYMBOL(init_top_pgt)=ffffffff80001000\nNUMBER(phys_base)=0\n".getBytes())
        .assemble().array();
    int headerEnd = CoreFile.notesAt(3) + 356 + 460 + 80;
    SplittableRandom random = new SplittableRandom(14);
    int opened = 0;
    for (int i = 0; i < 3000; i++) {
      byte[] bytes = good.clone();
      for (int k = random.nextInt(1, 4); k > 0; k--) {
        bytes[random.nextInt(headerEnd)] = (byte) random.nextInt(256);
      }
      Path f = Files.write(dir.resolve("fuzz.img"), bytes);
      try (MemoryImage image = MemoryImage.open(f)) {
        opened++;
        for (Segment s : image.segments()) {
          // The first whole word of each segment reads (a corrupted p_paddr may start it off a word).
          long first = (s.start() + 7) & ~7L;
          long within = first - s.start();
          if (s.contains(first) && s.contains(first + 7) && within + 8 <= s.fileLength()) {
            long expected = ByteBuffer.wrap(bytes, (int) (s.fileOffset() + within), 8)
                .order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertThat(image.read(first)).isEqualTo(expected);
          }
        }
      } catch (MalformedImageException expected) {
        assertThat(expected.getMessage()).startsWith(f + ": offset 0x").doesNotContain("\n");
      }
    }
    assertThat(opened).isBetween(100, 2900);
  }
}
