package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Attributes;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.testkit.TlbModel;
import dev.paging.visitors.InvalidationPlan;
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
}
