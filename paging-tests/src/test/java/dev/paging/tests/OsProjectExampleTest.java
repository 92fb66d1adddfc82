package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Addresses;
import dev.paging.api.Attributes;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.fakes.TrackingFrameAllocator;
import dev.paging.ops.DestroyResult;
import dev.paging.ops.InvalidationPlan;
import dev.paging.ops.MapResult;
import dev.paging.ops.Mapping;
import dev.paging.ops.PageTables;
import dev.paging.ops.ProtectResult;
import dev.paging.ops.ReclaimMode;
import dev.paging.ops.ReclaimResult;
import dev.paging.ops.UnmapResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The OS-project example given to the README, run as written. */
class OsProjectExampleTest {
  /** What the example's "TLB" was told to do, in order. */
  private final List<String> tlb = new ArrayList<>();

  @Test
  void theReadmeExampleRunsAsWritten() {
    // readme:os-day
    SimulatedMemory memory = SimulatedMemory.ofSize(256L << 20);            // your PhysicalMemory
    TrackingFrameAllocator frames = TrackingFrameAllocator.over(0x100_0000, 16_384); // your FrameAllocator

    // The kernel's space: a direct map of the first 1 GiB of physical memory, global.
    PageTables kernel = PageTables.create(Formats.x86_64(), memory, frames);
    kernel.map(VirtualRange.ofLength(0xffff_8000_0000_0000L, 1L << 30), 0,
        Attributes.readWrite().withGlobal(true));

    // A process shares the kernel half: its root links the kernel's tables.
    PageTables process = PageTables.createSharingKernelHalf(kernel);

    // Program text and data. Mapping where nothing was mapped needs no invalidation.
    MapResult text = process.map(VirtualRange.ofLength(0x40_0000, 0x20_0000), 0x800_0000,
        Attributes.readExecute().withUser(true));
    MapResult data = process.map(VirtualRange.ofLength(0x60_0000, 0x4000), 0xa00_0000,
        Attributes.readWrite().withUser(true));
    apply(text.plan());
    apply(data.plan());

    // Copy-on-write: make the data read-only; the plan lists the four pages.
    ProtectResult cow = process.protect(VirtualRange.ofLength(0x60_0000, 0x4000),
        Attributes.readOnly().withUser(true));
    apply(cow.plan());

    // munmap of one page inside the 2 MiB text page: the page is smashed, the rest stays mapped,
    // and the one huge entry is what must be invalidated.
    UnmapResult gone = process.unmap(VirtualRange.ofLength(0x41_0000, 0x1000));
    apply(gone.plan());
    for (Mapping m : gone.unmapped()) {
      // The data frames are yours: release m.physicalAddress() .. + m.range().size() as you see fit.
      assertThat(m.physicalAddress()).isEqualTo(0x801_0000);
    }

    // Exit: free the process's own tables once nothing can use them; the kernel half stays.
    DestroyResult exit = process.destroy();
    apply(exit.plan());
    exit.pendingFrees().release();
    // readme:end

    assertThat(tlb).containsExactly(
        "invlpg 0x0000000000600000", "invlpg 0x0000000000601000", "invlpg 0x0000000000602000",
        "invlpg 0x0000000000603000",
        "invlpg 0x0000000000400000 (2 MiB)",
        "flush non-global");
    assertThat(kernel.translate(0xffff_8000_0123_4567L).physicalAddress()).isEqualTo(0x123_4567);
    // The kernel keeps its root and the 256 shared kernel-half tables (the direct map is one 1 GiB page).
    assertThat(frames.allocatedCount()).isEqualTo(1 + 256);
  }

  @Test
  void reclaimAfterUnmapFreesTheEmptiedTablesOnceThePlanIsApplied() {
    SimulatedMemory memory = SimulatedMemory.ofSize(64L << 20);
    TrackingFrameAllocator frames = TrackingFrameAllocator.over(0x100_0000, 1024);
    PageTables tables = PageTables.create(Formats.x86_64(), memory, frames);
    tables.map(VirtualRange.ofLength(0x40_0000, 0x4000), 0x80_0000, Attributes.readWrite());
    tables.unmap(VirtualRange.ofLength(0x40_0000, 0x4000));
    assertThat(frames.allocatedCount()).isEqualTo(4); // the root, and the PDPT, PD and PT unmap left empty

    // readme:reclaim
    ReclaimResult r = tables.reclaim(VirtualRange.all(), ReclaimMode.COLLECT);
    apply(r.plan());          // flush paging-structure caches for the unlinked ranges
    r.pendingFrees().release();       // only now do the frames go back to the allocator
    // readme:end

    // Children first; each table's whole span is stale in the paging-structure caches: the
    // PDPT's 512 GiB and the PD's 1 GiB from 0, and the PT's 2 MiB from 0x400000.
    assertThat(r.frames()).hasSize(3);
    assertThat(tlb).containsExactly("invlpg 0x0000000000000000 (524288 MiB)",
        "invlpg 0x0000000000000000 (1024 MiB)", "invlpg 0x0000000000400000 (2 MiB)");
    assertThat(frames.allocatedCount()).isEqualTo(1);
    assertThat(r.pendingFrees().isReleased()).isTrue();
  }

  // readme:apply
  /** What an OS does with a plan: one INVLPG per stale entry, or a flush; other CPUs too if shared. */
  private void apply(InvalidationPlan plan) {
    if (plan.isEmpty()) {
      return;
    }
    if (plan.flushAllSuggested(InvalidationPlan.LINUX_X86_FLUSH_CEILING)) {
      tlb.add(plan.global() ? "flush all, global included" : "flush non-global");
    } else {
      for (VirtualRange entry : plan.invalidations()) {
        // Any address inside the entry invalidates it, whatever the page size.
        tlb.add("invlpg " + Addresses.hex(entry.first()) + (entry.size() > 4096 ? " (" + (entry.size() >> 20) + " MiB)" : ""));
      }
    }
    if (plan.sharedTables()) {
      tlb.add("shoot down every CPU");
    }
  }
  // readme:end
}
