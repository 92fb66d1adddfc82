package dev.paging.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VirtualRangeTest {
  private static final long TOP_PAGE = 0xffff_ffff_ffff_f000L;

  @Test
  void halfOpenStoresInclusiveLast() {
    VirtualRange r = VirtualRange.halfOpen(0x1000, 0x3000);
    assertThat(r.first()).isEqualTo(0x1000);
    assertThat(r.last()).isEqualTo(0x2fff);
    assertThat(r.size()).isEqualTo(0x2000);
    assertThat(r).hasToString("[0x0000000000001000, 0x0000000000002fff]");
  }

  @Test
  void closedRangeToTheTopOfTheAddressSpaceDoesNotOverflow() {
    VirtualRange r = VirtualRange.closed(TOP_PAGE, -1L);
    assertThat(r.size()).isEqualTo(4096);
    assertThat(r.contains(-1L)).isTrue();
    assertThat(r.contains(TOP_PAGE - 1)).isFalse();
    assertThat(VirtualRange.page(TOP_PAGE)).isEqualTo(r);
    assertThat(VirtualRange.ofLength(TOP_PAGE, 4096)).isEqualTo(r);
  }

  @Test
  void upperHalfAddressesCompareUnsigned() {
    VirtualRange r = VirtualRange.closed(0x7fff_ffff_f000L, 0xffff_8000_0000_0fffL);
    assertThat(r.contains(0x0000_8000_0000_0000L)).isTrue();
    assertThat(r.contains(0xffff_8000_0000_1000L)).isFalse();
    assertThat(r.contains(0x1000)).isFalse();
  }

  @Test
  void allIsTheUnboundedRange() {
    VirtualRange all = VirtualRange.all();
    assertThat(all.isAll()).isTrue();
    assertThat(all.first()).isZero();
    assertThat(all.last()).isEqualTo(-1L);
    assertThat(all.contains(0x8000_0000_0000_0000L)).isTrue();
    assertThatThrownBy(all::size).isInstanceOf(ArithmeticException.class);
    assertThat(VirtualRange.closed(0, -1L).isAll()).isTrue();
  }

  @Test
  void reversedAndEmptyRangesNameTheirEndsInHex() {
    assertThatThrownBy(() -> VirtualRange.halfOpen(0x2000, 0x1000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("reversed range [0x0000000000002000, 0x0000000000001000)");
    assertThatThrownBy(() -> VirtualRange.halfOpen(0x2000, 0x2000))
        .hasMessage("empty range [0x0000000000002000, 0x0000000000002000)");
    assertThatThrownBy(() -> VirtualRange.closed(-1L, 0))
        .hasMessage("reversed range [0xffffffffffffffff, 0x0000000000000000]");
    assertThatThrownBy(() -> VirtualRange.ofLength(TOP_PAGE, 0x2000))
        .hasMessageContaining("0xfffffffffffff000").hasMessageContaining("wraps");
    assertThatThrownBy(() -> VirtualRange.page(0x1234))
        .hasMessage("address 0x0000000000001234 is not aligned to the page size 0x0000000000001000");
  }

  @Test
  void intersectsContainsAndClip() {
    VirtualRange a = VirtualRange.halfOpen(0x1000, 0x5000);
    VirtualRange b = VirtualRange.halfOpen(0x4000, 0x9000);
    VirtualRange c = VirtualRange.halfOpen(0x5000, 0x6000);
    assertThat(a.intersects(b)).isTrue();
    assertThat(a.intersects(c)).isFalse();
    assertThat(a.clip(b)).contains(VirtualRange.halfOpen(0x4000, 0x5000));
    assertThat(a.clip(c)).isEmpty();
    assertThat(a.contains(VirtualRange.halfOpen(0x2000, 0x3000))).isTrue();
    assertThat(a.contains(b)).isFalse();
    assertThat(VirtualRange.all().clip(a)).contains(a);
  }

  @Test
  void aRangeInGigabytePagesEqualsTheSameRangeInSmallPages() {
    VirtualRange inGigabytes = VirtualRange.page(0x4000_0000L, 1L << 30);
    VirtualRange inSmallPages = VirtualRange.halfOpen(0x4000_0000L, 0x4000_0000L + 262_144L * 4096);
    assertThat(inGigabytes).isEqualTo(inSmallPages).hasSameHashCodeAs(inSmallPages);
  }

  @Test
  void hexPadsToSixteenDigits() {
    assertThat(Addresses.hex(0)).isEqualTo("0x0000000000000000");
    assertThat(Addresses.hex(0xffff_8000_0000_0000L)).isEqualTo("0xffff800000000000");
    assertThat(Addresses.signExtend(0x0000_8000_0000_0000L, 48)).isEqualTo(0xffff_8000_0000_0000L);
    assertThat(Addresses.signExtend(0x0000_7fff_ffff_f000L, 48)).isEqualTo(0x0000_7fff_ffff_f000L);
  }
}
