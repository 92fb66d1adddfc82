package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.core.Formats;
import dev.paging.dump.DumpRenderer;
import org.junit.jupiter.api.Test;

/**
 * QEMU 7.2's RISC-V {@code info mem} (target/riscv/monitor.c, walk_pte), line for line. The
 * expected listings follow from that function's source: its virtual-contiguity cursor {@code
 * last_start} is a local of each table's call and starts at -1, the run's physical address,
 * size and attributes are shared across calls, and the physical address is {@code (pte >> 10) <<
 * 12}. Entries are written raw (V=1, R=2, W=4, X=8, A=0x40, D=0x80), so the listings do not
 * depend on the library's encoder.
 */
class QemuRiscVInfoMemTest {
  private static final String HEADER = """
      vaddr            paddr            size             attr
      ---------------- ---------------- ---------------- -------
      """;
  private static final long RW_AD = 0x1 | 0x2 | 0x4 | 0x40 | 0x80;

  private static long leaf(long pa, long flags) {
    return (pa >>> 12) << 10 | flags;
  }

  @Test
  void aRunEndsAtTheFirstLeafOfTheNextTableEvenWhenEverythingContinues() {
    Trees t = Trees.of(Formats.sv39());
    t.raw(0x1fe000L, 2, leaf(0x8010_0000L, RW_AD));
    t.raw(0x1ff000L, 2, leaf(0x8010_1000L, RW_AD));
    // The next page, in the next L0 table, continues both addresses with the same bits.
    t.raw(0x200000L, 2, leaf(0x8010_2000L, RW_AD));
    t.raw(0x201000L, 2, leaf(0x8010_3000L, RW_AD));
    assertThat(DumpSpaces.render(t, DumpRenderer::qemuInfoMem)).isEqualTo(HEADER + """
        00000000001fe000 0000000080100000 0000000000002000 rw---ad
        0000000000200000 0000000080102000 0000000000002000 rw---ad
        """);
  }

  @Test
  void aRunEndsAtTheFirstLeafAfterATableTheWalkDescendedInto() {
    Trees t = Trees.of(Formats.sv39());
    // L1 entry 0 points to an L0 table whose last page is followed, in both addresses, by the
    // megapage of L1 entry 1, then by the megapage of L1 entry 2.
    t.raw(0x1ff000L, 2, leaf(0x801f_f000L, RW_AD));
    t.raw(0x200000L, 1, leaf(0x8020_0000L, RW_AD));
    t.raw(0x400000L, 1, leaf(0x8040_0000L, RW_AD));
    assertThat(DumpSpaces.render(t, DumpRenderer::qemuInfoMem)).isEqualTo(HEADER + """
        00000000001ff000 00000000801ff000 0000000000001000 rw---ad
        0000000000200000 0000000080200000 0000000000400000 rw---ad
        """);
  }

  @Test
  void thePhysicalAddressKeepsTheBitsAboveThePpnAsQemuPrintsIt() {
    Trees t = Trees.of(Formats.sv39());
    // PBMT NC (bit 61) lands in bit 63 of the printed address; PBMT IO (bit 62) shifts out.
    t.raw(0x1000L, 2, leaf(0x8000_1000L, RW_AD) | 1L << 61);
    t.raw(0x3000L, 2, leaf(0x8000_3000L, RW_AD) | 1L << 62);
    assertThat(DumpSpaces.render(t, DumpRenderer::qemuInfoMem)).isEqualTo(HEADER + """
        0000000000001000 8000000080001000 0000000000001000 rw---ad
        0000000000003000 0000000080003000 0000000000001000 rw---ad
        """);
  }

  @Test
  void entriesQemuTakesForLeavesArePrintedThoughTheLibraryFindsThemMalformed() {
    Trees t = Trees.of(Formats.sv39());
    // W without R is reserved, but valid with W set: QEMU's walk prints it like any leaf.
    t.raw(0x5000L, 2, leaf(0x8000_5000L, 0x1 | 0x4));
    t.raw(0x7000L, 2, leaf(0x8000_7000L, 0x1 | 0x2 | 0x8));
    assertThat(DumpSpaces.render(t, DumpRenderer::qemuInfoMem)).isEqualTo(HEADER + """
        0000000000005000 0000000080005000 0000000000001000 -w-----
        0000000000007000 0000000080007000 0000000000001000 r-x----
        """);
  }
}
