package dev.paging.tests;

import static dev.paging.tests.Space.GIB;
import static dev.paging.tests.Space.KIB4;
import static dev.paging.tests.Space.MIB2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Attributes;
import dev.paging.api.OutOfFramesException;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.fakes.AllocatorState;
import dev.paging.fakes.MemorySnapshot;
import dev.paging.ops.CollapseResult;
import dev.paging.ops.MapOptions;
import dev.paging.ops.MapResult;
import dev.paging.ops.PageTables;
import dev.paging.ops.ProtectResult;
import dev.paging.ops.SmashResult;
import dev.paging.ops.UnmapResult;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every allocating step of a realistic scenario, run once per possible failure point: the
 * allocator fails at the 1st, 2nd, ... allocation, and each time memory (all of it, as a
 * snapshot) and the allocator's set of frames must be exactly as before.
 */
class AllOrNothingTest {
  private static final Attributes RW = Attributes.readWrite();

  /**
   * Tables for the kernel mapping below, once the kernel-half root entries exist: x86-64 and Sv48
   * need a PD before the range, none for the 1 GiB page, a PD and a PT after it; the 5-level
   * formats a PDPT (or L2) first; Sv39's shared root entries are 1 GiB each, so only the PT.
   */
  private static final Map<String, Integer> KERNEL_MAP_TABLES =
      Map.of("x86-64", 3, "x86-64-5level", 4, "sv39", 1, "sv48", 3, "sv57", 4);

  @Test
  void everyStepOfAProcessLifetimeIsAllOrNothingOnEveryFormat() {
    for (PagingFormat format : List.of(Formats.x86_64(), Formats.x86_64FiveLevel(), Formats.sv39(), Formats.sv48(),
        Formats.sv57())) {
      String name = format.name();
      Space kernel = Space.of(format);
      AtomicReference<PageTables> created = new AtomicReference<>();
      assertThat(kernel.exhaustively(() -> {
        created.set(PageTables.createSharingKernelHalf(kernel.tables));
        return created.get();
      })).as(name).isEqualTo(1 + 256);
      Space p = kernel.with(created.get());
      long kva = format.upperHalf().first() + 5 * GIB;
      Attributes global = Attributes.readWrite().withGlobal(true);
      MapResult kmap = p.allOrNothing(KERNEL_MAP_TABLES.get(name), () -> p.tables.map(
          VirtualRange.ofLength(kva - MIB2, GIB + 2 * MIB2 + KIB4), 0x8000_0000L - MIB2, global));
      assertThat(kmap.plan().isEmpty()).isTrue();

      Attributes user = Attributes.readWrite().withUser(true);
      long uva = 3 * GIB;
      int levels = format.levels().size();
      // One table per level down to the PD (or L1) for the first 4 KiB, a PT for it, the 1 GiB
      // page, then a PD and a PT for the last 4 KiB.
      MapResult big = p.allOrNothing(levels - 1 + 2,
          () -> p.tables.map(VirtualRange.ofLength(uva - KIB4, GIB + 2 * KIB4), 0x1_0000_0000L - KIB4, user));
      assertThat(big.tablesAllocated()).isEqualTo(levels + 1);
      // 4 KiB inside the 1 GiB page: 1 GiB to 2 MiB to 4 KiB.
      MapResult replace = p.allOrNothing(2, () -> p.tables.map(VirtualRange.ofLength(uva + MIB2 + KIB4, KIB4),
          0x9_0000_0000L, Attributes.readOnly().withUser(true), MapOptions.replacing()));
      assertThat(replace.replaced()).hasSize(1);
      // Both ends inside 2 MiB pages: one table each.
      ProtectResult protect = p.allOrNothing(2, () -> p.tables.protect(
          VirtualRange.halfOpen(uva + 3 * MIB2 + KIB4, uva + GIB - 3 * MIB2 - KIB4), Attributes.readOnly().withUser(true)));
      assertThat(protect.tablesAllocated()).isEqualTo(2);
      // The start inside a 2 MiB page; the end after a whole 4 KiB page.
      UnmapResult unmap = p.allOrNothing(1, () -> p.tables.unmap(VirtualRange.halfOpen(uva + GIB - MIB2 - KIB4,
          uva + GIB + KIB4)));
      assertThat(unmap.unmapped()).hasSize(3);
      SmashResult smash = p.allOrNothing(1, () -> p.tables.smash(kva + GIB + 0x5000, KIB4));
      assertThat(smash.plan().sharedTables()).isTrue();
      CollapseResult collapse = p.allOrNothing(0, () -> p.tables.collapse(VirtualRange.ofLength(kva + GIB, MIB2)));
      assertThat(collapse.pendingFrees().count()).isEqualTo(1);
      collapse.pendingFrees().release();

      // After the whole scenario the translations are what the operations said, in every space.
      for (PageTables t : List.of(kernel.tables, p.tables)) {
        assertThat(t.translate(kva + GIB + 0x5123).physicalAddress()).isEqualTo(0x8000_0000L + GIB + 0x5123);
        assertThat(t.translate(kva + GIB).pageSize()).isEqualTo(MIB2);
      }
      assertThat(p.translate(uva - KIB4).physicalAddress()).isEqualTo(0x1_0000_0000L - KIB4);
      assertThat(p.translate(uva + MIB2 + KIB4).physicalAddress()).isEqualTo(0x9_0000_0000L);
      assertThat(p.translate(uva + 5 * MIB2).effectiveAttributes()).isEqualTo(Attributes.readOnly().withUser(true));
      assertThat(p.translate(uva + GIB - MIB2 - KIB4).isMapped()).isFalse();
      assertThat(p.translate(uva + GIB - MIB2 - 2 * KIB4).physicalAddress()).isEqualTo(0x1_0000_0000L + GIB - MIB2 - 2 * KIB4);
      assertThat(p.translate(uva + GIB).isMapped()).isFalse();
      // And the process's exit gives back exactly what it took.
      p.tables.destroy().pendingFrees().release();
      assertThat(kernel.allocator.allocatedCount()).as(name).isEqualTo(1 + 256 + KERNEL_MAP_TABLES.get(name) + 1 - 1);
    }
  }

  @Test
  @Tag("reference-lessons")
  @DisplayName("reference-lessons: a map that runs out of frames part way leaks nothing and changes nothing")
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
}
