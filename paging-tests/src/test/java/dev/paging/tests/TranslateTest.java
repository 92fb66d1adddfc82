package dev.paging.tests;

import static dev.paging.tests.Space.GIB;
import static dev.paging.tests.Space.KIB4;
import static dev.paging.tests.Space.MIB2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Attributes;
import dev.paging.api.EntryProblem;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.ops.ProtectResult;
import dev.paging.ops.Translation;
import dev.paging.ops.Translator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class TranslateTest {
  private static final Attributes RW = Attributes.readWrite();

  @Test
  void givesPhysicalAddressPageSizeLevelAndLeafAttributes() {
    Space s = Space.of(Formats.x86_64());
    Attributes a = Attributes.readExecute().withUser(true).withGlobal(true);
    s.tables.map(VirtualRange.ofLength(GIB, GIB), 0x1_0000_0000L, a);
    Translation t = s.translate(GIB + 0x1234_5678L);
    assertThat(t.isMapped()).isTrue();
    assertThat(t.physicalAddress()).isEqualTo(0x1_1234_5678L);
    assertThat(t.pageSize()).isEqualTo(GIB);
    assertThat(t.level().name()).isEqualTo("PDPT");
    assertThat(t.leafAttributes()).isEqualTo(a);
    assertThat(t.effectiveAttributes()).isEqualTo(a);
    // P, U/S, PS and G; no R/W; XD clear.
    assertThat(t.entry()).isEqualTo(0x1_0000_0000L | 0x185);
    assertThat(t.toString()).isEqualTo("0x0000000052345678 -> 0x0000000112345678 1G PDPT r-xug-- (leaf r-xug--)");
  }

  @Test
  void effectiveAttributesAndWriteAndUserDownTheLevelsAndOrExecuteDisable() {
    Space s = Space.of(Formats.x86_64());
    Attributes all = Attributes.readWrite().withUser(true).withExecutable(true);
    s.tables.map(VirtualRange.page(0x1000), 0x5000, all);
    s.tables.map(VirtualRange.page(0x2000), 0x6000, all);
    // The PD entry loses write, the PDPT entry user, the PML4 entry gains execute-disable.
    long pd = s.entryAddress(0x1000, 2);
    s.memory.write(pd, s.memory.read(pd) & ~0x2L);
    long pdpt = s.entryAddress(0x1000, 1);
    s.memory.write(pdpt, s.memory.read(pdpt) & ~0x4L);
    long pml4 = s.entryAddress(0x1000, 0);
    s.memory.write(pml4, s.memory.read(pml4) | (1L << 63));
    Translation t = s.translate(0x1234);
    assertThat(t.leafAttributes()).isEqualTo(all);
    assertThat(t.effectiveAttributes()).isEqualTo(Attributes.readOnly());
    assertThat(t.toString()).isEqualTo("0x0000000000001234 -> 0x0000000000005234 4K PT r------ (leaf rwxu---)");
  }

  @Test
  void riscVEffectiveAttributesAreTheLeafs() {
    Space s = Space.of(Formats.sv39());
    Attributes a = Attributes.readWrite().withUser(true).withAccessed(true).withDirty(true);
    s.tables.map(VirtualRange.ofLength(MIB2, MIB2), 0x8000_0000L, a);
    Translation t = s.translate(MIB2 + 0x10);
    assertThat(t.effectiveAttributes()).isEqualTo(a);
    assertThat(t.level().name()).isEqualTo("L1");
  }

  @Test
  void notMappedSaysAtWhichLevelAndWhy() {
    Space s = Space.of(Formats.x86_64());
    assertThat(s.translate(0x1000).toString())
        .isEqualTo("0x0000000000001000 not mapped: EMPTY at PML4 (entry 0x0000000000000000)");
    s.tables.map(VirtualRange.page(0x1000), 0x5000, Attributes.readWrite());
    Translation pt = s.translate(0x3000);
    assertThat(pt.outcome()).isEqualTo(Translation.Outcome.EMPTY);
    assertThat(pt.level().name()).isEqualTo("PT");
    assertThatThrownBy(pt::physicalAddress).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("0x0000000000003000 is not mapped");
    s.memory.write(s.entryAddress(0x3000, 3), 0x7_0000_0000L);
    Translation marker = s.translate(0x3000);
    assertThat(marker.outcome()).isEqualTo(Translation.Outcome.NOT_PRESENT);
    assertThat(marker.entry()).isEqualTo(0x7_0000_0000L);
    s.memory.write(s.entryAddress(GIB, 1), 0x10_0000_0003L);
    Translation outside = s.translate(GIB);
    assertThat(outside.outcome()).isEqualTo(Translation.Outcome.MALFORMED);
    assertThat(outside.problem()).contains(EntryProblem.TABLE_OUTSIDE_MEMORY);
    assertThat(outside.level().name()).isEqualTo("PDPT");
    // A PDPT entry pointing back at the PML4 is a recursive mapping, which the MMU follows: PDPT[2]
    // reads the PML4 as a PD, PML4[0] the PDPT as a PT, whose entry 0 (the link to the PD of
    // 0x1000) maps, as a 4 KiB page, that PD's frame.
    s.memory.write(s.entryAddress(2 * GIB, 1), s.space().root() | 0x3);
    long pd = s.memory.read(s.entryAddress(0, 1)) & 0x000f_ffff_ffff_f000L;
    assertThat(s.tables.physicalAddressOrElse(2 * GIB + 0x18, Translator.NOT_MAPPED)).isEqualTo(pd + 0x18);
    assertThat(s.translate(2 * GIB).level().name()).isEqualTo("PT");
    assertThat(s.tables.physicalAddressOrElse(3 * GIB, Translator.NOT_MAPPED)).isEqualTo(Translator.NOT_MAPPED);
    // The fallback is the caller's: whatever it passes comes back for an address nothing maps.
    assertThat(s.tables.physicalAddressOrElse(3 * GIB, 0x42)).isEqualTo(0x42);
    assertThat(s.tables.physicalAddressOrElse(3 * GIB, Long.MIN_VALUE)).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void translatesTheTopPageAndRejectsNonCanonicalAddresses() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.page(0xffff_ffff_ffff_f000L), 0xabc_d000L, Attributes.readWrite());
    assertThat(s.tables.physicalAddressOrElse(-1L, Translator.NOT_MAPPED)).isEqualTo(0xabc_dfffL);
    assertThatThrownBy(() -> s.translate(0x0000_8000_0000_0000L)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0x0000800000000000");
    assertThatThrownBy(() -> s.tables.physicalAddressOrElse(0xffff_7fff_ffff_ffffL, Translator.NOT_MAPPED))
        .hasMessageContaining("0xffff7fffffffffff");
  }

  /**
   * The fast path and the visitor agree everywhere, on random trees with huge pages, markers,
   * malformed entries, tables outside memory and recursive entries.
   */
  @Test
  void theFastPathAgreesWithTheVisitorOnRandomHostileTrees() {
    for (PagingFormat format : List.of(Formats.x86_64(), Formats.x86_64FiveLevel(), Formats.sv39(), Formats.sv57())) {
      SplittableRandom random = new SplittableRandom(format.name().hashCode());
      Space s = Space.of(format);
      long window = 4 * GIB;
      for (int i = 0; i < 40; i++) {
        long va = random.nextLong(window / MIB2) * MIB2;
        long size = (1 + random.nextInt(3)) * (random.nextBoolean() ? MIB2 : KIB4 * 3);
        s.tables.map(VirtualRange.ofLength(va, size), 0x4000_0000L + va, Attributes.readWrite(),
            dev.paging.ops.MapOptions.replacing());
      }
      for (int i = 0; i < 60; i++) {
        long va = random.nextLong(window) & ~0xfffL;
        Translation t = s.translate(va);
        if (t.outcome() == Translation.Outcome.EMPTY && t.level().depth() == 0) {
          continue;
        }
        long address = s.entryAddress(va, t.level().depth());
        // A marker; pointers back to the root (x86, RISC-V); pointers outside memory (x86,
        // RISC-V); all bits set; reserved bits with a leaf. Either format reads each somehow.
        long[] hostile = {
          0x7_0000_0000L,
          s.space().root() | 0x3,
          (s.space().root() >>> 2) | 0x1,
          0x40_0000_0000L | 0x3,
          (0x40_0000_0000L >>> 2) | 0x1,
          -1L,
          0x0ff0_0000_0000_0083L,
        };
        s.memory.write(address, hostile[random.nextInt(hostile.length)]);
      }
      Translator fast = Translator.of(s.space());
      for (int i = 0; i < 20_000; i++) {
        long va = random.nextLong(window);
        Translation t = s.translate(va);
        long expected = t.isMapped() ? t.physicalAddress() : Translator.NOT_MAPPED;
        assertThat(fast.physicalAddressOrElse(va, Translator.NOT_MAPPED)).as(format.name() + " " + Long.toHexString(va) + " " + t).isEqualTo(expected);
      }
    }
  }

  @Test
  @Tag("reference-lessons")
  @DisplayName("reference-lessons: bit 7 of a last-level entry is PAT, not a huge page")
  void bit7OfALastLevelEntryIsPatNotAHugePage() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.page(0x1000), 0x5000, RW.withMemoryType(4));
    assertThat(s.entry(0x1000, 3) & 0x80).isEqualTo(0x80);
    Translation t = s.translate(0x1234);
    assertThat(t.pageSize()).isEqualTo(KIB4);
    assertThat(t.physicalAddress()).isEqualTo(0x5234);
    assertThat(t.leafAttributes().memoryType()).isEqualTo(4);
    // Protect and unmap see a 4 KiB leaf too: nothing is smashed, one entry changes.
    ProtectResult p = s.tables.protect(VirtualRange.page(0x1000), Attributes.readOnly().withMemoryType(4));
    assertThat(p.tablesAllocated()).isZero();
    assertThat(s.entry(0x1000, 3)).isEqualTo(0x8000_0000_0000_5081L);
    assertThat(s.tables.unmap(VirtualRange.page(0x1000)).unmapped().get(0).pageSize()).isEqualTo(KIB4);
  }

  @Test
  @Tag("reference-lessons")
  @DisplayName("reference-lessons: translate reports the effective flags, not only the leaf's")
  void translateReportsTheEffectiveFlagsNotOnlyTheLeafs() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.page(0x1000), 0x5000, RW.withUser(true));
    long pdpt = s.entryAddress(0x1000, 1);
    s.memory.write(pdpt, s.memory.read(pdpt) & ~0x2L);
    Translation t = s.translate(0x1000);
    assertThat(t.leafAttributes().writable()).isTrue();
    assertThat(t.effectiveAttributes().writable()).isFalse();
    assertThat(t.effectiveAttributes().user()).isTrue();
  }
}
