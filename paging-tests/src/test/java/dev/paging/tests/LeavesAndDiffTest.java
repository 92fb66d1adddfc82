package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Attributes;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.ops.LeafRun;
import dev.paging.ops.Leaves;
import dev.paging.ops.MapOptions;
import dev.paging.ops.SpaceDiff;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Listing a space's leaves as the hardware uses them, and comparing two spaces by translation. */
class LeavesAndDiffTest {
  private static final long VA = 0x4000_0000L;

  @Test
  void leavesCoalesceWhileLevelPhysicalMemoryAndBothAttributesContinue() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(VA, 8L << 12), 0x10_0000, Attributes.readWrite(), MapOptions.defaults());
    // A gap in physical memory, then other attributes, then a huge page right after.
    s.tables.mapPage(VA + (8L << 12), 0x20_0000, Attributes.readWrite());
    s.tables.mapPage(VA + (9L << 12), 0x20_1000, Attributes.readOnly());
    s.tables.map(VirtualRange.ofLength(VA + (2L << 20), 2L << 20), 0x40_0000, Attributes.readWrite(), MapOptions.defaults());
    List<LeafRun> runs = Leaves.of(s.space(), VirtualRange.all());
    assertThat(runs).extracting(r -> r.range() + " " + Long.toHexString(r.physicalAddress()) + " " + r.pageSize())
        .containsExactly(
            "[0x0000000040000000, 0x0000000040007fff] 100000 4096",
            "[0x0000000040008000, 0x0000000040008fff] 200000 4096",
            "[0x0000000040009000, 0x0000000040009fff] 201000 4096",
            "[0x0000000040200000, 0x00000000403fffff] 400000 2097152");
    assertThat(runs.get(2).effectiveAttributes().writable()).isFalse();
    // Clipped to the range asked for.
    assertThat(Leaves.of(s.space(), VirtualRange.halfOpen(VA + 0x3000, VA + 0x300000)))
        .extracting(r -> r.range() + " " + Long.toHexString(r.physicalAddress()))
        .containsExactly("[0x0000000040003000, 0x0000000040007fff] 103000",
            "[0x0000000040008000, 0x0000000040008fff] 200000",
            "[0x0000000040009000, 0x0000000040009fff] 201000",
            "[0x0000000040200000, 0x00000000402fffff] 400000");
  }

  @Test
  void theDiffOfAForkNamesWhatChangedAndIgnoresHowPagesAreSplit() {
    Space parent = Space.of(Formats.x86_64());
    Space child = Space.of(Formats.x86_64());
    for (Space s : List.of(parent, child)) {
      s.tables.map(VirtualRange.ofLength(VA, 4L << 20), 0x100_0000, Attributes.readWrite(), MapOptions.defaults());
    }
    // The child: the first 2 MiB as 4 KiB pages (same translation), one page write-protected,
    // one unmapped, one moved to another frame.
    child.tables.smash(VA, 4096);
    child.tables.protectPage(VA + 0x5000, Attributes.readOnly());
    child.tables.unmapPage(VA + 0x7000);
    child.tables.unmapPage(VA + 0x30_0000);
    child.tables.mapPage(VA + 0x30_0000, 0x9000, Attributes.readWrite());
    List<SpaceDiff.Difference> diff = SpaceDiff.between(parent.space(), child.space(), VirtualRange.all());
    assertThat(diff).extracting(Object::toString).containsExactly(
        "[0x0000000040005000, 0x0000000040005fff]: -> 0x0000000001005000 " + Attributes.readWrite()
            + " | -> 0x0000000001005000 " + Attributes.readOnly(),
        "[0x0000000040007000, 0x0000000040007fff]: -> 0x0000000001007000 " + Attributes.readWrite() + " | unmapped",
        "[0x0000000040300000, 0x0000000040300fff]: -> 0x0000000001300000 " + Attributes.readWrite()
            + " | -> 0x0000000000009000 " + Attributes.readWrite());
    assertThat(diff.get(1).right()).isEmpty();
    assertThat(SpaceDiff.between(parent.space(), parent.space(), VirtualRange.all())).isEmpty();
    assertThatThrownBy(() -> SpaceDiff.between(parent.space(), Space.of(Formats.sv39()).space(), VirtualRange.all()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x86-64").hasMessageContaining("sv39");
  }
}
