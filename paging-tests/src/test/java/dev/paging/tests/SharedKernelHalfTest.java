package dev.paging.tests;

import static dev.paging.tests.Space.GIB;
import static dev.paging.tests.Space.KIB4;
import static dev.paging.tests.Space.MIB2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Attributes;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.fakes.AllocatorState;
import dev.paging.ops.DestroyResult;
import dev.paging.ops.PageTables;
import dev.paging.ops.UnmapResult;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class SharedKernelHalfTest {
  private static final List<PagingFormat> FORMATS = List.of(Formats.x86_64(), Formats.x86_64FiveLevel(),
      Formats.sv39(), Formats.sv48(), Formats.sv57());
  private static final Attributes RW = Attributes.readWrite();
  private static final Attributes KERNEL = Attributes.readWrite().withGlobal(true);

  @Test
  void theTemplateGivesEveryKernelHalfRootEntryATableAndRecordsItAsShared() {
    for (PagingFormat format : FORMATS) {
      Space kernel = Space.of(format);
      PageTables process = kernel.allOrNothing(1 + 256, () -> PageTables.createSharingKernelHalf(kernel.tables));
      long kroot = kernel.space().root();
      long proot = process.space().root();
      assertThat(kernel.space().sharedTables().size()).as(format.name()).isEqualTo(256);
      assertThat(process.space().sharedTables()).isSameAs(kernel.space().sharedTables());
      for (int i = 0; i < 512; i++) {
        long k = kernel.memory.read(kroot + 8L * i);
        long p = kernel.memory.read(proot + 8L * i);
        if (i < 256) {
          assertThat(k).as(format.name() + " user entry " + i).isZero();
          assertThat(p).as(format.name() + " user entry " + i).isZero();
        } else {
          assertThat(p).as(format.name() + " kernel entry " + i).isEqualTo(k);
          long table = format.address(format.root(), k);
          assertThat(kernel.space().sharedTables().isShared(table)).isTrue();
        }
      }
      // A second process costs one root: the kernel tables exist already.
      kernel.allOrNothing(1, () -> PageTables.createSharingKernelHalf(kernel.tables));
    }
  }

  @Test
  void aKernelMappingMadeThroughAnySpaceIsSeenByAll() {
    for (PagingFormat format : FORMATS) {
      Space kernel = Space.of(format);
      PageTables early = PageTables.createSharingKernelHalf(kernel.tables);
      long va = format.upperHalf().first() + 3 * GIB + 5 * MIB2;
      // Mapped through a process, in a root entry nothing had used before.
      early.map(VirtualRange.ofLength(va, 3 * MIB2), 0x8000_0000L, KERNEL);
      PageTables late = PageTables.createSharingKernelHalf(kernel.tables);
      long top = -KIB4;
      late.map(VirtualRange.page(top), 0x9000_0000L, KERNEL);
      for (PageTables t : List.of(kernel.tables, early, late)) {
        assertThat(t.translate(va + MIB2 + 0x123).physicalAddress()).as(format.name()).isEqualTo(0x8020_0123L);
        assertThat(t.translate(va).pageSize()).isEqualTo(MIB2);
        assertThat(t.translate(top + 0x10).physicalAddress()).as(format.name()).isEqualTo(0x9000_0010L);
      }
      // Removed through one space, gone from all; the plan says other spaces must flush too.
      UnmapResult r = late.unmap(VirtualRange.ofLength(va, MIB2));
      assertThat(r.plan().sharedTables()).isTrue();
      assertThat(r.plan().global()).isTrue();
      for (PageTables t : List.of(kernel.tables, early, late)) {
        assertThat(t.translate(va + 0x123).isMapped()).isFalse();
        assertThat(t.translate(va + MIB2).isMapped()).isTrue();
      }
    }
  }

  @Test
  void userMappingsStayPrivate() {
    Space kernel = Space.of(Formats.x86_64());
    PageTables a = PageTables.createSharingKernelHalf(kernel.tables);
    PageTables b = PageTables.createSharingKernelHalf(kernel.tables);
    a.map(VirtualRange.ofLength(0x40_0000, MIB2), 0x1_0000_0000L, Attributes.readWrite().withUser(true));
    assertThat(a.translate(0x40_0000).isMapped()).isTrue();
    assertThat(b.translate(0x40_0000).isMapped()).isFalse();
    assertThat(kernel.translate(0x40_0000).isMapped()).isFalse();
    assertThat(a.map(VirtualRange.ofLength(0x40_0000 + MIB2, 0x1000), 0x5000, Attributes.readOnly())
        .plan().sharedTables()).isFalse();
  }

  @Test
  void destroyFreesOnlyTheTablesTheProcessOwnsAndOnlyOnRelease() {
    Space kernel = Space.of(Formats.x86_64());
    long kva = 0xffff_8000_0000_0000L + 7 * GIB;
    kernel.tables.map(VirtualRange.ofLength(kva, 16 * KIB4), 0x7000_0000L, KERNEL);
    PageTables other = PageTables.createSharingKernelHalf(kernel.tables);
    AllocatorState beforeProcess = kernel.allocator.state();
    PageTables process = PageTables.createSharingKernelHalf(kernel.tables);
    process.map(VirtualRange.ofLength(0x40_0000, 4 * MIB2 + KIB4), 0x1_0000_0000L,
        Attributes.readWrite().withUser(true));
    process.map(VirtualRange.ofLength(0x7fff_ffe0_0000L, MIB2), 0x2_0000_0000L, Attributes.readOnly().withUser(true));
    long[] owned = kernel.allocator.state().framesNotIn(beforeProcess);
    // A kernel mapping made through the process needs a PD and a PT below a shared PDPT: they
    // are the kernel's, seen by every space, and not the process's to free.
    AllocatorState beforeKernelMap = kernel.allocator.state();
    process.map(VirtualRange.ofLength(kva + GIB, 4 * KIB4), 0x7100_0000L, KERNEL);
    long[] kernelTables = kernel.allocator.state().framesNotIn(beforeKernelMap);
    assertThat(kernelTables).hasSize(2);
    DestroyResult r = process.destroy();
    long[] pending = r.pendingFrees().frames();
    // Root, 2 PDPTs, 2 PDs (one for the low range, one at the top of the lower half), 1 PT.
    assertThat(pending).hasSize(6);
    assertThat(pending[pending.length - 1]).isEqualTo(process.space().root());
    long[] sortedPending = pending.clone();
    Arrays.sort(sortedPending);
    assertThat(sortedPending).containsExactly(owned);
    assertThat(pending).doesNotContain(kernelTables);
    for (long frame : pending) {
      assertThat(kernel.space().sharedTables().isShared(frame)).isFalse();
      assertThat(kernel.allocator.isAllocated(frame)).isTrue();
    }
    assertThat(r.plan().entries()).isGreaterThan(5);
    r.pendingFrees().release();
    for (long frame : pending) {
      assertThat(kernel.allocator.isAllocated(frame)).isFalse();
    }
    for (PageTables t : List.of(kernel.tables, other)) {
      assertThat(t.translate(kva + 0x5123).physicalAddress()).isEqualTo(0x7000_5123L);
      assertThat(t.translate(kva + GIB + 0x3123).physicalAddress()).isEqualTo(0x7100_3123L);
    }
    assertThatThrownBy(() -> process.translate(0)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("was destroyed");
  }

  @Test
  void aTemplateWhoseKernelHalfRootHoldsALeafCannotBeShared() {
    Space kernel = Space.of(Formats.sv39());
    long va = Formats.sv39().upperHalf().first() + 2 * GIB;
    kernel.tables.map(VirtualRange.ofLength(va, GIB), 0x8000_0000L, KERNEL);
    Throwable e = kernel.unchangedBy(() -> PageTables.createSharingKernelHalf(kernel.tables));
    assertThat(e).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("root entry 258 for 0xffffffc080000000 is a leaf");
    // Smashing it first makes it shareable, with the same translation.
    kernel.tables.smash(va, MIB2);
    PageTables process = PageTables.createSharingKernelHalf(kernel.tables);
    assertThat(process.translate(va + 0x1234).physicalAddress()).isEqualTo(0x8000_1234L);
  }

  @Test
  void widenAKernelRootEntryThatOtherRootsCopiedIsRefused() {
    Space kernel = Space.of(Formats.x86_64());
    long va = 0xffff_9000_0000_0000L;
    // A kernel mapping made before any process: its root entry is only as permissive as it needs.
    kernel.tables.map(VirtualRange.page(va), 0x5000, Attributes.readOnly());
    PageTables process = PageTables.createSharingKernelHalf(kernel.tables);
    Space p = kernel.with(process);
    Throwable e = p.unchangedBy(() -> process.map(VirtualRange.page(va + KIB4), 0x6000, Attributes.readWrite()));
    assertThat(e).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("shared with other address spaces").hasMessageContaining("widening it here");
    // Entries the template created for sharing grant everything: no widening is ever needed.
    long fresh = 0xffff_a000_0000_0000L;
    process.map(VirtualRange.page(fresh), 0x7000, Attributes.readWrite().withUser(true).withExecutable(true));
    assertThat(kernel.tables.translate(fresh).effectiveAttributes().user()).isTrue();
  }

  /**
   * "Having no sharing means a lot of waste ... have the kernel-space side shared": every process
   * links the same kernel tables, so a kernel mapping needs no copying to each process.
   */
  @Test
  @Tag("forum")
  @DisplayName("forum: the kernel half is shared, so a kernel mapping is seen by every process")
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
  @Tag("forum")
  @DisplayName("forum: unmapping kernel memory once removes it from every process")
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
  @Tag("forum")
  @DisplayName("forum: kernel-half root entries get tables up front, so no process misses a later kernel mapping")
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
  @Tag("forum")
  @DisplayName("forum: the shared kernel tables are never freed with a process")
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
  @Tag("forum")
  @DisplayName("forum: a process's exit frees its whole user hierarchy")
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
}
