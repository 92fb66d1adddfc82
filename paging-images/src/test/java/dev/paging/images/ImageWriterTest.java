package dev.paging.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Attributes;
import dev.paging.api.PagingFormat;
import dev.paging.api.PhysicalMemory;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.core.Formats;
import dev.paging.dump.Dump;
import dev.paging.dump.DumpFormat;
import dev.paging.fakes.BumpFrameAllocator;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.ops.PageTables;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A simulated space saved by {@link ImageWriter} as each kind and read back by {@link MemoryImage}:
 * the same segments, the same words, the same registers, and the same dumps and translations as
 * the space it was saved from. The guest has RAM below 2 MiB and above 4 GiB with the gap between,
 * and its page tables live above 4 GiB, as on a large pc-machine guest.
 */
class ImageWriterTest {
  private static final long LOW = 0;
  private static final long LOW_SIZE = 2L << 20;
  private static final long HIGH = 1L << 32;
  private static final long HIGH_SIZE = 1L << 20;

  @TempDir
  Path dir;

  private static final class Guest {
    final SimulatedMemory memory = SimulatedMemory.ofSize(HIGH + HIGH_SIZE);
    final PageTables tables;
    final PagingFormat format;

    Guest(PagingFormat format) {
      this.format = format;
      tables = PageTables.create(format, memory, BumpFrameAllocator.over(HIGH, HIGH_SIZE >>> 12));
      tables.map(VirtualRange.ofLength(0x40_0000L, 0x6000), 0x1000, Attributes.readWrite());
      // A 2 MiB page at the top of the lower half.
      tables.map(VirtualRange.ofLength(format.lowerHalf().last() + 1 - 0x20_0000, 0x20_0000), 0x20_0000,
          Attributes.readExecute());
      long upper = format.upperHalf().first();
      tables.map(VirtualRange.ofLength(upper + 0x1000_0000L, 0x3000), 0x10_0000, Attributes.readOnly());
      // Data in the low RAM, so that the words compared are not all zero.
      SplittableRandom random = new SplittableRandom(5);
      for (long a = 0x1000; a < 0x7000; a += 8) {
        memory.write(a, random.nextLong());
      }
    }

    long root() {
      return tables.space().root();
    }

    ImageWriter writer() {
      return ImageWriter.of(memory).segment(LOW, LOW_SIZE).segment(HIGH, HIGH_SIZE);
    }
  }

  private static String dump(PagingFormat format, PhysicalMemory memory, long root) throws IOException {
    StringBuilder out = new StringBuilder();
    Dump.write(AddressSpace.readOnly(format, memory, root), VirtualRange.all(), DumpFormat.PTDUMP.renderer(out));
    return out.toString();
  }

  private static void assertSameMemory(PhysicalMemory expected, MemoryImage image, long start, long length) {
    long[] a = new long[512];
    long[] b = new long[512];
    for (long at = start; at < start + length; at += 4096) {
      expected.read(at, a, 0, 512);
      image.read(at, b, 0, 512);
      assertThat(b).as("words at 0x%x", at).isEqualTo(a);
    }
  }

  @Test
  void anElfCoreReadsBackWithItsSegmentsCpusAndTables() throws IOException {
    Guest guest = new Guest(Formats.x86_64());
    Map<String, Long> cpu0 = new LinkedHashMap<>();
    cpu0.put("rip", 0xffff_ffff_8100_0000L);
    cpu0.put("rsp", 0xffff_c900_0001_0000L);
    cpu0.put("cr0", 0x8005_0033L);
    cpu0.put("cr3", guest.root() | 0x3);
    cpu0.put("cr4", 0x0036_06e0L);
    Path file = dir.resolve("guest.elf");
    List<Segment> written = guest.writer().cpu(cpu0).cpu(Map.of("cr0", 0x10L)).write(file, ImageKind.ELF_CORE);

    try (MemoryImage image = MemoryImage.open(file)) {
      assertThat(image.kind()).isEqualTo(ImageKind.ELF_CORE);
      assertThat(image.segments()).isEqualTo(written);
      assertThat(image.segments()).extracting(Segment::start, Segment::length)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(LOW, LOW_SIZE),
              org.assertj.core.groups.Tuple.tuple(HIGH, HIGH_SIZE));
      assertSameMemory(guest.memory, image, LOW, LOW_SIZE);
      assertSameMemory(guest.memory, image, HIGH, HIGH_SIZE);
      assertThat(image.cpus()).hasSize(2);
      Cpu cpu = image.cpus().get(0);
      assertThat(cpu.register("rip")).contains(0xffff_ffff_8100_0000L);
      assertThat(cpu.register("rsp")).contains(0xffff_c900_0001_0000L);
      assertThat(cpu.register("cr3")).contains(guest.root() | 0x3);
      assertThat(cpu.root().orElseThrow().address()).isEqualTo(guest.root());
      assertThat(image.cpus().get(1).register("cr0")).contains(0x10L);
      assertThat(image.cpus().get(1).root()).isEmpty();
      assertThat(dump(guest.format, image, guest.root())).isEqualTo(dump(guest.format, guest.memory, guest.root()))
          .contains("0x0000000000400000-0x0000000000406000          24K     RW                     NX pte");
      assertThat(PageTables.of(AddressSpace.readOnly(guest.format, image, guest.root())).translate(0x40_2008L)
          .physicalAddress()).isEqualTo(0x3008);
    }
  }

  @Test
  void theElfLayoutIsQemus() throws IOException {
    Guest guest = new Guest(Formats.x86_64());
    Path file = dir.resolve("layout.elf");
    guest.writer().cpu(Map.of("cr3", 0x1000L)).vmcoreInfo("OSRELEASE=6.1\n").write(file, ImageKind.ELF_CORE);
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);

    assertThat(b.getInt(0)).isEqualTo(0x464c_457f);
    assertThat(b.get(4)).isEqualTo((byte) 2); // ELFCLASS64
    assertThat(b.get(5)).isEqualTo((byte) 1); // little-endian
    assertThat(b.getShort(16)).isEqualTo((short) 4); // ET_CORE
    assertThat(b.getShort(18)).isEqualTo((short) 62); // EM_X86_64
    assertThat(b.getLong(32)).isEqualTo(64); // e_phoff
    assertThat(b.getShort(54)).isEqualTo((short) 56);
    assertThat(b.getShort(56)).isEqualTo((short) 3); // PT_NOTE and two PT_LOADs
    // Program header 0 is the PT_NOTE, right after the program headers.
    assertThat(b.getInt(64)).isEqualTo(4);
    assertThat(b.getLong(64 + 8)).isEqualTo(64 + 3 * 56);
    // Notes: NT_PRSTATUS "CORE" (336 bytes), QEMU (440 bytes, version 1, CR3 at 416), VMCOREINFO.
    int note = 64 + 3 * 56;
    assertThat(b.getInt(note)).isEqualTo(5);
    assertThat(b.getInt(note + 4)).isEqualTo(336);
    assertThat(b.getInt(note + 8)).isEqualTo(1);
    assertThat(new String(new byte[] {b.get(note + 12), b.get(note + 13), b.get(note + 14), b.get(note + 15)}))
        .isEqualTo("CORE");
    int qemu = note + 12 + 8 + 336;
    assertThat(b.getInt(qemu + 4)).isEqualTo(440);
    assertThat(b.getInt(qemu + 8)).isZero();
    assertThat(b.getInt(qemu + 20)).isEqualTo(1); // QEMUCPUState.version
    assertThat(b.getLong(qemu + 20 + 416)).isEqualTo(0x1000); // cr[3]
    int vmcoreinfo = qemu + 12 + 8 + 440;
    assertThat(b.getInt(vmcoreinfo)).isEqualTo(11);
    assertThat(b.getInt(vmcoreinfo + 4)).isEqualTo("OSRELEASE=6.1\n".length());
    // The PT_LOADs: p_paddr and p_vaddr the physical address, data 4 KiB aligned after the notes.
    int load1 = 64 + 56;
    assertThat(b.getInt(load1)).isEqualTo(1);
    assertThat(b.getLong(load1 + 8)).isEqualTo(0x1000);
    assertThat(b.getLong(load1 + 16)).isEqualTo(LOW);
    assertThat(b.getLong(load1 + 24)).isEqualTo(LOW);
    assertThat(b.getLong(load1 + 32)).isEqualTo(LOW_SIZE);
    int load2 = load1 + 56;
    assertThat(b.getLong(load2 + 8)).isEqualTo(0x1000 + LOW_SIZE);
    assertThat(b.getLong(load2 + 24)).isEqualTo(HIGH);
    assertThat(b.capacity()).isEqualTo(0x1000 + LOW_SIZE + HIGH_SIZE);
    // The low RAM's first written word, at physical 0x1000, is at file offset 0x1000 + 0x1000.
    assertThat(b.getLong(0x2000)).isEqualTo(guest.memory.read(0x1000));
  }

  @Test
  void aLimeCaptureReadsBackWithItsRanges() throws IOException {
    Guest guest = new Guest(Formats.sv48());
    Path file = dir.resolve("guest.lime");
    List<Segment> written = guest.writer().write(file, ImageKind.LIME);
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(b.getInt(0)).isEqualTo(0x4c69_4d45);
    assertThat(b.getInt(4)).isEqualTo(1);
    assertThat(b.getLong(8)).isEqualTo(LOW);
    assertThat(b.getLong(16)).isEqualTo(LOW + LOW_SIZE - 1); // inclusive
    long second = 32 + LOW_SIZE;
    assertThat(b.getLong((int) second + 8)).isEqualTo(HIGH);
    assertThat(b.getLong((int) second + 16)).isEqualTo(HIGH + HIGH_SIZE - 1);

    try (MemoryImage image = MemoryImage.open(file)) {
      assertThat(image.kind()).isEqualTo(ImageKind.LIME);
      assertThat(image.segments()).isEqualTo(written)
          .containsExactly(Segment.of(LOW, LOW_SIZE, 32), Segment.of(HIGH, HIGH_SIZE, second + 32));
      assertThat(image.cpus()).isEmpty();
      assertSameMemory(guest.memory, image, HIGH, HIGH_SIZE);
      assertThat(dump(guest.format, image, guest.root())).isEqualTo(dump(guest.format, guest.memory, guest.root()));
    }
  }

  @Test
  void aRawImageFillsTheGapWithZerosFromTheLowestStart() throws IOException {
    Guest guest = new Guest(Formats.x86_64FiveLevel());
    Path file = dir.resolve("guest.raw");
    List<Segment> written = guest.writer().write(file, ImageKind.RAW);
    assertThat(written).containsExactly(Segment.of(LOW, HIGH + HIGH_SIZE, 0));
    assertThat(Files.size(file)).isEqualTo(HIGH + HIGH_SIZE);

    try (MemoryImage image = MemoryImage.raw(file, LOW)) {
      assertThat(image.kind()).isEqualTo(ImageKind.RAW);
      assertThat(image.read(LOW_SIZE)).isZero(); // the gap
      assertSameMemory(guest.memory, image, LOW, LOW_SIZE);
      assertThat(dump(guest.format, image, guest.root())).isEqualTo(dump(guest.format, guest.memory, guest.root()));
    }
  }

  @Test
  void riscVCoresCarryPcAndTheIntegerRegisters() throws IOException {
    Guest guest = new Guest(Formats.sv39());
    Path file = dir.resolve("riscv.elf");
    guest.writer().architecture(Architecture.RISCV64).cpu(Map.of("pc", 0x8020_0000L, "x2", 0x8040_0000L))
        .write(file, ImageKind.ELF_CORE);
    try (MemoryImage image = MemoryImage.open(file)) {
      assertThat(image.architecture()).contains(Architecture.RISCV64);
      assertThat(image.cpus().get(0).registers()).hasSize(32).containsEntry("pc", 0x8020_0000L)
          .containsEntry("x2", 0x8040_0000L).containsEntry("x1", 0L);
    }
  }

  @Test
  void badRequestsAreRefusedBeforeAnythingIsWritten() {
    Guest guest = new Guest(Formats.x86_64());
    ImageWriter w = ImageWriter.of(guest.memory);
    Path file = dir.resolve("never");
    assertThatThrownBy(() -> w.write(file, ImageKind.RAW)).isInstanceOf(IllegalStateException.class)
        .hasMessage("no segment to write: add one with segment(start, length)");
    assertThatThrownBy(() -> w.segment(0x1004, 0x1000)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("segment at 0x0000000000001004 of 0x1000 bytes: the start and the length must be positive "
            + "multiples of 8");
    assertThatThrownBy(() -> w.segment(HIGH, 2 * HIGH_SIZE)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("segment [0x0000000100000000, 0x00000001001fffff] is not all in ");
    w.segment(0, 0x2000);
    assertThatThrownBy(() -> w.segment(0x1000, 0x2000)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("segment [0x0000000000001000, 0x0000000000002fff] overlaps [0x0000000000000000, "
            + "0x0000000000001fff]");
    assertThatThrownBy(() -> w.cpu(Map.of("satp", 1L))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("register 'satp' is not in a x86-64 dump's notes");
    w.cpu(Map.of("cr3", 0x1000L));
    assertThatThrownBy(() -> w.write(file, ImageKind.LIME)).isInstanceOf(IllegalStateException.class)
        .hasMessage("a LiME image holds no notes: CPUs and VMCOREINFO need an ELF core");
    assertThatThrownBy(() -> w.architecture(Architecture.RISCV64)).isInstanceOf(IllegalStateException.class);
    assertThat(file).doesNotExist();
  }
}
