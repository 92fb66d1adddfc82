package dev.paging.fakes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.PhysicalAccessException;
import dev.paging.api.PhysicalMemory;
import org.junit.jupiter.api.Test;

class SimulatedMemoryTest {
  private static final long MIB = 1L << 20;
  private static final long GIB = 1L << 30;

  @Test
  void roundTripsWordsIncludingTheTopFrameAndAbove4GiB() {
    SimulatedMemory memory = SimulatedMemory.ofSize(1L << 46);

    memory.write(0, 0x1122334455667788L);
    memory.write(0x1_0000_1238L, 0xFFFF_FFFF_FFFF_FFFFL);
    memory.write((1L << 46) - 4096, 0x8000_0000_0000_0001L);
    memory.write((1L << 46) - 8, 0x0123_4567_89AB_CDEFL);

    assertThat(memory.read(0)).isEqualTo(0x1122334455667788L);
    assertThat(memory.read(0x1_0000_1238L)).isEqualTo(-1L);
    assertThat(memory.read(0x1_0000_1230L)).isZero();
    assertThat(memory.read((1L << 46) - 4096)).isEqualTo(0x8000_0000_0000_0001L);
    assertThat(memory.read((1L << 46) - 8)).isEqualTo(0x0123_4567_89AB_CDEFL);
    assertThat(memory.backedFrames()).isEqualTo(3);
    assertThat(memory.nonZeroFrames()).isEqualTo(3);
  }

  @Test
  void overwritingAWordReplacesIt() {
    SimulatedMemory memory = SimulatedMemory.ofSize(16 * 4096);
    memory.write(0x2008, 5);
    memory.write(0x2008, 7);
    assertThat(memory.read(0x2008)).isEqualTo(7);
  }

  @Test
  void untouchedMemoryReadsZeroWithoutAllocating() {
    SimulatedMemory memory = SimulatedMemory.ofSize(1L << 46);

    assertThat(memory.read(0)).isZero();
    assertThat(memory.read(0x3_0000_0000L)).isZero();
    assertThat(memory.read((1L << 46) - 8)).isZero();
    memory.write(0x5000, 0);

    assertThat(memory.backedFrames()).isZero();
    assertThat(memory.nonZeroFrames()).isZero();
    assertThat(memory.snapshot().wordCount()).isZero();
  }

  @Test
  void aFrameWrittenBackToZeroStaysBackedButIsNotNonZero() {
    SimulatedMemory memory = SimulatedMemory.ofSize(GIB);
    memory.write(0x7000, 9);
    memory.write(0x7000, 0);

    assertThat(memory.backedFrames()).isEqualTo(1);
    assertThat(memory.nonZeroFrames()).isZero();
  }

  @Test
  void countsEveryReadAndWriteExactly() {
    SimulatedMemory memory = SimulatedMemory.ofSize(MIB);
    for (int i = 0; i < 5; i++) {
      memory.write(8L * i, i);
    }
    for (int i = 0; i < 7; i++) {
      memory.read(0x8000 + 8L * i);
    }
    assertThat(memory.writes()).isEqualTo(5);
    assertThat(memory.reads()).isEqualTo(7);

    memory.resetCounters();
    memory.read(0);
    assertThat(memory.reads()).isEqualTo(1);
    assertThat(memory.writes()).isZero();
  }

  @Test
  void failedAccessesAndHelpersAreNotCounted() {
    SimulatedMemory memory = SimulatedMemory.ofSize(MIB);
    assertThatThrownBy(() -> memory.read(3)).isInstanceOf(PhysicalAccessException.class);
    assertThatThrownBy(() -> memory.write(MIB, 1)).isInstanceOf(PhysicalAccessException.class);
    memory.fill(0, 4096, 1);
    memory.writeBytes(8, new byte[] {1, 2});
    memory.readBytes(0, 16);
    memory.snapshot();

    assertThat(memory.reads()).isZero();
    assertThat(memory.writes()).isZero();
  }

  @Test
  void containsChecksBothEndsWithoutOverflow() {
    SimulatedMemory memory = SimulatedMemory.ofSize(0x10000);

    assertThat(memory.contains(0, 0x10000)).isTrue();
    assertThat(memory.contains(0xF000, 0x1000)).isTrue();
    assertThat(memory.contains(0xF000, 0x1001)).isFalse();
    assertThat(memory.contains(0x10000, 0)).isTrue();
    assertThat(memory.contains(0x10000, 1)).isFalse();
    assertThat(memory.contains(0x10008, 0)).isFalse();
    assertThat(memory.contains(0, 0x10001)).isFalse();
    // address + length wraps to 0x1000 and would pass a naive "end <= size" check
    assertThat(memory.contains(0xFFFF_FFFF_FFFF_F000L, 0x2000)).isFalse();
    assertThat(memory.contains(0x1000, 0xFFFF_FFFF_FFFF_F000L)).isFalse();
    assertThat(memory.contains(0xFFFF_FFFF_FFFF_FFF8L, 8)).isFalse();
    assertThat(memory.contains(-1L, -1L)).isFalse();
  }

  @Test
  void outOfRangeAccessNamesTheAddressAndSizeInHex() {
    SimulatedMemory memory = SimulatedMemory.ofSize(0x1_0000_0000L);

    assertThatThrownBy(() -> memory.read(0x1_0000_0000L))
        .isInstanceOf(PhysicalAccessException.class)
        .hasMessage(
            "read at 0x0000000100000000 is outside simulated memory of 0x0000000100000000 bytes");
    assertThatThrownBy(() -> memory.write(0xFFFF_8000_0000_0000L, 1))
        .isInstanceOf(PhysicalAccessException.class)
        .hasMessage(
            "write at 0xffff800000000000 is outside simulated memory of 0x0000000100000000 bytes");
  }

  @Test
  void unalignedAccessNamesTheAddressAndSizeInHex() {
    SimulatedMemory memory = SimulatedMemory.ofSize(0x10000);

    assertThatThrownBy(() -> memory.read(0x1004))
        .isInstanceOf(PhysicalAccessException.class)
        .hasMessage("unaligned read at 0x0000000000001004 in simulated memory of"
            + " 0x0000000000010000 bytes");
    assertThatThrownBy(() -> memory.write(0x2001, 1))
        .isInstanceOf(PhysicalAccessException.class)
        .hasMessage("unaligned write at 0x0000000000002001 in simulated memory of"
            + " 0x0000000000010000 bytes");
    assertThat(memory.backedFrames()).isZero();
  }

  @Test
  void rejectsBadSizes() {
    assertThatThrownBy(() -> SimulatedMemory.ofSize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0x0000000000000000");
    assertThatThrownBy(() -> SimulatedMemory.ofSize(4097))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0x0000000000001001");
    assertThatThrownBy(() -> SimulatedMemory.ofSize(-4096))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SimulatedMemory.ofSize(SimulatedMemory.MAX_SIZE + 4096))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theLargestMemoryWorksAtItsTop() {
    SimulatedMemory memory = SimulatedMemory.ofSize(SimulatedMemory.MAX_SIZE);
    memory.write(SimulatedMemory.MAX_SIZE - 8, 42);
    assertThat(memory.read(SimulatedMemory.MAX_SIZE - 8)).isEqualTo(42);
    assertThat(memory.size()).isEqualTo(1L << 56);
    assertThatThrownBy(() -> memory.read(SimulatedMemory.MAX_SIZE))
        .isInstanceOf(PhysicalAccessException.class);
  }

  @Test
  void snapshotsAreEqualExactlyWhenTheBitsAre() {
    SimulatedMemory memory = SimulatedMemory.ofSize(16 * GIB);
    memory.write(0x1000, 0x3);
    memory.write(0x2_0000_0010L, 0x8000_0000_0000_0000L);
    MemorySnapshot before = memory.snapshot();

    memory.write(0x5000, 0);
    memory.read(0x1000);
    assertThat(memory.snapshot()).isEqualTo(before).hasSameHashCodeAs(before);
    assertThat(before.diff(memory.snapshot())).isEmpty();

    memory.write(0x1000, 0x2003);
    MemorySnapshot after = memory.snapshot();
    assertThat(after).isNotEqualTo(before);
    assertThat(before.wordCount()).isEqualTo(2);
    assertThat(before.word(0x2_0000_0010L)).isEqualTo(0x8000_0000_0000_0000L);
    assertThat(before.word(0x1008)).isZero();
    assertThat(before.addresses()).containsExactly(0x1000L, 0x2_0000_0010L);
  }

  @Test
  void snapshotIgnoresAWordWrittenAndRestored() {
    SimulatedMemory memory = SimulatedMemory.ofSize(MIB);
    memory.write(0x1000, 0x3);
    MemorySnapshot before = memory.snapshot();
    memory.write(0x1000, 0x9);
    memory.write(0x3000, 0x9);
    memory.write(0x1000, 0x3);
    memory.write(0x3000, 0);
    assertThat(memory.snapshot()).isEqualTo(before);
  }

  @Test
  void diffListsChangedAddedAndRemovedWordsInHex() {
    SimulatedMemory memory = SimulatedMemory.ofSize(MIB);
    memory.write(0x1000, 0x3);
    memory.write(0x1008, 0x4);
    MemorySnapshot before = memory.snapshot();
    memory.write(0x1000, 0x2003);
    memory.write(0x1008, 0);
    memory.write(0x2000, 0x7);
    MemorySnapshot after = memory.snapshot();

    assertThat(before.diff(after))
        .isEqualTo(
            "3 words differ:\n"
                + "  0x0000000000001000: 0x0000000000000003 -> 0x0000000000002003\n"
                + "  0x0000000000001008: 0x0000000000000004 -> 0x0000000000000000\n"
                + "  0x0000000000002000: 0x0000000000000000 -> 0x0000000000000007");
    assertThat(after.diff(before)).startsWith("3 words differ:\n"
        + "  0x0000000000001000: 0x0000000000002003 -> 0x0000000000000003\n");
  }

  @Test
  void diffOfOneWordUsesTheSingular() {
    SimulatedMemory memory = SimulatedMemory.ofSize(MIB);
    MemorySnapshot before = memory.snapshot();
    memory.write(0x10, 1);
    assertThat(before.diff(memory.snapshot()))
        .isEqualTo("1 word differs:\n  0x0000000000000010: 0x0000000000000000 -> 0x0000000000000001");
  }

  @Test
  void diffShowsTheFirstFewAndCountsTheRest() {
    SimulatedMemory memory = SimulatedMemory.ofSize(MIB);
    MemorySnapshot before = memory.snapshot();
    memory.fill(0, 8 * 20, 1);
    String diff = before.diff(memory.snapshot());

    assertThat(diff).startsWith("20 words differ:\n  0x0000000000000000: ");
    assertThat(diff.lines()).hasSize(1 + MemorySnapshot.DIFF_LIMIT + 1);
    assertThat(diff).contains("0x0000000000000038: ").doesNotContain("0x0000000000000040: ");
    assertThat(diff).endsWith("\n  ... and 12 more");
  }

  @Test
  void readOnlyViewReadsThroughAndRefusesWrites() {
    SimulatedMemory memory = SimulatedMemory.ofSize(0x10000);
    memory.write(0x3000, 0x55);
    memory.resetCounters();
    PhysicalMemory view = memory.readOnlyView();

    assertThat(view.read(0x3000)).isEqualTo(0x55);
    assertThat(view.contains(0, 0x10000)).isTrue();
    assertThat(view.contains(0, 0x10001)).isFalse();
    assertThat(memory.reads()).isEqualTo(1);
    assertThatThrownBy(() -> view.write(0x3000, 0))
        .isInstanceOf(PhysicalAccessException.class)
        .hasMessage("write at 0x0000000000003000 to a read-only view of simulated memory of"
            + " 0x0000000000010000 bytes");
    assertThat(memory.read(0x3000)).isEqualTo(0x55);
    assertThat(memory.writes()).isZero();
  }

  @Test
  void fillSetsExactlyTheRangeAcrossFrames() {
    SimulatedMemory memory = SimulatedMemory.ofSize(MIB);
    memory.fill(0xFF8, 0x1010, 0xABL);

    assertThat(memory.read(0xFF0)).isZero();
    assertThat(memory.read(0xFF8)).isEqualTo(0xAB);
    assertThat(memory.read(0x1000)).isEqualTo(0xAB);
    assertThat(memory.read(0x1FF8)).isEqualTo(0xAB);
    assertThat(memory.read(0x2000)).isEqualTo(0xAB);
    assertThat(memory.read(0x2008)).isZero();
    assertThat(memory.snapshot().wordCount()).isEqualTo(0x1010 / 8);
    assertThat(memory.backedFrames()).isEqualTo(3);
  }

  @Test
  void fillWithZeroClearsWithoutAllocating() {
    SimulatedMemory memory = SimulatedMemory.ofSize(1L << 46);
    memory.write(0x2_0000_0000L, 5);
    memory.fill(0, 1L << 46, 0);

    assertThat(memory.read(0x2_0000_0000L)).isZero();
    assertThat(memory.backedFrames()).isEqualTo(1);
    assertThat(memory.nonZeroFrames()).isZero();
  }

  @Test
  void fillRejectsPartialWordsAndRangesOutside() {
    SimulatedMemory memory = SimulatedMemory.ofSize(0x2000);
    assertThatThrownBy(() -> memory.fill(4, 8, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0x0000000000000004");
    assertThatThrownBy(() -> memory.fill(0, 12, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> memory.fill(0x1000, 0x1008, 1))
        .isInstanceOf(PhysicalAccessException.class)
        .hasMessage("fill of 0x0000000000001008 bytes at 0x0000000000001000 is outside simulated"
            + " memory of 0x0000000000002000 bytes");
    assertThat(memory.backedFrames()).isZero();
  }

  @Test
  void bytesAreLittleEndianAtAnyAlignment() {
    SimulatedMemory memory = SimulatedMemory.ofSize(MIB);
    memory.write(0x1000, 0x1111_1111_1111_1111L);
    memory.write(0x1008, 0x2222_2222_2222_2222L);
    memory.writeBytes(0x1006, new byte[] {(byte) 0xAA, (byte) 0xBB, (byte) 0xCC});

    assertThat(memory.read(0x1000)).isEqualTo(0xBBAA_1111_1111_1111L);
    assertThat(memory.read(0x1008)).isEqualTo(0x2222_2222_2222_22CCL);
    assertThat(memory.readBytes(0x1005, 5))
        .containsExactly(0x11, (byte) 0xAA, (byte) 0xBB, (byte) 0xCC, 0x22);
    assertThat(memory.readBytes(0x1000, 0)).isEmpty();
  }

  @Test
  void bytesRoundTripAcrossAFrameBoundary() {
    SimulatedMemory memory = SimulatedMemory.ofSize(MIB);
    byte[] image = new byte[100];
    for (int i = 0; i < image.length; i++) {
      image[i] = (byte) (i * 7 + 1);
    }
    memory.writeBytes(0x1FE3, image);

    assertThat(memory.readBytes(0x1FE3, 100)).isEqualTo(image);
    assertThat(memory.read(0x1FE0)).isEqualTo(0x1D16_0F08_0100_0000L);
    assertThat(memory.readBytes(0x1FE2, 1)).containsExactly(0);
    assertThat(memory.readBytes(0x1FE3 + 100, 1)).containsExactly(0);
  }

  @Test
  void byteHelpersRejectRangesOutsideAndNegativeLengths() {
    SimulatedMemory memory = SimulatedMemory.ofSize(0x1000);
    assertThatThrownBy(() -> memory.writeBytes(0xFFE, new byte[3]))
        .isInstanceOf(PhysicalAccessException.class)
        .hasMessage("writeBytes of 0x0000000000000003 bytes at 0x0000000000000ffe is outside"
            + " simulated memory of 0x0000000000001000 bytes");
    assertThatThrownBy(() -> memory.readBytes(0xFFFF_FFFF_FFFF_FFFFL, 2))
        .isInstanceOf(PhysicalAccessException.class)
        .hasMessageContaining("0xffffffffffffffff");
    assertThatThrownBy(() -> memory.readBytes(0, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void runsCountAsTheWordsTheyStandForAndAScanNotTheWordItStopsAt() {
    SimulatedMemory memory = SimulatedMemory.ofSize(16 * 4096);
    memory.write(0x2000 + 8 * 40, 3);
    memory.resetCounters();

    long[] into = new long[600];
    memory.read(0x1e00, into, 10, 600 - 10);
    assertThat(into[10 + 64 + 40]).isEqualTo(3);
    assertThat(memory.reads()).isEqualTo(590);

    memory.resetCounters();
    assertThat(memory.firstNonZero(0x2000, 512)).isEqualTo(40);
    assertThat(memory.reads()).isEqualTo(40);
    assertThat(memory.firstNonZero(0x2000 + 8 * 41, 471)).isEqualTo(-1);
    assertThat(memory.reads()).isEqualTo(40 + 471);

    memory.zero(0x1ff8, 3);
    assertThat(memory.writes()).isEqualTo(3);
    assertThat(memory.read(0x2000 + 8 * 40)).isEqualTo(3);
  }

  @Test
  void aScanLooksAtNothingInFramesItKnowsAreZero() {
    SimulatedMemory memory = SimulatedMemory.ofSize(16 * 4096);
    memory.write(0x3000, 5);
    memory.write(0x3000, 0);
    memory.resetCounters();

    // Never written, and written back to zero: both known zero, so nothing is looked at.
    assertThat(memory.firstNonZero(0x1000, 512)).isEqualTo(-1);
    assertThat(memory.isZero(0x3000, 512)).isTrue();
    assertThat(memory.wordsExamined()).isZero();
    assertThat(memory.reads()).isEqualTo(1024);

    memory.write(0x3000 + 8 * 7, 1);
    assertThat(memory.firstNonZero(0x3000, 512)).isEqualTo(7);
    assertThat(memory.wordsExamined()).isEqualTo(8);
    memory.zero(0x3000, 512);
    assertThat(memory.isZero(0x3000, 512)).isTrue();
    assertThat(memory.wordsExamined()).isEqualTo(8);
    assertThat(memory.nonZeroFrames()).isZero();
  }

  @Test
  void helpersKeepTheZeroFrameCountsRight() {
    SimulatedMemory memory = SimulatedMemory.ofSize(16 * 4096);
    memory.fill(0x1000, 3 * 4096, 0x11);
    memory.fill(0x2000, 4096, 0);
    memory.writeBytes(0x2ff8, new byte[] {0, 0, 0, 0, 0, 0, 0, 1});
    assertThat(memory.isZero(0x1000, 512)).isFalse();
    assertThat(memory.isZero(0x2000, 512)).isFalse();
    assertThat(memory.firstNonZero(0x2000, 512)).isEqualTo(511);
    memory.writeBytes(0x2ff8, new byte[8]);
    assertThat(memory.isZero(0x2000, 512)).isTrue();
    assertThat(memory.nonZeroFrames()).isEqualTo(2);
  }

  @Test
  void badRunsNameTheirAddressAndChangeNothing() {
    SimulatedMemory memory = SimulatedMemory.ofSize(4 * 4096);
    memory.write(0x3ff8, 9);
    assertThatThrownBy(() -> memory.zero(0x3ff8, 2))
        .isInstanceOf(PhysicalAccessException.class)
        .hasMessageContaining("0x0000000000003ff8");
    assertThatThrownBy(() -> memory.read(0x1004, new long[4], 0, 4))
        .isInstanceOf(PhysicalAccessException.class)
        .hasMessageContaining("unaligned read at 0x0000000000001004");
    assertThatThrownBy(() -> memory.firstNonZero(0, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> memory.read(0, new long[4], 2, 4)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> memory.readOnlyView().zero(0x1000, 1))
        .isInstanceOf(PhysicalAccessException.class).hasMessageContaining("read-only view");
    assertThat(memory.read(0x3ff8)).isEqualTo(9);
    assertThat(memory.writes()).isEqualTo(1);
  }
}
