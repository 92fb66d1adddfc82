package dev.paging.tests;

import static dev.paging.tests.Space.GIB;
import static dev.paging.tests.Space.KIB4;
import static dev.paging.tests.Space.MIB2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Attributes;
import dev.paging.api.MappingConflictException;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.fakes.AllocatorState;
import dev.paging.ops.CollapseResult;
import dev.paging.ops.DestroyResult;
import dev.paging.ops.MapOptions;
import dev.paging.ops.MapResult;
import dev.paging.ops.PageTables;
import dev.paging.ops.SmashResult;
import dev.paging.ops.UnmapResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One test per caveat of the OSDev forum thread "Page table manipulation" (songziming and
 * nullplan), in the order the thread raises them.
 */
class ForumCaveatsTest {
  private static final Attributes RW = Attributes.readWrite();
  private static final Attributes KERNEL = Attributes.readWrite().withGlobal(true);

  /** "mmu_map can overwrite existing mapping." Only when asked to; by default it refuses. */
  @Test
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

  /**
   * "If 512 continuous 4K pages also map to continuous physical pages, and have same attributes,
   * then they can be replaced with a single 2M entry." Possible, on request only.
   */
  @Test
  void forumCaveat_contiguousSmallPagesBecomeOneHugePageOnlyOnRequest() {
    Space s = Space.of(Formats.x86_64());
    for (long va = MIB2; va < 2 * MIB2; va += KIB4) {
      s.tables.map(VirtualRange.page(va), 0x4000_0000L + va - MIB2, RW);
    }
    assertThat(s.translate(MIB2).pageSize()).isEqualTo(KIB4);
    CollapseResult r = s.tables.collapse(VirtualRange.ofLength(0, GIB));
    assertThat(r.collapsed()).hasSize(1);
    assertThat(s.translate(MIB2 + 0x1234).pageSize()).isEqualTo(MIB2);
    assertThat(s.translate(MIB2 + 0x1234).physicalAddress()).isEqualTo(0x4000_1234L);
  }

  /**
   * nullplan: "if you smash a page, you only have to invalidate 1", while unifying means
   * invalidating "all 512 possible TLBs".
   */
  @Test
  void forumCaveat_smashInvalidatesOneEntryWhereasCollapseInvalidatesAllFiveHundredTwelve() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(MIB2, MIB2), 0x4000_0000L, RW);
    SmashResult smash = s.tables.smash(MIB2, KIB4);
    assertThat(smash.plan().entries()).isEqualTo(1);
    assertThat(smash.plan().flushAllSuggested()).isFalse();
    CollapseResult collapse = s.tables.collapse(VirtualRange.ofLength(MIB2, MIB2));
    assertThat(collapse.plan().entries()).isEqualTo(512 + 1);
    assertThat(collapse.plan().flushAllSuggested()).isTrue();
  }

  /** "This way you need to at worst smash a page twice (when going from 1G to 4K page) and allocate 2 pages." */
  @Test
  void forumCaveat_smashingFromGigabyteToFourKilobytesAllocatesTwoTables() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(GIB, GIB), GIB, RW);
    AllocatorState before = s.allocator.state();
    s.tables.smash(GIB + 0x2345_6000L, KIB4);
    assertThat(s.allocator.state().framesNotIn(before)).hasSize(2);
  }

  /**
   * "When modifying attributes of a region ... if you only want to change a part of the region,
   * and the page table entry is for a huge page, you smash the PTE."
   */
  @Test
  void forumCaveat_changingAttributesOfPartOfAHugePageSmashesOnlyThatPage() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(GIB, GIB), GIB, RW, MapOptions.defaults().withMaxPageSize(MIB2));
    AllocatorState before = s.allocator.state();
    s.tables.protect(VirtualRange.ofLength(GIB + 5 * MIB2 + KIB4, KIB4), Attributes.readOnly());
    assertThat(s.allocator.state().framesNotIn(before)).hasSize(1);
    assertThat(s.translate(GIB + 5 * MIB2 + KIB4).effectiveAttributes()).isEqualTo(Attributes.readOnly());
    assertThat(s.translate(GIB + 5 * MIB2).effectiveAttributes()).isEqualTo(RW);
    assertThat(s.translate(GIB + 6 * MIB2).pageSize()).isEqualTo(MIB2);
  }

  /**
   * "Having no sharing means a lot of waste ... have the kernel-space side shared": every process
   * links the same kernel tables, so a kernel mapping needs no copying to each process.
   */
  @Test
  void forumCaveat_kernelHalfIsSharedSoAKernelMappingIsSeenByEveryProcess() {
    Space kernel = Space.of(Formats.x86_64());
    List<PageTables> processes = List.of(PageTables.createSharingKernelHalf(kernel.tables),
        PageTables.createSharingKernelHalf(kernel.tables), PageTables.createSharingKernelHalf(kernel.tables));
    long kva = 0xffff_c000_0000_0000L;
    AllocatorState before = kernel.allocator.state();
    kernel.tables.map(VirtualRange.ofLength(kva, 0x4000), 0x30_0000, KERNEL);
    // One PD and one PT, once, for every process.
    assertThat(kernel.allocator.state().framesNotIn(before)).hasSize(2);
    for (PageTables p : processes) {
      assertThat(p.translate(kva + 0x3abc).physicalAddress()).isEqualTo(0x30_3abc);
    }
  }

  /**
   * "I don't even know how you would unmap kernel memory. You'd need to remove the mapping from
   * every process." With shared tables, once is enough.
   */
  @Test
  void forumCaveat_unmappingKernelMemoryOnceRemovesItFromEveryProcess() {
    Space kernel = Space.of(Formats.x86_64());
    PageTables a = PageTables.createSharingKernelHalf(kernel.tables);
    PageTables b = PageTables.createSharingKernelHalf(kernel.tables);
    long kva = 0xffff_c000_0000_0000L;
    a.map(VirtualRange.ofLength(kva, 0x4000), 0x30_0000, KERNEL);
    UnmapResult r = b.unmap(VirtualRange.ofLength(kva, 0x4000));
    for (PageTables p : List.of(kernel.tables, a, b)) {
      assertThat(p.translate(kva).isMapped()).isFalse();
    }
    // The stale entries may sit in any CPU running any of the spaces, and they were global.
    assertThat(r.plan().sharedTables()).isTrue();
    assertThat(r.plan().global()).isTrue();
  }

  /**
   * "If kernel pml4 updates, user page tables remain unchanged, so page fault might happen in
   * kernel range." The template's kernel-half root entries all get tables up front, so a
   * kernel mapping in a region nobody used before still reaches every process.
   */
  @Test
  void forumCaveat_kernelRootEntriesArePopulatedUpFrontSoNoProcessMissesALaterKernelMapping() {
    Space kernel = Space.of(Formats.x86_64());
    PageTables process = PageTables.createSharingKernelHalf(kernel.tables);
    long root = kernel.space().root();
    long processRoot = process.space().root();
    for (int i = 256; i < 512; i++) {
      assertThat(kernel.memory.read(root + 8L * i) & 1).isEqualTo(1);
    }
    long untouched = 0xffff_ff00_0000_0000L;
    AllocatorState before = kernel.allocator.state();
    kernel.tables.map(VirtualRange.page(untouched), 0x50_0000, KERNEL);
    assertThat(process.translate(untouched).physicalAddress()).isEqualTo(0x50_0000);
    // Neither root changed: the new tables went below the shared PDPT.
    assertThat(kernel.memory.read(processRoot + 8L * 510)).isEqualTo(kernel.memory.read(root + 8L * 510));
    assertThat(kernel.allocator.state().framesNotIn(before)).hasSize(2);
  }

  /** "Kernel PDP does not get deleted ... since kernel pdp is referenced by many pml4." */
  @Test
  void forumCaveat_sharedKernelTablesAreNeverFreedWithAProcess() {
    Space kernel = Space.of(Formats.x86_64());
    PageTables a = PageTables.createSharingKernelHalf(kernel.tables);
    PageTables b = PageTables.createSharingKernelHalf(kernel.tables);
    long kva = 0xffff_c000_0000_0000L;
    a.map(VirtualRange.page(kva), 0x30_0000, KERNEL);
    DestroyResult r = a.destroy();
    assertThat(r.pendingFrees().frames()).containsExactly(a.space().root());
    r.pendingFrees().release();
    assertThat(b.translate(kva).physicalAddress()).isEqualTo(0x30_0000);
    assertThat(kernel.space().sharedTables().size()).isEqualTo(256);
  }

  /** "Only free the entire user-side hierarchy after the process exits." */
  @Test
  void forumCaveat_processExitFreesTheWholeUserHierarchy() {
    Space kernel = Space.of(Formats.x86_64());
    AllocatorState kernelOnly = kernel.allocator.state();
    PageTables p = PageTables.createSharingKernelHalf(kernel.tables);
    AllocatorState shared = kernel.allocator.state();
    p.map(VirtualRange.ofLength(0x40_0000, 64 * KIB4), 0x1_0000_0000L, RW.withUser(true));
    p.map(VirtualRange.ofLength(0x7fff_0000_0000L, 3 * MIB2), 0x2_0000_0000L, RW.withUser(true));
    p.unmap(VirtualRange.ofLength(0x40_0000, 64 * KIB4));
    p.destroy().pendingFrees().release();
    // Everything the process took, emptied tables included, is back; the shared half stays.
    assertThat(kernel.allocator.state().framesNotIn(kernelOnly)).hasSize(256);
    assertThat(shared.framesNotIn(kernel.allocator.state())).hasSize(1);
  }

  /** "I'd just mark kernel page entries as global, so reloading cr3 won't flush kernel mappings." */
  @Test
  void forumCaveat_globalKernelMappingsAreFlaggedInTheInvalidationPlan() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(0xffff_c000_0000_0000L, 0x2000), 0x30_0000, KERNEL);
    s.tables.map(VirtualRange.ofLength(0x40_0000, 0x2000), 0x40_0000, RW.withUser(true));
    assertThat(s.tables.protect(VirtualRange.ofLength(0xffff_c000_0000_0000L, 0x2000), Attributes.readOnly())
        .plan().global()).isTrue();
    assertThat(s.tables.unmap(VirtualRange.ofLength(0x40_0000, 0x2000)).plan().global()).isFalse();
  }

  /**
   * "ent_num count the number of present entries. When ent_num become zero, I can free the page
   * for that table." Unmap leaves the emptied table in place; freeing it is reclamation's job,
   * which finds empty tables by reading them (so no count can go stale).
   */
  @Test
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
}
