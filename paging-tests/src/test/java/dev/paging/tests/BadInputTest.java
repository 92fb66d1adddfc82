package dev.paging.tests;

import static dev.paging.tests.Space.GIB;
import static dev.paging.tests.Space.MIB2;
import static dev.paging.tests.Trees.oneLeafAmongEmptyTables;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.collect.Range;
import com.google.common.primitives.UnsignedLong;
import dev.paging.api.Attributes;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.core.VirtualRanges;
import dev.paging.core.X86Options;
import dev.paging.fakes.MemorySnapshot;
import dev.paging.ops.MapOptions;
import dev.paging.ops.ReclaimMode;
import dev.paging.ops.Reclaimer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Bad input is an IllegalArgumentException naming the offending value in hex, and changes nothing. */
class BadInputTest {
  private static final Attributes RW = Attributes.readWrite();

  private static Space populated() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(GIB, GIB), 0x1_0000_0000L, RW);
    s.tables.map(VirtualRange.ofLength(MIB2, MIB2), 0x4000_0000L, RW, MapOptions.defaults().withPageSize(0x1000));
    return s;
  }

  private static void rejects(Space s, Runnable operation, String... fragments) {
    Throwable e = s.unchangedBy(operation);
    assertThat(e).isInstanceOf(IllegalArgumentException.class);
    for (String fragment : fragments) {
      assertThat(e).hasMessageContaining(fragment);
    }
  }

  @Test
  void aBadRootSaysWhetherItIsUnalignedOrOutsideMemoryAndWhereMemoryIs() {
    Space s = populated();
    dev.paging.core.Walker walker = dev.paging.core.Walker.of(s.format, s.memory);
    dev.paging.api.PageTableVisitor nothing = new dev.paging.api.PageTableVisitor() {};
    assertThatThrownBy(() -> walker.walk(0x10_0800L, VirtualRange.all(), nothing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("root table 0x0000000000100800 is not 4 KiB aligned");
    assertThatThrownBy(() -> walker.walk(Space.MEMORY, VirtualRange.all(), nothing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("root table 0x0000000004000000 is outside physical memory (" + s.memory + ")")
        .hasMessageContaining("size=0x0000000004000000");
    assertThatThrownBy(() -> dev.paging.core.AddressSpace.readOnly(s.format, s.memory, Space.MEMORY))
        .hasMessage("root table 0x0000000004000000 is outside physical memory (" + s.memory + ")");
  }

  @Test
  void unalignedAddressesForThePageSize() {
    Space s = populated();
    rejects(s, () -> s.tables.map(VirtualRange.ofLength(0x5_1234, 0x1000), 0x9000, RW),
        "virtual address 0x0000000000051234 is not aligned to the page size 0x0000000000001000");
    rejects(s, () -> s.tables.map(VirtualRange.ofLength(0x5000, 0x1800), 0x9000, RW),
        "the range's end 0x0000000000006800 is not aligned");
    rejects(s, () -> s.tables.map(VirtualRange.ofLength(0x5000, 0x1000), 0x9010, RW),
        "physical address 0x0000000000009010 is not aligned");
    rejects(s, () -> s.tables.map(VirtualRange.ofLength(4 * MIB2 + 0x1000, MIB2), 0x60_0000, RW,
        MapOptions.defaults().withPageSize(MIB2)), "virtual address 0x0000000000801000 is not aligned to the page size 0x0000000000200000");
    rejects(s, () -> s.tables.map(VirtualRange.ofLength(4 * MIB2, MIB2), 0x61_0000, RW,
        MapOptions.defaults().withPageSize(MIB2)), "physical address 0x0000000000610000");
    rejects(s, () -> s.tables.unmap(VirtualRange.ofLength(0x5008, 0x1000)), "range start 0x0000000000005008");
    rejects(s, () -> s.tables.protect(VirtualRange.halfOpen(0x5000, 0x5800), RW), "range end 0x0000000000005800");
  }

  @Test
  void physicalAddressesBeyondTheFormatsWidth() {
    Space s = Space.of(Formats.x86_64(X86Options.defaults().withPhysicalAddressBits(36)));
    rejects(s, () -> s.tables.map(VirtualRange.ofLength(0x5000, 0x1000), 0x10_0000_0000L, RW),
        "physical address 0x0000001000000000 is beyond the 36-bit physical address width");
    rejects(s, () -> s.tables.map(VirtualRange.ofLength(0x5000, 0x2000), 0xf_ffff_f000L, RW),
        "physical address 0x0000001000000fff (the range's last byte) is beyond the 36-bit");
    Space riscv = Space.of(Formats.sv39());
    rejects(riscv, () -> riscv.tables.map(VirtualRange.ofLength(0x5000, 0x1000), 1L << 56, RW),
        "physical address 0x0100000000000000 is beyond the 56-bit");
    // The physical range must not wrap past 2^64 either.
    rejects(riscv, () -> riscv.tables.map(VirtualRange.ofLength(0x5000, 0x2000), -0x1000L, RW),
        "physical address 0xfffffffffffff000 is beyond");
  }

  @Test
  void nonCanonicalAddresses() {
    Space s = populated();
    rejects(s, () -> s.tables.map(VirtualRange.ofLength(0x0000_8000_0000_0000L, 0x1000), 0x9000, RW),
        "0x0000800000000000", "not canonical");
    rejects(s, () -> s.tables.unmap(VirtualRange.ofLength(0xffff_7fff_ffff_f000L, 0x1000)), "0xffff7ffffffff000");
    rejects(s, () -> s.tables.protect(VirtualRange.ofLength(0x1_0000_0000_0000L, 0x1000), RW), "0x0001000000000000");
    rejects(s, () -> s.tables.smash(0x0000_9000_0000_0000L, 0x1000), "0x0000900000000000");
    rejects(s, () -> s.tables.collapse(VirtualRange.ofLength(0x0000_9000_0000_0000L, 0x1000)), "0x0000900000000000");
  }

  @Test
  void reversedRangesCannotEvenBeMade() {
    assertThatThrownBy(() -> VirtualRange.closed(0x2000, 0x1000)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("reversed range [0x0000000000002000, 0x0000000000001000]");
    assertThatThrownBy(() -> VirtualRange.halfOpen(0x2000, 0x1000)).hasMessageContaining("reversed");
  }

  @Test
  void aMapRangeCrossingTheCanonicalHole() {
    Space s = populated();
    rejects(s, () -> s.tables.map(VirtualRange.closed(0x7fff_ffff_f000L, 0xffff_8000_0000_0fffL), 0x9000, RW),
        "crosses the non-canonical hole between 0x00007fffffffffff and 0xffff800000000000");
    rejects(s, () -> s.tables.map(VirtualRange.all(), 0, RW), "crosses the non-canonical hole");
  }

  @Test
  void pageSizesAndAttributesTheFormatCannotHave() {
    Space s = Space.of(Formats.x86_64(X86Options.defaults().withGigabytePages(false).withNx(false)));
    rejects(s, () -> s.tables.map(VirtualRange.ofLength(GIB, GIB), GIB, Attributes.readExecute(),
        MapOptions.defaults().withPageSize(GIB)), "page size 0x0000000040000000 is not one x86-64 supports");
    // Without NX nothing can be execute-disabled.
    rejects(s, () -> s.tables.map(VirtualRange.ofLength(GIB, 0x1000), GIB, RW), "execute-disable needs NX");
    assertThatThrownBy(() -> MapOptions.defaults().withPageSize(0x3000))
        .hasMessage("page size 0x0000000000003000 is not a power of two of at least 4 KiB");
  }

  // Empty and reversed ranges, and ends in the non-canonical hole: a clear error, no change.
  @Test
  @Tag("pr-review")
  @DisplayName("pr-review: empty, reversed and non-canonical reclaim ranges are clear errors that change nothing")
  void emptyReversedAndNonCanonicalRangesAreClearErrors() {
    Trees t = oneLeafAmongEmptyTables();
    MemorySnapshot before = t.memory.snapshot();
    assertThatThrownBy(() -> VirtualRange.halfOpen(0x20_0000L, 0x20_0000L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("empty range [0x0000000000200000, 0x0000000000200000)");
    assertThatThrownBy(() -> VirtualRange.closed(0x40_0000L, 0x20_0000L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("reversed range [0x0000000000400000, 0x0000000000200000]");
    assertThatThrownBy(() -> VirtualRanges.fromGuava(Range.closedOpen(UnsignedLong.valueOf(0x1000), UnsignedLong.valueOf(0x1000))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty range [0x0000000000001000, 0x0000000000001000)");
    assertThatThrownBy(() -> VirtualRanges.fromGuava(Range.openClosed(UnsignedLong.valueOf(0x1000), UnsignedLong.valueOf(0x1000))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty range (0x0000000000001000, 0x0000000000001000]");
    Reclaimer reclaimer = Reclaimer.of(t.space);
    assertThatThrownBy(() -> reclaimer.reclaim(VirtualRange.closed(0x1000, 0x0000_8000_0000_0000L), ReclaimMode.COLLECT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0x0000800000000000").hasMessageContaining("not canonical");
    assertThatThrownBy(() -> reclaimer.reclaim(VirtualRange.closed(0xffff_7fff_ffff_f000L, -1L), ReclaimMode.STRICT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0xffff7ffffffff000");
    assertThatThrownBy(() -> reclaimer.reclaim(null, ReclaimMode.COLLECT)).isInstanceOf(NullPointerException.class);
    assertThat(t.memory.snapshot()).isEqualTo(before);
  }
}
