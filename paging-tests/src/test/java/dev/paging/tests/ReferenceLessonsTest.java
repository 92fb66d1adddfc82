package dev.paging.tests;

import static dev.paging.tests.Space.GIB;
import static dev.paging.tests.Space.KIB4;
import static dev.paging.tests.Space.MIB2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Attributes;
import dev.paging.api.EntryKind;
import dev.paging.api.MappingConflictException;
import dev.paging.api.OutOfFramesException;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.fakes.AllocatorState;
import dev.paging.fakes.MemorySnapshot;
import dev.paging.ops.ProtectResult;
import dev.paging.ops.Translation;
import dev.paging.ops.UnmapResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The user-reported bugs of rust-osdev/x86_64's paging module (see REFERENCES.md), one test each. */
class ReferenceLessonsTest {
  private static final long TOP_PAGE = 0xffff_ffff_ffff_f000L;
  private static final Attributes RW = Attributes.readWrite();

  @Test
  void theInclusiveRangeEndingAtTheLastPageDoesNotOverflow() {
    Space s = Space.of(Formats.x86_64());
    VirtualRange top = VirtualRange.closed(TOP_PAGE - MIB2, -1L);
    s.tables.map(top, 0x4000_0000L, RW);
    assertThat(s.translate(-1L).physicalAddress()).isEqualTo(0x4000_0000L + MIB2 + KIB4 - 1);
    ProtectResult p = s.tables.protect(VirtualRange.closed(TOP_PAGE, -1L), Attributes.readOnly());
    assertThat(p.plan().ranges()).containsExactly(VirtualRange.closed(TOP_PAGE, -1L));
    s.tables.smash(TOP_PAGE - MIB2, KIB4);
    UnmapResult u = s.tables.unmap(top);
    assertThat(u.unmapped().get(u.unmapped().size() - 1).range().last()).isEqualTo(-1L);
    assertThat(u.plan().ranges()).containsExactly(top);
    assertThat(s.translate(-1L).isMapped()).isFalse();
  }

  @Test
  void rangesAcrossRootIndex255To256WorkWhereTheyMeanSomething() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.page(0x7fff_ffff_f000L), 0x5000, RW);
    s.tables.map(VirtualRange.page(0xffff_8000_0000_0000L), 0x6000, RW);
    // Unmapping across the canonical hole skips the hole.
    UnmapResult r = s.tables.unmap(VirtualRange.closed(0x7fff_ffff_f000L, 0xffff_8000_0000_0fffL));
    assertThat(r.unmapped()).hasSize(2);
    assertThat(r.plan().ranges()).containsExactly(VirtualRange.page(0x7fff_ffff_f000L),
        VirtualRange.page(0xffff_8000_0000_0000L));
    // A mapping cannot be physically contiguous across it.
    Throwable e = s.unchangedBy(() -> s.tables.map(
        VirtualRange.closed(0x7fff_ffff_f000L, 0xffff_8000_0000_0fffL), 0x5000, RW));
    assertThat(e).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-canonical hole");
    // In 5-level paging the same addresses are ordinary lower-half ones.
    Space five = Space.of(Formats.x86_64FiveLevel());
    five.tables.map(VirtualRange.ofLength(0x7fff_ffff_f000L, 2 * KIB4), 0x5000, RW);
    assertThat(five.translate(0x8000_0000_0000L).physicalAddress()).isEqualTo(0x6000);
  }

  @Test
  void bit7OfALastLevelEntryIsPatNotAHugePage() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.page(0x1000), 0x5000, RW.withMemoryType(4));
    assertThat(s.entry(0x1000, 3) & 0x80).isEqualTo(0x80);
    Translation t = s.translate(0x1234);
    assertThat(t.pageSize()).isEqualTo(KIB4);
    assertThat(t.physicalAddress()).isEqualTo(0x5234);
    assertThat(t.leafAttributes().memoryType()).isEqualTo(4);
    // Protect and unmap see a 4 KiB leaf too: nothing is smashed, one entry changes.
    ProtectResult p = s.tables.protect(VirtualRange.page(0x1000), Attributes.readOnly().withMemoryType(4));
    assertThat(p.tablesAllocated()).isZero();
    assertThat(s.entry(0x1000, 3)).isEqualTo(0x8000_0000_0000_5081L);
    assertThat(s.tables.unmap(VirtualRange.page(0x1000)).unmapped().get(0).pageSize()).isEqualTo(KIB4);
  }

  @Test
  void aNonPresentNonZeroEntryIsTreatedTheSameWayByEveryOperation() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.page(0x1000), 0x5000, RW);
    long marker = 0x0000_0001_2345_6000L;
    long address = s.entryAddress(0x2000, 3);
    s.memory.write(address, marker);
    // Not mapped, for translate;
    assertThat(s.translate(0x2000).outcome()).isEqualTo(Translation.Outcome.NOT_PRESENT);
    // there, for map (a conflict);
    assertThat(s.unchangedBy(() -> s.tables.map(VirtualRange.page(0x2000), 0x6000, RW)))
        .isInstanceOf(MappingConflictException.class);
    // not a page, for protect, which leaves it alone;
    ProtectResult p = s.tables.protect(VirtualRange.ofLength(0x1000, 0x2000), Attributes.readOnly());
    assertThat(p.previous()).hasSize(1);
    assertThat(s.memory.read(address)).isEqualTo(marker);
    // and removed, reported, not invalidated, by unmap.
    UnmapResult u = s.tables.unmap(VirtualRange.ofLength(0x1000, 0x2000));
    assertThat(u.unmapped()).hasSize(1);
    assertThat(u.removedEntries()).hasSize(1);
    assertThat(u.removedEntries().get(0).kind()).isEqualTo(EntryKind.NOT_PRESENT);
    assertThat(u.plan().entries()).isEqualTo(1);
    assertThat(s.memory.read(address)).isZero();
  }

  @Test
  void newParentEntriesArePresentOnEveryFormat() {
    for (PagingFormat format : List.of(Formats.x86_64(), Formats.x86_64FiveLevel(), Formats.sv39(), Formats.sv48(),
        Formats.sv57())) {
      Space s = Space.of(format);
      s.tables.map(VirtualRange.page(0x1000), 0x5000, Attributes.readOnly());
      int last = format.levels().size() - 1;
      for (int d = 0; d < last; d++) {
        long raw = s.entry(0x1000, d);
        assertThat(raw & 1).as(format.name() + " depth " + d).isEqualTo(1);
        assertThat(format.kind(format.levels().get(d), raw)).isEqualTo(EntryKind.TABLE);
      }
    }
  }

  @Test
  void aMapThatRunsOutOfFramesPartWayLeaksNothingAndChangesNothing() {
    Space s = Space.of(Formats.x86_64());
    for (int k = 1; k <= 514; k += 37) {
      MemorySnapshot before = s.memory.snapshot();
      AllocatorState state = s.allocator.state();
      s.allocator.failFromAllocation(k);
      Throwable e = s.unchangedBy(() -> s.tables.map(VirtualRange.ofLength(GIB, GIB), GIB, RW,
          dev.paging.ops.MapOptions.defaults().withPageSize(KIB4)));
      assertThat(e).isInstanceOf(OutOfFramesException.class);
      s.allocator.clearFailures();
      assertThat(s.memory.snapshot()).isEqualTo(before);
      assertThat(s.allocator.state()).isEqualTo(state);
    }
    assertThat(s.tables.map(VirtualRange.ofLength(GIB, GIB), GIB, RW,
        dev.paging.ops.MapOptions.defaults().withPageSize(KIB4)).tablesAllocated()).isEqualTo(514);
  }

  @Test
  void translateReportsTheEffectiveFlagsNotOnlyTheLeafs() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.page(0x1000), 0x5000, RW.withUser(true));
    long pdpt = s.entryAddress(0x1000, 1);
    s.memory.write(pdpt, s.memory.read(pdpt) & ~0x2L);
    Translation t = s.translate(0x1000);
    assertThat(t.leafAttributes().writable()).isTrue();
    assertThat(t.effectiveAttributes().writable()).isFalse();
    assertThat(t.effectiveAttributes().user()).isTrue();
  }
}
