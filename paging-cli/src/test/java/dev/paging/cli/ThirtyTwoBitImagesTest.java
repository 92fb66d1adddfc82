package dev.paging.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Attributes;
import dev.paging.core.Formats;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images of 32-bit and PAE guests: the root from CR3 as each mode reads it, CR4.PSE and EFER.NXE
 * as flags, and the options that belong to another mode refused by name.
 */
class ThirtyTwoBitImagesTest {
  private static final Attributes RWX = Attributes.readWrite().withExecutable(true);

  @TempDir
  Path dir;

  /** An xv6-like 32-bit space: 4 MiB kernel pages at 2 GiB, one user page at 0. */
  private Path thirtyTwoBit() throws IOException {
    ImageBuilder b = ImageBuilder.of(Formats.x86_32(), 1 << 20, 0x1000);
    b.map(0x8000_0000L, 4L << 20, 0, RWX);
    b.map(0x0, 1 << 12, 0x5000, RWX.withUser(true));
    return b.save(dir.resolve("x86-32.img"), 0, 1 << 20);
  }

  @Test
  void inspectReadsFourByteEntriesFromCr3WithPse() throws IOException {
    Path image = thirtyTwoBit();
    // CR3 0x1018: the PD at 0x1000, PWT and PCD set in the low bits, which are not an address.
    CliRun tlb = CliRun.of("inspect", "--image", image.toString(), "--format", "x86-32", "--cr3", "0x1018", "--pse",
        "--view", "info-tlb");
    assertThat(tlb.err).isEmpty();
    assertThat(tlb.out).isEqualTo("""
        0000000000000000: 0000000000005000 -------UW
        0000000080000000: 0000000000000000 --P-----W
        """);
    CliRun translate = CliRun.of("translate", "--image", image.toString(), "--format", "x86-32", "--cr3", "0x1000",
        "--pse", "0x80123456");
    assertThat(translate.out).isEqualTo("0x0000000080123456 -> 0x0000000000123456 4M PD rwx----\n");
  }

  @Test
  void withoutPseTheLargePageReadsAsAPointerToATable() throws IOException {
    CliRun translate = CliRun.of("translate", "--image", thirtyTwoBit().toString(), "--format", "x86-32",
        "--cr3", "0x1000", "0x80123456");
    // PDE 512 is 0x83: without PSE a pointer to the "page table" at 0, whose entry 0x123 is zero.
    assertThat(translate.out).isEqualTo("0x0000000080123456 not mapped: PT[291] empty\n");
  }

  @Test
  void aPaeRootIsTakenAtCr3WithItsLow5BitsCleared() throws IOException {
    ImageBuilder b = ImageBuilder.of(Formats.x86Pae(), 1 << 20, 0x1000);
    b.map(0xc000_0000L, 1 << 12, 0x7000, Attributes.readWrite());
    Path image = b.save(dir.resolve("pae.img"), 0, 1 << 20);
    CliRun tlb = CliRun.of("inspect", "--image", image.toString(), "--format", "x86-pae", "--cr3", "0x1018",
        "--nxe", "--view", "info-tlb");
    assertThat(tlb.err).isEmpty();
    assertThat(tlb.out).isEqualTo("00000000c0000000: 8000000000007000 X-------W\n");
    CliRun withoutNxe = CliRun.of("translate", "--image", image.toString(), "--format", "x86-pae", "--cr3", "0x1000",
        "0xc0000000");
    assertThat(withoutNxe.out).isEqualTo("0x00000000c0000000 not mapped: PT[0] RESERVED_BITS (entry 0x8000000000007003)\n");
  }

  @Test
  void flagsOfAnotherModeAreRefusedByName() throws IOException {
    Path image = thirtyTwoBit();
    CliRun nxe = CliRun.of("translate", "--image", image.toString(), "--format", "x86-32", "--cr3", "0x1000", "--nxe",
        "0x0");
    assertThat(nxe.status).isEqualTo(2);
    assertThat(nxe.err).startsWith("paging translate: --nxe is EFER.NXE of PAE paging; give it with --format x86-pae,"
        + " not x86-32 (x86-64 formats always have NX) (see 'paging translate --help')\n");
    CliRun pse = CliRun.of("translate", "--image", image.toString(), "--cr3", "0x1000", "--pse", "0x0");
    assertThat(pse.err).startsWith("paging translate: --pse is CR4.PSE of 32-bit paging; give it with --format x86-32 (see 'paging translate --help')\n");
    CliRun physBits = CliRun.of("translate", "--image", image.toString(), "--format", "x86-32", "--cr3", "0x1000",
        "--phys-bits", "36", "0x0");
    assertThat(physBits.err).startsWith("paging translate: --phys-bits applies to x86-64 formats; x86-32 has 32"
        + " physical address bits (see 'paging translate --help')\n");
    CliRun outside = CliRun.of("translate", "--image", image.toString(), "--format", "x86-32", "--cr3", "0x1000",
        "0x100000000");
    assertThat(outside.status).isEqualTo(1);
    assertThat(outside.out).isEqualTo("0x0000000100000000 not canonical for x86-32\n");
  }

  @Test
  void rootsFindsThirtyTwoBitDirectoriesAndExplainsWhyNotPae() throws IOException {
    CliRun roots = CliRun.of("roots", "--image", thirtyTwoBit().toString(), "--format", "x86-32", "--pse");
    assertThat(roots.status).isZero();
    assertThat(roots.out).contains("0x0000000000001000");
    CliRun pae = CliRun.of("roots", "--image", thirtyTwoBit().toString(), "--format", "x86-pae");
    assertThat(pae.status).isEqualTo(2);
    assertThat(pae.err).startsWith("paging roots: a PAE root is 4 entries, too few to find by scanning: give the"
        + " tables' CR3 to inspect or translate with --format x86-pae --cr3 VALUE (see 'paging roots --help')\n");
  }
}
