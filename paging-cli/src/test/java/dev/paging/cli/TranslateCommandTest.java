package dev.paging.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Attributes;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import dev.paging.core.Formats;
import dev.paging.core.X86Options;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code paging translate} end to end: address spaces written entry by entry into simulated
 * memory, saved as raw images, and translated by the command's entry point. Every line printed
 * and every exit status is checked.
 */
class TranslateCommandTest {
  static final long KIB_4 = 4L << 10;
  static final long MIB_2 = 2L << 20;
  static final long GIB_1 = 1L << 30;
  /** Every image here is 1 MiB: 256 frames, the tables in the first few. */
  static final int IMAGE_SIZE = 1 << 20;

  @TempDir
  Path dir;

  private Path x86Image;

  /**
   * An x86-64 4-level space with its root at 0x1000: user code and data in 4 KiB pages, a kernel
   * direct map in 2 MiB and 1 GiB pages, the local APIC uncached in the top page, a user page
   * under read-only, no-execute tables, and one of each entry the walk cannot follow.
   */
  static ImageBuilder x86Space() {
    PagingFormat x86 = Formats.x86_64();
    ImageBuilder b = ImageBuilder.of(x86, IMAGE_SIZE, 0x1000);
    Attributes kernelData = Attributes.readWrite().withGlobal(true);
    b.map(0x0000_0000_0040_1000L, KIB_4, 0x0020_3000L, Attributes.readExecute().withUser(true));
    b.map(0x0000_0000_0040_3000L, KIB_4, 0x0020_4000L,
        Attributes.readWrite().withUser(true).withAccessed(true).withDirty(true));
    b.map(0xffff_8880_0000_0000L, MIB_2, 0x0000_0000L, kernelData);
    b.map(0xffff_8880_4000_0000L, GIB_1, 0x4000_0000L, kernelData);
    b.map(0xffff_ffff_ffff_f000L, KIB_4, 0xfee0_0000L, kernelData.withMemoryType(3));
    // Writable, executable user page below tables that allow neither writing nor executing.
    b.map(0x0000_0001_0000_0000L, KIB_4, 0x0030_0000L,
        Attributes.readWrite().withExecutable(true).withUser(true), Attributes.readOnly().withUser(true));

    Level pml4 = b.level(0);
    Level pdpt = b.level(1);
    Attributes table = Attributes.readWrite().withExecutable(true).withUser(true);
    // A swapped-out page: not present, but not zero either.
    b.entry(0x0000_0000_0040_2000L, 3, 0x0000_0000_1234_5000L);
    // PS is reserved in a PML4 entry.
    b.entry(0x0000_0080_0000_0000L, 0, x86.encodeTable(pml4, 0x2000, table) | 0x80);
    // A PD beyond the end of the 1 MiB image.
    b.entry(0x0000_0000_8000_0000L, 1, x86.encodeTable(pdpt, 0x4000_0000L, table));
    return b;
  }

  @BeforeEach
  void saveX86Image() throws IOException {
    x86Image = x86Space().save(dir.resolve("x86.img"), 0, IMAGE_SIZE);
  }

  private CliRun translate(Path image, String... rest) {
    String[] args = new String[rest.length + 3];
    args[0] = "translate";
    args[1] = "--image";
    args[2] = image.toString();
    System.arraycopy(rest, 0, args, 3, rest.length);
    return CliRun.of(args);
  }

  @Test
  void mappedAddressesPrintPhysicalAddressPageSizeLevelAndEffectiveAttributes() {
    CliRun r = translate(x86Image, "--format", "x86-64", "--root", "0x1000",
        "0x0000_0000_0040_1234", "0x403ff8", "0xffff888000123456", "0xffff_8880_7fff_fff8",
        "0xffffffffffffffff", "0x1_0000_0abc");

    assertThat(r.err).isEmpty();
    assertThat(r.out).isEqualTo(""
        + "0x0000000000401234 -> 0x0000000000203234 4K PT r-xu---\n"
        + "0x0000000000403ff8 -> 0x0000000000204ff8 4K PT rw-u-ad\n"
        + "0xffff888000123456 -> 0x0000000000123456 2M PD rw--g--\n"
        + "0xffff88807ffffff8 -> 0x000000007ffffff8 1G PDPT rw--g--\n"
        + "0xffffffffffffffff -> 0x00000000fee00fff 4K PT rw--g-- type=3\n"
        // The leaf says rwx, the tables above say read-only and no-execute: the tables win.
        + "0x0000000100000abc -> 0x0000000000300abc 4K PT r--u---\n");
    assertThat(r.status).isZero();
  }

  @Test
  void theFormatIsReadInAnyCaseAndOneAssumedIsNamedOnce() {
    CliRun upper = translate(x86Image, "--format", "X86-64", "--root", "0x1000", "0x401234", "0x403ff8");
    CliRun assumed = translate(x86Image, "--root", "0x1000", "0x401234", "0x403ff8");
    CliRun fromCr3 = translate(x86Image, "--cr3", "0x1000", "0x401234");

    assertThat(upper.err).isEmpty();
    assertThat(upper.out).startsWith("0x0000000000401234 -> 0x0000000000203234 4K PT");
    assertThat(assumed.out).isEqualTo(upper.out);
    assertThat(assumed.err).isEqualTo("paging translate: no --format given; reading the tables as x86-64 with 4 levels"
        + " (give --format x86-64-5level, x86-32, x86-pae, sv39, sv48 or sv57 for another)\n");
    // CR3 says x86, not how many levels (CR4.LA57 does): still assumed, and said.
    assertThat(fromCr3.err).isEqualTo(assumed.err);
  }

  @Test
  void unmappedAddressesSayAtWhichLevelAndWhy() {
    CliRun r = translate(x86Image, "--format", "x86-64", "--root", "0x1000",
        "0x1000", "0x0000_7000_0000_0000", "0x402000", "0x0000_0080_0000_0000", "0x8000_0000");

    assertThat(r.err).isEqualTo("paging translate: 2 addresses ended at entries that could not be followed (reserved bits: 1, outside the image: 1); 'paging audit' lists them\n");
    assertThat(r.out).isEqualTo(""
        + "0x0000000000001000 not mapped: PD[0] empty\n"
        + "0x0000700000000000 not mapped: PML4[224] empty\n"
        + "0x0000000000402000 not mapped: PT[2] not present (entry 0x0000000012345000)\n"
        + "0x0000008000000000 not mapped: PML4[1] RESERVED_BITS (entry 0x0000000000002087)\n"
        + "0x0000000080000000 not mapped: PDPT[2] TABLE_OUTSIDE_MEMORY"
        + " (entry 0x0000000040000007, table 0x0000000040000000)\n");
    assertThat(r.status).isEqualTo(TranslateCommand.NOT_ALL_MAPPED);
  }

  @Test
  void aNonCanonicalAddressIsOneLineAndTheOthersAreStillTranslated() {
    CliRun r = translate(x86Image, "--format", "x86-64", "--root", "0x1000",
        "0x401000", "0x0000_8000_0000_0000", "0xffff_7fff_ffff_ffff", "0xffff_8880_0000_0000");

    assertThat(r.err).isEmpty();
    assertThat(r.out).isEqualTo(""
        + "0x0000000000401000 -> 0x0000000000203000 4K PT r-xu---\n"
        + "0x0000800000000000 not canonical for x86-64\n"
        + "0xffff7fffffffffff not canonical for x86-64\n"
        + "0xffff888000000000 -> 0x0000000000000000 2M PD rw--g--\n");
    assertThat(r.status).isEqualTo(1);
  }

  @Test
  void addressesMayBeDecimalOrHexWithUnderscoresAndRepeat() {
    CliRun r = translate(x86Image, "--format", "x86-64", "--root", "4096", "4198964", "0X401234", "0x40_1234", "4_198_964");

    assertThat(r.out).isEqualTo("0x0000000000401234 -> 0x0000000000203234 4K PT r-xu---\n".repeat(4));
    assertThat(r.status).isZero();
  }

  @Test
  void manyAddressesComeFromAnAtFile() throws IOException {
    Path list = Files.write(dir.resolve("addresses.txt"),
        List.of("0x401234", "0xffff_8880_0000_0000", "0x1000"));

    CliRun r = translate(x86Image, "--format", "x86-64", "--root", "0x1000", "@" + list);

    assertThat(r.out).isEqualTo(""
        + "0x0000000000401234 -> 0x0000000000203234 4K PT r-xu---\n"
        + "0xffff888000000000 -> 0x0000000000000000 2M PD rw--g--\n"
        + "0x0000000000001000 not mapped: PD[0] empty\n");
    assertThat(r.status).isEqualTo(1);
  }

  @Test
  void cr3GivesTheRootAndItsPcidAndFlagBitsAreIgnored() {
    // PCID 0x123 in bits 11..0 and the no-flush bit 63 around the root 0x1000.
    CliRun r = translate(x86Image, "--format", "x86-64", "--cr3", "0x8000_0000_0000_1123", "0x401234", "0x1000");
    CliRun flags = translate(x86Image, "--format", "x86-64", "--cr3", "0x1018", "0x401234"); // PWT and PCD

    assertThat(r.err).isEmpty();
    assertThat(r.out).isEqualTo(""
        + "0x0000000000401234 -> 0x0000000000203234 4K PT r-xu---\n"
        + "0x0000000000001000 not mapped: PD[0] empty\n");
    assertThat(r.status).isEqualTo(1);
    assertThat(flags.out).isEqualTo("0x0000000000401234 -> 0x0000000000203234 4K PT r-xu---\n");
    assertThat(flags.status).isZero();
  }

  @Test
  void physBitsNarrowsTheAddressesAnEntryMayHold() {
    // The 1 GiB page at physical 0x4000_0000 needs 31 bits: fine with 32, as with the default 52.
    CliRun wide = translate(x86Image, "--format", "x86-64", "--root", "0x1000", "--phys-bits", "32", "0xffff_8880_4000_0000");
    PagingFormat narrow = Formats.x86_64(X86Options.defaults().withPhysicalAddressBits(32));
    ImageBuilder b = ImageBuilder.of(narrow, IMAGE_SIZE, 0x1000);
    b.map(0x40_0000L, KIB_4, 0x2000L, Attributes.readWrite());
    // Bit 40 of the address is beyond 32 physical bits.
    b.entry(0x40_1000L, 3, narrow.encodeLeaf(b.level(3), 0x2000L, Attributes.readWrite()) | (1L << 40));
    Path image = save(b, "narrow.img");

    CliRun r = translate(image, "--format", "x86-64", "--root", "0x1000", "--phys-bits", "32", "0x40_0000", "0x40_1000");
    CliRun unrestricted = translate(image, "--format", "x86-64", "--root", "0x1000", "0x40_1000");

    assertThat(wide.out).isEqualTo("0xffff888040000000 -> 0x0000000040000000 1G PDPT rw--g--\n");
    assertThat(r.out).isEqualTo(""
        + "0x0000000000400000 -> 0x0000000000002000 4K PT rw-----\n"
        + "0x0000000000401000 not mapped: PT[1] ADDRESS_BEYOND_PHYSICAL_WIDTH (entry 0x8000010000002003)\n");
    assertThat(r.status).isEqualTo(1);
    assertThat(unrestricted.out).isEqualTo("0x0000000000401000 -> 0x0000010000002000 4K PT rw-----\n");
  }

  @Test
  void fiveLevelPagingWalksFromThePml5() throws IOException {
    ImageBuilder b = ImageBuilder.of(Formats.x86_64FiveLevel(), IMAGE_SIZE, 0x1000);
    // Canonical only with 57 virtual bits: bits 55..48 are set, bit 56 and above clear.
    b.map(0x00ff_8000_0000_1000L, KIB_4, 0x0020_1000L, Attributes.readWrite().withUser(true));
    b.map(0xff11_0000_0020_0000L, MIB_2, 0x0040_0000L, Attributes.readExecute().withGlobal(true));
    b.map(0xffff_ffff_ffff_f000L, KIB_4, 0xfee0_0000L, Attributes.readWrite().withMemoryType(3));
    Path image = b.save(dir.resolve("la57.img"), 0, IMAGE_SIZE);

    CliRun r = translate(image, "--format", "x86-64-5level", "--root", "0x1000",
        "0x00ff_8000_0000_1fff", "0xff11_0000_0031_0000", "0xffff_ffff_ffff_f008", "0x0100_0000_0000_0000",
        "0x00ff_8000_0000_2000", "0x0000_8000_0000_0000");
    CliRun fourLevel = translate(image, "--format", "x86-64", "--root", "0x1000", "0x00ff_8000_0000_1fff");

    assertThat(r.err).isEmpty();
    assertThat(r.out).isEqualTo(""
        + "0x00ff800000001fff -> 0x0000000000201fff 4K PT rw-u---\n"
        + "0xff11000000310000 -> 0x0000000000510000 2M PD r-x-g--\n"
        + "0xfffffffffffff008 -> 0x00000000fee00008 4K PT rw----- type=3\n"
        + "0x0100000000000000 not canonical for x86-64-5level\n"
        + "0x00ff800000002000 not mapped: PT[2] empty\n"
        // Canonical for 5-level (bits 63..56 clear), and nothing is mapped at PML5[0].
        + "0x0000800000000000 not mapped: PML5[0] empty\n");
    assertThat(r.status).isEqualTo(1);
    assertThat(fourLevel.out).isEqualTo("0x00ff800000001fff not canonical for x86-64\n");
  }

  /** satp for an Sv39 root at {@code root} with ASID 5: MODE 8, the ASID and the PPN. */
  static long sv39Satp(long root) {
    return (8L << 60) | (5L << 44) | (root >>> 12);
  }

  /** An Sv39 space, tables from {@code tablesAt}, in memory of {@code memorySize} bytes. */
  static ImageBuilder sv39Space(long memorySize, long tablesAt) {
    PagingFormat sv39 = Formats.sv39();
    ImageBuilder b = ImageBuilder.of(sv39, memorySize, tablesAt);
    b.map(0x0000_0000_1000_0000L, KIB_4, 0x8020_0000L,
        Attributes.readExecute().withUser(true).withAccessed(true));
    b.map(0x0000_0000_4000_0000L, MIB_2, 0x8040_0000L, Attributes.readWrite().withUser(true));
    b.map(0xffff_ffff_c000_0000L, GIB_1, 0x8000_0000L,
        Attributes.readWrite().withExecutable(true).withGlobal(true).withAccessed(true).withDirty(true));
    // W without R is a reserved encoding.
    b.entry(0x0000_0000_1000_1000L, 2, (0x8030_0000L >>> 12) << 10 | 0b0101);
    return b;
  }

  @Test
  void sv39FromSatpWithItsAsid() throws IOException {
    Path image = sv39Space(IMAGE_SIZE, 0x1000).save(dir.resolve("sv39.img"), 0, IMAGE_SIZE);
    String satp = "0x" + Long.toHexString(sv39Satp(0x1000));

    CliRun r = translate(image, "--satp", satp,
        "0x1000_0042", "0x4012_3456", "0xffff_ffff_ffff_fff0", "0x1000_1000", "0x2000_0000",
        "0x0000_0040_0000_0000");
    CliRun explicit = translate(image, "--satp", satp, "--format", "sv39", "0x1000_0042");
    CliRun byRoot = translate(image, "--format", "sv39", "--root", "0x1000", "0x1000_0042");

    assertThat(satp).isEqualTo("0x8000500000000001");
    assertThat(r.err).isEqualTo("paging translate: 1 address ended at an entry that could not be followed (reserved encoding: 1); 'paging audit' lists them\n");
    assertThat(r.out).isEqualTo(""
        + "0x0000000010000042 -> 0x0000000080200042 4K L0 r-xu-a-\n"
        + "0x0000000040123456 -> 0x0000000080523456 2M L1 rw-u---\n"
        + "0xfffffffffffffff0 -> 0x00000000bffffff0 1G L2 rwx-gad\n"
        + "0x0000000010001000 not mapped: L0[1] RESERVED_ENCODING (entry 0x00000000200c0005)\n"
        + "0x0000000020000000 not mapped: L1[256] empty\n"
        + "0x0000004000000000 not canonical for sv39\n");
    assertThat(r.status).isEqualTo(1);
    assertThat(explicit.out).isEqualTo("0x0000000010000042 -> 0x0000000080200042 4K L0 r-xu-a-\n");
    assertThat(byRoot.out).isEqualTo(explicit.out);
  }

  @Test
  void anImageThatStartsAtANonZeroBase() throws IOException {
    // QEMU's RISC-V virt machine has its RAM at 0x8000_0000: the image starts there.
    long base = 0x8000_0000L;
    ImageBuilder b = sv39Space(base + IMAGE_SIZE, base + 0x1000);
    // A table pointer just below the image.
    b.entry(0x0000_0000_6000_0000L, 1, ((base - 0x1000) >>> 12) << 10 | 1);
    Path image = b.save(dir.resolve("ram.img"), base, IMAGE_SIZE);
    String satp = "0x" + Long.toHexString(sv39Satp(base + 0x1000));

    CliRun r = translate(image, "--satp", satp, "--base", "0x8000_0000", "0x1000_0042", "0x6000_0000");
    CliRun withoutBase = translate(image, "--satp", satp, "0x1000_0042");

    assertThat(r.err).isEqualTo("paging translate: 1 address ended at an entry that could not be followed (outside the image: 1); 'paging audit' lists them\n");
    assertThat(r.out).isEqualTo(""
        + "0x0000000010000042 -> 0x0000000080200042 4K L0 r-xu-a-\n"
        + "0x0000000060000000 not mapped: L1[256] TABLE_OUTSIDE_MEMORY"
        + " (entry 0x000000001ffffc01, table 0x000000007ffff000)\n");
    assertThat(r.status).isEqualTo(1);
    assertThat(withoutBase.out).isEmpty();
    assertThat(withoutBase.err).isEqualTo("paging translate: root table 0x0000000080001000 (from --satp "
        + "0x8000500000080001) is outside the image " + image
        + ", which holds physical 0x0000000000000000..0x00000000000fffff\n");
    assertThat(withoutBase.status).isEqualTo(2);
  }

  @Test
  void anImageTruncatedInsideATableReportsTheTableOutside() throws IOException {
    // Only the first 0x3800 bytes are saved: the root and the PDPT are whole, the PD is cut in half.
    Path image = x86Space().save(dir.resolve("cut.img"), 0, 0x3800);

    CliRun r = translate(image, "--format", "x86-64", "--root", "0x1000", "0x401234");

    assertThat(r.err).isEqualTo("paging translate: 1 address ended at an entry that could not be followed (outside the image: 1); 'paging audit' lists them\n");
    assertThat(r.out).isEqualTo(
        "0x0000000000401234 not mapped: PDPT[0] TABLE_OUTSIDE_MEMORY (entry 0x0000000000003007, "
            + "table 0x0000000000003000)\n");
    assertThat(r.status).isEqualTo(1);
  }

  private Path save(ImageBuilder b, String name) {
    try {
      return b.save(dir.resolve(name), 0, IMAGE_SIZE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
