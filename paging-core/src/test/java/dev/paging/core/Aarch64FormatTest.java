package dev.paging.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Architecture;
import dev.paging.api.Attributes;
import dev.paging.api.EntryVerdict;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Bit-exact checks of AArch64 stage 1 descriptors against the Arm ARM's VMSAv8-64 layouts (the
 * table, block and page descriptor figures and the stage 1 permission tables): the expected
 * descriptors are built from the manual's bit positions, not from the encoder.
 */
class Aarch64FormatTest {
  private static final PagingFormat K4 = Formats.aarch64();
  private static final PagingFormat K16 = Formats.aarch64(Aarch64Options.defaults().withGranule(16384));
  private static final PagingFormat K64 = Formats.aarch64(Aarch64Options.defaults().withGranule(65536));
  private static final PagingFormat K64_LPA = Formats.aarch64(Aarch64Options.defaults().withGranule(65536)
      .withLargeAddresses(true).withVirtualAddressBits(52).withPhysicalAddressBits(52));

  // Bit positions from the manual's descriptor figures.
  private static final long VALID = 1L;
  private static final long TABLE_OR_PAGE = 0b11L;
  private static final long BLOCK = 0b01L;
  private static final long NS = 1L << 5;
  private static final long AP1 = 1L << 6;
  private static final long AP2 = 1L << 7;
  private static final long SH_INNER = 0b11L << 8;
  private static final long AF = 1L << 10;
  private static final long NG = 1L << 11;
  private static final long DBM = 1L << 51;
  private static final long CONT = 1L << 52;
  private static final long PXN = 1L << 53;
  private static final long UXN = 1L << 54;
  private static final long PXN_TABLE = 1L << 59;
  private static final long UXN_TABLE = 1L << 60;
  private static final long AP_TABLE0 = 1L << 61;
  private static final long AP_TABLE1 = 1L << 62;
  private static final long NS_TABLE = 1L << 63;

  private static Level level(PagingFormat f, String name) {
    return f.levels().stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
  }

  @Nested
  class Geometry {
    @Test
    void fourKilobyteGranuleWith48BitsWalksL0ToL3() {
      assertThat(K4.name()).isEqualTo("aarch64-4k");
      assertThat(K4.architecture()).isEqualTo(Architecture.AARCH64);
      assertThat(K4.rootPerHalf()).isTrue();
      assertThat(K4.levels()).extracting(Level::name).containsExactly("L0", "L1", "L2", "L3");
      assertThat(K4.levels()).extracting(Level::shift).containsExactly(39, 30, 21, 12);
      assertThat(K4.levels()).extracting(Level::entries).containsOnly(512);
      assertThat(K4.levels()).extracting(Level::tableBytes).containsOnly(4096L);
      assertThat(K4.levels()).extracting(Level::leafAllowed).containsExactly(false, true, true, true);
      assertThat(K4.lowerHalf()).isEqualTo(VirtualRange.closed(0, 0x0000_ffff_ffff_ffffL));
      assertThat(K4.upperHalf()).isEqualTo(VirtualRange.closed(0xffff_0000_0000_0000L, -1L));
    }

    @Test
    void startLevelFollowsTheVirtualSize() {
      PagingFormat va39 = Formats.aarch64(Aarch64Options.defaults().withVirtualAddressBits(39));
      assertThat(va39.levels()).extracting(Level::name).containsExactly("L1", "L2", "L3");
      assertThat(va39.root().entries()).isEqualTo(512);
      PagingFormat va42 = Formats.aarch64(Aarch64Options.defaults().withVirtualAddressBits(42));
      assertThat(va42.levels()).extracting(Level::name).containsExactly("L0", "L1", "L2", "L3");
      assertThat(va42.root().entries()).isEqualTo(8);
      assertThat(va42.root().tableBytes()).isEqualTo(64);
      PagingFormat va36 = Formats.aarch64(Aarch64Options.defaults().withVirtualAddressBits(36));
      assertThat(va36.levels()).extracting(Level::name).containsExactly("L1", "L2", "L3");
      assertThat(va36.root().entries()).isEqualTo(64);
    }

    @Test
    void sixteenKilobyteGranuleHasATwoEntryL0AlignedTo64Bytes() {
      assertThat(K16.name()).isEqualTo("aarch64-16k");
      assertThat(K16.levels()).extracting(Level::name).containsExactly("L0", "L1", "L2", "L3");
      assertThat(K16.levels()).extracting(Level::shift).containsExactly(47, 36, 25, 14);
      assertThat(K16.levels()).extracting(Level::entries).containsExactly(2, 2048, 2048, 2048);
      assertThat(K16.levels()).extracting(Level::tableBytes).containsExactly(16L, 16384L, 16384L, 16384L);
      assertThat(K16.levels()).extracting(Level::tableAlignment).containsExactly(64L, 16384L, 16384L, 16384L);
      assertThat(K16.levels()).extracting(Level::leafAllowed).containsExactly(false, false, true, true);
      PagingFormat va47 = Formats.aarch64(Aarch64Options.defaults().withGranule(16384).withVirtualAddressBits(47));
      assertThat(va47.levels()).extracting(Level::name).containsExactly("L1", "L2", "L3");
      assertThat(va47.root().entries()).isEqualTo(2048);
    }

    @Test
    void sixtyFourKilobyteGranuleStartsAtL1() {
      assertThat(K64.levels()).extracting(Level::name).containsExactly("L1", "L2", "L3");
      assertThat(K64.levels()).extracting(Level::shift).containsExactly(42, 29, 16);
      assertThat(K64.levels()).extracting(Level::entries).containsExactly(64, 8192, 8192);
      assertThat(K64.levels()).extracting(Level::tableBytes).containsExactly(512L, 65536L, 65536L);
      assertThat(K64.levels()).extracting(Level::leafAllowed).containsExactly(false, true, true);
      assertThat(K64_LPA.levels()).extracting(Level::entries).containsExactly(1024, 8192, 8192);
      assertThat(K64_LPA.levels()).extracting(Level::leafAllowed).containsExactly(true, true, true);
      assertThat(K64_LPA.upperHalf().first()).isEqualTo(0xfff0_0000_0000_0000L);
    }

    @Test
    void refusesSpacesThatWouldStartAtTheLastLevelAndBadOptions() {
      assertThatThrownBy(() -> Formats.aarch64(Aarch64Options.defaults().withGranule(65536).withVirtualAddressBits(29)))
          .hasMessage("aarch64-64k: 29 virtual address bits would start the walk at L3, leaving no table level "
              + "above the pages; this granule needs at least 30 bits");
      assertThatThrownBy(() -> Aarch64Options.defaults().withGranule(8192))
          .hasMessage("translation granule 8192 is not 4096, 16384 or 65536 bytes");
      assertThatThrownBy(() -> Aarch64Options.defaults().withVirtualAddressBits(52))
          .hasMessage("virtual address bits 52 is outside 25..48 (52 needs the 64 KiB granule with FEAT_LVA)");
      assertThatThrownBy(() -> Aarch64Options.defaults().withPhysicalAddressBits(46))
          .hasMessage("physical address bits 46 is not an IPS size (32, 36, 40, 42, 44, 48; 52 needs the 64 KiB "
              + "granule with FEAT_LPA)");
      assertThatThrownBy(() -> Aarch64Options.defaults().withLargeAddresses(true))
          .hasMessage("52-bit addresses (FEAT_LPA, FEAT_LVA) need the 64 KiB granule, not 4096 bytes");
    }

    @Test
    void canonicalAddressesFillBothEndsOfTheSpace() {
      assertThat(K4.isCanonical(0x0000_ffff_ffff_f000L)).isTrue();
      assertThat(K4.isCanonical(0x0001_0000_0000_0000L)).isFalse();
      assertThat(K4.isCanonical(0xfffe_ffff_ffff_ffffL)).isFalse();
      assertThat(K4.isCanonical(0xffff_0000_0000_0000L)).isTrue();
      assertThat(K4.canonicalAddress(0x8000_0000_0000_1000L)).isEqualTo(0xffff_0000_0000_1000L);
      assertThat(K4.canonicalAddress(0x7fff_0000_0000_1000L)).isEqualTo(0x1000L);
    }
  }

  @Nested
  class Encodings {
    @Test
    void aFourKilobytePageDescriptorPutsEveryFieldWhereTheManualDoes() {
      Level l3 = level(K4, "L3");
      Attributes kernelData = Attributes.readWrite().withAccessed(true).withGlobal(true).withMemoryType(4);
      // Kernel data: AttrIndx 4, AF, global; not executable by either level.
      assertThat(K4.encodeLeaf(l3, 0x8_1234_5000L, kernelData))
          .isEqualTo(0x8_1234_5000L | TABLE_OR_PAGE | (4L << 2) | AF | PXN | UXN);
      Attributes userText = Attributes.readExecute().withUser(true).withAccessed(true).withSoftwareBits(0b1010);
      // User text: AP[2:1] = 11 (read-only at both levels), nG, EL0 executes, PXN set.
      assertThat(K4.encodeLeaf(l3, 0x4000_0000L, userText))
          .isEqualTo(0x4000_0000L | TABLE_OR_PAGE | AP1 | AP2 | AF | NG | PXN | (0b1010L << 55));
      Attributes extras = Attributes.readWrite().withExtraBits(NS | SH_INNER | DBM | CONT);
      assertThat(K4.encodeLeaf(l3, 0x1000, extras))
          .isEqualTo(0x1000 | TABLE_OR_PAGE | NG | PXN | UXN | NS | SH_INNER | DBM | CONT);
    }

    @Test
    void blocksHaveBitOneClearAndSitAtTheLevelsTheGranuleAllows() {
      Attributes a = Attributes.readWrite().withAccessed(true);
      assertThat(K4.encodeLeaf(level(K4, "L1"), 0x4000_0000L, a)).isEqualTo(0x4000_0000L | BLOCK | AF | NG | PXN | UXN);
      assertThat(K4.encodeLeaf(level(K4, "L2"), 0x20_0000L, a)).isEqualTo(0x20_0000L | BLOCK | AF | NG | PXN | UXN);
      assertThat(K16.encodeLeaf(level(K16, "L2"), 0x200_0000L, a)).isEqualTo(0x200_0000L | BLOCK | AF | NG | PXN | UXN);
      assertThat(K64.encodeLeaf(level(K64, "L2"), 0x2000_0000L, a)).isEqualTo(0x2000_0000L | BLOCK | AF | NG | PXN | UXN);
      assertThatThrownBy(() -> K4.encodeLeaf(level(K4, "L0"), 0, a))
          .hasMessage("aarch64-4k: an L0 descriptor cannot be a block (0x0000000000000000); blocks are 1 GiB at L1 and 2 MiB at L2");
      assertThatThrownBy(() -> K16.encodeLeaf(level(K16, "L1"), 0, a))
          .hasMessage("aarch64-16k: an L1 descriptor cannot be a block (0x0000000000000000); blocks are 32 MiB at L2");
      assertThatThrownBy(() -> K4.encodeLeaf(level(K4, "L2"), 0x1000, a))
          .hasMessage("aarch64-4k: block address 0x0000000000001000 for an L2 descriptor is not aligned to 2 MiB");
    }

    @Test
    void tableDescriptorsCarryTheirRestrictionsInTheTopBits() {
      Level l0 = level(K4, "L0");
      Attributes open = K4.tableAttributesFor(Attributes.readWrite());
      assertThat(K4.encodeTable(l0, 0x7000, open)).isEqualTo(0x7000 | TABLE_OR_PAGE);
      // A kernel table: no EL0 access below, EL0 may not execute below (Linux's PMD_TABLE_UXN).
      Attributes kernel = Attributes.readWrite().withExecutable(true);
      assertThat(K4.encodeTable(l0, 0x7000, kernel)).isEqualTo(0x7000 | TABLE_OR_PAGE | AP_TABLE0 | UXN_TABLE);
      Attributes readOnlyUser = Attributes.readOnly().withUser(true).withExtraBits(NS_TABLE).withSoftwareBits(0x81);
      assertThat(K4.encodeTable(l0, 0x7000, readOnlyUser))
          .isEqualTo(0x7000 | TABLE_OR_PAGE | AP_TABLE1 | UXN_TABLE | PXN_TABLE | NS_TABLE | (0x81L << 51));
      assertThatThrownBy(() -> K16.encodeTable(level(K16, "L1"), 0x1000, open))
          .hasMessage("aarch64-16k: table address 0x0000000000001000 for an L1 descriptor is not aligned to 16 KiB");
      assertThatThrownBy(() -> K4.encodeTable(level(K4, "L3"), 0x1000, open))
          .hasMessage("aarch64-4k: an L3 descriptor cannot point to a table (0x0000000000001000); L3 is the last level");
    }

    @Test
    void refusesWhatADescriptorCannotSay() {
      Level l3 = level(K4, "L3");
      assertThatThrownBy(() -> K4.encodeLeaf(l3, 0x1000, Attributes.none()))
          .hasMessage("aarch64-4k: EL1 may read every valid mapping; cannot encode ------- for 0x0000000000001000");
      assertThatThrownBy(() -> K4.encodeLeaf(l3, 0x1000, Attributes.readWrite().withDirty(true)))
          .hasMessage("aarch64-4k: a descriptor has no dirty bit (hardware dirty state is DBM, bit 51, among the extra "
              + "bits); cannot encode rw----d for 0x0000000000001000");
      assertThatThrownBy(() -> K4.encodeLeaf(l3, 0x1000, Attributes.readWrite().withExtraBits(1L << 49)))
          .hasMessage("aarch64-4k: extra bits 0x0002000000000000 are not NS, SH, GP, DBM, Contiguous or bits 63:59 of a "
              + "block or page; cannot encode 0x0000000000001000");
      assertThatThrownBy(() -> K4.encodeLeaf(l3, 0x1_0000_0000_0000L, Attributes.readWrite()))
          .hasMessage("aarch64-4k: page address 0x0001000000000000 for an L3 descriptor is beyond the 48-bit output "
              + "address size");
      assertThatThrownBy(() -> K4.encodeLeaf(l3, 0x1000, Attributes.readWrite().withMemoryType(8)))
          .hasMessage("aarch64-4k: memory type 0x0000000000000008 is not an AttrIndx (0..7)");
      assertThatThrownBy(() -> K4.encodeTable(level(K4, "L1"), 0x1000, Attributes.readWrite().withGlobal(true)))
          .hasMessageStartingWith("aarch64-4k: global, accessed, dirty and a memory type belong to blocks and pages;");
    }

    @Test
    void fiftyTwoBitAddressesKeepBits51To48InDescriptorBits15To12() {
      Level l3 = level(K64_LPA, "L3");
      long pa = 0xa_0000_1234_0000L;
      long raw = K64_LPA.encodeLeaf(l3, pa, Attributes.readWrite());
      assertThat(raw & 0xf000L).isEqualTo(0xa000L);
      assertThat(raw & 0x0000_ffff_ffff_0000L).isEqualTo(0x1234_0000L);
      assertThat(K64_LPA.address(l3, raw)).isEqualTo(pa);
      assertThat(K64_LPA.decode(l3, raw)).isEqualTo(EntryVerdict.LEAF);
      Level l1 = level(K64_LPA, "L1");
      assertThat(K64_LPA.encodeLeaf(l1, 0x400_0000_0000L, Attributes.readWrite()) & 0b11).isEqualTo(BLOCK);
      // Without LPA the same bits are RES0.
      assertThat(K64.decode(level(K64, "L3"), 0x1234_0000L | 0xa000L | TABLE_OR_PAGE))
          .isEqualTo(EntryVerdict.RESERVED_BITS);
    }
  }

  @Nested
  class Decoding {
    @Test
    void invalidDescriptorsKeepTheirBitsForSoftware() {
      Level l3 = level(K4, "L3");
      assertThat(K4.decode(l3, 0)).isEqualTo(EntryVerdict.EMPTY);
      assertThat(K4.decode(l3, 0xdead_bee0L)).isEqualTo(EntryVerdict.NOT_PRESENT);
      assertThat(K4.decode(l3, 0x1000 | BLOCK)).isEqualTo(EntryVerdict.RESERVED_ENCODING);
      assertThat(K4.decode(level(K4, "L0"), 0x1000 | BLOCK)).isEqualTo(EntryVerdict.LEAF_NOT_ALLOWED);
      assertThat(K4.decode(level(K4, "L2"), 0x1000 | TABLE_OR_PAGE)).isEqualTo(EntryVerdict.TABLE);
    }

    @Test
    void res0AndOutOfRangeAddressBitsAreMalformed() {
      Level l2 = level(K4, "L2");
      Level l3 = level(K4, "L3");
      assertThat(K4.decode(l2, 0x1000 | TABLE_OR_PAGE | (1L << 48))).isEqualTo(EntryVerdict.RESERVED_BITS);
      assertThat(K4.decode(l3, 0x1000 | TABLE_OR_PAGE | (1L << 49))).isEqualTo(EntryVerdict.RESERVED_BITS);
      assertThat(K4.decode(l2, 0x20_1000L | BLOCK)).isEqualTo(EntryVerdict.MISALIGNED_LEAF);
      assertThat(K16.decode(level(K16, "L3"), 0x1000 | TABLE_OR_PAGE)).isEqualTo(EntryVerdict.RESERVED_BITS);
      PagingFormat pa40 = Formats.aarch64(Aarch64Options.defaults().withPhysicalAddressBits(40));
      assertThat(pa40.decode(level(pa40, "L3"), 0x100_0000_0000L | TABLE_OR_PAGE))
          .isEqualTo(EntryVerdict.ADDRESS_BEYOND_PHYSICAL_WIDTH);
      assertThat(pa40.decode(level(pa40, "L3"), 0xff_ffff_f000L | TABLE_OR_PAGE)).isEqualTo(EntryVerdict.LEAF);
      // Ignored and software bits are not reserved.
      assertThat(K4.decode(l3, 0x1000 | TABLE_OR_PAGE | (0x1ffL << 55) | (1L << 50))).isEqualTo(EntryVerdict.LEAF);
      assertThat(K4.decode(l2, 0x1000 | TABLE_OR_PAGE | (0xffL << 51) | 0xffcL)).isEqualTo(EntryVerdict.TABLE);
    }

    @Test
    void decodingAndEncodingGiveBackTheSameBits() {
      List<Long> leaves = new ArrayList<>();
      for (long ap = 0; ap < 4; ap++) {
        for (long xn = 0; xn < 4; xn++) {
          long raw = 0x4321_5000L | TABLE_OR_PAGE | (ap << 6) | (xn << 53) | AF | (0x5L << 2);
          leaves.add(raw);
          leaves.add(raw | NG | SH_INNER | NS | DBM | CONT | (0xfL << 55) | (0x1fL << 59) | (1L << 50));
        }
      }
      Level l3 = level(K4, "L3");
      for (long raw : leaves) {
        assertThat(K4.encodeLeaf(l3, K4.address(l3, raw), K4.attributes(l3, raw))).as("%x", raw).isEqualTo(raw);
      }
      Level l1 = level(K4, "L1");
      for (long top = 0; top < 32; top++) {
        long raw = 0x9000L | TABLE_OR_PAGE | (top << 59) | (0x5aL << 51) | 0x3f0L;
        assertThat(K4.encodeTable(l1, K4.address(l1, raw), K4.attributes(l1, raw))).as("%x", raw).isEqualTo(raw);
      }
    }
  }

  /**
   * Every combination of a page's AP[2:1], UXN and PXN under a table's APTable, UXNTable and
   * PXNTable (256 in all), against the manual's rules written out here on the raw bits.
   */
  @Test
  void effectivePermissionsForEveryApApTableAndXnCombination() {
    Level l2 = level(K4, "L2");
    Level l3 = level(K4, "L3");
    int checked = 0;
    for (int ap = 0; ap < 4; ap++) {
      for (int xn = 0; xn < 4; xn++) {
        for (int apTable = 0; apTable < 4; apTable++) {
          for (int xnTable = 0; xnTable < 4; xnTable++) {
            long leaf = 0x5000 | TABLE_OR_PAGE | AF | ((long) ap << 6) | ((long) xn << 53);
            long table = 0x6000 | TABLE_OR_PAGE | ((long) apTable << 61) | ((long) xnTable << 59);
            boolean ap1 = (ap & 1) != 0;
            boolean ap2 = (ap & 2) != 0;
            boolean pxn = (xn & 1) != 0;
            boolean uxn = (xn & 2) != 0;
            boolean pxnTable = (xnTable & 1) != 0;
            boolean uxnTable = (xnTable & 2) != 0;
            boolean noEl0 = (apTable & 1) != 0;
            boolean readOnly = (apTable & 2) != 0;
            boolean el0Read = ap1 && !noEl0;
            boolean el0Write = el0Read && !ap2 && !readOnly;
            boolean el1Write = !ap2 && !readOnly;
            boolean el0Exec = !uxn && !uxnTable;
            boolean el1Exec = !pxn && !pxnTable && !el0Write;
            Attributes effective = K4.effective(K4.attributes(l2, table), K4.attributes(l3, leaf));
            Aarch64Permissions p = Aarch64Permissions.of(K4, effective);
            String what = "AP=" + ap + " XN=" + xn + " APTable=" + apTable + " XNTable=" + xnTable;
            assertThat(p.el0Read()).as(what).isEqualTo(el0Read);
            assertThat(p.el0Write()).as(what).isEqualTo(el0Write);
            assertThat(p.el1Read()).as(what).isTrue();
            assertThat(p.el1Write()).as(what).isEqualTo(el1Write);
            assertThat(p.el0Execute()).as(what).isEqualTo(el0Exec);
            assertThat(p.el1Execute()).as(what).isEqualTo(el1Exec);
            // The effective attributes are still a leaf's: re-encoded, they hold the combined rights.
            long combined = K4.encodeLeaf(l3, 0x5000, effective);
            assertThat((combined & AP1) != 0).as(what).isEqualTo(el0Read);
            assertThat((combined & AP2) == 0).as(what).isEqualTo(el1Write);
            assertThat((combined & UXN) == 0).as(what).isEqualTo(el0Exec);
            checked++;
          }
        }
      }
    }
    assertThat(checked).isEqualTo(256);
  }

  @Test
  void permissionsNameBothLevelsAndRefuseOtherFormats() {
    Level l3 = level(K4, "L3");
    Attributes userData = K4.attributes(l3, 0x5000 | TABLE_OR_PAGE | AP1 | AF | PXN | UXN);
    assertThat(Aarch64Permissions.of(K4, userData)).hasToString("EL0 rw- EL1 rw-");
    Attributes both = K4.attributes(l3, 0x5000 | TABLE_OR_PAGE | AP1 | AP2 | AF);
    assertThat(Aarch64Permissions.of(K4, both)).hasToString("EL0 r-x EL1 r-x");
    Attributes execOnly = K4.attributes(l3, 0x5000 | TABLE_OR_PAGE | AP2 | AF | PXN);
    assertThat(Aarch64Permissions.of(K4, execOnly)).hasToString("EL0 --x EL1 r--");
    assertThatThrownBy(() -> Aarch64Permissions.of(Formats.x86_64(), Attributes.readOnly()))
        .hasMessage("x86-64 is not an AArch64 format; its attributes say nothing of EL0 and EL1");
  }

  @Test
  void formatsWithEqualOptionsAreEqual() {
    assertThat(Formats.aarch64(Aarch64Options.defaults())).isSameAs(K4);
    assertThat(Formats.aarch64(Aarch64Options.defaults().withGranule(16384))).isEqualTo(K16).hasSameHashCodeAs(K16);
    assertThat(K16).isNotEqualTo(K64);
    assertThat(K64_LPA).hasToString("aarch64-64k (52-bit VA, 52-bit PA, LPA)");
  }

  /**
   * Halves with geometries of their own: TTBR0 with a 4 KiB granule and 39 bits (L1..L3), TTBR1
   * with 64 KiB and 42 bits (L2 of 8,192 entries, then L3), as TG0, T0SZ, TG1 and T1SZ may set.
   */
  @Nested
  class SplitHalves {
    private final PagingFormat split = Formats.aarch64(Aarch64Options.defaults().withGranules(4096, 65536)
        .withVirtualAddressBits(39, 42));

    @Test
    void eachHalfHasItsOwnLevels() {
      assertThat(split.name()).isEqualTo("aarch64-4k/64k");
      assertThat(split).hasToString("aarch64-4k/64k (39-bit VA below, 42 above, 48-bit PA)");
      assertThat(split.oneGeometry()).isFalse();
      assertThat(K4.oneGeometry()).isTrue();
      List<String> lower = new ArrayList<>();
      for (Level l : split.levels()) {
        lower.add(l.name() + " d" + l.depth() + " s" + l.shift() + " n" + l.entries() + " " + l.tableBytes());
      }
      List<String> upper = new ArrayList<>();
      for (Level l : split.levels(-1L)) {
        upper.add(l.name() + " d" + l.depth() + " s" + l.shift() + " n" + l.entries() + " " + l.tableBytes());
      }
      // 39 bits over 9-bit indices from 12: L1 (bits 38:30), L2, L3; 42 over 13-bit ones from 16: L2 (41:29), L3.
      assertThat(lower).containsExactly("L1 d0 s30 n512 4096", "L2 d1 s21 n512 4096", "L3 d2 s12 n512 4096");
      assertThat(upper).containsExactly("L2 d0 s29 n8192 65536", "L3 d1 s16 n8192 65536");
      assertThat(split.levels(0x7f_ffff_ffffL)).isSameAs(split.levels());
      assertThat(split.levels(0xffff_fc00_0000_0000L)).isSameAs(split.levels(-1L));
      assertThat(split.lowerHalf()).isEqualTo(VirtualRange.closed(0, 0x7f_ffff_ffffL));
      assertThat(split.upperHalf()).isEqualTo(VirtualRange.closed(0xffff_fc00_0000_0000L, -1L));
      assertThat(split.isCanonical(0x80_0000_0000L)).isFalse();
      assertThat(split.isCanonical(0xffff_fbff_ffff_ffffL)).isFalse();
      assertThat(split.virtualAddressBits()).isEqualTo(42);
    }

    @Test
    void eachLevelDecodesByItsOwnGranule() {
      Level lowerLast = split.levels().get(2);
      Level upperLast = split.levels(-1L).get(1);
      Level upperBlock = split.levels(-1L).get(0);
      long page = 0x1_3000L | TABLE_OR_PAGE | AF;
      // Address bit 12 is an address bit with 4 KiB pages, RES0 below a 64 KiB granule.
      assertThat(split.decode(lowerLast, page)).isEqualTo(EntryVerdict.LEAF);
      assertThat(split.decode(upperLast, page)).isEqualTo(EntryVerdict.RESERVED_BITS);
      assertThat(split.decode(upperLast, 0x1_0000L | TABLE_OR_PAGE | AF)).isEqualTo(EntryVerdict.LEAF);
      // A 512 MiB block at the upper half's L2; the lower half's L1 takes 1 GiB ones.
      assertThat(split.decode(upperBlock, 0x2000_0000L | BLOCK | AF)).isEqualTo(EntryVerdict.LEAF);
      assertThat(split.decode(upperBlock, 0x1000_0000L | BLOCK | AF)).isEqualTo(EntryVerdict.MISALIGNED_LEAF);
      assertThat(split.encodeLeaf(upperLast, 0x5_0000, Attributes.readOnly().withAccessed(true)))
          .isEqualTo(0x5_0000L | TABLE_OR_PAGE | AP2 | AF | NG | PXN | UXN);
      assertThatThrownBy(() -> split.encodeLeaf(upperLast, 0x5_1000, Attributes.readOnly()))
          .hasMessage("aarch64-4k/64k: page address 0x0000000000051000 for an L3 descriptor is not aligned to 64 KiB");
      // A table below the upper root is 64 KiB aligned, below the lower one 4 KiB.
      assertThatThrownBy(() -> split.encodeTable(upperBlock, 0x1000, Attributes.readWrite()))
          .hasMessage("aarch64-4k/64k: table address 0x0000000000001000 for an L2 descriptor is not aligned to 64 KiB");
      assertThat(split.encodeTable(split.root(), 0x1000, split.tableAttributesFor(Attributes.readWrite())))
          .isEqualTo(0x1000L | TABLE_OR_PAGE);
      assertThat(split.contiguousRun(upperLast)).isEqualTo(32);
      assertThat(split.contiguousRun(lowerLast)).isEqualTo(16);
    }

    @Test
    void aLevelOfNeitherHalfIsRefusedByName() {
      Level foreign = Level.of("L9", 0, 13, 9, false);
      assertThatThrownBy(() -> split.decode(foreign, 1))
          .hasMessage("aarch64-4k/64k: level L9 (shift 13) is not one of [L1, L2, L3] or [L2, L3]");
    }

    @Test
    void tcrGivesEachHalfItsFields() {
      // T0SZ 25 (39 bits), TG0 0b00 (4 KiB), T1SZ 22 (42 bits), TG1 0b11 (64 KiB), IPS 0b101 (48 bits).
      long tcr = 25L | (22L << 16) | (3L << 30) | (5L << 32);
      Aarch64Options o = Aarch64Options.fromTcr(tcr, true, true);
      assertThat(Formats.aarch64(o)).isEqualTo(split);
      assertThat(o).hasToString("Aarch64Options[granules=4096/65536, virtualAddressBits=39/42, "
          + "physicalAddressBits=48, largeAddresses=false]");
      // A half that is not walked takes the other's geometry, whatever its own fields say.
      Aarch64Options lowerOnly = Aarch64Options.fromTcr(tcr, true, false);
      assertThat(lowerOnly.halvesDiffer()).isFalse();
      assertThat(lowerOnly.upperGranule()).isEqualTo(4096);
      assertThat(lowerOnly.upperVirtualAddressBits()).isEqualTo(39);
      // 52-bit output needs 64 KiB in every half walked: TG0's 4 KiB is named.
      assertThatThrownBy(() -> Aarch64Options.fromTcr((tcr & ~(7L << 32)) | (6L << 32), true, true))
          .hasMessage("TCR_EL1 0x00000006c0160019: 52-bit output (IPS 0b110) with a 4 KiB granule (TG0) needs "
              + "FEAT_LPA2 (TCR_EL1.DS), which is not supported; with 64 KiB it is FEAT_LPA/LVA");
      // T1SZ 38 gives 26 bits, too few for 64 KiB pages below a table level.
      assertThatThrownBy(() -> Formats.aarch64(Aarch64Options.fromTcr(25L | (38L << 16) | (3L << 30) | (5L << 32),
          true, true))).hasMessageStartingWith("aarch64-4k/64k: the upper half's 26 virtual address bits would start "
              + "the walk at L3");
      assertThatThrownBy(() -> Aarch64Options.defaults().withGranules(4096, 8192))
          .hasMessage("translation granule 8192 is not 4096, 16384 or 65536 bytes");
      assertThatThrownBy(() -> Aarch64Options.defaults().withGranules(65536, 4096).withLargeAddresses(true))
          .hasMessage("52-bit addresses (FEAT_LPA, FEAT_LVA) need the 64 KiB granule, not 4096 bytes");
    }
  }
}
