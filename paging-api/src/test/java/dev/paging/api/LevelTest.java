package dev.paging.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** A level's table geometry and its entry access, for 8-byte and 4-byte entries. */
class LevelTest {
  /** Two frames of 64-bit words at 0x1000, with only the interface's defaults for runs and halves. */
  static final class Words implements PhysicalMemory {
    final long[] words = new long[1024];
    int reads;
    int writes;

    @Override
    public long read(long address) {
      reads++;
      return words[index(address)];
    }

    @Override
    public void write(long address, long value) {
      writes++;
      words[index(address)] = value;
    }

    @Override
    public boolean contains(long address, long length) {
      return address >= 0x1000 && length >= 0 && address + length <= 0x3000;
    }

    private int index(long address) {
      if ((address & 7) != 0 || !contains(address, 8)) {
        throw new PhysicalAccessException("word " + Addresses.hex(address));
      }
      return (int) ((address - 0x1000) >>> 3);
    }
  }

  static final Level PD32 = Level.of("PD", 0, 22, 10, true).withEntryBytes(4);
  static final Level PDPT = Level.of("PDPT", 0, 30, 2, false).withTableAlignment(32);

  @Nested
  class Geometry {
    @Test
    void eightByteEntriesFillA4KiBTableByDefault() {
      Level pt = Level.of("PT", 3, 12, 9, true);
      assertThat(pt.entryBytes()).isEqualTo(8);
      assertThat(pt.tableBytes()).isEqualTo(4096);
      assertThat(pt.tableAlignment()).isEqualTo(4096);
      assertThat(pt.entryAddress(0x5000, 511)).isEqualTo(0x5ff8);
    }

    @Test
    void fourByteEntriesHalveTheStride() {
      assertThat(PD32.entries()).isEqualTo(1024);
      assertThat(PD32.tableBytes()).isEqualTo(4096);
      assertThat(PD32.tableAlignment()).isEqualTo(4096);
      assertThat(PD32.entryAddress(0x5000, 1023)).isEqualTo(0x5ffc);
    }

    @Test
    void aPaePdptIsFourEntriesThirtyTwoBytesAligned() {
      assertThat(PDPT.entries()).isEqualTo(4);
      assertThat(PDPT.tableBytes()).isEqualTo(32);
      assertThat(PDPT.tableAlignment()).isEqualTo(32);
      assertThat(PDPT.entryAddress(0x1fe0, 3)).isEqualTo(0x1ff8);
    }

    @Test
    void refusesOtherEntrySizesAndAlignments() {
      Level pt = Level.of("PT", 3, 12, 9, true);
      assertThatThrownBy(() -> pt.withEntryBytes(2))
          .hasMessage("level PT: entries of 2 bytes; 4 or 8 are supported");
      assertThatThrownBy(() -> pt.withTableAlignment(48))
          .hasMessage("level PT: table alignment 48 is not a power of two in 8..1073741824");
      assertThatThrownBy(() -> pt.withTableAlignment(4))
          .hasMessage("level PT: table alignment 4 is not a power of two in 8..1073741824");
      assertThatThrownBy(() -> PDPT.withTableAlignment(1L << 31))
          .hasMessage("level PDPT: table alignment 2147483648 is not a power of two in 8..1073741824");
    }

    @Test
    void aSmallTableMayAskForMoreAlignmentThanItsSize() {
      // An AArch64 root of 2 entries (16 KiB granule, 48-bit VA) must sit on 64 bytes.
      Level l0 = Level.of("L0", 0, 47, 1, false).withTableAlignment(64);
      assertThat(l0.tableBytes()).isEqualTo(16);
      assertThat(l0.tableAlignment()).isEqualTo(64);
    }
  }

  @Nested
  class FourByteEntries {
    @Test
    void readAndWriteTheirOwnHalfOfAWordOnly() {
      Words m = new Words();
      m.words[0] = 0x1111_1111_2222_2222L;
      assertThat(PD32.readEntry(m, 0x1000, 0)).isEqualTo(0x2222_2222L);
      assertThat(PD32.readEntry(m, 0x1000, 1)).isEqualTo(0x1111_1111L);
      PD32.writeEntry(m, 0x1000, 1, 0xfedc_b083L);
      assertThat(m.words[0]).isEqualTo(0xfedc_b083_2222_2222L);
      PD32.writeEntry(m, 0x1000, 0, 0);
      assertThat(m.words[0]).isEqualTo(0xfedc_b083_0000_0000L);
      // Zero-extended: bit 31 set does not make the long negative.
      assertThat(PD32.readEntry(m, 0x1000, 1)).isEqualTo(0xfedc_b083L);
    }

    @Test
    void aValueWiderThan32BitsIsRefusedAndNothingWritten() {
      Words m = new Words();
      assertThatThrownBy(() -> PD32.writeEntry(m, 0x1000, 3, 0x1_0000_0083L))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("entry 0x0000000100000083 does not fit the 4 bytes of a PD entry (0x000000000000100c)");
      assertThat(m.writes).isZero();
    }

    @Test
    void readEntriesFillsTheSamePositions() {
      Words m = new Words();
      m.words[1] = 0x0000_0005_0000_0004L;
      m.words[2] = 0x0000_0000_0000_0006L;
      long[] into = new long[1024];
      PD32.readEntries(m, 0x1000, 3, into, 3);
      assertThat(into).startsWith(0, 0, 0, 5, 6, 0, 0);
      assertThat(m.reads).isEqualTo(3);
    }

    @Test
    void firstNonZeroFindsEitherHalfFromAnyStart() {
      Words m = new Words();
      assertThat(PD32.firstNonZeroEntry(m, 0x1000, 0, 1024)).isEqualTo(-1);
      m.words[100] = 7L << 32;            // entry 201
      assertThat(PD32.firstNonZeroEntry(m, 0x1000, 0, 1024)).isEqualTo(201);
      assertThat(PD32.firstNonZeroEntry(m, 0x1000, 1, 1023)).isEqualTo(200);
      assertThat(PD32.firstNonZeroEntry(m, 0x1000, 201, 1)).isZero();
      assertThat(PD32.firstNonZeroEntry(m, 0x1000, 0, 201)).isEqualTo(-1);
      m.words[100] = 7L;                  // entry 200
      assertThat(PD32.firstNonZeroEntry(m, 0x1000, 1, 1023)).isEqualTo(199);
      assertThat(PD32.firstNonZeroEntry(m, 0x1000, 201, 823)).isEqualTo(-1);
      m.words[511] = 1L << 32;            // entry 1023, the last, reached as a tail
      assertThat(PD32.firstNonZeroEntry(m, 0x1000, 1023, 1)).isZero();
      assertThat(PD32.firstNonZeroEntry(m, 0x1000, 201, 823)).isEqualTo(822);
    }

    @Test
    void clearTableZeroesTheWholeTable() {
      Words m = new Words();
      java.util.Arrays.fill(m.words, -1L);
      PD32.clearTable(m, 0x1000);
      assertThat(m.words).startsWith(new long[512]);
      assertThat(m.words[512]).isEqualTo(-1L);
    }
  }

  @Test
  void aPdptClearsItsThirtyTwoBytesOnly() {
    Words m = new Words();
    java.util.Arrays.fill(m.words, -1L);
    PDPT.clearTable(m, 0x1020);
    assertThat(m.words[3]).isEqualTo(-1L);
    assertThat(m.words).containsSubsequence(0L, 0L, 0L, 0L);
    assertThat(m.words[4]).isZero();
    assertThat(m.words[7]).isZero();
    assertThat(m.words[8]).isEqualTo(-1L);
  }

  @Test
  void unalignedHalvesAreRefused() {
    Words m = new Words();
    assertThatThrownBy(() -> m.read32(0x1002))
        .isInstanceOf(PhysicalAccessException.class).hasMessage("read of 4 bytes at 0x0000000000001002 is not 4-byte aligned");
    assertThatThrownBy(() -> m.write32(0x1006, 1))
        .isInstanceOf(PhysicalAccessException.class).hasMessage("write of 4 bytes at 0x0000000000001006 is not 4-byte aligned");
    assertThat(m.writes).isZero();
  }
}
