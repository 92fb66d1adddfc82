package dev.paging.tests;

import dev.paging.ops.Translator;
import dev.paging.ops.CollapseResult;
import dev.paging.ops.ReclaimMode;
import dev.paging.ops.ReclaimResult;
import dev.paging.ops.ProtectResult;
import dev.paging.api.PagingFormat;
import static dev.paging.tests.Space.KIB4;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.HoleCursor;
import dev.paging.api.Level;
import dev.paging.api.OutOfFramesException;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.TableCursor;
import dev.paging.api.VirtualRange;
import dev.paging.core.Aarch64Options;
import dev.paging.core.Aarch64Permissions;
import dev.paging.core.AddressSpace;
import dev.paging.core.Formats;
import dev.paging.core.WalkOutcome;
import dev.paging.core.Walker;
import dev.paging.dump.DumpRenderer;
import dev.paging.fakes.AllocatorState;
import dev.paging.fakes.MemorySnapshot;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.fakes.TrackingFrameAllocator;
import dev.paging.testkit.Invariants;
import dev.paging.ops.DestroyResult;
import dev.paging.ops.PageTables;
import dev.paging.ops.Translation;
import dev.paging.ops.UnmapResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Operations on AArch64 stage 1 tables with two roots, TTBR0_EL1's for the lower half and
 * TTBR1_EL1's for the upper, checked on the bytes of the tables. The expected descriptors are
 * composed from the Arm ARM's bit positions: 0b11 for a table or page, AP[1] 0x40 (EL0), AP[2]
 * 0x80 (read-only), AF 0x400, nG 0x800, PXN bit 53, UXN bit 54.
 */
class Aarch64PagingTest {
  private static final long TABLE = 0b11;
  private static final long PAGE = 0b11;
  private static final long AP_EL0 = 0x40;
  private static final long AF = 0x400;
  private static final long NG = 0x800;
  private static final long PXN = 1L << 53;
  private static final long UXN = 1L << 54;
  private static final long LOWER_TOP = 0x0000_ffff_ffff_ffffL;
  private static final long UPPER_BOTTOM = 0xffff_0000_0000_0000L;
  private static final Attributes USER_DATA = Attributes.readWrite().withUser(true).withAccessed(true);
  private static final Attributes KERNEL_DATA = Attributes.readWrite().withAccessed(true).withGlobal(true);

  /** The README's example: a user page through TTBR0, a kernel block through TTBR1, as ptdump shows them. */
  @Test
  void readmeExample() throws java.io.IOException {
    // readme:aarch64
    SimulatedMemory memory = SimulatedMemory.ofSize(64L << 20);
    TrackingFrameAllocator frames = TrackingFrameAllocator.over(0x10_0000, 256);
    PageTables tables = PageTables.create(Formats.aarch64(), memory, frames);   // a TTBR0 and a TTBR1 root
    Attributes user = Attributes.readExecute().withUser(true).withAccessed(true);    // EL0 r-x, EL1 r--
    Attributes kernel = Attributes.readWrite().withAccessed(true).withGlobal(true);  // EL1 rw-, EL0 ---
    tables.map(VirtualRange.page(0x40_0000), 0x30_0000, user);
    tables.map(VirtualRange.ofLength(0xffff_0000_0000_0000L, 2L << 20), 0x20_0000, kernel);  // a 2 MiB block
    StringBuilder ptdump = new StringBuilder();
    tables.dump(VirtualRange.all(), DumpRenderer.ptdump(ptdump, false));
    // readme:end
    // Linux's columns: valid, USR, ro/RW, NX (PXN), SHD, AF, NG, CON, BLK, UXN, GP, memory type.
    assertThat(ptdump.toString()).isEqualTo(
        "0x0000000000400000-0x0000000000401000           4K PTE" + "  " + " USR" + " ro" + " NX" + "    " + " AF"
            + " NG" + "    " + "    " + "    " + "   " + " MEM/NORMAL\n"
        + "0xffff000000000000-0xffff000000200000           2M PMD" + "  " + "    " + " RW" + " NX" + "    " + " AF"
            + "   " + "    " + " BLK" + " UXN" + "   " + " MEM/NORMAL\n");
    assertThat(tables.space().upperRoot()).isEqualTo(0x10_1000L);
    assertThat(memory.read(0x10_0000)).isEqualTo(0x10_2003L);
  }

  @Nested
  class TwoRoots {
    @Test
    void eachHalfLinksFromARootOfItsOwn() {
      Space s = Space.of(Formats.aarch64());
      AddressSpace space = s.space();
      // The allocator hands out the lowest free frame: TTBR0's root, then TTBR1's.
      assertThat(space.root()).isEqualTo(0x10_0000L);
      assertThat(space.upperRoot()).isEqualTo(0x10_1000L);
      s.tables.map(VirtualRange.page(0x1000), 0x5000, USER_DATA);
      s.tables.map(VirtualRange.page(UPPER_BOTTOM + 0x20_0000), 0x20_0000, KERNEL_DATA);
      Level l0 = s.level(0);
      // Lower: L1, L2, L3 at 0x102000..0x104000; upper: 0x105000..0x107000.
      assertThat(l0.readEntry(s.memory, 0x10_0000, 0)).isEqualTo(0x10_2000L | TABLE);
      assertThat(l0.readEntry(s.memory, 0x10_1000, 0)).isEqualTo(0x10_5000L | TABLE);
      assertThat(s.entry(0x1000, 3)).isEqualTo(0x5000 | PAGE | AP_EL0 | AF | NG | PXN | UXN);
      assertThat(s.entry(UPPER_BOTTOM + 0x20_0000, 3)).isEqualTo(0x20_0000 | PAGE | AF | PXN | UXN);
      for (int i = 1; i < 512; i++) {
        assertThat(l0.readEntry(s.memory, 0x10_0000, i)).isZero();
        assertThat(l0.readEntry(s.memory, 0x10_1000, i)).isZero();
      }
      assertThat(s.translate(0x1234).physicalAddress()).isEqualTo(0x5234);
      assertThat(s.translate(UPPER_BOTTOM + 0x20_0abc).physicalAddress()).isEqualTo(0x20_0abc);
      // The same low bits in the other half are a different address: nothing maps them.
      assertThat(s.translate(UPPER_BOTTOM + 0x1234).isMapped()).isFalse();
      assertThat(s.translate(0x20_0abc).isMapped()).isFalse();
      assertThat(space).hasToString("aarch64-4k address space, root 0x0000000000100000 and upper root "
          + "0x0000000000101000");
    }

    @Test
    void aWalkOfTheWholeSpaceVisitsBothRootsAndNeverTheGap() {
      Space s = Space.of(Formats.aarch64());
      s.tables.map(VirtualRange.page(0x1000), 0x5000, USER_DATA);
      s.tables.map(VirtualRange.page(UPPER_BOTTOM), 0x6000, KERNEL_DATA);
      List<String> roots = new ArrayList<>();
      List<String> rootHoles = new ArrayList<>();
      List<Long> seen = new ArrayList<>();
      PageTableVisitor v = new PageTableVisitor() {
        @Override
        public Control beforeTable(TableCursor t) {
          if (t.level().depth() == 0) {
            roots.add(Long.toHexString(t.frame()) + " " + Long.toHexString(t.first()) + ".." + Long.toHexString(t.last()));
          }
          return Control.CONTINUE;
        }

        @Override
        public Control onEntry(EntryCursor e) {
          seen.add(e.first());
          seen.add(e.last());
          return Control.CONTINUE;
        }

        @Override
        public Control onHole(HoleCursor h) {
          seen.add(h.first());
          seen.add(h.last());
          if (h.level().depth() == 0) {
            rootHoles.add(Long.toHexString(h.first()) + ".." + Long.toHexString(h.last()));
          }
          return Control.CONTINUE;
        }
      };
      assertThat(Walker.walk(s.space(), VirtualRange.all(), v)).isEqualTo(WalkOutcome.COMPLETED);
      assertThat(roots).containsExactly("100000 0..ffffffffffff", "101000 ffff000000000000..ffffffffffffffff");
      assertThat(rootHoles).containsExactly("8000000000..ffffffffffff", "ffff008000000000..ffffffffffffffff");
      for (long a : seen) {
        assertThat(Long.compareUnsigned(a, LOWER_TOP) <= 0 || Long.compareUnsigned(a, UPPER_BOTTOM) >= 0)
            .as("%x is in the gap", a).isTrue();
      }
    }

    @Test
    void aRangeInOneHalfVisitsOnlyThatHalfsRoot() {
      Space s = Space.of(Formats.aarch64());
      List<Long> roots = new ArrayList<>();
      PageTableVisitor v = new PageTableVisitor() {
        @Override
        public Control beforeTable(TableCursor t) {
          roots.add(t.frame());
          return Control.CONTINUE;
        }
      };
      Walker.walk(s.space(), VirtualRange.closed(UPPER_BOTTOM, -1L), v);
      assertThat(roots).containsExactly(0x10_1000L);
      roots.clear();
      Walker.walk(s.space(), VirtualRange.closed(0, 0xfff), v);
      assertThat(roots).containsExactly(0x10_0000L);
    }

    @Test
    void theEndsOfEachHalfMapAndUnmapInOneRange() {
      Space s = Space.of(Formats.aarch64());
      long[] ends = {0, LOWER_TOP & -KIB4, UPPER_BOTTOM, -KIB4};
      for (int i = 0; i < ends.length; i++) {
        s.tables.map(VirtualRange.page(ends[i]), 0x10_0000L * (i + 1), USER_DATA);
      }
      for (int i = 0; i < ends.length; i++) {
        assertThat(s.translate(ends[i] | 0xfff).physicalAddress()).isEqualTo(0x10_0000L * (i + 1) + 0xfff);
      }
      assertThat(s.level(0).readEntry(s.memory, s.space().root(), 511) & ~0xfffL).isNotZero();
      assertThat(s.level(0).readEntry(s.memory, s.space().upperRoot(), 511) & ~0xfffL).isNotZero();
      // One range from the top page of TTBR0's half to the bottom page of TTBR1's.
      UnmapResult u = s.tables.unmap(VirtualRange.closed(LOWER_TOP & -KIB4, UPPER_BOTTOM | 0xfff));
      assertThat(s.translate(LOWER_TOP).isMapped()).isFalse();
      assertThat(s.translate(UPPER_BOTTOM).isMapped()).isFalse();
      assertThat(s.translate(0).isMapped()).isTrue();
      assertThat(s.translate(-1L).isMapped()).isTrue();
      assertThat(u.plan().ranges()).containsExactly(VirtualRange.page(LOWER_TOP & -KIB4), VirtualRange.page(UPPER_BOTTOM));
      assertThat(u.plan().entries()).isEqualTo(2);
    }

    @Test
    void addressesInTheGapAreRefusedNamingThem() {
      Space s = Space.of(Formats.aarch64());
      assertThatThrownBy(() -> s.translate(0x0001_0000_0000_0000L))
          .hasMessage("address 0x0001000000000000 is not canonical for aarch64-4k");
      assertThatThrownBy(() -> s.tables.map(VirtualRange.page(0xfffe_ffff_ffff_f000L), 0, USER_DATA))
          .hasMessageContaining("0xfffefffffffff000").hasMessageContaining("not canonical");
      assertThatThrownBy(() -> s.tables.map(VirtualRange.closed(LOWER_TOP & -KIB4, UPPER_BOTTOM | 0xfff), 0, USER_DATA))
          .hasMessageEndingWith("the range crosses the non-canonical hole between 0x0000ffffffffffff and "
              + "0xffff000000000000");
    }

    @Test
    void aHandleTakesBothRootsAndRefusesOneOrTheSameTwice() {
      Space s = Space.of(Formats.aarch64());
      AddressSpace again = AddressSpace.of(Formats.aarch64(), s.memory, s.allocator, 0x10_0000, 0x10_1000,
          s.space().sharedTables());
      assertThat(again.rootFor(0x1000)).isEqualTo(0x10_0000L);
      assertThat(again.rootFor(UPPER_BOTTOM)).isEqualTo(0x10_1000L);
      assertThatThrownBy(() -> AddressSpace.of(Formats.aarch64(), s.memory, s.allocator, 0x10_0000))
          .hasMessage("aarch64-4k has a root table per half; give the lower half's and the upper half's, not only "
              + "0x0000000000100000");
      assertThatThrownBy(() -> AddressSpace.of(Formats.aarch64(), s.memory, s.allocator, 0x10_0000, 0x10_0000,
          s.space().sharedTables()))
          .hasMessage("aarch64-4k has a root table per half; both are 0x0000000000100000");
      // A read-only view may read one table for both, as the MMU does when TTBR0 = TTBR1.
      AddressSpace same = AddressSpace.readOnly(Formats.aarch64(), s.memory, 0x10_0000, 0x10_0000);
      assertThat(same.rootFor(UPPER_BOTTOM)).isEqualTo(0x10_0000L);
      assertThatThrownBy(() -> AddressSpace.readOnly(Formats.aarch64(), s.memory, AddressSpace.NO_ROOT,
          AddressSpace.NO_ROOT)).hasMessage("aarch64-4k: neither half has a root");
      assertThatThrownBy(() -> AddressSpace.readOnly(Formats.x86_64(), s.memory, 0x10_0000, 0x10_1000))
          .hasMessage("x86-64 has one root table for both halves; got 0x0000000000100000 and 0x0000000000101000");
    }
  }

  /** The larger granules: tables and pages of 16 or 64 KiB, from an allocator of frames that size. */
  @Nested
  class LargerGranules {
    private final dev.paging.api.PagingFormat k16 = Formats.aarch64(Aarch64Options.defaults().withGranule(16384));
    private final dev.paging.api.PagingFormat k64 = Formats.aarch64(Aarch64Options.defaults().withGranule(65536));

    private PageTables tables(dev.paging.api.PagingFormat format, SimulatedMemory memory, long frameBytes) {
      return PageTables.create(format, memory, TrackingFrameAllocator.over(0x10_0000, 64, frameBytes));
    }

    @Test
    void aSixteenKilobytePageLinksThroughSixteenKilobyteTablesFromATwoEntryRoot() {
      SimulatedMemory memory = SimulatedMemory.ofSize(Space.MEMORY);
      PageTables t = tables(k16, memory, 16384);
      // Roots 0x100000 and 0x104000 (2 entries each, in frames of their own); then L1, L2, L3.
      assertThat(t.space().root()).isEqualTo(0x10_0000L);
      assertThat(t.space().upperRoot()).isEqualTo(0x10_4000L);
      t.map(VirtualRange.ofLength(0x4000, 0x4000), 0x8_c000, USER_DATA);
      assertThat(memory.read(0x10_0000)).isEqualTo(0x10_8000L | TABLE);
      assertThat(memory.read(0x10_8000)).isEqualTo(0x10_c000L | TABLE);
      assertThat(memory.read(0x10_c000)).isEqualTo(0x11_0000L | TABLE);
      assertThat(memory.read(0x11_0000 + 8)).isEqualTo(0x8_c000L | PAGE | AP_EL0 | AF | NG | PXN | UXN);
      assertThat(t.translate(0x7abc).physicalAddress()).isEqualTo(0x8_fabcL);
      // Bit 47 picks L0's entry 1: 128 TiB up, still TTBR0's.
      t.map(VirtualRange.ofLength(1L << 47, 32L << 20), 0x200_0000L, USER_DATA);
      assertThat(memory.read(0x10_0000 + 8) & 0b11).isEqualTo(TABLE);
      assertThat(t.translate((1L << 47) + 0x123_4567).physicalAddress()).isEqualTo(0x323_4567L);
      assertThat(t.translate((1L << 47) + 0x123_4567).level().name()).isEqualTo("L2");
    }

    @Test
    void aSixtyFourKilobyteGranuleMapsHalfGigabyteBlocksAndSixtyFourKilobytePages() {
      SimulatedMemory memory = SimulatedMemory.ofSize(Space.MEMORY);
      PageTables t = tables(k64, memory, 65536);
      t.map(VirtualRange.ofLength(UPPER_BOTTOM, 512L << 20), 0x2000_0000L, KERNEL_DATA);
      t.map(VirtualRange.ofLength(UPPER_BOTTOM + (512L << 20), 0x1_0000), 0x3_0000L, KERNEL_DATA);
      // TTBR1's root (64 entries) at 0x110000; its L2 at 0x120000 with a block at entry 0.
      assertThat(memory.read(0x11_0000)).isEqualTo(0x12_0000L | TABLE);
      assertThat(memory.read(0x12_0000)).isEqualTo(0x2000_0000L | 0b01 | AF | PXN | UXN);
      assertThat(memory.read(0x12_0000 + 8)).isEqualTo(0x13_0000L | TABLE);
      assertThat(memory.read(0x13_0000)).isEqualTo(0x3_0000L | PAGE | AF | PXN | UXN);
      assertThat(t.translate(UPPER_BOTTOM + 0x1234_5678L).physicalAddress()).isEqualTo(0x3234_5678L);
      assertThat(t.translate(UPPER_BOTTOM + (512L << 20) + 0xfedc).physicalAddress()).isEqualTo(0x3_fedcL);
      assertThatThrownBy(() -> t.map(VirtualRange.ofLength(0x1_0000, 0x1000), 0, USER_DATA))
          .hasMessageEndingWith("the range's end 0x0000000000011000 is not aligned to the page size 0x0000000000010000");
      assertThatThrownBy(() -> t.unmap(VirtualRange.ofLength(0x1_0000, 0x1000)))
          .hasMessageEndingWith("range end 0x0000000000011000 (exclusive; last byte 0x0000000000010fff) is not "
              + "64 KiB aligned");
      assertThatThrownBy(() -> t.mapPage(0x1000, 0, USER_DATA)).hasMessageContaining("0x0000000000001000");
    }

    @Test
    void anAllocatorOfSmallerFramesIsRefusedNamingBothSizes() {
      SimulatedMemory memory = SimulatedMemory.ofSize(Space.MEMORY);
      TrackingFrameAllocator small = TrackingFrameAllocator.over(0x10_0000, 64);
      assertThatThrownBy(() -> AddressSpace.create(k16, memory, small))
          .hasMessage("aarch64-16k tables take 16 KiB, more than the 4 KiB frames of " + small
              + "; give an allocator of frames of at least 16 KiB");
      assertThat(small.allocations()).isZero();
      // A read-only handle never allocates: any frame size will do.
      AddressSpace image = AddressSpace.readOnly(k64, memory, 0x20_0000, 0x21_0000);
      assertThat(image.rootFor(-1L)).isEqualTo(0x21_0000L);
    }

    @Test
    void pageAtATimeCallsWorkInGranules() {
      SimulatedMemory memory = SimulatedMemory.ofSize(Space.MEMORY);
      PageTables t = tables(k16, memory, 16384);
      t.mapPage(UPPER_BOTTOM + 0x8000, 0x4_4000, KERNEL_DATA);
      assertThat(t.translate(UPPER_BOTTOM + 0xbfff).physicalAddress()).isEqualTo(0x4_7fffL);
      assertThat(t.translate(UPPER_BOTTOM + 0xc000).isMapped()).isFalse();
      t.protectPage(UPPER_BOTTOM + 0x8000, Attributes.readOnly().withAccessed(true).withGlobal(true));
      assertThat(t.translate(UPPER_BOTTOM + 0x8000).effectiveAttributes().writable()).isFalse();
      t.unmapPage(UPPER_BOTTOM + 0x8000);
      assertThat(t.translate(UPPER_BOTTOM + 0x8000).isMapped()).isFalse();
      assertThat(t.translate(UPPER_BOTTOM + 0x8000).outcome()).isEqualTo(Translation.Outcome.EMPTY);
    }
  }

  @Nested
  class AllOrNothing {
    @Test
    void creatingASpaceThatGetsOnlyOneRootGivesItBack() {
      SimulatedMemory memory = SimulatedMemory.ofSize(Space.MEMORY);
      TrackingFrameAllocator frames = TrackingFrameAllocator.over(Space.TABLES_BASE, 16);
      AllocatorState before = frames.state();
      frames.failAtAllocation(2);
      assertThatThrownBy(() -> AddressSpace.create(Formats.aarch64(), memory, frames))
          .isInstanceOf(OutOfFramesException.class);
      assertThat(frames.state()).isEqualTo(before);
      assertThat(frames.allocatedCount()).isZero();
    }

    @Test
    void mapsInEitherHalfFailingAtEveryAllocationChangeNothing() {
      Space s = Space.of(Formats.aarch64());
      s.allOrNothing(3, () -> s.tables.map(VirtualRange.page(0x4000_0000L), 0x8000, USER_DATA));
      s.allOrNothing(3, () -> s.tables.map(VirtualRange.page(UPPER_BOTTOM + 0x4000_0000L), 0x8000, KERNEL_DATA));
      // A 2 MiB block needs no L3 table.
      s.allOrNothing(2, () -> s.tables.map(VirtualRange.ofLength(UPPER_BOTTOM + (1L << 39), 2L << 20), 0x20_0000,
          KERNEL_DATA));
      assertThat(s.entry(UPPER_BOTTOM + (1L << 39), 2)).isEqualTo(0x20_0000L | 0b01 | AF | PXN | UXN);
    }
  }

  /**
   * The Contiguous hint stays true: a run of 16 entries keeps it only while they map one aligned
   * range alike, as the Arm ARM requires of it; otherwise the hint goes from the whole run, and
   * the run's range is invalidated.
   */
  @Nested
  class ContiguousHint {
    private final long cont = 1L << 52;
    private final Attributes hinted = KERNEL_DATA.withExtraBits(1L << 52);

    @Test
    void smashingOneBlockOfAHintedRunClearsTheHintOfTheOthersAndKeepsItOnTheNewPages() {
      Space s = Space.of(Formats.aarch64());
      // 16 blocks of 2 MiB, 32 MiB aligned in both spaces: a valid run.
      s.tables.map(VirtualRange.ofLength(UPPER_BOTTOM, 32L << 20), 0x4000_0000L, hinted);
      for (int i = 0; i < 16; i++) {
        assertThat(s.entry(UPPER_BOTTOM + i * (2L << 20), 2)).isEqualTo(0x4000_0000L + i * (2L << 20) | 0b01 | AF | PXN
            | UXN | cont);
      }
      var smashed = s.tables.smash(UPPER_BOTTOM + (6L << 20) + 0x5000, KIB4);
      for (int i = 0; i < 16; i++) {
        if (i != 3) {
          assertThat(s.entry(UPPER_BOTTOM + i * (2L << 20), 2)).as("block %d", i)
              .isEqualTo(0x4000_0000L + i * (2L << 20) | 0b01 | AF | PXN | UXN);
        }
      }
      // The 512 pages of block 3 come from one block: each run of 16 is contiguous and alike.
      for (int j = 0; j < 512; j += 37) {
        assertThat(s.entry(UPPER_BOTTOM + (6L << 20) + j * KIB4, 3))
            .isEqualTo(0x4060_0000L + j * KIB4 | PAGE | AF | PXN | UXN | cont);
      }
      assertThat(smashed.plan().ranges()).containsExactly(VirtualRange.ofLength(UPPER_BOTTOM, 32L << 20));
      assertThat(s.tables.audit().findings()).isEmpty();
    }

    @Test
    void aHintAskedForOnAMisalignedRangeIsNotWritten() {
      Space s = Space.of(Formats.aarch64());
      s.tables.map(VirtualRange.ofLength(0x1_0000, 0x1_0000), 0x20_1000L, hinted);   // output not 64 KiB aligned
      s.tables.map(VirtualRange.ofLength(0x2_0000, 0x1_0000), 0x30_0000L, hinted);   // both aligned: a true run
      for (int i = 0; i < 16; i++) {
        assertThat(s.entry(0x1_0000 + i * KIB4, 3) & cont).as("misaligned %d", i).isZero();
        assertThat(s.entry(0x2_0000 + i * KIB4, 3) & cont).as("aligned %d", i).isEqualTo(cont);
      }
      assertThat(s.tables.audit().findings()).isEmpty();
    }

    @Test
    void protectingOrUnmappingOnePageOfARunClearsTheRunsHint() {
      Space s = Space.of(Formats.aarch64());
      s.tables.map(VirtualRange.ofLength(0x2_0000, 0x2_0000), 0x30_0000L, hinted);   // two runs
      var protect = s.tables.protectPage(0x2_3000, Attributes.readOnly().withAccessed(true).withGlobal(true));
      var unmap = s.tables.unmap(VirtualRange.page(0x3_8000));
      for (int i = 0; i < 32; i++) {
        assertThat(s.entry(0x2_0000 + i * KIB4, 3) & cont).as("page %d", i).isZero();
      }
      assertThat(s.translate(0x2_3000).effectiveAttributes().writable()).isFalse();
      assertThat(s.translate(0x3_8000).isMapped()).isFalse();
      assertThat(protect.plan().ranges()).containsExactly(VirtualRange.ofLength(0x2_0000, 0x1_0000));
      assertThat(unmap.plan().ranges()).containsExactly(VirtualRange.ofLength(0x3_0000, 0x1_0000));
      assertThat(s.tables.audit().findings()).isEmpty();
    }

    @Test
    void anUnmapAcrossTheGapClearsTheCutRunsInBothHalves() {
      Space s = Space.of(Formats.aarch64());
      long lowerRun = (LOWER_TOP & -0x1_0000L);
      s.tables.map(VirtualRange.ofLength(lowerRun, 0x1_0000), 0x30_0000L, hinted);
      s.tables.map(VirtualRange.ofLength(UPPER_BOTTOM, 0x1_0000), 0x40_0000L, hinted);
      s.tables.unmap(VirtualRange.closed(LOWER_TOP & -KIB4, UPPER_BOTTOM | 0xfff));
      for (int i = 0; i < 15; i++) {
        assertThat(s.entry(lowerRun + i * KIB4, 3) & cont).as("lower %d", i).isZero();
        assertThat(s.entry(UPPER_BOTTOM + (i + 1) * KIB4, 3) & cont).as("upper %d", i + 1).isZero();
      }
      assertThat(s.tables.audit().findings()).isEmpty();
    }

    @Test
    void aCollapsedBlockAloneInItsRunDoesNotKeepThePagesHint() {
      Space s = Space.of(Formats.aarch64());
      s.tables.map(VirtualRange.ofLength(0x20_0000, 2L << 20), 0x40_0000L, hinted,
          dev.paging.ops.MapOptions.defaults().withPageSize(KIB4));
      assertThat(s.entry(0x20_0000, 3) & cont).isEqualTo(cont);
      s.tables.collapse(VirtualRange.ofLength(0x20_0000, 2L << 20)).pendingFrees().release();
      assertThat(s.entry(0x20_0000, 2)).isEqualTo(0x40_0000L | 0b01 | AF | PXN | UXN);
      assertThat(s.tables.audit().findings()).isEmpty();
    }

    @Test
    void aSmashThatFailsMidwayLeavesTheHintedRunAsItWas() {
      Space s = Space.of(Formats.aarch64());
      s.tables.map(VirtualRange.ofLength(UPPER_BOTTOM, 32L << 20), 0x4000_0000L, hinted);
      // One new table (the L3 of the smashed block): failing its allocation changes nothing.
      s.allOrNothing(1, () -> s.tables.smash(UPPER_BOTTOM + 0x5000, KIB4));
      assertThat(s.entry(UPPER_BOTTOM + (2L << 20), 2) & cont).isZero();
    }

    @Test
    void remappingOnePageOfARunClearsTheHintOfTheWholeRun() {
      Space s = Space.of(Formats.aarch64());
      s.tables.map(VirtualRange.ofLength(0x2_0000, 0x1_0000), 0x30_0000L, hinted);
      MemorySnapshot before = s.memory.snapshot();
      var replaced = s.tables.map(VirtualRange.page(0x2_5000), 0x90_0000L, KERNEL_DATA,
          dev.paging.ops.MapOptions.replacing());
      for (int i = 0; i < 16; i++) {
        assertThat(s.entry(0x2_0000 + i * KIB4, 3) & cont).as("page %d", i).isZero();
      }
      assertThat(s.translate(0x2_5000).physicalAddress()).isEqualTo(0x90_0000L);
      assertThat(replaced.plan().ranges()).containsExactly(VirtualRange.ofLength(0x2_0000, 0x1_0000));
      // The 16 entries of the run changed and nothing else: the replaced page and 15 hints.
      assertThat(before.diff(s.memory.snapshot())).startsWith("16 words differ:");
    }
  }

  @Test
  void destroyFreesBothRootsAndEveryTable() {
    Space s = Space.of(Formats.aarch64());
    s.tables.map(VirtualRange.page(0x1000), 0x5000, USER_DATA);
    s.tables.map(VirtualRange.page(UPPER_BOTTOM), 0x6000, KERNEL_DATA);
    DestroyResult d = s.tables.destroy();
    assertThat(d.pendingFrees().frames()).containsExactlyInAnyOrder(0x10_0000L, 0x10_1000L, 0x10_2000L, 0x10_3000L,
        0x10_4000L, 0x10_5000L, 0x10_6000L, 0x10_7000L);
    d.pendingFrees().release();
    assertThat(s.allocator.allocatedCount()).isZero();
  }

  @Test
  void spacesSharingTheKernelHalfUseTheTemplatesTtbr1TableItself() {
    Space s = Space.of(Formats.aarch64());
    s.tables.map(VirtualRange.page(UPPER_BOTTOM + 0x1000), 0x6000, KERNEL_DATA);
    long kernelUpper = s.space().upperRoot();
    // One frame, the new TTBR0 root: nothing is copied or preallocated.
    PageTables process = s.allOrNothing(1, () -> PageTables.createSharingKernelHalf(s.tables));
    AddressSpace p = process.space();
    assertThat(p.upperRoot()).isEqualTo(kernelUpper);
    assertThat(p.root()).isNotEqualTo(s.space().root()).isNotEqualTo(kernelUpper);
    assertThat(p.sharedTables().frames()).containsExactly(kernelUpper);
    for (int i = 0; i < 512; i++) {
      assertThat(s.level(0).readEntry(s.memory, p.root(), i)).as("TTBR0 entry %d", i).isZero();
    }
    // A kernel mapping through the process needs TTBR1 entry 3, which is the kernel's too.
    long far = UPPER_BOTTOM + 3 * (1L << 39);
    assertThat(s.level(0).readEntry(s.memory, kernelUpper, 3)).isZero();
    process.map(VirtualRange.page(far), 0x9000, KERNEL_DATA);
    assertThat(s.level(0).readEntry(s.memory, kernelUpper, 3) & 0b11).isEqualTo(TABLE);
    assertThat(s.translate(far + 0x123).physicalAddress()).isEqualTo(0x9123);
    assertThat(process.translate(UPPER_BOTTOM + 0x1abc).physicalAddress()).isEqualTo(0x6abc);
    process.map(VirtualRange.page(0x1000), 0xa000, USER_DATA);
    assertThat(s.translate(0x1000).isMapped()).isFalse();
    Invariants.check(List.of(s.space(), p)).assertClean();
    // Reclaiming the process's whole space frees its own empty tables, never below the shared root.
    process.unmap(VirtualRange.page(0x1000));
    process.unmap(VirtualRange.page(far));
    long l1 = s.format.address(s.level(0), s.level(0).readEntry(s.memory, p.root(), 0));
    long l2 = s.format.address(s.level(1), s.level(1).readEntry(s.memory, l1, 0));
    long l3 = s.format.address(s.level(2), s.level(2).readEntry(s.memory, l2, 0));
    ReclaimResult reclaimed = process.reclaim(VirtualRange.all(), ReclaimMode.COLLECT);
    assertThat(reclaimed.frames()).containsExactlyInAnyOrder(l1, l2, l3);
    reclaimed.pendingFrees().release();
    assertThat(s.level(0).readEntry(s.memory, kernelUpper, 3) & 0b11).isEqualTo(TABLE);
    // The process's exit frees its TTBR0 root and nothing of the kernel's.
    MemorySnapshot kernelTables = s.memory.snapshot();
    long before = s.allocator.allocatedCount();
    DestroyResult d = process.destroy();
    assertThat(d.pendingFrees().frames()).containsExactly(p.root());
    d.pendingFrees().release();
    assertThat(s.allocator.allocatedCount()).isEqualTo(before - 1);
    assertThat(s.translate(UPPER_BOTTOM + 0x1000).physicalAddress()).isEqualTo(0x6000);
    assertThat(kernelTables.diff(s.memory.snapshot())).isEmpty();
    Invariants.check(List.of(s.space())).assertClean();
  }

  @Test
  void vmprintShowsEachRootWithItsOwnHeader() throws java.io.IOException {
    Space s = Space.of(Formats.aarch64(Aarch64Options.defaults().withVirtualAddressBits(39)));
    s.tables.map(VirtualRange.page(0x1000), 0x5000, USER_DATA);
    s.tables.map(VirtualRange.page(0xffff_ff80_0000_0000L), 0x6000, KERNEL_DATA);
    StringBuilder out = new StringBuilder();
    s.tables.dump(VirtualRange.all(), DumpRenderer.vmprintByIndex(out));
    long userPage = 0x5000 | PAGE | AP_EL0 | AF | NG | PXN | UXN;
    long kernelPage = 0x6000 | PAGE | AF | PXN | UXN;
    // 39 bits start at L1: roots 0x100000 and 0x101000, then L2 and L3 of each half.
    assertThat(out.toString()).isEqualTo("page table 0x0000000000100000\n"
        + "..0: pte 0x0000000000102003 pa 0x0000000000102000\n"
        + ".. ..0: pte 0x0000000000103003 pa 0x0000000000103000\n"
        + ".. .. ..1: pte " + String.format("0x%016x", userPage) + " pa 0x0000000000005000\n"
        + "\npage table 0x0000000000101000\n"
        + "..0: pte 0x0000000000104003 pa 0x0000000000104000\n"
        + ".. ..0: pte 0x0000000000105003 pa 0x0000000000105000\n"
        + ".. .. ..0: pte " + String.format("0x%016x", kernelPage) + " pa 0x0000000000006000\n");
  }

  @Test
  void jsonPutsEachRootInAHalfOfItsOwnAndStaysWellFormedWhenStopped() throws java.io.IOException {
    Space s = Space.of(Formats.aarch64());
    s.tables.map(VirtualRange.page(0x1000), 0x5000, USER_DATA);
    s.tables.map(VirtualRange.page(UPPER_BOTTOM), 0x6000, KERNEL_DATA);
    StringBuilder all = new StringBuilder();
    s.tables.dump(VirtualRange.all(), DumpRenderer.json(all, false));
    java.util.Map<String, List<String>> fields = DumpBehaviourTest.jsonFields(all.toString());
    assertThat(fields.get("half")).containsExactly("lower", "upper");
    assertThat(fields.get("root")).containsExactly("0x0000000000100000", "0x0000000000101000");
    assertThat(fields.get("complete")).containsExactly("true");
    assertThat(fields.get("tables")).containsExactly("8");
    assertThat(fields.get("leaves")).containsExactly("2");
    // A dump of TTBR0's half ends with the lower root, complete.
    StringBuilder lower = new StringBuilder();
    s.tables.dump(s.format.lowerHalf(), DumpRenderer.json(lower, false));
    fields = DumpBehaviourTest.jsonFields(lower.toString());
    assertThat(fields.get("half")).containsExactly("lower");
    assertThat(fields.get("complete")).containsExactly("true");
    // A walk stopped by its budget inside TTBR1's half still closes every object.
    StringBuilder stopped = new StringBuilder();
    Walker walker = s.space().walker().entryBudget(2048 + 2);
    assertThat(dev.paging.dump.Dump.write(walker, s.format, s.space().root(), s.space().upperRoot(), VirtualRange.all(),
        DumpRenderer.json(stopped, false))).isEqualTo(WalkOutcome.BUDGET_EXHAUSTED);
    fields = DumpBehaviourTest.jsonFields(stopped.toString());
    assertThat(fields.get("half")).containsExactly("lower", "upper");
    assertThat(fields.get("complete")).containsExactly("false");
  }

  /**
   * Linux 6.1's arm64 ptdump line, column by column (arch/arm64/mm/ptdump.c): {@code
   * 0x%016lx-0x%016lx   }, {@code %9lu%c} from KiB up, the level, then {@code " " + column} for
   * valid, USR, ro/RW, NX/"x ", SHD, AF, NG, CON, BLK, UXN, GP and the memory type.
   */
  @Test
  void ptdumpPrintsArm64sColumns() throws java.io.IOException {
    Space s = Space.of(Formats.aarch64());
    long sh = 3L << 8;
    s.tables.map(VirtualRange.page(0x40_0000L), 0x30_0000L,
        Attributes.readExecute().withUser(true).withAccessed(true).withExtraBits(sh));
    s.tables.map(VirtualRange.ofLength(UPPER_BOTTOM, 2L << 20), 0x20_0000L, KERNEL_DATA.withExtraBits(sh));
    s.tables.map(VirtualRange.page(UPPER_BOTTOM + (1L << 30)), 0x900_0000L, KERNEL_DATA.withMemoryType(4));
    StringBuilder out = new StringBuilder();
    s.tables.dump(VirtualRange.all(), DumpRenderer.ptdump(out, false));
    String valid = "  ";
    assertThat(out.toString()).isEqualTo(
        "0x0000000000400000-0x0000000000401000           4K PTE" + valid + " USR ro NX SHD AF NG" + "    " + "    "
            + "    " + "   " + " MEM/NORMAL\n"
        + "0xffff000000000000-0xffff000000200000           2M PMD" + valid + "    " + " RW NX SHD AF" + "   " + "    "
            + " BLK UXN" + "   " + " MEM/NORMAL\n"
        + "0xffff000040000000-0xffff000040001000           4K PTE" + valid + "    " + " RW NX" + "    " + " AF" + "   "
            + "    " + "    " + " UXN" + "   " + " DEVICE/nGnRE\n");
    // With holes: bare lines, at the level where the walk found them (L2 entries 0 and 1).
    StringBuilder holes = new StringBuilder();
    s.tables.dump(VirtualRange.closed(0, 0x3f_ffffL), DumpRenderer.ptdump(holes));
    assertThat(holes.toString()).isEqualTo("0x0000000000000000-0x0000000000400000           4M PMD\n");
  }

  @Test
  void effectiveAttributesOfAMappingApplyTheTablesAbove() {
    Space s = Space.of(Formats.aarch64());
    Attributes userText = Attributes.readExecute().withUser(true).withAccessed(true);
    s.tables.map(VirtualRange.page(0x1000), 0x5000, userText);
    Translation t = s.translate(0x1000);
    assertThat(Aarch64Permissions.of(s.format, t.effectiveAttributes())).hasToString("EL0 r-x EL1 r--");
    // APTable[0] and UXNTable in the L1 descriptor above: EL0 loses its access and its execute.
    long l0e = s.entryAddress(0x1000, 0);
    s.memory.write(l0e, s.memory.read(l0e) | 1L << 61 | 1L << 60);
    assertThat(Aarch64Permissions.of(s.format, s.translate(0x1000).effectiveAttributes())).hasToString("EL0 --- EL1 r--");
  }

  /**
   * TTBR0 with a 4 KiB granule and 39 bits (L1, L2, L3 of 512 entries), TTBR1 with 64 KiB and 42
   * bits (L2 and L3 of 8,192): every operation takes each half's levels, and one call across the
   * gap edits both. The allocator's frames are 64 KiB, the largest table.
   */
  @Nested
  class SplitHalves {
    private final PagingFormat split = Formats.aarch64(Aarch64Options.defaults().withGranules(4096, 65536)
        .withVirtualAddressBits(39, 42));
    private static final long LOWER_LAST_PAGE = 0x7f_ffff_f000L;
    private static final long UPPER_FIRST = 0xffff_fc00_0000_0000L;
    private static final long K64 = 0x1_0000L;

    private final SimulatedMemory memory = SimulatedMemory.ofSize(64L << 20);
    private final TrackingFrameAllocator frames = TrackingFrameAllocator.over(0x100_0000, 64, 65536);
    private final PageTables tables = PageTables.create(split, memory, frames);

    /** The entry at {@code depth} on the path to {@code va}, read by hand through the half's own levels. */
    private long entry(long va, int depth) {
      List<Level> levels = split.levels(va);
      long table = va < 0 ? tables.space().upperRoot() : tables.space().root();
      for (int d = 0; d < depth; d++) {
        table = levels.get(d).readEntry(memory, table, levels.get(d).index(va)) & 0x0000_ffff_ffff_0000L;
      }
      return levels.get(depth).readEntry(memory, table, levels.get(depth).index(va));
    }

    @Test
    void eachHalfIsBuiltWithItsOwnLevels() {
      AddressSpace space = tables.space();
      assertThat(space.root()).isEqualTo(0x100_0000L);
      assertThat(space.upperRoot()).isEqualTo(0x101_0000L);
      tables.map(VirtualRange.page(LOWER_LAST_PAGE), 0x5000, USER_DATA);
      tables.map(VirtualRange.ofLength(UPPER_FIRST + 3 * K64, K64), 0x7_0000, KERNEL_DATA);
      // Lower: L1 entry 511 -> L2 at 0x1020000, its entry 511 -> L3 at 0x1030000, entry 511 the page.
      assertThat(split.root().readEntry(memory, 0x100_0000, 511)).isEqualTo(0x102_0000L | TABLE);
      assertThat(split.levels().get(1).readEntry(memory, 0x102_0000, 511)).isEqualTo(0x103_0000L | TABLE);
      assertThat(entry(LOWER_LAST_PAGE, 2)).isEqualTo(0x5000 | PAGE | AP_EL0 | AF | NG | PXN | UXN);
      // Upper: its L2 root's entry 0 -> an L3 table of 8,192 entries at 0x1040000, whose entry 3 is the page.
      Level upperRoot = split.levels(-1L).get(0);
      assertThat(upperRoot.readEntry(memory, 0x101_0000, 0)).isEqualTo(0x104_0000L | TABLE);
      assertThat(split.levels(-1L).get(1).readEntry(memory, 0x104_0000, 3))
          .isEqualTo(0x7_0000L | PAGE | AF | PXN | UXN);
      assertThat(memory.read(0x104_0000 + 8 * 3)).isEqualTo(0x7_0000L | PAGE | AF | PXN | UXN);
      assertThat(tables.translate(LOWER_LAST_PAGE + 0xabc).physicalAddress()).isEqualTo(0x5abcL);
      Translation t = tables.translate(UPPER_FIRST + 3 * K64 + 0xfedc);
      assertThat(t.physicalAddress()).isEqualTo(0x7_fedcL);
      assertThat(t.pageSize()).isEqualTo(K64);
      assertThat(t.level().name()).isEqualTo("L3");
      long[] pas = new long[3];
      Translator.of(space).physicalAddresses(new long[] {LOWER_LAST_PAGE + 1, UPPER_FIRST + 3 * K64 + 1,
          LOWER_LAST_PAGE + 2}, 0, pas, 0, 3, -1L, null);
      assertThat(pas).containsExactly(0x5001L, 0x7_0001L, 0x5002L);
      // A page is the half's granule: 4 KiB pages do not exist above.
      assertThatThrownBy(() -> tables.map(VirtualRange.page(UPPER_FIRST + 0x1000), 0x9000, KERNEL_DATA))
          .hasMessage("map [0xfffffc0000001000, 0xfffffc0000001fff] -> 0x0000000000009000: virtual address "
              + "0xfffffc0000001000 is not aligned to the page size 0x0000000000010000");
      assertThatThrownBy(() -> tables.unmap(VirtualRange.closed(LOWER_LAST_PAGE, UPPER_FIRST + 0xfff)))
          .hasMessage("unmap: range end 0xfffffc0000001000 (exclusive; last byte 0xfffffc0000000fff) is not 64 KiB "
              + "aligned");
    }

    @Test
    void aProcessSharesTheEightThousandEntryUpperRootForOneFrame() {
      tables.map(VirtualRange.ofLength(UPPER_FIRST, K64), 0x7_0000, KERNEL_DATA);
      long allocated = frames.allocatedCount();
      PageTables process = PageTables.createSharingKernelHalf(tables);
      // The 64 KiB granule's 42-bit half has a level 2 root of 8,192 entries; sharing takes one
      // 64 KiB frame, the process's TTBR0 root, where a table per root entry would take 512 MiB.
      assertThat(split.levels(-1L).get(0).entries()).isEqualTo(8192);
      assertThat(frames.allocatedCount()).isEqualTo(allocated + 1);
      assertThat(process.space().upperRoot()).isEqualTo(tables.space().upperRoot());
      process.map(VirtualRange.ofLength(UPPER_FIRST + 8191 * (512L << 20), K64), 0x9_0000, KERNEL_DATA);
      assertThat(tables.translate(UPPER_FIRST + 8191 * (512L << 20) + 0x1234).physicalAddress()).isEqualTo(0x9_1234L);
      assertThat(process.translate(UPPER_FIRST + 0x10).physicalAddress()).isEqualTo(0x7_0010L);
      Invariants.check(List.of(tables.space(), process.space())).assertClean();
    }

    @Test
    void oneCallAcrossTheGapEditsBothHalves() {
      tables.map(VirtualRange.page(LOWER_LAST_PAGE), 0x5000, USER_DATA);
      // A 512 MiB block at the upper root, L2's leaf size with a 64 KiB granule.
      tables.map(VirtualRange.ofLength(UPPER_FIRST, 512L << 20), 0x2000_0000, KERNEL_DATA);
      assertThat(entry(UPPER_FIRST, 0)).isEqualTo(0x2000_0000L | 0b01 | AF | PXN | UXN);
      AllocatorState before = frames.state();
      ProtectResult p = tables.protect(VirtualRange.closed(LOWER_LAST_PAGE, UPPER_FIRST + K64 - 1),
          Attributes.readOnly().withAccessed(true));
      // The block is smashed into 8,192 pages of 64 KiB: the first read-only, the rest as they were.
      assertThat(frames.state().framesNotIn(before)).containsExactly(0x104_0000L);
      assertThat(entry(UPPER_FIRST, 0)).isEqualTo(0x104_0000L | TABLE);
      assertThat(entry(UPPER_FIRST, 1)).isEqualTo(0x2000_0000L | PAGE | 0x80 | AF | NG | PXN | UXN);
      assertThat(entry(UPPER_FIRST + K64, 1)).isEqualTo(0x2001_0000L | PAGE | AF | PXN | UXN);
      assertThat(entry(UPPER_FIRST + 8191 * K64, 1)).isEqualTo(0x2000_0000L + 8191 * K64 | PAGE | AF | PXN | UXN);
      assertThat(entry(LOWER_LAST_PAGE, 2)).isEqualTo(0x5000 | PAGE | 0x80 | AF | NG | PXN | UXN);
      assertThat(p.previous()).hasSize(2);
      UnmapResult u = tables.unmap(VirtualRange.closed(LOWER_LAST_PAGE, UPPER_FIRST + 2 * K64 - 1));
      // The first 64 KiB page now differs from the next: two runs above, one below.
      assertThat(u.unmapped()).extracting(m -> m.range().toString()).containsExactly(
          "[0x0000007ffffff000, 0x0000007fffffffff]", "[0xfffffc0000000000, 0xfffffc000000ffff]",
          "[0xfffffc0000010000, 0xfffffc000001ffff]");
      assertThat(entry(LOWER_LAST_PAGE, 2)).isZero();
      assertThat(entry(UPPER_FIRST + K64, 1)).isZero();
      assertThat(entry(UPPER_FIRST + 2 * K64, 1)).isEqualTo(0x2002_0000L | PAGE | AF | PXN | UXN);
      // Reclaim: the lower half's emptied L2 and L3, and nothing above, where the upper L3 still maps pages.
      ReclaimResult r = tables.reclaim(VirtualRange.all(), ReclaimMode.COLLECT);
      assertThat(r.frames()).containsExactly(0x103_0000L, 0x102_0000L);
      assertThat(r.count(split.levels().get(2))).isEqualTo(1);
      assertThat(r.count(split.levels(-1L).get(1))).isZero();
      assertThat(r.countAtDepth(1)).isEqualTo(1);
      // Both halves' levels are called L2 and L3: the halves name them apart.
      assertThat(r.toString()).contains("freed (lower L2 1, lower L3 1), pending");
      r.pendingFrees().release();
      tables.unmap(VirtualRange.closed(UPPER_FIRST, UPPER_FIRST + (512L << 20) - 1));
      ReclaimResult upper = tables.reclaim(VirtualRange.all(), ReclaimMode.COLLECT);
      assertThat(upper.frames()).containsExactly(0x104_0000L);
      assertThat(upper.count(split.levels(-1L).get(1))).isEqualTo(1);
      assertThat(upper.count(split.levels().get(1))).isZero();
      assertThat(upper.toString()).startsWith("COLLECT reclaim of [0x0000000000000000, 0xffffffffffffffff]: 1 table "
          + "freed (upper L3 1), pending");
      upper.pendingFrees().release();
      assertThat(frames.allocatedFrames()).containsExactlyInAnyOrder(0x100_0000L, 0x101_0000L);
    }

    @Test
    void smashCollapseAndDestroyTakeEachHalfsPageSizes() {
      tables.map(VirtualRange.ofLength(UPPER_FIRST, 512L << 20), 0x2000_0000, KERNEL_DATA);
      tables.map(VirtualRange.ofLength(1L << 30, 1L << 30), 0x4000_0000, USER_DATA);
      tables.smash(UPPER_FIRST + 5 * K64, K64);
      assertThat(entry(UPPER_FIRST + 5 * K64, 1)).isEqualTo(0x2005_0000L | PAGE | AF | PXN | UXN);
      tables.smash((1L << 30) + 0x3000, 0x1000);
      assertThat(entry((1L << 30) + 0x3000, 2)).isEqualTo(0x4000_3000L | PAGE | AP_EL0 | AF | NG | PXN | UXN);
      CollapseResult c = tables.collapse(VirtualRange.all());
      assertThat(c.collapsed()).extracting(m -> m.range() + " " + m.level())
          .containsExactly("[0x0000000040000000, 0x00000000401fffff] L2", "[0x0000000040000000, 0x000000007fffffff] L1",
              "[0xfffffc0000000000, 0xfffffc001fffffff] L2");
      assertThat(entry(UPPER_FIRST, 0)).isEqualTo(0x2000_0000L | 0b01 | AF | PXN | UXN);
      DestroyResult d = tables.destroy();
      assertThat(d.pendingFrees().frames()).containsExactlyInAnyOrder(0x100_0000L, 0x101_0000L);
    }

    @Test
    void aWalkVisitsEachRootThroughItsHalfsLevels() throws java.io.IOException {
      tables.map(VirtualRange.page(0x1000), 0x5000, USER_DATA);
      tables.map(VirtualRange.ofLength(UPPER_FIRST + K64, K64), 0x9_0000, KERNEL_DATA);
      List<String> visited = new ArrayList<>();
      WalkOutcome outcome = Walker.walk(tables.space(), VirtualRange.all(), new PageTableVisitor() {
        @Override
        public Control beforeTable(TableCursor t) {
          visited.add(t.level() + "@" + Long.toHexString(t.frame()) + " x" + t.level().entries());
          return Control.CONTINUE;
        }
      });
      assertThat(outcome).isEqualTo(WalkOutcome.COMPLETED);
      assertThat(visited).containsExactly("L1@1000000 x512", "L2@1020000 x512", "L3@1030000 x512",
          "L2@1010000 x8192", "L3@1040000 x8192");
      StringBuilder ptdump = new StringBuilder();
      tables.dump(VirtualRange.all(), DumpRenderer.ptdump(ptdump, false));
      // Named as a kernel with that many levels names them: 3 below (PGD, PMD, PTE), 2 above (PGD, PTE).
      assertThat(ptdump.toString()).isEqualTo(
          "0x0000000000001000-0x0000000000002000           4K PTE" + "  " + " USR" + " RW" + " NX" + "    " + " AF"
              + " NG" + "    " + "    " + " UXN" + "   " + " MEM/NORMAL\n"
          + "0xfffffc0000010000-0xfffffc0000020000          64K PTE" + "  " + "    " + " RW" + " NX" + "    " + " AF"
              + "   " + "    " + "    " + " UXN" + "   " + " MEM/NORMAL\n");
      StringBuilder json = new StringBuilder();
      tables.dump(VirtualRange.all(), DumpRenderer.json(json));
      assertThat(json.toString()).contains("\"upperLevels\"", "\"shift\": 29", "\"entries\": 8192");
      assertThat(tables.audit().findings()).isEmpty();
    }

    @Test
    void framesSmallerThanTheLargestTableAreRefused() {
      assertThatThrownBy(() -> PageTables.create(split, memory, TrackingFrameAllocator.over(0x200_0000, 16)))
          .hasMessageStartingWith("aarch64-4k/64k tables take 64 KiB, more than the 4 KiB frames of ");
    }
  }
}
