package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Attributes;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.testkit.ReferenceModel;
import org.junit.jupiter.api.Test;

class ReferenceModelTest {
  private static final long TOP_PAGE = 0xffff_ffff_ffff_f000L;

  @Test
  void mapUnmapAndProtectSplitRangesKeepingTheirTranslation() {
    ReferenceModel m = ReferenceModel.empty()
        .map(VirtualRange.halfOpen(0x1000, 0x9000), 0x10_0000, Attributes.readWrite())
        .unmap(VirtualRange.halfOpen(0x3000, 0x4000))
        .protect(VirtualRange.halfOpen(0x6000, 0xa000), Attributes.readOnly());
    assertThat(m.mappings()).extracting(Object::toString).containsExactly(
        "[0x0000000000001000, 0x0000000000002fff] -> 0x0000000000100000 rw-----",
        "[0x0000000000004000, 0x0000000000005fff] -> 0x0000000000103000 rw-----",
        "[0x0000000000006000, 0x0000000000008fff] -> 0x0000000000105000 r------");
    assertThat(m.physical(0x4123)).hasValue(0x10_3123);
    assertThat(m.physical(0x3000)).isEmpty();
    assertThat(m.attributes(0x8fff)).contains(Attributes.readOnly());
    assertThat(m.attributes(0x3000)).isEmpty();
    assertThat(m.anyMapped(VirtualRange.halfOpen(0x3000, 0x4000))).isFalse();
    assertThat(m.firstMapped(VirtualRange.halfOpen(0x3000, 0x7000))).isEqualTo(0x4000);
  }

  @Test
  void theTopPageAndContiguousRunsCoalesce() {
    ReferenceModel m = ReferenceModel.empty()
        .map(VirtualRange.page(TOP_PAGE), 0x7000, Attributes.readWrite())
        .map(VirtualRange.page(TOP_PAGE - 0x1000), 0x6000, Attributes.readWrite());
    assertThat(m.mappings()).extracting(Object::toString).containsExactly(
        "[0xffffffffffffe000, 0xffffffffffffffff] -> 0x0000000000006000 rw-----");
  }

  @Test
  void aSpaceBuiltByHandIsEquivalentToItsModel() {
    Trees t = Trees.of(Formats.x86_64());
    t.leaf(0x20_0000L, 2, 0x40_0000L);                 // 2 MiB
    t.leaf(0x40_0000L, 3, 0x60_0000L);                 // contiguous 4 KiB after it
    t.leaf(TOP_PAGE, 3, 0x7000);
    ReferenceModel m = ReferenceModel.empty()
        .map(VirtualRange.halfOpen(0x20_0000L, 0x40_1000L), 0x40_0000L, Attributes.readWrite())
        .map(VirtualRange.page(TOP_PAGE), 0x7000, Attributes.readWrite());
    ReferenceModel.assertEquivalent(m, t.space);
    assertThat(ReferenceModel.of(t.space).mappings()).isEqualTo(m.mappings());

    m.protect(VirtualRange.page(0x40_0000L), Attributes.readOnly());
    assertThatThrownBy(() -> ReferenceModel.assertEquivalent(m, t.space))
        .isInstanceOf(AssertionError.class)
        .hasMessageEndingWith("at 0x0000000000400000: the model's run [0x0000000000200000, 0x00000000003fffff]"
            + " -> 0x0000000000400000 rw----- and the space's run [0x0000000000200000, 0x0000000000400fff]"
            + " -> 0x0000000000400000 rw----- end differently");
    m.unmap(VirtualRange.all());
    assertThatThrownBy(() -> ReferenceModel.assertEquivalent(m, t.space))
        .hasMessageEndingWith("at 0x0000000000200000: the space maps [0x0000000000200000, 0x0000000000400fff]"
            + " -> 0x0000000000400000 rw-----, the model nothing");
  }

  @Test
  void removingNeighbouringPagesLeavesNoSliverBehind() {
    // Closed ranges over a continuous domain used to leave (0x2fff, 0x3000) mapped after these.
    ReferenceModel m = ReferenceModel.empty()
        .map(VirtualRange.halfOpen(0x1000, 0x4000), 0x10_0000, Attributes.readWrite())
        .unmap(VirtualRange.halfOpen(0x2000, 0x3000))
        .unmap(VirtualRange.halfOpen(0x3000, 0x4000));
    assertThat(m.mappings()).extracting(Object::toString).containsExactly(
        "[0x0000000000001000, 0x0000000000001fff] -> 0x0000000000100000 rw-----");
    assertThat(m.anyMapped(VirtualRange.halfOpen(0x2000, 0x4000))).isFalse();

    m.map(VirtualRange.halfOpen(0x2000, 0x3000), 0x20_0000, Attributes.readOnly())
        .map(VirtualRange.halfOpen(0x1000, 0x2000), 0x30_0000, Attributes.readOnly());
    assertThat(m.mappings()).extracting(Object::toString).containsExactly(
        "[0x0000000000001000, 0x0000000000001fff] -> 0x0000000000300000 r------",
        "[0x0000000000002000, 0x0000000000002fff] -> 0x0000000000200000 r------");
  }

  @Test
  void theTopByteSplitsLikeAnyOther() {
    ReferenceModel m = ReferenceModel.empty()
        .map(VirtualRange.closed(TOP_PAGE - 0x1000, -1L), 0x6000, Attributes.readWrite())
        .unmap(VirtualRange.page(TOP_PAGE - 0x1000));
    assertThat(m.mappings()).extracting(Object::toString).containsExactly(
        "[0xfffffffffffff000, 0xffffffffffffffff] -> 0x0000000000007000 rw-----");
    m.unmap(VirtualRange.page(TOP_PAGE));
    assertThat(m.mappings()).isEmpty();
    assertThat(m.anyMapped(VirtualRange.all())).isFalse();
  }

  @Test
  void protectWithAFunctionKeepsWhatEachPieceHad() {
    ReferenceModel m = ReferenceModel.empty()
        .map(VirtualRange.halfOpen(0x1000, 0x2000), 0x10_0000, Attributes.readWrite().withAccessed(true))
        .map(VirtualRange.halfOpen(0x2000, 0x3000), 0x20_0000, Attributes.readWrite().withDirty(true))
        .protect(VirtualRange.halfOpen(0x0000, 0x5000),
            a -> Attributes.readOnly().withAccessed(a.accessed()).withDirty(a.dirty()));
    assertThat(m.mappings()).extracting(Object::toString).containsExactly(
        "[0x0000000000001000, 0x0000000000001fff] -> 0x0000000000100000 r----a-",
        "[0x0000000000002000, 0x0000000000002fff] -> 0x0000000000200000 r-----d");
  }

  @Test
  void hugeLeavesThatDifferOnlyInTheirPatBitAreTwoRuns() {
    // Bit 12 holds an address in a table entry but PAT in a 2 MiB leaf: the leaves must not be
    // taken for one run of the same attributes.
    Trees t = Trees.of(Formats.x86_64());
    t.leaf(0x20_0000L, 2, 0x40_0000L, Attributes.readWrite().withMemoryType(4));
    t.leaf(0x40_0000L, 2, 0x60_0000L, Attributes.readWrite());
    assertThat(ReferenceModel.of(t.space).mappings()).extracting(Object::toString).containsExactly(
        "[0x0000000000200000, 0x00000000003fffff] -> 0x0000000000400000 rw----- type=4",
        "[0x0000000000400000, 0x00000000005fffff] -> 0x0000000000600000 rw-----");
  }
}
