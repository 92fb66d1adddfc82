package dev.paging.tests;

import static dev.paging.tests.Space.GIB;
import static dev.paging.tests.Space.KIB4;
import static dev.paging.tests.Space.MIB2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Attributes;
import dev.paging.api.EntryKind;
import dev.paging.api.MappingConflictException;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.core.X86Options;
import dev.paging.fakes.AllocatorState;
import dev.paging.ops.ConflictPolicy;
import dev.paging.ops.InvalidationPlan;
import dev.paging.ops.MapOptions;
import dev.paging.ops.MapResult;
import dev.paging.ops.Translation;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class MapTest {
  private static final Attributes RW = Attributes.readWrite();
  private static final Attributes RO = Attributes.readOnly();
  private static final Attributes KERNEL = Attributes.readWrite().withGlobal(true);

  @Test
  void usesTheLargestPageTheAlignmentOfBothAddressesAllows() {
    Space s = Space.of(Formats.x86_64());
    // 2 MiB below a 1 GiB boundary, that 1 GiB, 2 MiB above: both addresses 1 GiB-aligned alike.
    MapResult r = s.tables.map(VirtualRange.halfOpen(GIB - MIB2, 2 * GIB + MIB2), 0x1_0000_0000L + GIB - MIB2, RW);
    assertThat(s.translate(GIB - MIB2).pageSize()).isEqualTo(MIB2);
    assertThat(s.translate(GIB).pageSize()).isEqualTo(GIB);
    assertThat(s.translate(2 * GIB - 1).physicalAddress()).isEqualTo(0x1_0000_0000L + 2 * GIB - 1);
    assertThat(s.translate(2 * GIB).pageSize()).isEqualTo(MIB2);
    assertThat(s.translate(2 * GIB).physicalAddress()).isEqualTo(0x1_8000_0000L);
    // A PDPT and two PDs, nothing for the 1 GiB page; the root was there already.
    assertThat(r.tablesAllocated()).isEqualTo(3);
    assertThat(s.allocator.allocatedCount()).isEqualTo(4);
    assertThat(r.plan()).isEqualTo(InvalidationPlan.none());
    assertThat(r.replaced()).isEmpty();
  }

  @Test
  void gigabytePagesOnlyWhereTheFormatSupportsThem() {
    Space s = Space.of(Formats.x86_64(X86Options.defaults().withGigabytePages(false)));
    MapResult r = s.tables.map(VirtualRange.ofLength(GIB, GIB), 2 * GIB, RW);
    assertThat(s.translate(GIB).pageSize()).isEqualTo(MIB2);
    assertThat(s.translate(2 * GIB - 1).level().name()).isEqualTo("PD");
    assertThat(r.tablesAllocated()).isEqualTo(2);
  }

  @Test
  void physicalMisalignmentLimitsThePageSize() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(MIB2, MIB2), 0x4000_1000L, RW);
    for (long va = MIB2; va < 2 * MIB2; va += 0x7_f000) {
      assertThat(s.translate(va).pageSize()).isEqualTo(KIB4);
      assertThat(s.translate(va).physicalAddress()).isEqualTo(va - MIB2 + 0x4000_1000L);
    }
  }

  @Test
  void aRequestedPageSizeIsUsedThroughout() {
    Space s = Space.of(Formats.x86_64());
    MapResult r = s.tables.map(VirtualRange.ofLength(GIB, GIB), GIB, RW, MapOptions.defaults().withPageSize(KIB4));
    assertThat(r.tablesAllocated()).isEqualTo(1 + 1 + 512);
    assertThat(s.translate(GIB + 0x1234_5678L).pageSize()).isEqualTo(KIB4);
    assertThat(s.translate(GIB + 0x1234_5678L).physicalAddress()).isEqualTo(GIB + 0x1234_5678L);
    Space t = Space.of(Formats.x86_64());
    t.tables.map(VirtualRange.ofLength(GIB, GIB), GIB, RW, MapOptions.defaults().withMaxPageSize(MIB2));
    assertThat(t.translate(GIB).pageSize()).isEqualTo(MIB2);
  }

  @Test
  void mapIntoEmptySpaceReadsAHandfulOfWordsWhateverTheRangeSize() {
    Space s = Space.of(Formats.x86_64());
    s.memory.resetCounters();
    s.tables.map(VirtualRange.ofLength(GIB, GIB), GIB, RW, MapOptions.defaults().withPageSize(KIB4));
    // The root entry, by each of the two walks, twice: nothing else is read.
    assertThat(s.memory.reads()).isLessThanOrEqualTo(4);
    // Every entry of the 514 new tables written once, and the root entry.
    assertThat(s.memory.writes()).isEqualTo(514L * 512 + 1);
  }

  @Test
  void newParentsArePresentAndGrantWhatTheLeafNeedsAndNoMore() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.page(0x1000), 0x5000, RO);
    for (int d = 0; d < 3; d++) {
      long raw = s.entry(0x1000, d);
      assertThat(raw & 0xfff).as("P only at depth " + d).isEqualTo(0x1);
      assertThat(raw >>> 63).as("XD clear at depth " + d).isZero();
    }
    long leaf = s.entry(0x1000, 3);
    assertThat(leaf).isEqualTo(0x8000_0000_0000_5001L);
    s.tables.map(VirtualRange.page(0x2000), 0x6000, RW.withUser(true));
    assertThat(s.translate(0x1000).effectiveAttributes()).isEqualTo(s.translate(0x1000).leafAttributes());
    assertThat(s.translate(0x1000).effectiveAttributes().writable()).isFalse();
    assertThat(s.translate(0x2000).effectiveAttributes().writable()).isTrue();
    assertThat(s.translate(0x2000).effectiveAttributes().user()).isTrue();
  }

  @Test
  void existingParentsAreWidenedWhenANewLeafNeedsMoreWhichNeedsNoInvalidation() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.page(0x1000), 0x5000, RO);
    MapResult r = s.tables.map(VirtualRange.page(0x2000), 0x6000, RW.withUser(true).withExecutable(true));
    for (int d = 0; d < 3; d++) {
      assertThat(s.entry(0x2000, d) & 0x7).as("P, RW and US at depth " + d).isEqualTo(0x7);
      assertThat(s.entry(0x2000, d) >>> 63).as("XD clear at depth " + d).isZero();
    }
    // Granting more is an optional invalidation on x86 (a stale entry can only fault spuriously).
    assertThat(r.plan()).isEqualTo(InvalidationPlan.none());
    assertThat(r.tablesAllocated()).isZero();
    // The first leaf keeps its own, narrower rights: the leaf governs.
    assertThat(s.translate(0x1000).effectiveAttributes()).isEqualTo(RO);
  }

  @Test
  void failPolicyNamesTheFirstConflictingAddressAndChangesNothing() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.page(0x5000), 0x9000, RW);
    s.tables.map(VirtualRange.ofLength(MIB2, MIB2), 0x4000_0000L, RW);
    Throwable e = s.unchangedBy(() -> s.tables.map(VirtualRange.halfOpen(0x3000, 0x8000), 0x1_0000, RW));
    assertThat(e).isInstanceOf(MappingConflictException.class)
        .hasMessageContaining("0x0000000000005000 is already mapped by the 4K PT leaf");
    Throwable huge = s.unchangedBy(() -> s.tables.map(VirtualRange.halfOpen(MIB2 - 0x1000, MIB2 + 0x1000), 0, RW));
    assertThat(huge).isInstanceOf(MappingConflictException.class)
        .hasMessageContaining(": 0x0000000000200000 is already mapped by the 2M PD leaf");
    // A huge page straddling the start of the range: the first conflict is the range's start.
    Throwable inside = s.unchangedBy(() -> s.tables.map(VirtualRange.ofLength(MIB2 + 0x3000, 0x1000), 0, RW));
    assertThat(inside).hasMessageContaining(": 0x0000000000203000 is already mapped");
  }

  @Test
  void replacingPartOfAHugePageSmashesItAndKeepsTheRest() {
    Space s = Space.of(Formats.x86_64());
    Attributes global = RW.withGlobal(true);
    s.tables.map(VirtualRange.ofLength(MIB2, MIB2), 0x4000_0000L, global);
    MapResult r = s.tables.map(VirtualRange.ofLength(0x30_0000, 0x1000), 0x9000_0000L, RO, MapOptions.replacing());
    assertThat(r.tablesAllocated()).isEqualTo(1);
    assertThat(r.replaced()).hasSize(1);
    Space.assertMapping(r.replaced().get(0), 0x30_0000, 0x30_0fff, 0x4010_0000L, MIB2, global);
    assertThat(r.plan().ranges()).containsExactly(VirtualRange.ofLength(MIB2, MIB2));
    assertThat(r.plan().entries()).isEqualTo(1);
    assertThat(r.plan().global()).isTrue();
    assertThat(s.translate(0x30_0000).physicalAddress()).isEqualTo(0x9000_0000L);
    assertThat(s.translate(0x30_0000).leafAttributes()).isEqualTo(RO);
    for (long va : new long[] {MIB2, 0x2f_f000, 0x30_1000, 0x3f_f000}) {
      Translation t = s.translate(va);
      assertThat(t.physicalAddress()).isEqualTo(0x4000_0000L + va - MIB2);
      assertThat(t.leafAttributes()).isEqualTo(global);
      assertThat(t.pageSize()).isEqualTo(KIB4);
    }
  }

  @Test
  void replacingAWholeTableWithAHugePageReturnsItsFramesToFreeAfterTheInvalidation() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(MIB2, MIB2), 0x4000_0000L, RW, MapOptions.defaults().withPageSize(KIB4));
    long pt = s.tableAt(MIB2, 3);
    MapResult r = s.tables.map(VirtualRange.ofLength(MIB2, MIB2), 0x8000_0000L, RO, MapOptions.replacing());
    assertThat(s.translate(MIB2 + 0x1000).pageSize()).isEqualTo(MIB2);
    assertThat(s.translate(MIB2 + 0x1000).physicalAddress()).isEqualTo(0x8000_1000L);
    assertThat(r.pendingFrees().frames()).containsExactly(pt);
    assertThat(s.allocator.isAllocated(pt)).isTrue();
    assertThat(r.replaced()).hasSize(1);
    Space.assertMapping(r.replaced().get(0), MIB2, 2 * MIB2 - 1, 0x4000_0000L, KIB4, RW);
    assertThat(r.plan().entries()).isEqualTo(513);
    assertThat(r.plan().pagingStructures()).isTrue();
    assertThat(r.plan().flushAllSuggested(InvalidationPlan.LINUX_X86_FLUSH_CEILING)).isTrue();
    r.pendingFrees().release();
    assertThat(s.allocator.isAllocated(pt)).isFalse();
  }

  @Test
  void anEmptyTableWhereAHugePageFitsIsReplacedEvenUnderTheFailPolicy() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(MIB2, 0x1000), 0x4000_0000L, RW);
    s.tables.unmap(VirtualRange.ofLength(MIB2, 0x1000));
    long pt = s.tableAt(MIB2, 3);
    MapResult r = s.tables.map(VirtualRange.ofLength(MIB2, MIB2), 0x4000_0000L, RW);
    assertThat(s.translate(MIB2).pageSize()).isEqualTo(MIB2);
    assertThat(r.pendingFrees().frames()).containsExactly(pt);
    assertThat(r.plan().entries()).isEqualTo(1);
    assertThat(r.plan().pagingStructures()).isTrue();
  }

  @Test
  void replaceOverwritesNotPresentMarkersAndReportsThem() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.page(0x1000), 0x9000, RW);
    long marker = 0x0000_0000_0abc_d000L | (1L << 9);
    s.memory.write(s.entryAddress(0x2000, 3), marker);
    Throwable e = s.unchangedBy(() -> s.tables.map(VirtualRange.page(0x2000), 0x7000, RW));
    assertThat(e).hasMessageContaining("0x0000000000002000 holds the not-present PT entry 0x000000000abcd200");
    MapResult r = s.tables.map(VirtualRange.page(0x2000), 0x7000, RW, MapOptions.replacing());
    assertThat(r.removedEntries()).hasSize(1);
    assertThat(r.removedEntries().get(0).raw()).isEqualTo(marker);
    assertThat(r.plan().isEmpty()).isTrue();
    assertThat(s.translate(0x2000).physicalAddress()).isEqualTo(0x7000);
  }

  @Test
  void mapsTheTopPageAndRangesEndingAtTheTopOfTheAddressSpace() {
    Space s = Space.of(Formats.x86_64());
    long top = 0xffff_ffff_ffff_f000L;
    s.tables.map(VirtualRange.closed(top - MIB2 + 0x1000, -1L), 0x20_0000, RW);
    assertThat(s.translate(-1L).physicalAddress()).isEqualTo(0x3f_ffffL);
    assertThat(s.translate(top - MIB2 + 0x1000).physicalAddress()).isEqualTo(0x20_0000);
    s.tables.map(VirtualRange.closed(top, -1L), 0x40_0000, RW, MapOptions.replacing());
    assertThat(s.translate(top).physicalAddress()).isEqualTo(0x40_0000);
    assertThat(s.translate(top - 0x1000).physicalAddress()).isEqualTo(0x3f_e000);
  }

  @Test
  void mapsOnEveryFormat() {
    for (var format : List.of(Formats.x86_64(), Formats.x86_64FiveLevel(), Formats.sv39(), Formats.sv48(),
        Formats.sv57())) {
      Space s = Space.of(format);
      long high = format.upperHalf().first() + GIB;
      s.tables.map(VirtualRange.ofLength(high - MIB2, GIB + 2 * MIB2), 0x4000_0000L - MIB2,
          Attributes.readExecute());
      assertThat(s.translate(high).pageSize()).as(format.name()).isEqualTo(GIB);
      assertThat(s.translate(high - 1).pageSize()).as(format.name()).isEqualTo(MIB2);
      assertThat(s.translate(high + GIB + 0x1234).physicalAddress()).as(format.name())
          .isEqualTo(0x4000_0000L + GIB + 0x1234);
      assertThat(s.translate(high).effectiveAttributes()).as(format.name()).isEqualTo(Attributes.readExecute());
    }
  }

  @Test
  void riscVIntermediateEntriesArePointersWithoutPermissions() {
    Space s = Space.of(Formats.sv39());
    s.tables.map(VirtualRange.page(0x1000), 0x8000_0000L, RW.withUser(true));
    assertThat(s.entry(0x1000, 0) & 0x3ff).isEqualTo(0x1);
    assertThat(s.entry(0x1000, 1) & 0x3ff).isEqualTo(0x1);
    assertThat(s.entry(0x1000, 2)).isEqualTo((0x8000_0000L >>> 2) | 0x17);
  }

  @Test
  void aMapThatNeedsTablesIsAllOrNothingAtEveryAllocation() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(MIB2, MIB2), 0x4000_0000L, RW);
    AllocatorState before = s.allocator.state();
    // A PT to smash the 2 MiB page, 2 MiB pages up to 1 GiB in the existing PD, then a new PD
    // and a PT for the last 4 KiB: three tables, all or nothing.
    MapResult r = s.allOrNothing(3, () -> s.tables.map(VirtualRange.halfOpen(0x3f_f000, GIB + MIB2 + 0x1000),
        0x1_0000_0000L + 0x3f_f000, RW.withUser(true), MapOptions.replacing()));
    assertThat(r.tablesAllocated()).isEqualTo(3);
    assertThat(s.allocator.state().framesNotIn(before)).hasSize(3);
    assertThat(s.translate(2 * MIB2).pageSize()).isEqualTo(MIB2);
    assertThat(s.translate(0x3f_e000).physicalAddress()).isEqualTo(0x401f_e000L);
    assertThat(s.translate(0x3f_f000).physicalAddress()).isEqualTo(0x1_003f_f000L);
    assertThat(s.translate(GIB + MIB2).physicalAddress()).isEqualTo(0x1_0000_0000L + GIB + MIB2);
    assertThat(s.translate(GIB + MIB2 + 0x1000).isMapped()).isFalse();
  }

  @Test
  void conflictPolicyNamesAreStable() {
    assertThat(MapOptions.defaults().conflictPolicy()).isEqualTo(ConflictPolicy.FAIL);
    assertThat(MapOptions.replacing().conflictPolicy()).isEqualTo(ConflictPolicy.REPLACE);
    assertThat(MapOptions.replacing().withPageSize(MIB2).toString()).isEqualTo("MapOptions[REPLACE, pages of 0x0000000000200000]");
  }

  /** "mmu_map can overwrite existing mapping." Only when asked to; by default it refuses. */
  @Test
  @Tag("forum")
  @DisplayName("forum: map overwrites an existing mapping only when asked to")
  void forumCaveat_mapCanOverwriteAnExistingMappingButOnlyWhenAskedTo() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(0x40_0000, 0x4000), 0x10_0000, RW);
    Throwable e = s.unchangedBy(() -> s.tables.map(VirtualRange.ofLength(0x40_2000, 0x4000), 0x20_0000, RW));
    assertThat(e).isInstanceOf(MappingConflictException.class).hasMessageContaining("0x0000000000402000 is already mapped");
    MapResult r = s.tables.map(VirtualRange.ofLength(0x40_2000, 0x4000), 0x20_0000, RW, MapOptions.replacing());
    assertThat(r.replaced()).hasSize(1);
    Space.assertMapping(r.replaced().get(0), 0x40_2000, 0x40_3fff, 0x10_2000, KIB4, RW);
    assertThat(r.plan().entries()).isEqualTo(2);
    assertThat(s.translate(0x40_2000).physicalAddress()).isEqualTo(0x20_0000);
    assertThat(s.translate(0x40_1000).physicalAddress()).isEqualTo(0x10_1000);
  }

  /** "I use 2M and 1G pages when possible, in order to use less memory." */
  @Test
  @Tag("forum")
  @DisplayName("forum: 2 MiB and 1 GiB pages are used where they fit")
  void forumCaveat_twoMegabyteAndGigabytePagesAreUsedWhenPossible() {
    Space s = Space.of(Formats.x86_64());
    MapResult r = s.tables.map(VirtualRange.ofLength(GIB - MIB2, GIB + 2 * MIB2), GIB - MIB2, RW);
    assertThat(s.translate(GIB - MIB2).pageSize()).isEqualTo(MIB2);
    assertThat(s.translate(GIB).pageSize()).isEqualTo(GIB);
    assertThat(s.translate(2 * GIB).pageSize()).isEqualTo(MIB2);
    // In 4 KiB pages this would take 1 PDPT, 2 PDs and 514 PTs; it takes the PDPT and 2 PDs.
    assertThat(r.tablesAllocated()).isEqualTo(3);
  }

  /** "When remapping (a sub region of) a 2M large page, what's left out have to be remapped (using 4K pages)." */
  @Test
  @Tag("forum")
  @DisplayName("forum: a huge page is smashed, not overwritten, when part of it is remapped")
  void forumCaveat_remapSubregionOfHugePageKeepsTheRest() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(MIB2, MIB2), 0x4000_0000L, KERNEL);
    MapResult r = s.tables.map(VirtualRange.ofLength(MIB2 + 0x10_0000, 0x3000), 0x7000_0000L, RW,
        MapOptions.replacing());
    assertThat(r.tablesAllocated()).isEqualTo(1);
    for (long va = MIB2; va < 2 * MIB2; va += KIB4) {
      boolean remapped = va >= MIB2 + 0x10_0000 && va < MIB2 + 0x10_3000;
      assertThat(s.translate(va).physicalAddress())
          .isEqualTo(remapped ? 0x7000_0000L + va - MIB2 - 0x10_0000 : 0x4000_0000L + va - MIB2);
      assertThat(s.translate(va).leafAttributes()).isEqualTo(remapped ? RW : KERNEL);
      assertThat(s.translate(va).pageSize()).isEqualTo(KIB4);
    }
  }

  @Test
  @Tag("reference-lessons")
  @DisplayName("reference-lessons: new parent entries are present on every format")
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
}
