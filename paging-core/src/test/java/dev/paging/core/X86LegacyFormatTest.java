package dev.paging.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Architecture;
import dev.paging.api.Attributes;
import dev.paging.api.EntryVerdict;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Bit-exact checks of 32-bit and PAE paging against the SDM's entry tables (vol. 3A, tables 4-4
 * to 4-6 for 32-bit paging, 4-8 to 4-11 for PAE): the expected entries are written from the
 * manual's bit positions, not from the encoder.
 */
class X86LegacyFormatTest {
  private static final PagingFormat X32 = Formats.x86_32();
  private static final PagingFormat X32_NO_PSE = Formats.x86_32(false);
  private static final PagingFormat PAE = Formats.x86Pae();
  private static final PagingFormat PAE_NO_NX = Formats.x86Pae(false);
  private static final Level PD32 = X32.levels().get(0);
  private static final Level PT32 = X32.levels().get(1);
  private static final Level PDPT = PAE.levels().get(0);
  private static final Level PD = PAE.levels().get(1);
  private static final Level PT = PAE.levels().get(2);
  private static final Attributes RW_USER = Attributes.readWrite().withUser(true).withExecutable(true);

  @Nested
  class Geometry {
    @Test
    void thirtyTwoBitPagingIsTwoLevelsOf1024FourByteEntries() {
      assertThat(X32.name()).isEqualTo("x86-32");
      assertThat(X32.architecture()).isEqualTo(Architecture.X86_32);
      assertThat(X32.levels()).extracting(Level::name).containsExactly("PD", "PT");
      assertThat(X32.levels()).extracting(Level::shift).containsExactly(22, 12);
      assertThat(X32.levels()).extracting(Level::entries).containsOnly(1024);
      assertThat(X32.levels()).extracting(Level::entryBytes).containsOnly(4);
      assertThat(X32.levels()).extracting(Level::tableBytes).containsOnly(4096L);
      assertThat(X32.levels()).extracting(Level::leafAllowed).containsExactly(true, true);
      assertThat(X32_NO_PSE.levels()).extracting(Level::leafAllowed).containsExactly(false, true);
      assertThat(X32.virtualAddressBits()).isEqualTo(32);
      assertThat(X32.physicalAddressBits()).isEqualTo(40);
      assertThat(X32_NO_PSE.physicalAddressBits()).isEqualTo(32);
    }

    @Test
    void paeHasAFourEntryPdptAlignedTo32Bytes() {
      assertThat(PAE.name()).isEqualTo("x86-pae");
      assertThat(PAE.levels()).extracting(Level::name).containsExactly("PDPT", "PD", "PT");
      assertThat(PAE.levels()).extracting(Level::shift).containsExactly(30, 21, 12);
      assertThat(PAE.levels()).extracting(Level::entries).containsExactly(4, 512, 512);
      assertThat(PAE.levels()).extracting(Level::entryBytes).containsOnly(8);
      assertThat(PAE.levels()).extracting(Level::tableBytes).containsExactly(32L, 4096L, 4096L);
      assertThat(PAE.levels()).extracting(Level::tableAlignment).containsExactly(32L, 4096L, 4096L);
      assertThat(PAE.levels()).extracting(Level::leafAllowed).containsExactly(false, true, true);
    }

    @Test
    void theSpaceIsAll32BitsWithNoHole() {
      for (PagingFormat f : new PagingFormat[] {X32, PAE}) {
        assertThat(f.isCanonical(0xffff_ffffL)).isTrue();
        assertThat(f.isCanonical(0x8000_0000L)).isTrue();
        assertThat(f.isCanonical(0x1_0000_0000L)).isFalse();
        assertThat(f.isCanonical(-1L)).isFalse();
        assertThat(f.lowerHalf()).isEqualTo(VirtualRange.closed(0, 0x7fff_ffffL));
        assertThat(f.upperHalf()).isEqualTo(VirtualRange.closed(0x8000_0000L, 0xffff_ffffL));
        assertThat(f.canonicalAddress(0x3L << 30)).isEqualTo(0xc000_0000L);
      }
      assertThatThrownBy(() -> X32.checkCanonical(VirtualRange.closed(0, 0x1_0000_0fffL)))
          .hasMessageContaining("0x0000000100000fff");
    }

    @Test
    void equalFormatsAcceptEachOthersLevels() {
      assertThat(Formats.x86_32(true)).isEqualTo(X32).isSameAs(X32);
      assertThat(X32_NO_PSE).isNotEqualTo(X32);
      assertThat(PAE_NO_NX).isNotEqualTo(PAE);
      assertThat(X32.encodeLeaf(Formats.x86_32().levels().get(1), 0x5000, RW_USER)).isEqualTo(0x5007L);
      assertThatThrownBy(() -> X32.encodeLeaf(PT, 0x5000, RW_USER))
          .hasMessageStartingWith("x86-32: level PT (depth 2) is not one of [PD, PT]");
    }
  }

  @Nested
  class ThirtyTwoBit {
    @Test
    void aPageTableEntryHasPRwUsPwtPcdADPatGAndSoftwareBits() {
      // P 0, R/W 1, U/S 2, PWT 3, PCD 4, A 5, D 6, PAT 7, G 8, software 9-11, address 31:12.
      Attributes a = Attributes.readWrite().withUser(true).withExecutable(true).withAccessed(true)
          .withDirty(true).withGlobal(true).withMemoryType(7).withSoftwareBits(5);
      long raw = 0xfedc_b000L | 1 | 2 | 4 | 8 | 16 | 32 | 64 | 128 | 256 | (5 << 9);
      assertThat(X32.encodeLeaf(PT32, 0xfedc_b000L, a)).isEqualTo(raw);
      assertThat(X32.decode(PT32, raw)).isEqualTo(EntryVerdict.LEAF);
      assertThat(X32.address(PT32, raw)).isEqualTo(0xfedc_b000L);
      assertThat(X32.attributes(PT32, raw)).isEqualTo(a);
    }

    @Test
    void aPdePointsToAPageTableAndIgnoresBits6And8() {
      long raw = 0x0012_3000L | 1 | 2 | 4;
      assertThat(X32.encodeTable(PD32, 0x12_3000, X32.tableAttributesFor(RW_USER))).isEqualTo(raw);
      assertThat(X32.decode(PD32, raw)).isEqualTo(EntryVerdict.TABLE);
      assertThat(X32.decode(PD32, raw | 0x140)).isEqualTo(EntryVerdict.TABLE);
      assertThat(X32.attributes(PD32, raw | 0x140).extraBits()).isEqualTo(0x140L);
      assertThat(X32.address(PD32, raw | 0x140)).isEqualTo(0x12_3000L);
    }

    @Test
    void aFourMebibytePdeCarriesPse36HighBitsIn13To20() {
      // Physical 0xab_c040_0000: bits 39:32 = 0xab in entry bits 20:13, bits 31:22 = 0x301 in place.
      long pa = 0xab_c040_0000L;
      long raw = 0xc040_0000L | (0xabL << 13) | 0x80 | 0x1 | 0x2;
      Attributes a = Attributes.readWrite().withExecutable(true);
      assertThat(X32.encodeLeaf(PD32, pa, a)).isEqualTo(raw);
      assertThat(X32.decode(PD32, raw)).isEqualTo(EntryVerdict.LEAF);
      assertThat(X32.address(PD32, raw)).isEqualTo(pa);
      // The large page's PAT is bit 12.
      assertThat(X32.attributes(PD32, raw | 0x1000).memoryType()).isEqualTo(4);
      assertThat(X32.encodeLeaf(PD32, 0x40_0000, a.withMemoryType(4))).isEqualTo(0x40_1083L);
    }

    @Test
    void bit21OfAFourMebibytePdeIsReserved() {
      assertThat(X32.decode(PD32, 0x0020_0083L)).isEqualTo(EntryVerdict.RESERVED_BITS);
      assertThat(X32.attributes(PD32, 0x0020_0083L).extraBits()).isEqualTo(0x20_0000L);
    }

    @Test
    void withoutPsePsInAPdeIsIgnoredAndTheEntryPointsToATable() {
      assertThat(X32_NO_PSE.decode(PD32, 0x0040_0083L)).isEqualTo(EntryVerdict.TABLE);
      assertThat(X32_NO_PSE.address(PD32, 0x0040_0083L)).isEqualTo(0x40_0000L);
      assertThatThrownBy(() -> X32_NO_PSE.encodeLeaf(X32_NO_PSE.root(), 0x40_0000, RW_USER))
          .hasMessage("x86-32: a PD entry cannot map a page (0x0000000000400000); 4 MiB pages need CR4.PSE");
    }

    @Test
    void everyPageIsExecutableAndExecuteDisableCannotBeAsked() {
      assertThat(X32.attributes(PT32, 0x5001).executable()).isTrue();
      assertThatThrownBy(() -> X32.encodeLeaf(PT32, 0x5000, Attributes.readOnly()))
          .hasMessageStartingWith("x86-32: execute-disable needs PAE or long mode; 32-bit paging has none");
    }

    @Test
    void addressesBeyondWhatAnEntryHoldsAreRefused() {
      assertThatThrownBy(() -> X32.encodeLeaf(PT32, 0x1_0000_0000L, RW_USER))
          .hasMessage("x86-32: page address 0x0000000100000000 for a PT entry is beyond the 32-bit physical address width");
      assertThatThrownBy(() -> X32.encodeLeaf(PD32, 0x100_0000_0000L, RW_USER))
          .hasMessage("x86-32: page address 0x0000010000000000 for a PD entry is beyond the 40-bit physical address width");
      assertThatThrownBy(() -> X32.encodeLeaf(PT32, 0x5000, RW_USER.withSoftwareBits(8)))
          .hasMessage("x86-32: software bits 0x0000000000000008 do not fit in 3 bits (entry bits 9-11); cannot encode 0x0000000000005000");
    }

    @Test
    void emptyAndNotPresentAsEverywhere() {
      assertThat(X32.decode(PT32, 0)).isEqualTo(EntryVerdict.EMPTY);
      assertThat(X32.decode(PT32, 0xffff_fffeL)).isEqualTo(EntryVerdict.NOT_PRESENT);
    }
  }

  @Nested
  class Pae {
    @Test
    void aPdpteHoldsPresentPwtPcdAndTheAddressOnly() {
      long raw = 0x1234_5000L | 1 | 8 | 16;
      Attributes asked = Attributes.readOnly().withMemoryType(3);
      assertThat(PAE.encodeTable(PDPT, 0x1234_5000L, asked)).isEqualTo(raw);
      assertThat(PAE.decode(PDPT, raw)).isEqualTo(EntryVerdict.TABLE);
      // It grants every right: the PD and PT entries decide.
      Attributes a = PAE.attributes(PDPT, raw);
      assertThat(a.writable()).isTrue();
      assertThat(a.user()).isTrue();
      assertThat(a.executable()).isTrue();
      assertThat(a.memoryType()).isEqualTo(3);
    }

    @Test
    void aPdptesReservedBitsAreMalformedButQemusAccessedBitIsNot() {
      for (long bit : new long[] {1, 2, 6, 7, 8, 52, 62, 63}) {
        assertThat(PAE.decode(PDPT, 0x5001L | 1L << bit)).as("bit " + bit).isEqualTo(EntryVerdict.RESERVED_BITS);
      }
      assertThat(PAE.decode(PDPT, 0x5021L)).isEqualTo(EntryVerdict.TABLE);
      assertThat(PAE.attributes(PDPT, 0x5021L).extraBits()).isEqualTo(0x20L);
      assertThat(PAE.encodeTable(PDPT, 0x5000, Attributes.readWrite().withExtraBits(0x20))).isEqualTo(0x5021L);
    }

    @Test
    void pdAndPtEntriesAreLongModesWithBits52To62Reserved() {
      Attributes a = Attributes.readWrite().withUser(true).withDirty(true).withAccessed(true).withGlobal(true);
      // XD 63, G 8, D 6, A 5, U/S 2, R/W 1, P 0.
      long pte = 0x8000_0000_0000_0000L | 0xf_ffff_f000L | 0x100 | 0x40 | 0x20 | 0x4 | 0x2 | 0x1;
      assertThat(PAE.encodeLeaf(PT, 0xf_ffff_f000L, a)).isEqualTo(pte);
      assertThat(PAE.attributes(PT, pte)).isEqualTo(a);
      assertThat(PAE.decode(PT, pte | 1L << 52)).isEqualTo(EntryVerdict.RESERVED_BITS);
      assertThat(PAE.decode(PT, pte | 1L << 62)).isEqualTo(EntryVerdict.RESERVED_BITS);
      assertThatThrownBy(() -> PAE.encodeLeaf(PT, 0x5000, a.withSoftwareBits(8)))
          .hasMessageContaining("do not fit in 3 bits (entry bits 9-11)");
    }

    @Test
    void twoMebibytePagesHavePatAt12AndMisalignedBits13To20() {
      long raw = 0x4020_0000L | 0x80 | 0x1000 | 0x3;
      Attributes a = Attributes.readWrite().withExecutable(true).withMemoryType(4);
      assertThat(PAE.encodeLeaf(PD, 0x4020_0000L, a)).isEqualTo(raw);
      assertThat(PAE.decode(PD, raw)).isEqualTo(EntryVerdict.LEAF);
      assertThat(PAE.address(PD, raw)).isEqualTo(0x4020_0000L);
      assertThat(PAE.decode(PD, raw | 0x2000)).isEqualTo(EntryVerdict.MISALIGNED_LEAF);
      assertThat(PAE.decode(PD, raw | 0x10_0000)).isEqualTo(EntryVerdict.MISALIGNED_LEAF);
    }

    @Test
    void withoutNxeBit63IsReservedAndExecuteDisableCannotBeAsked() {
      assertThat(PAE_NO_NX.decode(PT, 0x8000_0000_0000_5001L)).isEqualTo(EntryVerdict.RESERVED_BITS);
      assertThat(PAE.decode(PT, 0x8000_0000_0000_5001L)).isEqualTo(EntryVerdict.LEAF);
      assertThat(PAE.attributes(PT, 0x8000_0000_0000_5001L).executable()).isFalse();
      assertThatThrownBy(() -> PAE_NO_NX.encodeLeaf(PT, 0x5000, Attributes.readOnly()))
          .hasMessageStartingWith("x86-pae: execute-disable needs EFER.NXE, which is clear");
    }

    @Test
    void thePdptCannotMapAPage() {
      assertThatThrownBy(() -> PAE.encodeLeaf(PDPT, 0x4000_0000L, RW_USER))
          .hasMessage("x86-pae: a PDPT entry cannot map a page (0x0000000040000000)");
    }

    @Test
    void effectiveRightsAndWriteAndUserDownTheLevelsAndOrExecuteDisable() {
      Attributes pdpte = PAE.attributes(PDPT, 0x5001);
      Attributes pde = PAE.attributes(PD, 0x6001L | 0x4);           // user, read-only
      Attributes pte = PAE.attributes(PT, 0x8000_0000_0000_7003L);   // writable, no-execute
      Attributes effective = PAE.effective(PAE.effective(pdpte, pde), pte);
      assertThat(effective.writable()).isFalse();
      assertThat(effective.user()).isFalse();
      assertThat(effective.executable()).isFalse();
    }
  }
}
