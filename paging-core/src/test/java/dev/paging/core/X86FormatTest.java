package dev.paging.core;

import static dev.paging.api.Addresses.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Attributes;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryProblem;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Bit-exact checks of the x86-64 entry codec against the SDM layout: P 0, R/W 1, U/S 2, PWT 3,
 * PCD 4, A 5, D 6, PS/PAT 7, G 8, software 9-11, PAT 12 (huge), address 12..51, software 52-58,
 * protection key 59-62, XD 63.
 */
class X86FormatTest {
  private static final PagingFormat X86 = Formats.x86_64();
  private static final PagingFormat X86_5 = Formats.x86_64FiveLevel();
  private static final Level PML4 = X86.levels().get(0);
  private static final Level PDPT = X86.levels().get(1);
  private static final Level PD = X86.levels().get(2);
  private static final Level PT = X86.levels().get(3);

  private static final Attributes RW_USER_EXEC =
      Attributes.readWrite().withUser(true).withExecutable(true);

  @Nested
  class Geometry {
    @Test
    void fourLevelNamesShiftsAndLeaves() {
      assertThat(X86.name()).isEqualTo("x86-64");
      assertThat(X86.levels()).extracting(Level::name).containsExactly("PML4", "PDPT", "PD", "PT");
      assertThat(X86.levels()).extracting(Level::shift).containsExactly(39, 30, 21, 12);
      assertThat(X86.levels()).extracting(Level::depth).containsExactly(0, 1, 2, 3);
      assertThat(X86.levels()).extracting(Level::entries).containsOnly(512);
      assertThat(X86.levels()).extracting(Level::leafAllowed).containsExactly(false, true, true, true);
      assertThat(X86.root()).isSameAs(PML4);
      assertThat(X86.virtualAddressBits()).isEqualTo(48);
      assertThat(X86.physicalAddressBits()).isEqualTo(52);
    }

    @Test
    void fiveLevelAddsPml5() {
      assertThat(X86_5.name()).isEqualTo("x86-64-5level");
      assertThat(X86_5.levels()).extracting(Level::name)
          .containsExactly("PML5", "PML4", "PDPT", "PD", "PT");
      assertThat(X86_5.levels()).extracting(Level::shift).containsExactly(48, 39, 30, 21, 12);
      assertThat(X86_5.levels()).extracting(Level::leafAllowed)
          .containsExactly(false, false, true, true, true);
      assertThat(X86_5.virtualAddressBits()).isEqualTo(57);
    }

    @Test
    void withoutGigabytePagesPdptHoldsNoLeaf() {
      PagingFormat f = Formats.x86_64(X86Options.defaults().withGigabytePages(false));
      assertThat(f.levels()).extracting(Level::leafAllowed).containsExactly(false, false, true, true);
    }

    @Test
    void indexTakesNineBitsAtEachShift() {
      long va = 0xffff_8123_4567_8000L;
      assertThat(PML4.index(va)).isEqualTo((int) ((va >>> 39) & 511));
      assertThat(PML4.index(0xffff_8000_0000_0000L)).isEqualTo(256);
      assertThat(PT.index(0x0000_0000_001f_f000L)).isEqualTo(511);
    }
  }

  @Nested
  class EncodingLeaves {
    @Test
    void fourKibWritableUserPage() {
      assertThat(X86.encodeLeaf(PT, 0x1234_5000L, RW_USER_EXEC)).isEqualTo(0x0000_0000_1234_5007L);
    }

    @Test
    void nonExecutableSetsBit63() {
      assertThat(X86.encodeLeaf(PT, 0x1234_5000L, Attributes.readWrite()))
          .isEqualTo(0x8000_0000_1234_5003L);
      assertThat(X86.encodeLeaf(PT, 0x1234_5000L, Attributes.readOnly()))
          .isEqualTo(0x8000_0000_1234_5001L);
    }

    @Test
    void readOnlyExecutableIsJustPresent() {
      assertThat(X86.encodeLeaf(PT, 0x7000L, Attributes.readExecute())).isEqualTo(0x7001L);
    }

    @Test
    void patOnA4KibLeafIsBit7() {
      assertThat(X86.encodeLeaf(PT, 0x1000L, Attributes.readExecute().withMemoryType(4)))
          .isEqualTo(0x1081L);
      assertThat(X86.encodeLeaf(PT, 0x1000L, Attributes.readExecute().withMemoryType(5)))
          .isEqualTo(0x1089L);
    }

    @Test
    void patOnA2MibLeafIsBit12PlusPs() {
      assertThat(X86.encodeLeaf(PD, 0x0020_0000L, Attributes.readExecute().withMemoryType(4)))
          .isEqualTo(0x0020_0000L | 0x1000L | 0x80L | 0x1L);
      assertThat(X86.encodeLeaf(PD, 0x0020_0000L, Attributes.readExecute().withMemoryType(7)))
          .isEqualTo(0x0020_1099L);
    }

    @Test
    void pwtAndPcdAreBits3And4() {
      assertThat(X86.encodeLeaf(PT, 0x2000L, Attributes.readExecute().withMemoryType(1)))
          .isEqualTo(0x2009L);
      assertThat(X86.encodeLeaf(PT, 0x2000L, Attributes.readExecute().withMemoryType(2)))
          .isEqualTo(0x2011L);
      assertThat(X86.encodeLeaf(PT, 0x2000L, Attributes.readExecute().withMemoryType(3)))
          .isEqualTo(0x2019L);
    }

    @Test
    void twoMibLeafWithoutPatIsPsOnly() {
      assertThat(X86.encodeLeaf(PD, 0x4060_0000L, Attributes.readWrite().withExecutable(true)))
          .isEqualTo(0x4060_0083L);
    }

    @Test
    void oneGibLeafAtPdpt() {
      assertThat(X86.encodeLeaf(PDPT, 0x4000_0000L, Attributes.readWrite().withExecutable(true)))
          .isEqualTo(0x4000_0083L);
      assertThat(X86.encodeLeaf(PDPT, 0x0000_0003_c000_0000L,
          Attributes.readExecute().withMemoryType(4).withGlobal(true)))
          .isEqualTo(0x0000_0003_c000_1181L);
    }

    @Test
    void accessedDirtyGlobalAreBits5_6_8() {
      Attributes a = Attributes.readExecute();
      assertThat(X86.encodeLeaf(PT, 0x3000L, a.withAccessed(true))).isEqualTo(0x3021L);
      assertThat(X86.encodeLeaf(PT, 0x3000L, a.withDirty(true))).isEqualTo(0x3041L);
      assertThat(X86.encodeLeaf(PT, 0x3000L, a.withGlobal(true))).isEqualTo(0x3101L);
    }

    @Test
    void softwareBitsGoTo9to11Then52to58() {
      // 0x2a5 = 0b1010100_101: low three bits 101 -> bits 9 and 11; high seven 1010100 -> 54, 56, 58.
      assertThat(X86.encodeLeaf(PT, 0x1000L, Attributes.readExecute().withSoftwareBits(0x2a5)))
          .isEqualTo(0x0540_0000_0000_1a01L);
      assertThat(X86.encodeLeaf(PT, 0x1000L, Attributes.readExecute().withSoftwareBits(0x3ff)))
          .isEqualTo(0x07f0_0000_0000_1e01L);
    }

    @Test
    void protectionKeyTravelsAsExtraBits() {
      assertThat(X86.encodeLeaf(PT, 0x1000L, Attributes.readExecute().withExtraBits(0x5L << 59)))
          .isEqualTo(0x2800_0000_0000_1001L);
    }

    @Test
    void highestAddressOfA52BitMachine() {
      assertThat(X86.encodeLeaf(PT, 0x000f_ffff_ffff_f000L, Attributes.readExecute()))
          .isEqualTo(0x000f_ffff_ffff_f001L);
    }

    @Test
    void fiveLevelLeafAtPtIsTheSameEntry() {
      Level pt5 = X86_5.levels().get(4);
      assertThat(X86_5.encodeLeaf(pt5, 0x1234_5000L, RW_USER_EXEC)).isEqualTo(0x1234_5007L);
    }
  }

  @Nested
  class EncodingTables {
    @Test
    void permissiveTableEntry() {
      Attributes t = X86.tableAttributesFor(RW_USER_EXEC);
      assertThat(X86.encodeTable(PML4, 0x0000_0001_2345_6000L, t)).isEqualTo(0x0000_0001_2345_6007L);
    }

    @Test
    void tableForKernelReadOnlyLeafIsPresentOnly() {
      Attributes t = X86.tableAttributesFor(Attributes.readOnly());
      assertThat(X86.encodeTable(PD, 0x5000L, t)).isEqualTo(0x5001L);
    }

    @Test
    void fiveLevelRootPointsToPml4() {
      Level pml5 = X86_5.levels().get(0);
      assertThat(X86_5.encodeTable(pml5, 0x9000L, X86_5.tableAttributesFor(RW_USER_EXEC)))
          .isEqualTo(0x9007L);
    }

    @Test
    void tableFlagsBits() {
      Attributes t = Attributes.readOnly().withExecutable(true);
      assertThat(X86.encodeTable(PDPT, 0x2000L, t.withAccessed(true))).isEqualTo(0x2021L);
      assertThat(X86.encodeTable(PDPT, 0x2000L, t.withMemoryType(3))).isEqualTo(0x2019L);
      assertThat(X86.encodeTable(PDPT, 0x2000L, Attributes.readOnly())).isEqualTo(0x8000_0000_0000_2001L);
      assertThat(X86.encodeTable(PDPT, 0x2000L, t.withExtraBits(0x140L))).isEqualTo(0x2141L);
      assertThat(X86.encodeTable(PDPT, 0x2000L, t.withSoftwareBits(0x3ff)))
          .isEqualTo(0x07f0_0000_0000_2e01L);
    }
  }

  @Nested
  class Decoding {
    @Test
    void zeroIsEmptyAndNotPresentNonZeroIsNotPresent() {
      for (Level l : X86.levels()) {
        assertThat(X86.kind(l, 0)).isEqualTo(EntryKind.EMPTY);
        assertThat(X86.kind(l, 0x2L)).isEqualTo(EntryKind.NOT_PRESENT);
        assertThat(X86.kind(l, 0xffff_ffff_ffff_fffeL)).isEqualTo(EntryKind.NOT_PRESENT);
        assertThat(X86.problem(l, 0xffff_ffff_ffff_fffeL)).isNull();
        assertThat(X86.problem(l, 0)).isNull();
      }
    }

    @Test
    void fourKibLeafEveryField() {
      long raw = 0xf8f0_0000_1234_5fffL;
      assertThat(X86.kind(PT, raw)).isEqualTo(EntryKind.LEAF);
      assertThat(X86.problem(PT, raw)).isNull();
      assertThat(X86.address(PT, raw)).isEqualTo(0x1234_5000L);
      Attributes a = X86.attributes(PT, raw);
      assertThat(a.readable()).isTrue();
      assertThat(a.writable()).isTrue();
      assertThat(a.user()).isTrue();
      assertThat(a.executable()).isFalse();
      assertThat(a.accessed()).isTrue();
      assertThat(a.dirty()).isTrue();
      assertThat(a.global()).isTrue();
      assertThat(a.memoryType()).isEqualTo(7);
      assertThat(a.softwareBits()).isEqualTo(0x7fL);
      assertThat(a.extraBits()).isEqualTo(0x7800_0000_0000_0000L);
      assertThat(X86.encodeLeaf(PT, 0x1234_5000L, a)).isEqualTo(raw);
    }

    @Test
    void bit7InAPtEntryIsPatNotHuge() {
      long raw = 0x0000_0000_0020_1083L;
      assertThat(X86.kind(PT, raw)).isEqualTo(EntryKind.LEAF);
      assertThat(X86.address(PT, raw)).isEqualTo(0x0020_1000L);
      assertThat(X86.attributes(PT, raw).memoryType()).isEqualTo(4);
      // The same bits in a PD entry are a 2 MiB leaf whose bit 12 is PAT.
      assertThat(X86.kind(PD, raw)).isEqualTo(EntryKind.LEAF);
      assertThat(X86.address(PD, raw)).isEqualTo(0x0020_0000L);
      assertThat(X86.attributes(PD, raw).memoryType()).isEqualTo(4);
    }

    @Test
    void bit12InA4KibLeafIsAddress() {
      assertThat(X86.address(PT, 0x1003L)).isEqualTo(0x1000L);
      assertThat(X86.attributes(PT, 0x1003L).memoryType()).isZero();
    }

    @Test
    void gigabyteLeafTakesItsTypeFromPwtPcdWhenBit12IsClear() {
      long raw = 0x4000_0099L;
      assertThat(X86.kind(PDPT, raw)).isEqualTo(EntryKind.LEAF);
      assertThat(X86.attributes(PDPT, raw).memoryType()).isEqualTo(3);
      assertThat(X86.address(PDPT, raw)).isEqualTo(0x4000_0000L);
    }

    @Test
    void psClearAbovePtIsATable() {
      long raw = 0x0000_0000_0000_3167L;
      assertThat(X86.kind(PD, raw)).isEqualTo(EntryKind.TABLE);
      assertThat(X86.address(PD, raw)).isEqualTo(0x3000L);
      Attributes a = X86.attributes(PD, raw);
      assertThat(a).isEqualTo(Attributes.readWrite().withUser(true).withExecutable(true)
          .withAccessed(true).withExtraBits(0x140L));
      assertThat(a.dirty()).isFalse();
      assertThat(a.global()).isFalse();
      assertThat(X86.encodeTable(PD, 0x3000L, a)).isEqualTo(raw);
    }

    @Test
    void tableEntryKeepsIgnoredHighBits() {
      long raw = 0xfff0_0000_0000_4e19L;
      assertThat(X86.kind(PML4, raw)).isEqualTo(EntryKind.TABLE);
      Attributes a = X86.attributes(PML4, raw);
      assertThat(a.executable()).isFalse();
      assertThat(a.writable()).isFalse();
      assertThat(a.memoryType()).isEqualTo(3);
      assertThat(a.softwareBits()).isEqualTo(0x3ffL);
      assertThat(a.extraBits()).isEqualTo(0x7800_0000_0000_0000L);
      assertThat(X86.address(PML4, raw)).isEqualTo(0x4000L);
      assertThat(X86.encodeTable(PML4, 0x4000L, a)).isEqualTo(raw);
    }

    @Test
    void bit63WithNxIsExecuteDisable() {
      assertThat(X86.kind(PT, 0x8000_0000_0000_1003L)).isEqualTo(EntryKind.LEAF);
      assertThat(X86.attributes(PT, 0x8000_0000_0000_1003L).executable()).isFalse();
    }

    @Test
    void bit63WithoutNxIsReserved() {
      PagingFormat noNx = Formats.x86_64(X86Options.defaults().withNx(false));
      Level pt = noNx.levels().get(3);
      Level pml4 = noNx.levels().get(0);
      assertThat(noNx.kind(pt, 0x8000_0000_0000_1003L)).isEqualTo(EntryKind.MALFORMED);
      assertThat(noNx.problem(pt, 0x8000_0000_0000_1003L)).isEqualTo(EntryProblem.RESERVED_BITS);
      assertThat(noNx.problem(pml4, 0x8000_0000_0000_1003L)).isEqualTo(EntryProblem.RESERVED_BITS);
      assertThat(noNx.kind(pt, 0x0000_0000_0000_1003L)).isEqualTo(EntryKind.LEAF);
      assertThat(noNx.attributes(pt, 0x1001L).executable()).isTrue();
      // Shown, so that a dump of a malformed entry does not hide the bit.
      assertThat(noNx.attributes(pt, 0x8000_0000_0000_1003L).extraBits()).isEqualTo(1L << 63);
    }

    @Test
    void psInPml4OrPml5IsReserved() {
      assertThat(X86.kind(PML4, 0x1083L)).isEqualTo(EntryKind.MALFORMED);
      assertThat(X86.problem(PML4, 0x1083L)).isEqualTo(EntryProblem.RESERVED_BITS);
      assertThat(X86.attributes(PML4, 0x1083L).extraBits()).isEqualTo(0x80L);
      Level pml5 = X86_5.levels().get(0);
      Level pml4 = X86_5.levels().get(1);
      assertThat(X86_5.problem(pml5, 0x1083L)).isEqualTo(EntryProblem.RESERVED_BITS);
      assertThat(X86_5.problem(pml4, 0x1083L)).isEqualTo(EntryProblem.RESERVED_BITS);
      assertThat(X86_5.kind(X86_5.levels().get(2), 0x4000_0083L)).isEqualTo(EntryKind.LEAF);
    }

    @Test
    void psInPdptWithoutGigabytePagesIsLeafNotAllowed() {
      PagingFormat noGb = Formats.x86_64(X86Options.defaults().withGigabytePages(false));
      Level pdpt = noGb.levels().get(1);
      assertThat(noGb.kind(pdpt, 0x4000_0083L)).isEqualTo(EntryKind.MALFORMED);
      assertThat(noGb.problem(pdpt, 0x4000_0083L)).isEqualTo(EntryProblem.LEAF_NOT_ALLOWED);
      assertThat(X86.kind(PDPT, 0x4000_0083L)).isEqualTo(EntryKind.LEAF);
      assertThat(noGb.kind(pdpt, 0x4000_0003L)).isEqualTo(EntryKind.TABLE);
      assertThat(noGb.kind(noGb.levels().get(2), 0x4000_0083L)).isEqualTo(EntryKind.LEAF);
    }

    @Test
    void hugeLeafAddressBitsBelowPageSizeAreMisaligned() {
      // 2 MiB: bits 13..20; bit 12 is PAT and stays legal.
      assertThat(X86.problem(PD, 0x0020_2083L)).isEqualTo(EntryProblem.MISALIGNED_LEAF);
      assertThat(X86.problem(PD, 0x0030_0083L)).isEqualTo(EntryProblem.MISALIGNED_LEAF);
      assertThat(X86.kind(PD, 0x0030_0083L)).isEqualTo(EntryKind.MALFORMED);
      assertThat(X86.problem(PD, 0x0020_1083L)).isNull();
      assertThat(X86.problem(PD, 0x0040_0083L)).isNull();
      // 1 GiB: bits 13..29.
      assertThat(X86.problem(PDPT, 0x4000_2083L)).isEqualTo(EntryProblem.MISALIGNED_LEAF);
      assertThat(X86.problem(PDPT, 0x2000_0083L)).isEqualTo(EntryProblem.MISALIGNED_LEAF);
      assertThat(X86.problem(PDPT, 0x4020_0083L)).isEqualTo(EntryProblem.MISALIGNED_LEAF);
      assertThat(X86.problem(PDPT, 0x4000_1083L)).isNull();
      // The address shown is the one held, so the misalignment is visible.
      assertThat(X86.address(PD, 0x0030_0083L)).isEqualTo(0x0030_0000L);
      // Same bits without PS: a table, and any 4 KiB-aligned table address is fine.
      assertThat(X86.kind(PD, 0x0030_2003L)).isEqualTo(EntryKind.TABLE);
    }

    @Test
    void addressBitsAbovePhysicalWidth() {
      PagingFormat narrow = Formats.x86_64(X86Options.defaults().withPhysicalAddressBits(36));
      Level pt = narrow.levels().get(3);
      Level pml4 = narrow.levels().get(0);
      assertThat(narrow.physicalAddressBits()).isEqualTo(36);
      assertThat(narrow.kind(pt, 0x0000_0010_0000_1003L)).isEqualTo(EntryKind.MALFORMED);
      assertThat(narrow.problem(pt, 0x0000_0010_0000_1003L))
          .isEqualTo(EntryProblem.ADDRESS_BEYOND_PHYSICAL_WIDTH);
      assertThat(narrow.problem(pml4, 0x0008_0000_0000_1003L))
          .isEqualTo(EntryProblem.ADDRESS_BEYOND_PHYSICAL_WIDTH);
      assertThat(narrow.kind(pt, 0x0000_000f_ffff_f003L)).isEqualTo(EntryKind.LEAF);
      assertThat(narrow.address(pt, 0x0000_000f_ffff_f003L)).isEqualTo(0x0000_000f_ffff_f000L);
      // Bits 52-58 are software bits, never address bits.
      assertThat(narrow.kind(pt, 0x07f0_0000_0000_1003L)).isEqualTo(EntryKind.LEAF);
      assertThat(X86.kind(PT, 0x0008_0000_0000_1003L)).isEqualTo(EntryKind.LEAF);
    }

    @Test
    void problemsAreReportedInDocumentedOrder() {
      PagingFormat f = Formats.x86_64(X86Options.defaults().withPhysicalAddressBits(40)
          .withGigabytePages(false).withNx(false));
      Level pml4 = f.levels().get(0);
      Level pdpt = f.levels().get(1);
      Level pd = f.levels().get(2);
      long beyond = 1L << 45;
      assertThat(f.problem(pml4, 0x1083L | beyond)).isEqualTo(EntryProblem.RESERVED_BITS);
      assertThat(f.problem(pd, 0x0020_2083L | beyond | (1L << 63))).isEqualTo(EntryProblem.RESERVED_BITS);
      assertThat(f.problem(pdpt, 0x4000_2083L | beyond))
          .isEqualTo(EntryProblem.ADDRESS_BEYOND_PHYSICAL_WIDTH);
      assertThat(f.problem(pdpt, 0x4000_2083L)).isEqualTo(EntryProblem.LEAF_NOT_ALLOWED);
      assertThat(f.problem(pd, 0x0020_2083L)).isEqualTo(EntryProblem.MISALIGNED_LEAF);
    }

    @Test
    void softwareAndProtectionKeyBitsAreNeverProblems() {
      long soft = 0x7ff0_0000_0000_0e00L;
      for (Level l : X86.levels()) {
        assertThat(X86.problem(l, soft | 0x1003L)).as("%s", l).isNull();
      }
      assertThat(X86.attributes(PT, soft | 0x1003L).softwareBits()).isEqualTo(0x3ffL);
      assertThat(X86.attributes(PT, soft | 0x1003L).extraBits()).isEqualTo(0x7800_0000_0000_0000L);
    }
  }

  @Nested
  class Permissions {
    @Test
    void effectiveAndsWriteAndUserAndOrsExecuteDisable() {
      Attributes upper = Attributes.readOnly().withUser(true);
      Attributes lower = Attributes.readWrite().withUser(true).withExecutable(true)
          .withGlobal(true).withDirty(true).withMemoryType(6).withSoftwareBits(5);
      assertThat(X86.effective(upper, lower)).isEqualTo(Attributes.readOnly().withUser(true)
          .withGlobal(true).withDirty(true).withMemoryType(6).withSoftwareBits(5));
      Attributes kernelTable = Attributes.readWrite().withExecutable(true);
      assertThat(X86.effective(kernelTable, lower).user()).isFalse();
      assertThat(X86.effective(kernelTable, lower).writable()).isTrue();
      assertThat(X86.effective(kernelTable, lower).executable()).isTrue();
    }

    @Test
    void effectiveFromDecodedEntries() {
      Attributes table = X86.attributes(PML4, 0x8000_0000_0000_2007L);
      Attributes leaf = X86.attributes(PT, 0x0000_0000_0000_5007L);
      Attributes e = X86.effective(table, leaf);
      assertThat(e.executable()).isFalse();
      assertThat(e.writable()).isTrue();
      assertThat(e.user()).isTrue();
    }

    @Test
    void tableAttributesArePermissiveButNoMore() {
      assertThat(X86.tableAttributesFor(Attributes.readOnly()))
          .isEqualTo(Attributes.readExecute());
      assertThat(X86.tableAttributesFor(Attributes.readWrite().withUser(true).withGlobal(true)
          .withDirty(true).withMemoryType(7).withSoftwareBits(3).withExtraBits(1L << 59)))
          .isEqualTo(Attributes.readExecute().withWritable(true).withUser(true));
    }
  }

  @Nested
  class EncoderErrors {
    private final Attributes rx = Attributes.readExecute();

    @Test
    void unalignedAddresses() {
      assertThatThrownBy(() -> X86.encodeLeaf(PT, 0x1234_5800L, rx))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000012345800");
      assertThatThrownBy(() -> X86.encodeLeaf(PD, 0x0030_1000L, rx))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000301000")
          .hasMessageContaining("2 MiB");
      assertThatThrownBy(() -> X86.encodeLeaf(PDPT, 0x2000_0000L, rx))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000020000000")
          .hasMessageContaining("1 GiB");
      assertThatThrownBy(() -> X86.encodeTable(PML4, 0x1800L, rx))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000001800");
    }

    @Test
    void addressBeyondPhysicalWidth() {
      PagingFormat narrow = Formats.x86_64(X86Options.defaults().withPhysicalAddressBits(36));
      Level pt = narrow.levels().get(3);
      assertThatThrownBy(() -> narrow.encodeLeaf(pt, 0x0000_0010_0000_0000L, rx))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000001000000000")
          .hasMessageContaining("36");
      assertThatThrownBy(() -> narrow.encodeTable(narrow.root(), 0x0000_0010_0000_0000L, rx))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000001000000000");
      assertThatThrownBy(() -> X86.encodeLeaf(PT, 0x0010_0000_0000_0000L, rx))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0010000000000000");
      assertThatThrownBy(() -> X86.encodeLeaf(PT, 0xffff_ffff_ffff_f000L, rx))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0xfffffffffffff000");
    }

    @Test
    void levelThatCannotHoldTheEntry() {
      assertThatThrownBy(() -> X86.encodeLeaf(PML4, 0x0000_0080_0000_0000L, rx))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000008000000000")
          .hasMessageContaining("PML4");
      PagingFormat noGb = Formats.x86_64(X86Options.defaults().withGigabytePages(false));
      assertThatThrownBy(() -> noGb.encodeLeaf(noGb.levels().get(1), 0x4000_0000L, rx))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000040000000")
          .hasMessageContaining("1 GiB");
      assertThatThrownBy(() -> X86.encodeTable(PT, 0x1000L, rx))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000001000")
          .hasMessageContaining("last level");
    }

    @Test
    void attributesX86CannotExpress() {
      assertThatThrownBy(() -> X86.encodeLeaf(PT, 0x5000L, Attributes.none().withExecutable(true)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000005000")
          .hasMessageContaining("readable");
      assertThatThrownBy(() -> X86.encodeTable(PD, 0x5000L, Attributes.none()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000005000");
      PagingFormat noNx = Formats.x86_64(X86Options.defaults().withNx(false));
      assertThatThrownBy(() -> noNx.encodeLeaf(noNx.levels().get(3), 0x6000L, Attributes.readWrite()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000006000")
          .hasMessageContaining("NX");
      assertThatThrownBy(() -> noNx.encodeTable(noNx.root(), 0x6000L, Attributes.readOnly()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000006000");
      assertThat(noNx.encodeLeaf(noNx.levels().get(3), 0x6000L, rx)).isEqualTo(0x6001L);
    }

    @Test
    void leafOnlyFlagsOnATable() {
      assertThatThrownBy(() -> X86.encodeTable(PD, 0x7000L, rx.withGlobal(true)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000007000");
      assertThatThrownBy(() -> X86.encodeTable(PD, 0x7000L, rx.withDirty(true)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000007000");
    }

    @Test
    void memoryTypeOutOfRange() {
      assertThatThrownBy(() -> X86.encodeLeaf(PT, 0x1000L, rx.withMemoryType(8)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000000008");
      assertThatThrownBy(() -> X86.encodeTable(PD, 0x1000L, rx.withMemoryType(4)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000000004");
    }

    @Test
    void softwareBitsTooWide() {
      assertThatThrownBy(() -> X86.encodeLeaf(PT, 0x1000L, rx.withSoftwareBits(0x400)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000000400");
      assertThatThrownBy(() -> X86.encodeTable(PD, 0x1000L, rx.withSoftwareBits(-1L)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0xffffffffffffffff");
    }

    @Test
    void extraBitsOverlappingModelledOrAddressBits() {
      for (long bad : new long[] {0x2L, 0x80L, 0x100L, 0x200L, 0x1000L, 1L << 40, 1L << 52, 1L << 63}) {
        assertThatThrownBy(() -> X86.encodeLeaf(PT, 0x1000L, rx.withExtraBits(bad)))
            .as("leaf extra %x", bad)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(hex(bad));
      }
      // Bits 6 and 8 are ignored in a table entry, but D and G in a leaf.
      assertThatThrownBy(() -> X86.encodeLeaf(PT, 0x1000L, rx.withExtraBits(0x40L)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000000040");
      for (long bad : new long[] {0x4L, 0x80L, 0x1000L, 1L << 55, 1L << 63}) {
        assertThatThrownBy(() -> X86.encodeTable(PML4, 0x1000L, rx.withExtraBits(bad)))
            .as("table extra %x", bad)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(hex(bad));
      }
    }

    @Test
    void levelOfAnotherFormat() {
      Level sv39L0 = Formats.sv39().levels().get(2);
      assertThatThrownBy(() -> X86.encodeLeaf(sv39L0, 0x1000L, rx))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000001000")
          .hasMessageContaining("L0");
      Level fiveLevelPdpt = X86_5.levels().get(2);
      assertThatThrownBy(() -> X86.encodeTable(fiveLevelPdpt, 0x1000L, rx))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000001000");
    }
  }

  @Nested
  class Canonical {
    @Test
    void fourLevelHoleIsAt47() {
      assertThat(X86.isCanonical(0x0000_7fff_ffff_ffffL)).isTrue();
      assertThat(X86.isCanonical(0x0000_8000_0000_0000L)).isFalse();
      assertThat(X86.isCanonical(0xffff_7fff_ffff_ffffL)).isFalse();
      assertThat(X86.isCanonical(0xffff_8000_0000_0000L)).isTrue();
      assertThat(X86.isCanonical(0L)).isTrue();
      assertThat(X86.isCanonical(-1L)).isTrue();
      assertThat(X86.lowerHalf().last()).isEqualTo(0x0000_7fff_ffff_ffffL);
      assertThat(X86.upperHalf().first()).isEqualTo(0xffff_8000_0000_0000L);
    }

    @Test
    void fiveLevelHoleIsAt56() {
      assertThat(X86_5.isCanonical(0x0000_8000_0000_0000L)).isTrue();
      assertThat(X86_5.isCanonical(0x00ff_ffff_ffff_ffffL)).isTrue();
      assertThat(X86_5.isCanonical(0x0100_0000_0000_0000L)).isFalse();
      assertThat(X86_5.isCanonical(0xfeff_ffff_ffff_ffffL)).isFalse();
      assertThat(X86_5.isCanonical(0xff00_0000_0000_0000L)).isTrue();
      assertThat(X86_5.lowerHalf().last()).isEqualTo(0x00ff_ffff_ffff_ffffL);
      assertThat(X86_5.upperHalf().first()).isEqualTo(0xff00_0000_0000_0000L);
    }
  }

  @Nested
  class RoundTrip {
    private static final int SAMPLES = 4000;

    private final List<X86Options> variants = List.of(
        X86Options.defaults(),
        X86Options.defaults().withNx(false),
        X86Options.defaults().withGigabytePages(false).withPhysicalAddressBits(36),
        X86Options.defaults().withPhysicalAddressBits(46),
        X86Options.defaults().withNx(false).withGigabytePages(false).withPhysicalAddressBits(32));

    @Test
    void everyWellFormedEntryEncodesBackToItsBits() {
      SplittableRandom random = new SplittableRandom(0x5eed_86L);
      for (X86Options options : variants) {
        for (PagingFormat f : List.of(Formats.x86_64(options), Formats.x86_64FiveLevel(options))) {
          for (Level level : f.levels()) {
            checkLevel(f, options, level, random);
          }
        }
      }
    }

    private void checkLevel(PagingFormat f, X86Options options, Level level, SplittableRandom random) {
      boolean last = level.depth() == f.levels().size() - 1;
      for (int i = 0; i < SAMPLES; i++) {
        boolean leaf = last || (level.leafAllowed() && random.nextBoolean());
        long raw = wellFormed(options, level, leaf, last, random.nextLong());
        assertThat(f.problem(level, raw)).as("%s %s %x", f, level, raw).isNull();
        assertThat(f.kind(level, raw)).as("%s %s %x", f, level, raw)
            .isEqualTo(leaf ? EntryKind.LEAF : EntryKind.TABLE);
        long address = f.address(level, raw);
        Attributes a = f.attributes(level, raw);
        long back = leaf ? f.encodeLeaf(level, address, a) : f.encodeTable(level, address, a);
        assertThat(back).as("%s %s %x -> %s %s", f, level, raw, hex(address), a).isEqualTo(raw);
      }
    }

    /** A random entry obeying the SDM's layout, built from the manual's bit positions only. */
    private long wellFormed(X86Options options, Level level, boolean leaf, boolean last, long bits) {
      long raw = bits | 1L;
      // Bits MAXPHYADDR..51 are reserved everywhere.
      raw &= ~(((1L << 52) - 1) & -(1L << options.physicalAddressBits()));
      if (!options.nx()) {
        raw &= ~(1L << 63);
      }
      if (leaf && !last) {
        raw |= 0x80L;
        // Huge leaf: address bits 13..shift-1 must be clear; bit 12 is PAT.
        raw &= ~(((1L << level.shift()) - 1) & ~0x1fffL);
      } else if (!leaf) {
        raw &= ~0x80L;
      }
      return raw;
    }

    @Test
    void anyDecodableRandomEntryRoundTrips() {
      SplittableRandom random = new SplittableRandom(42);
      PagingFormat narrow = Formats.x86_64(X86Options.defaults().withPhysicalAddressBits(39));
      int decodable = 0;
      for (PagingFormat f : List.of(X86, narrow, Formats.x86_64(X86Options.defaults().withNx(false)))) {
        for (int i = 0; i < 20_000; i++) {
          Level level = f.levels().get(random.nextInt(f.levels().size()));
          // Present, with sparse other bits, so that well-formed entries are common.
          long raw = (random.nextLong() & random.nextLong() & random.nextLong()) | 1L;
          EntryKind kind = f.kind(level, raw);
          if (kind == EntryKind.LEAF || kind == EntryKind.TABLE) {
            decodable++;
            long address = f.address(level, raw);
            Attributes a = f.attributes(level, raw);
            long back = kind == EntryKind.LEAF ? f.encodeLeaf(level, address, a)
                : f.encodeTable(level, address, a);
            assertThat(back).as("%s %s %x", f, level, raw).isEqualTo(raw);
          } else if (kind == EntryKind.MALFORMED) {
            assertThat(f.problem(level, raw)).isNotNull();
          }
        }
      }
      assertThat(decodable).isGreaterThan(10_000);
    }
  }
}
