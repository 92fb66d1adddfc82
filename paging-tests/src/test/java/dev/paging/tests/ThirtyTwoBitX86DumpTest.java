package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.core.Formats;
import dev.paging.dump.DumpRenderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The x86 listings on 32-bit and PAE paging, line for line. QEMU's lines follow from QEMU 7.2's
 * {@code tlb_info_32}, {@code tlb_info_pae32}, {@code mem_info_32} and {@code mem_info_pae32}
 * (target/i386/monitor.c): {@code print_pte} prints {@code pte & mask} with the masks those
 * functions pass and the letters X G P D A C T U W; {@code mem_print} prints a run when the
 * protection ANDed over the PDE and PTE changes, and the last run ends at {@code 1 << 32}.
 * ptdump's follow from Linux's x86 layout on a 32-bit kernel. Entries are written raw (P 1, RW 2,
 * US 4, PCD 0x10, A 0x20, D 0x40, PS/PAT 0x80, G 0x100, PAT 0x1000 in a large page), so the
 * listings do not depend on the library's encoder.
 */
class ThirtyTwoBitX86DumpTest {
  /** 32-bit paging: a 4 MiB page at 4 MiB with PSE-36 bit 32 set, and a 4 KiB user page at 3 GiB. */
  static Trees thirtyTwoBit() {
    Trees t = Trees.of(Formats.x86_32());
    t.raw(0x40_0000L, 0, 0x00c0_0000L | 1L << 13 | 0x80 | 0x10 | 0x2 | 0x1);
    t.raw(0xc000_0000L, 1, 0x0012_3000L | 0x100 | 0x80 | 0x40 | 0x20 | 0x4 | 0x2 | 0x1);
    return t;
  }

  /** PAE: a 2 MiB user page at 2 MiB with PAT, and a writable no-execute 4 KiB page at 3 GiB + 20 KiB. */
  static Trees pae() {
    Trees t = Trees.of(Formats.x86Pae());
    t.raw(0x20_0000L, 1, 0x0040_0000L | 0x1000 | 0x100 | 0x80 | 0x4 | 0x1);
    t.raw(0xc000_5000L, 2, 0x8000_0000_0000_5000L | 0x2 | 0x1);
    return t;
  }

  @Nested
  class QemuInfoTlb {
    @Test
    void thirtyTwoBitPrintsTheLargePageWithoutItsPse36BitsAndThePteWithoutPat() {
      assertThat(DumpSpaces.render(thirtyTwoBit(), DumpRenderer::qemuInfoTlb)).isEqualTo("""
          0000000000400000: 0000000000c00000 --P--C--W
          00000000c0000000: 0000000000123000 -G-DA--UW
          """);
    }

    @Test
    void paeKeepsBit63InTheAddressAndClearsTheLargePagesPat() {
      assertThat(DumpSpaces.render(pae(), DumpRenderer::qemuInfoTlb)).isEqualTo("""
          0000000000200000: 0000000000400000 -GP----U-
          00000000c0005000: 8000000000005000 X-------W
          """);
    }
  }

  @Nested
  class QemuInfoMem {
    @Test
    void thirtyTwoBitRightsAreThePdesAndThePtesAnded() {
      assertThat(DumpSpaces.render(thirtyTwoBit(), DumpRenderer::qemuInfoMem)).isEqualTo("""
          0000000000400000-0000000000800000 0000000000400000 -rw
          00000000c0000000-00000000c0001000 0000000000001000 urw
          """);
    }

    @Test
    void aRunReachingTheTopEndsAtFourGibibytesNotSignExtended() {
      Trees t = Trees.of(Formats.x86_32());
      t.raw(0xffc0_0000L, 0, 0x0040_0000L | 0x80 | 0x4 | 0x1);
      t.raw(0x8000_0000L, 0, 0x0080_0000L | 0x80 | 0x4 | 0x1);
      assertThat(DumpSpaces.render(t, DumpRenderer::qemuInfoMem)).isEqualTo("""
          0000000080000000-0000000080400000 0000000000400000 ur-
          00000000ffc00000-0000000100000000 0000000000400000 ur-
          """);
    }

    @Test
    void paePdptesTakeNoPartInTheRights() {
      assertThat(DumpSpaces.render(pae(), DumpRenderer::qemuInfoMem)).isEqualTo("""
          0000000000200000-0000000000400000 0000000000200000 ur-
          00000000c0005000-00000000c0006000 0000000000001000 -rw
          """);
    }
  }

  @Nested
  class Ptdump {
    @Test
    void thirtyTwoBitPrintsEightDigitsAndTheFoldedWalksLevelNames() {
      assertThat(DumpSpaces.render(thirtyTwoBit(), DumpRenderer::ptdump)).isEqualTo("""
          ---[ User Space ]---
          0x00000000-0x00400000           4M                               pgd
          0x00400000-0x00800000           4M     RW     PCD PSE         x  pmd
          0x00800000-0x80000000        2040M                               pgd
          ---[ Kernel Space ]---
          0x80000000-0xc0000000           1G                               pgd
          0xc0000000-0xc0001000           4K USR RW             PAT GLB x  pte
          0xc0001000-0xc0400000        4092K                               pte
          0xc0400000-0x00000000        1020M                               pgd
          """);
    }

    @Test
    void paeShowsNxAndNamesThePdptThePgd() {
      assertThat(DumpSpaces.render(pae(), DumpRenderer::ptdump)).isEqualTo("""
          ---[ User Space ]---
          0x00000000-0x00200000           2M                               pmd
          0x00200000-0x00400000           2M USR ro         PSE PAT GLB x  pmd
          0x00400000-0x40000000        1020M                               pmd
          0x40000000-0x80000000           1G                               pgd
          ---[ Kernel Space ]---
          0x80000000-0xc0000000           1G                               pgd
          0xc0000000-0xc0005000          20K                               pte
          0xc0005000-0xc0006000           4K     RW                     NX pte
          0xc0006000-0xc0200000        2024K                               pte
          0xc0200000-0x00000000        1022M                               pmd
          """);
    }
  }
}
