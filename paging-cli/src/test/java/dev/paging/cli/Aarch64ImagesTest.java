package dev.paging.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Attributes;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.Aarch64Options;
import dev.paging.core.Formats;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.fakes.TrackingFrameAllocator;
import dev.paging.ops.PageTables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images of AArch64 guests: the halves' geometry from TCR_EL1, a root per half from TTBR0_EL1
 * and TTBR1_EL1 with ASID and CnP masked, a half without a TTBR (or with EPDn set) not walked,
 * and every option of another architecture refused by name.
 */
class Aarch64ImagesTest {
  /** TCR_EL1 as Linux sets it for 4 KiB granules and 48-bit halves: T0SZ = T1SZ = 16, TG1 = 0b10, IPS = 0b101. */
  private static final String TCR_4K = "0x5b5103510";
  /** The same with 16 KiB granules: TG0 = 0b10, TG1 = 0b01. */
  private static final String TCR_16K = "0x57510b510";
  private static final long UPPER = 0xffff_0000_0000_0000L;

  @TempDir
  Path dir;

  /**
   * A 1 MiB image of tables in frames of {@code frameBytes} from there: TTBR0's root first, then
   * TTBR1's; a user page at 0x400000 (-> 0x300000) and a kernel page at the upper half's bottom
   * (-> 0x200000), both past the image's end.
   */
  private Path image(PagingFormat format, long frameBytes) throws IOException {
    SimulatedMemory memory = SimulatedMemory.ofSize(4L << 20);
    PageTables t = PageTables.create(format, memory, TrackingFrameAllocator.over(frameBytes, 32, frameBytes));
    long page = frameBytes;
    t.map(VirtualRange.ofLength(0x40_0000L, page), 0x30_0000L, Attributes.readExecute().withUser(true)
        .withAccessed(true));
    t.map(VirtualRange.ofLength(format.upperHalf().first(), page), 0x20_0000L, Attributes.readWrite().withAccessed(true).withGlobal(true));
    Path file = dir.resolve(format.name() + ".img");
    Files.write(file, memory.readBytes(0, 1 << 20));
    return file;
  }

  @Test
  void translateReadsEachHalfFromItsTtbrWithAsidAndCnpMasked() throws IOException {
    Path image = image(Formats.aarch64(), 4096);
    // ASID 0x42 in bits 63:48 and CnP in bit 0 are not the table's address.
    CliRun run = CliRun.of("translate", "--image", image.toString(), "--format", "aarch64", "--tcr", TCR_4K,
        "--ttbr0", "0x0042000000001001", "--ttbr1", "0x0042000000002001", "0x400123", "0xffff000000000abc",
        "0x1000");
    assertThat(run.err).isEmpty();
    assertThat(run.out).isEqualTo("""
        0x0000000000400123 -> 0x0000000000300123 4K L3 r-xu-a-
        0xffff000000000abc -> 0x0000000000200abc 4K L3 rw--ga-
        0x0000000000001000 not mapped: L2[0] empty
        """);
    assertThat(run.status).isEqualTo(1);
  }

  @Test
  void withoutTcrLinuxsDefaultsAreSaidOnStandardError() throws IOException {
    CliRun run = CliRun.of("translate", "--image", image(Formats.aarch64(), 4096).toString(), "--ttbr0", "0x1000",
        "--ttbr1", "0x2000", "0x400000");
    assertThat(run.err).isEqualTo("paging translate: no --tcr given; reading the tables with 4 KiB granules and "
        + "48-bit halves and output, as Linux sets TCR_EL1 up (0x00000005b5103510)\n");
    assertThat(run.out).isEqualTo("0x0000000000400000 -> 0x0000000000300000 4K L3 r-xu-a-\n");
  }

  @Test
  void aHalfWithoutTtbrOrWithEpdSetIsNotWalked() throws IOException {
    Path image = image(Formats.aarch64(), 4096);
    CliRun upperOnly = CliRun.of("translate", "--image", image.toString(), "--tcr", TCR_4K, "--ttbr1", "0x2000",
        "0x400000", "0xffff000000000000");
    assertThat(upperOnly.out).isEqualTo("""
        0x0000000000400000 not mapped: the lower half is not walked (no --ttbr0, or EPD0 set in --tcr)
        0xffff000000000000 -> 0x0000000000200000 4K L3 rw--ga-
        """);
    // EPD1 (bit 23) turns TTBR1's walks off although --ttbr1 is given.
    CliRun epd1 = CliRun.of("inspect", "--image", image.toString(), "--tcr", "0x5b5903510", "--ttbr0", "0x1000",
        "--ttbr1", "0x2000", "--view", "vmprint");
    assertThat(epd1.err).isEmpty();
    assertThat(epd1.out).isEqualTo("""
        page table 0x0000000000001000
        ..0: pte 0x0000000000003003 pa 0x0000000000003000
        .. ..0: pte 0x0000000000004003 pa 0x0000000000004000
        .. .. ..2: pte 0x0000000000005003 pa 0x0000000000005000
        .. .. .. ..0: pte 0x0020000000300cc3 pa 0x0000000000300000
        """);
    CliRun both = CliRun.of("inspect", "--image", image.toString(), "--tcr", "0x5b5903590", "--ttbr0", "0x1000",
        "--ttbr1", "0x2000");
    assertThat(both.status).isEqualTo(2);
    assertThat(both.err).startsWith("paging inspect: --tcr 0x00000005b5903590 turns off walks (EPD0/EPD1) of every "
        + "half a TTBR was given for");
  }

  @Test
  void sixteenKilobyteGranulesComeFromTheTcr() throws IOException {
    Path image = image(Formats.aarch64(Aarch64Options.defaults().withGranule(16384)), 16384);
    // TTBR0's root (2 entries) in the first 16 KiB frame, TTBR1's in the second.
    CliRun run = CliRun.of("translate", "--image", image.toString(), "--tcr", TCR_16K, "--ttbr0", "0x4000",
        "--ttbr1", "0x8000", "0x403fff", "0xffff000000001234");
    assertThat(run.err).isEmpty();
    assertThat(run.out).isEqualTo("""
        0x0000000000403fff -> 0x0000000000303fff 16K L3 r-xu-a-
        0xffff000000001234 -> 0x0000000000201234 16K L3 rw--ga-
        """);
  }

  /**
   * TG0, T0SZ and TG1, T1SZ apart: TTBR0's half with 4 KiB pages and 39 bits, TTBR1's with 64 KiB
   * and 42 bits, each walked through its own levels.
   */
  @Test
  void halvesWithGeometriesOfTheirOwnComeFromTheTcr() throws IOException {
    PagingFormat split = Formats.aarch64(Aarch64Options.defaults().withGranules(4096, 65536)
        .withVirtualAddressBits(39, 42));
    SimulatedMemory memory = SimulatedMemory.ofSize(4L << 20);
    PageTables t = PageTables.create(split, memory, TrackingFrameAllocator.over(0x1_0000, 32, 0x1_0000));
    t.map(VirtualRange.page(0x40_0000L), 0x30_0000L, Attributes.readExecute().withUser(true).withAccessed(true));
    t.map(VirtualRange.ofLength(0xffff_fc00_0000_0000L, 0x1_0000), 0x20_0000L,
        Attributes.readWrite().withAccessed(true).withGlobal(true));
    Path file = dir.resolve("split.img");
    Files.write(file, memory.readBytes(0, 1 << 20));
    // T0SZ 25, TG0 0b00 (4 KiB), T1SZ 22, TG1 0b11 (64 KiB), IPS 0b101.
    String tcr = "0x5c0160019";
    CliRun run = CliRun.of("translate", "--image", file.toString(), "--tcr", tcr, "--ttbr0", "0x10000", "--ttbr1",
        "0x20000", "0x400123", "0xfffffc000000fabc");
    assertThat(run.err).isEmpty();
    assertThat(run.out).isEqualTo("""
        0x0000000000400123 -> 0x0000000000300123 4K L3 r-xu-a-
        0xfffffc000000fabc -> 0x000000000020fabc 64K L3 rw--ga-
        """);
    assertThat(run.status).isZero();
    CliRun vmprint = CliRun.of("inspect", "--image", file.toString(), "--tcr", tcr, "--ttbr0", "0x10000",
        "--ttbr1", "0x20000", "--view", "vmprint");
    assertThat(vmprint.err).isEmpty();
    assertThat(vmprint.out).isEqualTo("""
        page table 0x0000000000010000
        ..0: pte 0x0000000000030003 pa 0x0000000000030000
        .. ..2: pte 0x0000000000040003 pa 0x0000000000040000
        .. .. ..0: pte 0x0020000000300cc3 pa 0x0000000000300000

        page table 0x0000000000020000
        ..0: pte 0x0000000000050003 pa 0x0000000000050000
        .. ..0: pte 0x0060000000200403 pa 0x0000000000200000
        """);
  }

  @Test
  void auditJsonNamesBothRoots() throws IOException {
    CliRun run = CliRun.of("audit", "--image", image(Formats.aarch64(), 4096).toString(), "--tcr", TCR_4K,
        "--ttbr1", "0x2000", "--json");
    assertThat(run.out).contains("\"root\": null").contains("\"upperRoot\": \"0x0000000000002000\"");
  }

  @Test
  void wrongAndMissingRegistersAreRefusedByName() throws IOException {
    String image = image(Formats.aarch64(), 4096).toString();
    assertThat(CliRun.of("translate", "--image", image, "--format", "aarch64", "0x0").err)
        .startsWith("paging translate: give --ttbr0 and/or --ttbr1 for aarch64: the roots of the lower and the "
            + "upper half");
    assertThat(CliRun.of("translate", "--image", image, "--format", "aarch64", "--cr3", "0x1000", "0x0").err)
        .startsWith("paging translate: aarch64 has a root per half: give --ttbr0 and/or --ttbr1, not --cr3");
    assertThat(CliRun.of("translate", "--image", image, "--format", "x86-64", "--ttbr0", "0x1000", "0x0").err)
        .startsWith("paging translate: --ttbr0 is an AArch64 register; x86-64 takes --cr3 or --root");
    assertThat(CliRun.of("translate", "--image", image, "--tcr", TCR_4K, "--ttbr0", "0x1800", "0x0").err)
        .startsWith("paging translate: --ttbr0 0x0000000000001800: the table address 0x0000000000001800 is not "
            + "4096-byte aligned, as an aarch64-4k root table must be (BADDR's bits below are RES0)");
    assertThat(CliRun.of("translate", "--image", image, "--tcr", "0x5b510f510", "--ttbr0", "0x1000", "0x0").err)
        .startsWith("paging translate: --tcr 0x00000005b510f510: TG0 = 0b11 is reserved");
    assertThat(CliRun.of("translate", "--image", image, "--tcr", "0x7b5103510", "--ttbr0", "0x1000", "0x0").err)
        .startsWith("paging translate: --tcr 0x00000007b5103510: IPS = 0b111 is reserved");
    assertThat(CliRun.of("translate", "--image", image, "--ttbr0", "0x7ff000", "--tcr", TCR_4K, "0x0").err)
        .startsWith("paging translate: root table 0x00000000007ff000 (from --ttbr0 0x00000000007ff000) is outside "
            + "the image");
    assertThat(CliRun.of("roots", "--image", image, "--format", "sv48", "--tcr", TCR_4K).err)
        .startsWith("paging roots: --tcr is AArch64's TCR_EL1; give it with --format aarch64");
  }

  /**
   * The image's two roots, each with one table entry leading to one leaf (score 10 for the one
   * non-empty child plus 1 for the entry); the lower tables read as roots reach data pages past
   * the image's end, so they are not candidates. The user page is EL0-accessible, the kernel's not.
   */
  @Test
  void rootsFindsBothHalvesRootsAndTellsThemByTheirLeaves() throws IOException {
    Path image = image(Formats.aarch64(), 4096);
    CliRun run = CliRun.of("roots", "--image", image.toString(), "--tcr", TCR_4K);
    assertThat(run.err).isEmpty();
    assertThat(run.out).isEqualTo("candidate roots in " + image + " read as aarch64-4k, best first: 2\n"
        + "ROOT                SCORE TABLES   HALF     LEAVES  EVIDENCE\n"
        + "0x0000000000001000     11      1  ttbr0          1\n"
        + "0x0000000000002000     11      1  ttbr1          1\n");
    assertThat(run.status).isZero();
    CliRun json = CliRun.of("roots", "--image", image.toString(), "--format", "aarch64", "--tcr", TCR_4K, "--json");
    assertThat(json.out).contains("\"half\" : \"lower\"").contains("\"half\" : \"upper\"")
        .contains("\"format\" : \"aarch64-4k\"");
    // Each root is walked as its half: the user page at its lower-half address only.
    CliRun reverse = CliRun.of("reverse", "--image", image.toString(), "--format", "aarch64", "--tcr", TCR_4K,
        "--all-roots", "0x300010", "0x200000");
    assertThat(reverse.out).isEqualTo("0x0000000000300010 <- 0x0000000000400010 4K L3 r-xu-a- in root "
        + "0x0000000000001000\n"
        + "0x0000000000200000 <- 0xffff000000000000 4K L3 rw--ga- in root 0x0000000000002000\n");
  }

  @Test
  void rootsReadsLargerGranulesRootsAndRefusesRootsOfTwoEntries() throws IOException {
    // 64 KiB granules with 42-bit halves (T0SZ = T1SZ = 22, TG0 = 0b01, TG1 = 0b11): a root of
    // 8,192 entries, 64 KiB aligned, at 0x10000 and 0x20000.
    String tcr64k42 = "0x5f5167516";
    PagingFormat f = Formats.aarch64(Aarch64Options.fromTcr(0x5_f516_7516L, true, true));
    assertThat(f.root().entries()).isEqualTo(8192);
    Path image = image(f, 65536);
    CliRun run = CliRun.of("roots", "--image", image.toString(), "--tcr", tcr64k42);
    assertThat(run.out).isEqualTo("candidate roots in " + image + " read as aarch64-64k, best first: 2\n"
        + "ROOT                SCORE TABLES   HALF     LEAVES  EVIDENCE\n"
        + "0x0000000000010000     11      1  ttbr0          1\n"
        + "0x0000000000020000     11      1  ttbr1          1\n");
    CliRun small = CliRun.of("roots", "--image", image.toString(), "--tcr", TCR_16K);
    assertThat(small.status).isEqualTo(2);
    assertThat(small.err).startsWith("paging roots: aarch64-16k: a root table is 16 bytes (2 entries), too few to be "
        + "told from data by scanning; the root must be given (TTBR0_EL1, TTBR1_EL1)");
  }
}
