package dev.paging.tests;

import static dev.paging.tests.Space.KIB4;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Attributes;
import dev.paging.api.Level;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.core.Formats;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.fakes.TrackingFrameAllocator;
import dev.paging.dump.DumpRenderer;
import dev.paging.ops.MapOptions;
import dev.paging.ops.MapResult;
import dev.paging.ops.PageTables;
import dev.paging.ops.ReclaimMode;
import dev.paging.ops.ReclaimResult;
import dev.paging.ops.Translation;
import dev.paging.ops.UnmapResult;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Operations on 32-bit and PAE paging, checked on the bytes of the tables: 4-byte entries and
 * their neighbours, the PAE root's four entries, the physical widths of each level, and costs in
 * entries read. The expected entries are composed from the SDM's bit positions (P 1, R/W 2, U/S 4,
 * PS 0x80, XD bit 63).
 */
class ThirtyTwoBitX86PagingTest {
  private static final long MIB4 = 4L << 20;
  private static final Attributes RWX_USER = Attributes.readWrite().withExecutable(true).withUser(true);

  /** The README's example: an xv6-x86-like space, its kernel in 4 MiB pages at 2 GiB. */
  @Test
  void readmeExample() throws java.io.IOException {
    // readme:xv6-x86
    SimulatedMemory memory = SimulatedMemory.ofSize(64L << 20);
    TrackingFrameAllocator frames = TrackingFrameAllocator.over(0x10_0000, 256);
    PageTables tables = PageTables.create(Formats.x86_32(), memory, frames);   // CR4.PSE set
    Attributes kernel = Attributes.readWrite().withExecutable(true);           // no NX without PAE
    tables.map(VirtualRange.ofLength(0x8000_0000L, 8L << 20), 0, kernel);    // two 4 MiB pages
    tables.map(VirtualRange.page(0x1000), 0x40_0000, kernel.withUser(true));  // one user page
    StringBuilder tlb = new StringBuilder();
    tables.dump(VirtualRange.all(), DumpRenderer.qemuInfoTlb(tlb));
    // readme:end
    assertThat(tlb.toString()).isEqualTo("""
        0000000000001000: 0000000000400000 -------UW
        0000000080000000: 0000000000000000 --P-----W
        0000000080400000: 0000000000400000 --P-----W
        """);
    assertThat(memory.read(tables.space().root() + 0x800)).isEqualTo(0x0040_0083L << 32 | 0x83);
  }

  @Nested
  class ThirtyTwoBit {
    @Test
    void aPageIsTwoFourByteEntriesAndTheirNeighboursStayAsTheyWere() {
      Space s = Space.of(Formats.x86_32());
      long root = s.space().root();
      // Bits in the neighbouring entries of the words the map writes: PD[769] and PT[0].
      s.memory.write(root + 0xc00, 0xdead_0000_0000_0000L);
      MapResult r = s.allOrNothing(1, () -> s.tables.map(VirtualRange.page(0xc000_1000L), 0x5000, RWX_USER));
      assertThat(r.tablesAllocated()).isEqualTo(1);
      long pt = s.tableAt(0xc000_1000L, 1);
      // PD[768] is the low half of the word at root + 0xc00; PT[1] the high half of the word at pt.
      assertThat(s.memory.read(root + 0xc00)).isEqualTo(0xdead_0000_0000_0000L | pt | 0x7);
      assertThat(s.memory.read(pt)).isEqualTo(0x5007L << 32);
      Translation t = s.translate(0xc000_1234L);
      assertThat(t.physicalAddress()).isEqualTo(0x5234L);
      assertThat(t.level().name()).isEqualTo("PT");
      assertThat(t.entry()).isEqualTo(0x5007L);
    }

    @Test
    void fourMebibytePagesTakeNoTableAndPse36ReachesAboveFourGibibytes() {
      Space s = Space.of(Formats.x86_32());
      MapResult r = s.tables.map(VirtualRange.ofLength(MIB4, 2 * MIB4), 0x80_0000, RWX_USER);
      assertThat(r.tablesAllocated()).isZero();
      assertThat(s.entry(MIB4, 0)).isEqualTo(0x80_0000L | 0x87);
      assertThat(s.entry(2 * MIB4, 0)).isEqualTo(0xc0_0000L | 0x87);
      s.tables.map(VirtualRange.ofLength(0x4000_0000L, MIB4), 0xab_0040_0000L, RWX_USER,
          MapOptions.defaults().withPageSize(MIB4));
      // Physical bits 39:32 (0xab) in entry bits 20:13.
      assertThat(s.entry(0x4000_0000L, 0)).isEqualTo(0x0040_0000L | 0xabL << 13 | 0x87);
      assertThat(s.translate(0x4012_3456L).physicalAddress()).isEqualTo(0xab_0052_3456L);
    }

    @Test
    void aRangeAboveFourGibibytesIsRefusedWhereFourKibibytePagesMayBeNeededAndNothingChanges() {
      Space s = Space.of(Formats.x86_32());
      Throwable e = s.unchangedBy(() -> s.tables.map(VirtualRange.ofLength(0x4000_0000L, MIB4), 0x1_0000_0000L, RWX_USER));
      assertThat(e).hasMessage("map [0x0000000040000000, 0x00000000403fffff] -> 0x0000000100000000: physical address"
          + " 0x0000000100000000 is beyond the 32-bit physical address width of x86-32's PT entries"
          + " (MapOptions.pageSize chooses larger pages)");
      assertThat(s.unchangedBy(() -> s.tables.mapPage(0x1000, 0x1_0000_0000L, RWX_USER)))
          .hasMessageContaining("beyond the 32-bit physical address width of x86-32's PT entries");
    }

    @Test
    void withoutPseEveryPageIsFourKibibytes() {
      Space s = Space.of(Formats.x86_32(false));
      MapResult r = s.tables.map(VirtualRange.ofLength(MIB4, MIB4), 0x80_0000, RWX_USER);
      assertThat(r.tablesAllocated()).isEqualTo(1);
      assertThat(s.translate(MIB4 + 0x3f_fff0L).pageSize()).isEqualTo(KIB4);
    }

    @Test
    void nonExecutablePagesCannotBeAskedFor() {
      Space s = Space.of(Formats.x86_32());
      assertThat(s.unchangedBy(() -> s.tables.map(VirtualRange.page(0x1000), 0x5000, Attributes.readWrite())))
          .hasMessageContaining("execute-disable needs PAE or long mode; 32-bit paging has none");
    }

    @Test
    void unmapAndReclaimGiveThePageTableBackAndClearItsPde() {
      Space s = Space.of(Formats.x86_32());
      long root = s.space().root();
      s.tables.map(VirtualRange.ofLength(0x1000, 3 * KIB4), 0x5000, RWX_USER);
      long pt = s.tableAt(0x1000, 1);
      UnmapResult u = s.tables.unmap(VirtualRange.ofLength(0x1000, 3 * KIB4));
      assertThat(u.unmapped()).hasSize(1);
      ReclaimResult r = s.tables.reclaim(VirtualRange.all(), ReclaimMode.STRICT);
      assertThat(r.frames()).containsExactly(pt);
      r.pendingFrees().release();
      assertThat(s.memory.read(root)).isZero();
      assertThat(s.allocator.isAllocated(pt)).isFalse();
    }

    @Test
    void translatingReadsTheTwoEntriesOnThePath() {
      Space s = Space.of(Formats.x86_32());
      s.tables.map(VirtualRange.page(0x1000), 0x5000, RWX_USER);
      s.memory.resetCounters();
      assertThat(s.tables.physicalAddressOrElse(0x1abc, -1)).isEqualTo(0x5abcL);
      assertThat(s.memory.reads()).isEqualTo(2);
    }

    @Test
    void theTopPageAndTheLastPdeWork() {
      Space s = Space.of(Formats.x86_32());
      s.tables.map(VirtualRange.closed(0xffff_f000L, 0xffff_ffffL), 0x7000, RWX_USER);
      assertThat(s.translate(0xffff_ffffL).physicalAddress()).isEqualTo(0x7fffL);
      assertThat(s.entry(0xffff_f000L, 1)).isEqualTo(0x7007L);
      assertThatThrownBy(() -> s.translate(0x1_0000_0000L))
          .hasMessage("address 0x0000000100000000 is not canonical for x86-32");
    }
  }

  @Nested
  class Pae {
    @Test
    void thePdptHasFourEightByteEntriesThatHoldOnlyPresentAndTheAddress() {
      Space s = Space.of(Formats.x86Pae());
      long root = s.space().root();
      Attributes userData = Attributes.readWrite().withUser(true);
      s.allOrNothing(2, () -> s.tables.map(VirtualRange.page(0xc000_5000L), 0x9000, userData));
      long pd = s.tableAt(0xc000_5000L, 1);
      long pt = s.tableAt(0xc000_5000L, 2);
      // PDPT[3] at root + 24: P only. PD[0]: P, R/W, U/S. PT[5]: P, R/W, U/S and XD.
      assertThat(s.memory.read(root + 24)).isEqualTo(pd | 0x1);
      assertThat(s.memory.read(pd)).isEqualTo(pt | 0x7);
      assertThat(s.memory.read(pt + 5 * 8)).isEqualTo(0x8000_0000_0000_9007L);
      assertThat(s.translate(0xc000_5fffL).effectiveAttributes()).isEqualTo(userData);
    }

    @Test
    void twoMebibytePagesInThePd() {
      Space s = Space.of(Formats.x86Pae());
      s.tables.map(VirtualRange.ofLength(0x20_0000L, 0x40_0000L), 0x4000_0000L, RWX_USER);
      assertThat(s.entry(0x20_0000L, 1)).isEqualTo(0x4000_0000L | 0x87);
      assertThat(s.entry(0x40_0000L, 1)).isEqualTo(0x4020_0000L | 0x87);
      assertThat(s.translate(0x5f_ffffL).pageSize()).isEqualTo(2L << 20);
    }

    @Test
    void aRootNeedsOnly32ByteAlignment() {
      SimulatedMemory memory = SimulatedMemory.ofSize(1 << 20);
      TrackingFrameAllocator frames = TrackingFrameAllocator.over(0x1_0000, 16);
      AddressSpace space = AddressSpace.of(Formats.x86Pae(), memory, frames, 0x1fe0);
      assertThat(space.root()).isEqualTo(0x1fe0);
      assertThatThrownBy(() -> AddressSpace.of(Formats.x86Pae(), memory, frames, 0x1ff0))
          .hasMessage("root table 0x0000000000001ff0 is not 32-byte aligned");
      assertThatThrownBy(() -> AddressSpace.of(Formats.x86_32(), memory, frames, 0x1fe0))
          .hasMessage("root table 0x0000000000001fe0 is not 4 KiB aligned");
      // The PDPT at 0x1fe0 holds 0xc000_0000 in its last word, 0x1ff8.
      dev.paging.ops.PageTables tables = dev.paging.ops.PageTables.of(space);
      tables.map(VirtualRange.page(0xc000_0000L), 0x5000, RWX_USER);
      Level pdpt = Formats.x86Pae().root();
      assertThat(memory.read(0x1ff8) & 0xfff).isEqualTo(0x1);
      assertThat(pdpt.readEntry(memory, 0x1fe0, 3)).isEqualTo(memory.read(0x1ff8));
      assertThat(memory.read(0x2000)).as("the word after the PDPT").isZero();
    }

    @Test
    void translatingReadsTheThreeEntriesOnThePath() {
      Space s = Space.of(Formats.x86Pae());
      s.tables.map(VirtualRange.page(0x8000_0000L), 0x5000, RWX_USER);
      s.memory.resetCounters();
      assertThat(s.tables.physicalAddressOrElse(0x8000_0abcL, -1)).isEqualTo(0x5abcL);
      assertThat(s.memory.reads()).isEqualTo(3);
    }
  }
}
