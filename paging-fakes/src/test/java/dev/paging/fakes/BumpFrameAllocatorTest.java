package dev.paging.fakes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.OutOfFramesException;
import org.junit.jupiter.api.Test;

class BumpFrameAllocatorTest {
  private static final long BASE = 0x20_0000;

  @Test
  void handsOutConsecutiveFramesAndNeverReuses() {
    BumpFrameAllocator allocator = BumpFrameAllocator.over(BASE, 4);

    assertThat(allocator.allocate()).isEqualTo(0x20_0000L);
    assertThat(allocator.allocate()).isEqualTo(0x20_1000L);
    allocator.free(0x20_0000L);
    assertThat(allocator.allocate()).isEqualTo(0x20_2000L);
    assertThat(allocator.allocated()).isEqualTo(3);
    assertThat(allocator.frees()).isEqualTo(1);
    assertThat(allocator.remaining()).isEqualTo(1);
  }

  @Test
  void runsOutAtCapacityAndStaysUnchanged() {
    BumpFrameAllocator allocator = BumpFrameAllocator.over(BASE, 2);
    allocator.allocate();
    allocator.allocate();

    assertThatThrownBy(allocator::allocate)
        .isInstanceOf(OutOfFramesException.class)
        .hasMessage("all 2 frames from 0x0000000000200000 are handed out");
    assertThat(allocator.allocated()).isEqualTo(2);
    assertThat(allocator.remaining()).isZero();
  }

  @Test
  void resetStartsAgainFromTheBase() {
    BumpFrameAllocator allocator = BumpFrameAllocator.over(BASE, 2);
    allocator.allocate();
    long second = allocator.allocate();
    allocator.free(second);
    allocator.reset();

    assertThat(allocator.allocated()).isZero();
    assertThat(allocator.frees()).isZero();
    assertThat(allocator.allocate()).isEqualTo(BASE);
  }

  @Test
  void rejectsFreesOfFramesNotHandedOut() {
    BumpFrameAllocator allocator = BumpFrameAllocator.over(BASE, 4);
    allocator.allocate();

    assertThatThrownBy(() -> allocator.free(0x20_1000L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("free of frame 0x0000000000201000 that this allocator did not hand out");
    assertThatThrownBy(() -> allocator.free(0x1F_F000L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0x00000000001ff000");
    assertThatThrownBy(() -> allocator.free(BASE + 8))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0x0000000000200008");
    assertThat(allocator.frees()).isZero();
  }

  @Test
  void worksAtTheTopOfTheAddressSpace() {
    BumpFrameAllocator allocator = BumpFrameAllocator.over(0xFFFF_FFFF_FFFF_F000L, 1);
    assertThat(allocator.allocate()).isEqualTo(0xFFFF_FFFF_FFFF_F000L);
    allocator.free(0xFFFF_FFFF_FFFF_F000L);
    assertThatThrownBy(allocator::allocate).isInstanceOf(OutOfFramesException.class);
  }

  @Test
  void rejectsBadRegions() {
    assertThatThrownBy(() -> BumpFrameAllocator.over(BASE + 0x10, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("allocator region base 0x0000000000200010 is not 4 KiB aligned");
    assertThatThrownBy(() -> BumpFrameAllocator.over(BASE, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BumpFrameAllocator.over(0xFFFF_FFFF_FFFF_F000L, 2))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
