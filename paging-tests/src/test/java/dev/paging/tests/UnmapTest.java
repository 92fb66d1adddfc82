package dev.paging.tests;

import static dev.paging.tests.Space.GIB;
import static dev.paging.tests.Space.KIB4;
import static dev.paging.tests.Space.MIB2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Attributes;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryProblem;
import dev.paging.api.MalformedTableException;
import dev.paging.api.MappingConflictException;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.fakes.AllocatorState;
import dev.paging.ops.InvalidationPlan;
import dev.paging.ops.MapOptions;
import dev.paging.ops.ProtectResult;
import dev.paging.ops.Translation;
import dev.paging.ops.PendingFrees;
import dev.paging.ops.UnmapResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class UnmapTest {
  private static final Attributes RW = Attributes.readWrite();
  private static final long TOP_PAGE = 0xffff_ffff_ffff_f000L;

  @Test
  void returnsWhatWasMappedCoalescedAndFreesNothing() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(4 * MIB2, 2 * MIB2), 0x4000_0000L, RW, MapOptions.defaults().withPageSize(KIB4));
    s.tables.map(VirtualRange.ofLength(8 * MIB2, MIB2), 0x8000_0000L, RW.withUser(true));
    AllocatorState before = s.allocator.state();
    UnmapResult r = s.tables.unmap(VirtualRange.halfOpen(4 * MIB2 + 0x3000, 9 * MIB2));
    assertThat(r.unmapped()).hasSize(2);
    Space.assertMapping(r.unmapped().get(0), 4 * MIB2 + 0x3000, 6 * MIB2 - 1, 0x4000_3000L, KIB4, RW);
    Space.assertMapping(r.unmapped().get(1), 8 * MIB2, 9 * MIB2 - 1, 0x8000_0000L, MIB2, RW.withUser(true));
    assertThat(r.plan().entries()).isEqualTo(1021 + 1);
    assertThat(r.plan().ranges()).containsExactly(VirtualRange.halfOpen(4 * MIB2 + 0x3000, 6 * MIB2),
        VirtualRange.halfOpen(8 * MIB2, 9 * MIB2));
    assertThat(r.plan().flushAllSuggested(InvalidationPlan.LINUX_X86_FLUSH_CEILING)).isTrue();
    assertThat(r.plan().pagingStructures()).isFalse();
    assertThat(s.allocator.state()).isEqualTo(before);
    assertThat(s.translate(4 * MIB2 + 0x2000).physicalAddress()).isEqualTo(0x4000_2000L);
    // The emptied PT stays linked: reclaiming it is another operation.
    Translation t = s.translate(4 * MIB2 + 0x3000);
    assertThat(t.outcome()).isEqualTo(Translation.Outcome.EMPTY);
    assertThat(t.level().name()).isEqualTo("PT");
  }

  @Test
  void unmappingPartOfAHugePageSmashesItAndTheRestStaysMapped() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(GIB, GIB), 0x1_0000_0000L, RW.withGlobal(true));
    UnmapResult r = s.allOrNothing(2, () -> s.tables.unmap(VirtualRange.ofLength(GIB + 0x1234_5000L, 0x2000)));
    assertThat(r.tablesAllocated()).isEqualTo(2);
    assertThat(r.unmapped()).hasSize(1);
    Space.assertMapping(r.unmapped().get(0), GIB + 0x1234_5000L, GIB + 0x1234_6fffL, 0x1_1234_5000L, GIB,
        RW.withGlobal(true));
    // Only the 1 GiB entry was ever visible to the hardware: the new tables were linked complete.
    assertThat(r.plan().ranges()).containsExactly(VirtualRange.ofLength(GIB, GIB));
    assertThat(r.plan().entries()).isEqualTo(1);
    assertThat(r.plan().global()).isTrue();
    assertThat(s.translate(GIB + 0x1234_5000L).isMapped()).isFalse();
    assertThat(s.translate(GIB + 0x1234_6fffL).isMapped()).isFalse();
    assertThat(s.translate(GIB + 0x1234_4fffL).physicalAddress()).isEqualTo(0x1_1234_4fffL);
    assertThat(s.translate(GIB + 0x1234_7000L).physicalAddress()).isEqualTo(0x1_1234_7000L);
    assertThat(s.translate(GIB + 0x1234_7000L).pageSize()).isEqualTo(KIB4);
    assertThat(s.translate(GIB).pageSize()).isEqualTo(MIB2);
    assertThat(s.translate(2 * GIB - 1).physicalAddress()).isEqualTo(0x1_3fff_ffffL);
    assertThat(s.translate(2 * GIB - 1).leafAttributes()).isEqualTo(RW.withGlobal(true));
  }

  @Test
  void notPresentMarkersAndMalformedEntriesWhollyInsideAreClearedAndReported() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.page(0x1000), 0x9000, RW);
    long marker = 0x0000_0000_0abc_d000L | (1L << 10);
    s.memory.write(s.entryAddress(0x2000, 3), marker);
    // A PD entry whose table lies outside memory: well-formed bits, but it cannot be followed.
    long outside = s.format.encodeTable(s.level(2), 0x10_0000_0000L, s.format.tableAttributesFor(RW));
    s.memory.write(s.entryAddress(MIB2, 2), outside);
    UnmapResult r = s.tables.unmap(VirtualRange.halfOpen(0, 2 * MIB2));
    assertThat(r.removedEntries()).hasSize(2);
    assertThat(r.removedEntries().get(0).kind()).isEqualTo(EntryKind.NOT_PRESENT);
    assertThat(r.removedEntries().get(0).raw()).isEqualTo(marker);
    assertThat(r.removedEntries().get(0).range()).isEqualTo(VirtualRange.page(0x2000));
    assertThat(r.removedEntries().get(1).problem()).contains(EntryProblem.TABLE_OUTSIDE_MEMORY);
    assertThat(r.removedEntries().get(1).range()).isEqualTo(VirtualRange.ofLength(MIB2, MIB2));
    assertThat(s.memory.read(s.entryAddress(0x2000, 3))).isZero();
    assertThat(s.memory.read(s.entryAddress(MIB2, 2))).isZero();
    // The leaf and the pointer the hardware could have cached; the marker it never caches.
    assertThat(r.plan().entries()).isEqualTo(2);
    assertThat(r.plan().invalidations()).containsExactly(VirtualRange.page(0x1000), VirtualRange.ofLength(MIB2, MIB2));
    assertThat(r.plan().pagingStructures()).isTrue();
  }

  @Test
  void unmapUnlinksNoTableSoItsPendingFreesAreNoneAndReleasingThemDoesNothing() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(MIB2, 4 * KIB4), 0x4000_0000L, RW);
    int tables = s.allocator.allocatedCount();
    UnmapResult r = s.tables.unmap(VirtualRange.ofLength(MIB2, 4 * KIB4));
    assertThat(r.pendingFrees().frames()).isEmpty();
    assertThat(r.pendingFrees()).isSameAs(PendingFrees.none());
    r.pendingFrees().release();
    r.pendingFrees().release();
    assertThat(r.pendingFrees().isReleased()).isTrue();
    // The emptied PT, PD and PDPT stay allocated and linked, for a reclaim to free.
    assertThat(s.allocator.allocatedCount()).isEqualTo(tables).isEqualTo(4);
  }

  @Test
  void thePlanListsEveryStaleEntryAndTheFlushCeilingIsTheCallers() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(MIB2, 40 * KIB4), 0x4000_0000L, RW);
    UnmapResult few = s.tables.unmap(VirtualRange.ofLength(MIB2 + 4 * KIB4, 33 * KIB4));
    assertThat(few.plan().entries()).isEqualTo(33);
    assertThat(few.plan().flushAllSuggested(InvalidationPlan.LINUX_X86_FLUSH_CEILING)).isFalse();
    assertThat(few.plan().invalidations()).hasSize(33).startsWith(VirtualRange.page(MIB2 + 4 * KIB4))
        .endsWith(VirtualRange.page(MIB2 + 36 * KIB4));
    assertThat(few.plan().ranges()).containsExactly(VirtualRange.ofLength(MIB2 + 4 * KIB4, 33 * KIB4));
    UnmapResult rest = s.tables.unmap(VirtualRange.ofLength(0, GIB));
    assertThat(rest.plan().invalidations()).containsExactly(VirtualRange.page(MIB2), VirtualRange.page(MIB2 + KIB4),
        VirtualRange.page(MIB2 + 2 * KIB4), VirtualRange.page(MIB2 + 3 * KIB4), VirtualRange.page(MIB2 + 37 * KIB4),
        VirtualRange.page(MIB2 + 38 * KIB4), VirtualRange.page(MIB2 + 39 * KIB4));
    s.tables.map(VirtualRange.ofLength(MIB2, 34 * KIB4), 0x4000_0000L, RW);
    UnmapResult many = s.tables.unmap(VirtualRange.ofLength(MIB2, 34 * KIB4));
    assertThat(many.plan().flushAllSuggested(InvalidationPlan.LINUX_X86_FLUSH_CEILING)).isTrue();
    assertThat(many.plan().flushAllSuggested(34)).isFalse();
    // Past a ceiling the plan still lists every entry: code that only iterates it misses nothing.
    List<VirtualRange> pages = new ArrayList<>();
    for (int i = 0; i < 34; i++) {
      pages.add(VirtualRange.page(MIB2 + i * KIB4));
    }
    assertThat(many.plan().invalidations()).isEqualTo(pages);
    // Together they pass Linux's ceiling, and still list their 40 pages in address order.
    assertThat(few.plan().and(rest.plan()).entries()).isEqualTo(40);
    List<VirtualRange> forty = new ArrayList<>(pages);
    for (int i = 34; i < 40; i++) {
      forty.add(VirtualRange.page(MIB2 + i * KIB4));
    }
    assertThat(few.plan().and(rest.plan()).invalidations()).isEqualTo(forty);
    assertThat(rest.plan().and(rest.plan()).invalidations()).hasSize(14);
    assertThatThrownBy(() -> many.plan().flushAllSuggested(-1)).hasMessage("flush ceiling -1 is negative");
  }

  @Test
  void aMarkerOrMalformedEntryStraddlingAnEndStopsTheUnmapBeforeAnyChange() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.page(0x1000), 0x9000, RW);
    s.memory.write(s.entryAddress(2 * MIB2, 2), 0x0000_0000_1234_0000L);
    Throwable marker = s.unchangedBy(() -> s.tables.unmap(VirtualRange.halfOpen(0x1000, 2 * MIB2 + 0x1000)));
    assertThat(marker).isInstanceOf(MappingConflictException.class)
        .hasMessageContaining("not-present PD entry 0x0000000012340000 covers [0x0000000000400000, 0x00000000005fffff]");
    // PS in a PML4 entry is reserved.
    s.memory.write(s.entryAddress(0x80_0000_0000L, 0), 0x1000_0081L);
    Throwable malformed = s.unchangedBy(() -> s.tables.unmap(VirtualRange.ofLength(0x80_0000_0000L, 0x1000)));
    assertThat(malformed).isInstanceOf(MalformedTableException.class).hasMessageContaining("RESERVED_BITS")
        .hasMessageContaining("0x0000000010000081");
  }

  @Test
  void unmapOfNothingChangesNothingAndNeedsNoInvalidation() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.page(0x1000), 0x9000, RW);
    UnmapResult r = s.tables.unmap(VirtualRange.ofLength(GIB, GIB));
    assertThat(r.unmapped()).isEmpty();
    assertThat(r.plan().isEmpty()).isTrue();
  }

  @Test
  void unmapOfTheWholeAddressSpaceCrossesTheCanonicalHole() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.page(0x1000), 0x9000, RW);
    s.tables.map(VirtualRange.page(0xffff_ffff_ffff_f000L), 0xa000, RW);
    UnmapResult r = s.tables.unmap(VirtualRange.all());
    assertThat(r.unmapped()).hasSize(2);
    assertThat(r.unmapped().get(1).range()).isEqualTo(VirtualRange.closed(0xffff_ffff_ffff_f000L, -1L));
    assertThat(s.translate(-1L).isMapped()).isFalse();
  }

  @Test
  void unmapReadsOnlyTheEndsOfTheRangeToPlanAndEachLeafOnceToClear() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(GIB, GIB), GIB, RW, MapOptions.defaults().withPageSize(KIB4));
    s.memory.resetCounters();
    s.tables.unmap(VirtualRange.ofLength(GIB, GIB));
    // Plan: the root entry and the PDPT entry, whose subtree lies wholly in the range and is
    // skipped. Clear: the root and PDPT entries, the 512 PD entries and every PT entry, once each.
    assertThat(s.memory.reads()).isEqualTo(2 + 2 + 512 + 512 * 512);
    assertThat(s.memory.writes()).isEqualTo(512 * 512);
  }

  @Test
  void unmapsOnRiscV() {
    Space s = Space.of(Formats.sv39());
    s.tables.map(VirtualRange.ofLength(GIB, GIB), 0x8000_0000L, Attributes.readExecute());
    UnmapResult r = s.tables.unmap(VirtualRange.ofLength(GIB + MIB2, MIB2));
    assertThat(r.tablesAllocated()).isEqualTo(1);
    Space.assertMapping(r.unmapped().get(0), GIB + MIB2, GIB + 2 * MIB2 - 1, 0x8020_0000L, GIB, Attributes.readExecute());
    assertThat(s.translate(GIB + MIB2 - 1).physicalAddress()).isEqualTo(0x801f_ffffL);
    assertThat(s.translate(GIB + 2 * MIB2).physicalAddress()).isEqualTo(0x8040_0000L);
    assertThat(s.translate(GIB + MIB2).isMapped()).isFalse();
  }

  /**
   * "ent_num count the number of present entries. When ent_num become zero, I can free the page
   * for that table." Unmap leaves the emptied table in place; freeing it is reclamation's job,
   * which finds empty tables by reading them (so no count can go stale).
   */
  @Test
  @Tag("forum")
  @DisplayName("forum: unmap leaves emptied tables for reclamation")
  void forumCaveat_unmapLeavesEmptiedTablesForReclamation() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(0x40_0000, 0x2000), 0x40_0000, RW);
    long pt = s.tableAt(0x40_0000, 3);
    AllocatorState before = s.allocator.state();
    s.tables.unmap(VirtualRange.ofLength(0x40_0000, 0x2000));
    assertThat(s.allocator.state()).isEqualTo(before);
    assertThat(s.tableAt(0x40_0000, 3)).isEqualTo(pt);
    for (int i = 0; i < 512; i++) {
      assertThat(s.memory.read(pt + 8L * i)).isZero();
    }
  }

  @Test
  @Tag("reference-lessons")
  @DisplayName("reference-lessons: map, protect, smash and unmap of the inclusive range ending at the last page do not overflow")
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
  @Tag("reference-lessons")
  @DisplayName("reference-lessons: ranges across root entries 255 and 256 work where they mean something")
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
  @Tag("reference-lessons")
  @DisplayName("reference-lessons: a non-present, non-zero entry is treated the same way by every operation")
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

  /**
   * A dirty-page write-back reads the unmapped runs off the result: a run extends only over
   * leaves whose bits agree but for the address, so it never mixes dirty and clean pages.
   */
  @Test
  void unmappedRunsNeverMixDirtyAndCleanPagesSoAWriteBackReadsThemOffTheResult() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(0x4000_0000L, 8 * KIB4), 0x10_0000, Attributes.readWrite(),
        MapOptions.defaults().withPageSize(KIB4));
    for (int page : new int[] {2, 3, 6}) {
      long entry = s.entryAddress(0x4000_0000L + page * KIB4, 3);
      s.memory.write(entry, s.memory.read(entry) | 0x40); // D, as the MMU sets it on a write
    }
    UnmapResult r = s.tables.unmap(VirtualRange.ofLength(0x4000_0000L, 8 * KIB4));
    List<String> runs = new ArrayList<>();
    r.unmapped().forEach(m -> runs.add(Long.toHexString(m.range().first()) + "+" + m.range().size() / KIB4
        + (m.attributes().dirty() ? " dirty" : "")));
    assertThat(runs).containsExactly("40000000+2", "40002000+2 dirty", "40004000+2", "40006000+1 dirty", "40007000+1");
  }
}
