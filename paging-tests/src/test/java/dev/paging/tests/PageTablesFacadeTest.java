package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Attributes;
import dev.paging.api.TableNotEmptyException;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.dump.DumpRenderer;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.fakes.TrackingFrameAllocator;
import dev.paging.ops.PageTables;
import dev.paging.ops.ReclaimMode;
import dev.paging.ops.ReclaimResult;
import org.junit.jupiter.api.Test;

/** Reclaim, dump and audit through the facade, after map and unmap, as an OS would call them. */
class PageTablesFacadeTest {
  @Test
  void unmapEverythingThenReclaimTheWholeSpaceLeavesJustTheRoot() throws Exception {
    SimulatedMemory memory = SimulatedMemory.ofSize(64L << 20);
    TrackingFrameAllocator allocator = TrackingFrameAllocator.over(0x10_0000, 1024);
    PageTables tables = PageTables.create(Formats.x86_64(), memory, allocator);
    tables.map(VirtualRange.halfOpen(0x40_0000L, 0x40_4000L), 0x20_0000L, Attributes.readExecute().withUser(true));
    tables.map(VirtualRange.ofLength(0xffff_8880_0000_0000L, 4L << 20), 0, Attributes.readWrite().withGlobal(true));

    StringBuilder dump = new StringBuilder();
    tables.dump(VirtualRange.all(), DumpRenderer.ptdump(dump, false));
    assertThat(dump.toString()).isEqualTo("---[ User Space ]---\n"
        + "0x0000000000400000-0x0000000000404000          16K USR ro                     x  pte\n"
        + "---[ Kernel Space ]---\n"
        + "0xffff888000000000-0xffff888000400000           4M     RW         PSE     GLB NX pmd\n");
    assertThat(tables.audit().findings()).isEmpty();

    // Strict reclaim of the whole space refuses while mappings remain, and changes nothing.
    var before = memory.snapshot();
    assertThatThrownBy(() -> tables.reclaim(VirtualRange.all(), ReclaimMode.STRICT))
        .isInstanceOf(TableNotEmptyException.class);
    assertThat(memory.snapshot()).isEqualTo(before);

    tables.unmap(VirtualRange.all());
    ReclaimResult result = tables.reclaim(VirtualRange.all(), ReclaimMode.COLLECT);
    // lower half: PDPT, PD, PT; upper half: PDPT, PD (the 2 MiB leaves sat in the PD)
    assertThat(result.count()).isEqualTo(5);
    assertThat(result.pendingFrees().isReleased()).isFalse();
    assertThat(allocator.allocatedCount()).isEqualTo(6);
    result.pendingFrees().release();
    assertThat(allocator.allocatedFrames()).containsExactly(tables.space().root());
    assertThat(memory.read(tables.space().root())).isZero();
    assertThat(memory.read(tables.space().root() + 8 * 273)).isZero();
  }

  @Test
  void cascadeAfterUnmapInEveryFormatGivesEveryTableFrameBack() {
    for (var format : java.util.List.of(Formats.x86_64(), Formats.x86_64FiveLevel(), Formats.sv39(),
        Formats.sv48(), Formats.sv57())) {
      SimulatedMemory memory = SimulatedMemory.ofSize(64L << 20);
      TrackingFrameAllocator allocator = TrackingFrameAllocator.over(0x10_0000, 1024);
      PageTables tables = PageTables.create(format, memory, allocator);
      var rootOnly = allocator.state();
      tables.map(VirtualRange.ofLength(0x1000, 0x3000), 0x20_0000L, Attributes.readWrite());
      tables.map(VirtualRange.ofLength(0x4000_0000L, 3L << 21), 0x4000_0000L, Attributes.readWrite());
      tables.map(VirtualRange.ofLength(0x10_4000_0000L, 1L << 30), 0x8000_0000L, Attributes.readWrite());
      tables.map(VirtualRange.closed(-0x2000L, -1L), 0x30_0000L, Attributes.readWrite());
      int tablesAfterMap = allocator.allocatedCount();

      tables.unmap(VirtualRange.all());
      ReclaimResult result = tables.reclaim(VirtualRange.all(), ReclaimMode.COLLECT);
      assertThat(result.count()).as(format.name()).isEqualTo(tablesAfterMap - 1);
      result.pendingFrees().release();
      assertThat(allocator.state()).as(format.name()).isEqualTo(rootOnly);
      for (int i = 0; i < 512; i++) {
        assertThat(memory.read(tables.space().root() + 8L * i)).isZero();
      }
    }
  }

  @Test
  void reclaimInOneProcessNeverFreesSharedTablesAndDestroyingEveryProcessLeavesTheTemplate() {
    SimulatedMemory memory = SimulatedMemory.ofSize(64L << 20);
    TrackingFrameAllocator allocator = TrackingFrameAllocator.over(0x10_0000, 2048);
    PageTables kernel = PageTables.create(Formats.x86_64(), memory, allocator);
    kernel.map(VirtualRange.ofLength(0xffff_8880_0000_0000L, 8L << 20), 0, Attributes.readWrite().withGlobal(true));
    java.util.List<PageTables> processes = new java.util.ArrayList<>();
    for (int p = 0; p < 3; p++) {
      PageTables process = PageTables.createSharingKernelHalf(kernel);
      process.map(VirtualRange.ofLength(0x40_0000L, 0x3000), 0x100_0000L * (p + 1), Attributes.readWrite().withUser(true));
      processes.add(process);
    }
    // The kernel's own tables: its root, the direct map's PD and the 256 kernel-half PDPTs.
    int kernelTables = 1 + 1 + 256;
    assertThat(allocator.allocatedCount()).isEqualTo(kernelTables + 3 * 4);

    // Everything in process 0 unmapped, its kernel half included: the kernel half's tables are
    // shared, so reclaiming the whole space frees only the process's own three user tables.
    PageTables first = processes.get(0);
    first.unmap(first.space().format().lowerHalf());
    ReclaimResult r = first.reclaim(VirtualRange.all(), ReclaimMode.COLLECT);
    assertThat(r.count()).isEqualTo(3);
    for (long frame : r.frames()) {
      assertThat(kernel.space().sharedTables().isShared(frame)).isFalse();
    }
    r.pendingFrees().release();
    assertThat(kernel.translate(0xffff_8880_0012_3456L).physicalAddress()).isEqualTo(0x12_3456L);

    for (PageTables process : processes) {
      var destroyed = process.destroy();
      destroyed.pendingFrees().release();
    }
    assertThat(allocator.allocatedCount()).isEqualTo(kernelTables);
    assertThat(kernel.translate(0xffff_8880_0012_3456L).physicalAddress()).isEqualTo(0x12_3456L);
    dev.paging.testkit.Invariants.check(kernel.space()).assertClean();
  }

  @Test
  void destroyListsEachLeafAtItsOwnSizeWhenPagesOfTwoSizesAdjoin() {
    SimulatedMemory memory = SimulatedMemory.ofSize(64L << 20);
    PageTables tables = PageTables.create(Formats.x86_64(), memory, TrackingFrameAllocator.over(0x10_0000, 64));
    // A 4 KiB page ending where a 2 MiB page begins: one run of addresses, two page sizes.
    tables.mapPage(0x1f_f000, 0x5000, Attributes.readWrite());
    tables.map(VirtualRange.ofLength(0x20_0000, 2L << 20), 0x20_0000, Attributes.readWrite());
    var plan = tables.destroy().plan();
    // The PDPT, PD and PT the space owned, widest first, then each leaf at its own size.
    assertThat(plan.invalidations()).containsExactly(VirtualRange.ofLength(0, 1L << 39),
        VirtualRange.ofLength(0, 1L << 30), VirtualRange.ofLength(0, 2L << 20),
        VirtualRange.page(0x1f_f000), VirtualRange.ofLength(0x20_0000, 2L << 20));
  }
}
