package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Attributes;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.ops.InvalidationPlan;
import dev.paging.testkit.TlbModel;
import org.junit.jupiter.api.Test;

class TlbModelTest {
  @Test
  void aChangeNobodyInvalidatedShowsUpAsAStaleEntry() {
    Trees t = Trees.of(Formats.x86_64());
    t.leaf(0x1000, 3, 0x5000);
    t.leaf(0x20_0000L, 2, 0x40_0000L, Attributes.readWrite().withGlobal(true));
    TlbModel tlb = TlbModel.of(t.space);
    assertThat(tlb.accessAll(VirtualRange.all())).isEqualTo(2);
    assertThat(tlb.access(0x9000)).isFalse();
    tlb.assertCoherent();

    t.leaf(0x1000, 3, 0x6000);                        // remapped behind the TLB's back
    assertThat(tlb.staleEntries()).containsExactly(
        "cached [0x0000000000001000, 0x0000000000001fff] -> 0x0000000000005000 rw----- but the tables now say"
            + " [0x0000000000001000, 0x0000000000001fff] -> 0x0000000000006000 rw-----");
    tlb.apply(InvalidationPlan.none());
    assertThatThrownBy(tlb::assertCoherent).hasMessageContaining("1 stale TLB entries");

    tlb.switchAddressSpace();                          // drops the non-global 4 KiB entry only
    assertThat(tlb.size()).isEqualTo(1);
    tlb.assertCoherent();

    t.raw(0x20_0000L, 2, 0);                           // unmapped: the global entry survives switches
    tlb.switchAddressSpace();
    assertThat(tlb.staleEntries()).containsExactly(
        "cached [0x0000000000200000, 0x00000000003fffff] -> 0x0000000000400000 rw--g-- but the tables now say not mapped");
    tlb.flushAll();
    assertThat(tlb.size()).isZero();
  }

  @Test
  void oneRangeInvalidatesEveryEntryItOverlaps() {
    Trees t = Trees.of(Formats.x86_64());
    t.leaf(0x1000, 3, 0x5000);
    t.leaf(0x2000, 3, 0x6000);
    t.leaf(0x20_0000L, 2, 0x40_0000L);
    TlbModel tlb = TlbModel.of(t.space);
    assertThat(tlb.accessAll(VirtualRange.all())).isEqualTo(3);
    t.raw(0x1000, 3, 0);
    t.raw(0x20_0000L, 2, 0);
    assertThat(tlb.staleEntries()).hasSize(2);
    tlb.invalidate(VirtualRange.closed(0x1fff, 0x1fff));      // the last byte of the first page
    assertThat(tlb.size()).isEqualTo(2);
    assertThat(tlb.staleEntries()).hasSize(1);
    tlb.invalidate(VirtualRange.closed(0x3f_ffffL, 0x40_0000L)); // the last byte of the 2 MiB page, and the next
    assertThat(tlb.size()).isEqualTo(1);
    tlb.assertCoherent();
  }

  @Test
  void staleEntriesInBothHalvesAreFoundInOrder() {
    Trees t = Trees.of(Formats.sv39());
    t.leaf(0x1000, 2, 0x5000);
    t.leaf(-0x1000L, 2, 0x6000);
    TlbModel tlb = TlbModel.of(t.space);
    assertThat(tlb.accessAll(VirtualRange.all())).isEqualTo(2);
    t.leaf(0x1000, 2, 0x7000);
    t.raw(-0x1000L, 2, 0);
    assertThat(tlb.staleEntries()).containsExactly(
        "cached [0x0000000000001000, 0x0000000000001fff] -> 0x0000000000005000 rw----- but the tables now say"
            + " [0x0000000000001000, 0x0000000000001fff] -> 0x0000000000007000 rw-----",
        "cached [0xfffffffffffff000, 0xffffffffffffffff] -> 0x0000000000006000 rw----- but the tables now say not mapped");
  }
}
