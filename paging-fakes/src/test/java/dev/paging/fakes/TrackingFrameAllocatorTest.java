package dev.paging.fakes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.OutOfFramesException;
import org.junit.jupiter.api.Test;

class TrackingFrameAllocatorTest {
  private static final long BASE = 0x10_0000;

  @Test
  void handsOutTheLowestFreeFrameInOrder() {
    TrackingFrameAllocator allocator = TrackingFrameAllocator.over(BASE, 8);

    assertThat(allocator.allocate()).isEqualTo(0x10_0000L);
    assertThat(allocator.allocate()).isEqualTo(0x10_1000L);
    assertThat(allocator.allocate()).isEqualTo(0x10_2000L);
    assertThat(allocator.allocatedFrames()).containsExactly(0x10_0000L, 0x10_1000L, 0x10_2000L);
    assertThat(allocator.allocatedCount()).isEqualTo(3);
    assertThat(allocator.allocations()).isEqualTo(3);
    assertThat(allocator.isAllocated(0x10_1000L)).isTrue();
    assertThat(allocator.isAllocated(0x10_3000L)).isFalse();
    assertThat(allocator.isAllocated(0x10_1008L)).isFalse();
    assertThat(allocator.isAllocated(0)).isFalse();
  }

  @Test
  void handsOutFramesOfTheSizeItWasMadeWith() {
    TrackingFrameAllocator a = TrackingFrameAllocator.over(0x10_0000, 3, 16384);
    assertThat(a.frameBytes()).isEqualTo(16384);
    assertThat(a.allocate()).isEqualTo(0x10_0000L);
    assertThat(a.allocate()).isEqualTo(0x10_4000L);
    assertThat(a.allocate()).isEqualTo(0x10_8000L);
    assertThatThrownBy(a::allocate).isInstanceOf(OutOfFramesException.class)
        .hasMessage("all 3 frames of [0x0000000000100000, 0x000000000010c000) are allocated");
    assertThatThrownBy(() -> a.free(0x10_1000L)).hasMessage("free of unaligned frame 0x0000000000101000");
    assertThat(a.isAllocated(0x10_4000L)).isTrue();
    assertThat(a.isAllocated(0x10_5000L)).isFalse();
    assertThat(a).hasToString("TrackingFrameAllocator[0x0000000000100000, 0x000000000010c000): 3 of 3 16 KiB frames "
        + "allocated");
    assertThat(TrackingFrameAllocator.over(0x10_0000, 1).frameBytes()).isEqualTo(4096);
  }

  @Test
  void refusesFrameSizesThatAreNotPowersOfTwoAndUnalignedBases() {
    assertThatThrownBy(() -> TrackingFrameAllocator.over(0x10_0000, 4, 12288))
        .hasMessage("frame size 12288 is not a power of two from 4096 to 2^30");
    assertThatThrownBy(() -> TrackingFrameAllocator.over(0x10_0000, 4, 2048))
        .hasMessage("frame size 2048 is not a power of two from 4096 to 2^30");
    assertThatThrownBy(() -> TrackingFrameAllocator.over(0x10_4000, 4, 65536))
        .hasMessage("allocator region base 0x0000000000104000 is not 64 KiB aligned");
  }

  @Test
  void reusesFreedFramesLowestFirst() {
    TrackingFrameAllocator allocator = TrackingFrameAllocator.over(BASE, 8);
    for (int i = 0; i < 5; i++) {
      allocator.allocate();
    }
    allocator.free(0x10_3000L);
    allocator.free(0x10_1000L);

    assertThat(allocator.frees()).isEqualTo(2);
    assertThat(allocator.allocate()).isEqualTo(0x10_1000L);
    assertThat(allocator.allocate()).isEqualTo(0x10_3000L);
    assertThat(allocator.allocate()).isEqualTo(0x10_5000L);
    assertThat(allocator.allocations()).isEqualTo(8);
    assertThat(allocator.allocatedCount()).isEqualTo(6);
  }

  @Test
  void worksAtTheTopOfTheAddressSpace() {
    TrackingFrameAllocator allocator = TrackingFrameAllocator.over(0xFFFF_FFFF_FFFF_E000L, 2);
    assertThat(allocator.allocate()).isEqualTo(0xFFFF_FFFF_FFFF_E000L);
    assertThat(allocator.allocate()).isEqualTo(0xFFFF_FFFF_FFFF_F000L);
    assertThat(allocator.allocatedFrames())
        .containsExactly(0xFFFF_FFFF_FFFF_E000L, 0xFFFF_FFFF_FFFF_F000L);
    assertThatThrownBy(allocator::allocate)
        .isInstanceOf(OutOfFramesException.class)
        .hasMessage("all 2 frames of [0xffffffffffffe000, 0x0000000000000000) are allocated");
    allocator.free(0xFFFF_FFFF_FFFF_F000L);
    assertThatThrownBy(() -> allocator.free(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("foreign frame 0x0000000000000000");
  }

  @Test
  void rejectsADoubleFreeNamingTheFrame() {
    TrackingFrameAllocator allocator = TrackingFrameAllocator.over(BASE, 4);
    long frame = allocator.allocate();
    allocator.free(frame);
    AllocatorState before = allocator.state();

    assertThatThrownBy(() -> allocator.free(frame))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("double free of frame 0x0000000000100000");
    assertThat(allocator.state()).isEqualTo(before);
    assertThat(allocator.frees()).isEqualTo(1);
  }

  @Test
  void rejectsAFreeOfAFrameOutsideTheRegion() {
    TrackingFrameAllocator allocator = TrackingFrameAllocator.over(BASE, 4);
    allocator.allocate();

    assertThatThrownBy(() -> allocator.free(0x10_4000L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("free of foreign frame 0x0000000000104000: outside this allocator's region"
            + " [0x0000000000100000, 0x0000000000104000)");
    assertThatThrownBy(() -> allocator.free(0xF_F000L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("free of foreign frame 0x00000000000ff000");
    assertThat(allocator.frees()).isZero();
  }

  @Test
  void rejectsAFreeOfAFrameNeverHandedOut() {
    TrackingFrameAllocator allocator = TrackingFrameAllocator.over(BASE, 4);
    allocator.allocate();

    assertThatThrownBy(() -> allocator.free(0x10_2000L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("free of foreign frame 0x0000000000102000: this allocator never handed it out");
  }

  @Test
  void rejectsAnUnalignedFree() {
    TrackingFrameAllocator allocator = TrackingFrameAllocator.over(BASE, 4);
    long frame = allocator.allocate();

    assertThatThrownBy(() -> allocator.free(frame + 8))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("free of unaligned frame 0x0000000000100008");
    assertThat(allocator.isAllocated(frame)).isTrue();
  }

  @Test
  void runsOutAtTheRegionSizeAndStaysUnchanged() {
    TrackingFrameAllocator allocator = TrackingFrameAllocator.over(BASE, 3);
    allocator.allocate();
    allocator.allocate();
    allocator.allocate();
    AllocatorState full = allocator.state();

    assertThatThrownBy(allocator::allocate)
        .isInstanceOf(OutOfFramesException.class)
        .hasMessage("all 3 frames of [0x0000000000100000, 0x0000000000103000) are allocated");
    assertThat(allocator.state()).isEqualTo(full);
    assertThat(allocator.allocations()).isEqualTo(3);
    assertThat(allocator.failedAllocations()).isEqualTo(1);

    allocator.free(0x10_1000L);
    assertThat(allocator.allocate()).isEqualTo(0x10_1000L);
  }

  @Test
  void failAtAllocationFailsExactlyTheKthCallFromNow() {
    TrackingFrameAllocator allocator = TrackingFrameAllocator.over(BASE, 8);
    allocator.allocate();
    allocator.failAtAllocation(3);

    assertThat(allocator.allocate()).isEqualTo(0x10_1000L);
    assertThat(allocator.allocate()).isEqualTo(0x10_2000L);
    AllocatorState before = allocator.state();
    assertThatThrownBy(allocator::allocate)
        .isInstanceOf(OutOfFramesException.class)
        .hasMessage("injected failure of allocate() call 3 since failAtAllocation(3)");
    assertThat(allocator.state()).isEqualTo(before);
    assertThat(allocator.allocations()).isEqualTo(3);
    assertThat(allocator.allocatedCount()).isEqualTo(3);
    assertThat(allocator.failedAllocations()).isEqualTo(1);

    assertThat(allocator.allocate()).isEqualTo(0x10_3000L);
    assertThat(allocator.allocate()).isEqualTo(0x10_4000L);
    assertThat(allocator.allocations()).isEqualTo(5);
  }

  @Test
  void failAtAllocationOfOneFailsTheNextCall() {
    TrackingFrameAllocator allocator = TrackingFrameAllocator.over(BASE, 8);
    allocator.failAtAllocation(1);
    assertThatThrownBy(allocator::allocate).isInstanceOf(OutOfFramesException.class);
    assertThat(allocator.allocate()).isEqualTo(BASE);
  }

  @Test
  void failFromAllocationFailsTheKthAndEveryLaterCall() {
    TrackingFrameAllocator allocator = TrackingFrameAllocator.over(BASE, 8);
    allocator.failFromAllocation(2);

    assertThat(allocator.allocate()).isEqualTo(BASE);
    AllocatorState before = allocator.state();
    assertThatThrownBy(allocator::allocate)
        .isInstanceOf(OutOfFramesException.class)
        .hasMessage("injected failure of allocate() call 2 since failFromAllocation(2)");
    assertThatThrownBy(allocator::allocate)
        .isInstanceOf(OutOfFramesException.class)
        .hasMessage("injected failure of allocate() call 3 since failFromAllocation(2)");
    assertThatThrownBy(allocator::allocate).isInstanceOf(OutOfFramesException.class);
    assertThat(allocator.state()).isEqualTo(before);
    assertThat(allocator.allocations()).isEqualTo(1);
    assertThat(allocator.failedAllocations()).isEqualTo(3);

    allocator.clearFailures();
    assertThat(allocator.allocate()).isEqualTo(BASE + 0x1000);
  }

  @Test
  void clearFailuresDisarmsAPendingFailAt() {
    TrackingFrameAllocator allocator = TrackingFrameAllocator.over(BASE, 8);
    allocator.failAtAllocation(2);
    allocator.allocate();
    allocator.clearFailures();
    assertThat(allocator.allocate()).isEqualTo(BASE + 0x1000);
    assertThat(allocator.failedAllocations()).isZero();
  }

  @Test
  void rejectsANonPositiveFailurePoint() {
    TrackingFrameAllocator allocator = TrackingFrameAllocator.over(BASE, 8);
    assertThatThrownBy(() -> allocator.failAtAllocation(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> allocator.failFromAllocation(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void reportsLeakedFramesInHex() {
    TrackingFrameAllocator allocator = TrackingFrameAllocator.over(BASE, 8);
    assertThat(allocator.leakReport()).isEqualTo("no leaked frames");
    allocator.assertNoLeaks();

    long first = allocator.allocate();
    allocator.allocate();
    allocator.allocate();
    allocator.free(first);

    assertThat(allocator.leakReport())
        .isEqualTo("2 leaked frames (allocated, never freed): 0x0000000000101000, 0x0000000000102000");
    assertThatThrownBy(allocator::assertNoLeaks)
        .isInstanceOf(AssertionError.class)
        .hasMessage(allocator.leakReport());

    allocator.free(0x10_2000L);
    assertThat(allocator.leakReport())
        .isEqualTo("1 leaked frame (allocated, never freed): 0x0000000000101000");
  }

  @Test
  void leakReportListsTheFirstFramesAndCountsTheRest() {
    TrackingFrameAllocator allocator = TrackingFrameAllocator.over(0, 40);
    for (int i = 0; i < 40; i++) {
      allocator.allocate();
    }
    assertThat(allocator.leakReport())
        .startsWith("40 leaked frames (allocated, never freed): 0x0000000000000000, ")
        .contains("0x000000000001f000")
        .doesNotContain("0x0000000000020000")
        .endsWith(", ... and 8 more");
  }

  @Test
  void assertNoLeaksSinceIgnoresFramesAllocatedBefore() {
    TrackingFrameAllocator allocator = TrackingFrameAllocator.over(BASE, 8);
    allocator.allocate();
    AllocatorState before = allocator.state();
    long temporary = allocator.allocate();
    allocator.free(temporary);
    allocator.assertNoLeaksSince(before);

    allocator.allocate();
    allocator.allocate();
    assertThatThrownBy(() -> allocator.assertNoLeaksSince(before))
        .isInstanceOf(AssertionError.class)
        .hasMessage("2 frames leaked since the earlier state: 0x0000000000101000, 0x0000000000102000");
  }

  @Test
  void statesCompareByTheAllocatedSet() {
    TrackingFrameAllocator allocator = TrackingFrameAllocator.over(BASE, 8);
    allocator.allocate();
    AllocatorState one = allocator.state();
    long second = allocator.allocate();
    AllocatorState two = allocator.state();
    allocator.free(second);

    assertThat(allocator.state()).isEqualTo(one).hasSameHashCodeAs(one).isNotEqualTo(two);
    assertThat(two.count()).isEqualTo(2);
    assertThat(two.contains(second)).isTrue();
    assertThat(one.contains(second)).isFalse();
    assertThat(two.framesNotIn(one)).containsExactly(second);
    assertThat(two.frames()).containsExactly(BASE, second);
    assertThat(two)
        .hasToString("AllocatorState[2 allocated: 0x0000000000100000, 0x0000000000101000]");
  }

  @Test
  void equalStatesComeFromDifferentAllocatorsWithTheSameFrames() {
    TrackingFrameAllocator a = TrackingFrameAllocator.over(BASE, 8);
    TrackingFrameAllocator b = TrackingFrameAllocator.over(BASE, 4);
    a.allocate();
    b.allocate();
    assertThat(a.state()).isEqualTo(b.state());
  }

  @Test
  void rejectsBadRegions() {
    assertThatThrownBy(() -> TrackingFrameAllocator.over(0x800, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("allocator region base 0x0000000000000800 is not 4 KiB aligned");
    assertThatThrownBy(() -> TrackingFrameAllocator.over(BASE, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TrackingFrameAllocator.over(BASE, 1L << 31))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TrackingFrameAllocator.over(0xFFFF_FFFF_FFFF_E000L, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("allocator region of 3 frames from 0xffffffffffffe000 passes the top of the"
            + " address space");
  }
}
