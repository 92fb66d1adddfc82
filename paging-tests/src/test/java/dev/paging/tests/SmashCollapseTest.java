package dev.paging.tests;

import static dev.paging.tests.Space.GIB;
import static dev.paging.tests.Space.KIB4;
import static dev.paging.tests.Space.MIB2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Attributes;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.core.X86Options;
import dev.paging.fakes.AllocatorState;
import dev.paging.ops.CollapseResult;
import dev.paging.ops.InvalidationPlan;
import dev.paging.ops.MapOptions;
import dev.paging.ops.SmashResult;
import dev.paging.ops.Translation;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class SmashCollapseTest {
  private static final Attributes RW = Attributes.readWrite();
  /** Write-back through PAT entry 5 (PAT and PWT set), global, user, not executable. */
  private static final Attributes ODD = Attributes.readWrite().withUser(true).withGlobal(true).withMemoryType(5)
      .withSoftwareBits(0x5).withAccessed(true).withDirty(true);

  @Test
  void smashingAGigabytePageGivesTwoMegabytePagesWithTheSameTranslationAndAttributes() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(GIB, GIB), 0x1_0000_0000L, ODD);
    Translation before = s.translate(GIB + 0x1234_5678L);
    SmashResult r = s.allOrNothing(1, () -> s.tables.smash(GIB + 0x1234_5678L, MIB2));
    assertThat(r.tablesAllocated()).isEqualTo(1);
    for (long offset = 0; offset < GIB; offset += MIB2) {
      Translation t = s.translate(GIB + offset + 0x1_2345);
      assertThat(t.pageSize()).isEqualTo(MIB2);
      assertThat(t.physicalAddress()).isEqualTo(0x1_0000_0000L + offset + 0x1_2345);
      assertThat(t.leafAttributes()).isEqualTo(ODD);
      assertThat(t.effectiveAttributes()).isEqualTo(before.effectiveAttributes());
    }
    // 1 GiB to 2 MiB keeps the large-page format: PS at bit 7, PAT at bit 12.
    long child = s.entry(GIB + 3 * MIB2, 2);
    assertThat(child & (1L << 7)).isNotZero();
    assertThat(child & (1L << 12)).isNotZero();
    assertThat(child & 0x000f_ffff_ffe0_0000L).isEqualTo(0x1_0060_0000L);
  }

  @Test
  void smashingATwoMegabytePageMovesPatFromBit12ToBit7AndClearsPs() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(MIB2, MIB2), 0x4000_0000L, ODD);
    long huge = s.entry(MIB2, 2);
    assertThat(huge & ((1L << 12) | (1L << 7))).isEqualTo((1L << 12) | (1L << 7));
    s.tables.smash(MIB2, KIB4);
    for (int i = 0; i < 512; i++) {
      long leaf = s.entry(MIB2 + i * KIB4, 3);
      // Bit 7 is now PAT, bit 12 an address bit; everything else is the huge leaf's.
      assertThat(leaf).isEqualTo((huge & ~((1L << 12) | 0x000f_ffff_ffff_f000L)) | (0x4000_0000L + i * KIB4));
      assertThat(s.translate(MIB2 + i * KIB4).leafAttributes()).isEqualTo(ODD);
    }
  }

  @Test
  void smashingAGigabytePageDownToFourKilobytesAtOneAddressAllocatesExactlyTwoTablesAndInvalidatesOneEntry() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(GIB, GIB), 0x1_0000_0000L, ODD);
    AllocatorState before = s.allocator.state();
    long address = GIB + 0x1234_5678L;
    SmashResult r = s.tables.smash(address, KIB4);
    assertThat(s.allocator.state().framesNotIn(before)).hasSize(2);
    assertThat(r.tablesAllocated()).isEqualTo(2);
    assertThat(r.plan().ranges()).containsExactly(VirtualRange.ofLength(GIB, GIB));
    assertThat(r.plan().invalidations()).containsExactly(VirtualRange.ofLength(GIB, GIB));
    assertThat(r.plan().entries()).isEqualTo(1);
    assertThat(r.plan().global()).isTrue();
    assertThat(r.plan().pagingStructures()).isFalse();
    Space.assertMapping(r.smashed().orElseThrow(), GIB, 2 * GIB - 1, 0x1_0000_0000L, GIB, ODD);
    assertThat(s.translate(address).pageSize()).isEqualTo(KIB4);
    assertThat(s.translate(address + 0x1000).pageSize()).isEqualTo(KIB4);
    assertThat(s.translate(address + MIB2).pageSize()).isEqualTo(MIB2);
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 2000; i++) {
      long va = GIB + random.nextLong(GIB);
      Translation t = s.translate(va);
      assertThat(t.physicalAddress()).isEqualTo(va - GIB + 0x1_0000_0000L);
      assertThat(t.leafAttributes()).isEqualTo(ODD);
    }
  }

  @Test
  void smashingWhatIsAlreadySmallEnoughDoesNothingAndUnmappedAddressesAreRefused() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(MIB2, MIB2), 0x4000_0000L, ODD);
    SmashResult r = s.tables.smash(MIB2, MIB2);
    assertThat(r.plan()).isEqualTo(InvalidationPlan.none());
    assertThat(r.smashed()).isEmpty();
    Throwable e = s.unchangedBy(() -> s.tables.smash(0x1000, KIB4));
    assertThat(e).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("smash 0x0000000000001000: nothing is mapped there (the PD entry is empty)");
    Throwable size = s.unchangedBy(() -> s.tables.smash(MIB2, 0x10000));
    assertThat(size).hasMessageContaining("page size 0x0000000000010000 is not one x86-64 supports");
  }

  @Test
  void smashesOnRiscV() {
    Space s = Space.of(Formats.sv48());
    Attributes a = Attributes.readExecute().withUser(true).withMemoryType(1);
    s.tables.map(VirtualRange.ofLength(512 * GIB, 512 * GIB), 0x8000_0000_0000L, a);
    assertThat(s.translate(512 * GIB).pageSize()).isEqualTo(512 * GIB);
    SmashResult r = s.tables.smash(512 * GIB + 3 * GIB + 5 * MIB2 + 0x7000, KIB4);
    assertThat(r.tablesAllocated()).isEqualTo(3);
    Translation t = s.translate(512 * GIB + 3 * GIB + 5 * MIB2 + 0x7123);
    assertThat(t.pageSize()).isEqualTo(KIB4);
    assertThat(t.physicalAddress()).isEqualTo(0x8000_0000_0000L + 3 * GIB + 5 * MIB2 + 0x7123);
    assertThat(t.leafAttributes()).isEqualTo(a);
    assertThat(s.translate(512 * GIB + 7 * GIB).pageSize()).isEqualTo(GIB);
  }

  @Test
  void collapsesFiveHundredTwelveContiguousPagesIntoOneAndFreesTheTableOnlyOnRelease() {
    Space s = Space.of(Formats.x86_64());
    Attributes rw = Attributes.readWrite();
    s.tables.map(VirtualRange.ofLength(MIB2, MIB2), 0x4000_0000L, rw, MapOptions.defaults().withPageSize(KIB4));
    long pt = s.tableAt(MIB2, 3);
    CollapseResult r = s.tables.collapse(VirtualRange.ofLength(0, GIB));
    assertThat(s.translate(MIB2 + 0x5123).pageSize()).isEqualTo(MIB2);
    assertThat(s.translate(MIB2 + 0x5123).physicalAddress()).isEqualTo(0x4000_5123L);
    assertThat(s.translate(MIB2).leafAttributes()).isEqualTo(rw);
    assertThat(r.collapsed()).hasSize(1);
    Space.assertMapping(r.collapsed().get(0), MIB2, 2 * MIB2 - 1, 0x4000_0000L, MIB2, rw);
    assertThat(r.plan().entries()).isEqualTo(513);
    assertThat(r.plan().flushAllSuggested(InvalidationPlan.LINUX_X86_FLUSH_CEILING)).isTrue();
    // Every entry is still listed: the unlinked page table's span first, then its 512 pages.
    assertThat(r.plan().invalidations()).hasSize(513).startsWith(VirtualRange.ofLength(MIB2, MIB2),
        VirtualRange.page(MIB2), VirtualRange.page(MIB2 + 0x1000)).endsWith(VirtualRange.page(2 * MIB2 - 0x1000));
    assertThat(r.plan().pagingStructures()).isTrue();
    assertThat(r.pendingFrees().frames()).containsExactly(pt);
    assertThat(s.allocator.isAllocated(pt)).isTrue();
    r.pendingFrees().release();
    assertThat(s.allocator.isAllocated(pt)).isFalse();
  }

  @Test
  void collapsesBottomUpToAGigabytePageWhereTheFormatAllowsIt() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(GIB, GIB), 0x1_0000_0000L, ODD, MapOptions.defaults().withPageSize(KIB4));
    AllocatorState before = s.allocator.state();
    CollapseResult r = s.tables.collapse(VirtualRange.ofLength(GIB, GIB));
    assertThat(s.translate(GIB + 0x1234_5678L).pageSize()).isEqualTo(GIB);
    assertThat(s.translate(GIB + 0x1234_5678L).physicalAddress()).isEqualTo(0x1_1234_5678L);
    assertThat(s.translate(GIB).leafAttributes()).isEqualTo(ODD);
    assertThat(r.pendingFrees().count()).isEqualTo(513);
    r.pendingFrees().release();
    assertThat(before.framesNotIn(s.allocator.state())).hasSize(513);

    Space no1g = Space.of(Formats.x86_64(X86Options.defaults().withGigabytePages(false)));
    no1g.tables.map(VirtualRange.ofLength(GIB, GIB), 0x1_0000_0000L, ODD, MapOptions.defaults().withPageSize(KIB4));
    assertThat(no1g.tables.collapse(VirtualRange.ofLength(GIB, GIB)).pendingFrees().count()).isEqualTo(512);
    assertThat(no1g.translate(GIB).pageSize()).isEqualTo(MIB2);
  }

  @Test
  void collapsesNothingUnlessAllEntriesMapOneAlignedContiguousBlockWithIdenticalAttributes() {
    Attributes rw = Attributes.readWrite();
    // One page with other attributes.
    Space a = Space.of(Formats.x86_64());
    a.tables.map(VirtualRange.ofLength(MIB2, MIB2), 0x4000_0000L, rw, MapOptions.defaults().withPageSize(KIB4));
    a.tables.protect(VirtualRange.page(MIB2 + 0x5000), Attributes.readOnly());
    assertNothingCollapses(a);
    // Physically contiguous but not 2 MiB aligned.
    Space b = Space.of(Formats.x86_64());
    b.tables.map(VirtualRange.ofLength(MIB2, MIB2), 0x4000_1000L, rw);
    assertNothingCollapses(b);
    // Not contiguous: one page points elsewhere.
    Space c = Space.of(Formats.x86_64());
    c.tables.map(VirtualRange.ofLength(MIB2, MIB2), 0x4000_0000L, rw, MapOptions.defaults().withPageSize(KIB4));
    c.tables.map(VirtualRange.page(MIB2 + 0x7000), 0x9000_0000L, rw, MapOptions.replacing());
    assertNothingCollapses(c);
    // One page missing.
    Space d = Space.of(Formats.x86_64());
    d.tables.map(VirtualRange.ofLength(MIB2, MIB2), 0x4000_0000L, rw, MapOptions.defaults().withPageSize(KIB4));
    d.tables.unmap(VirtualRange.page(2 * MIB2 - KIB4));
    assertNothingCollapses(d);
    // Accessed set on one page only: attributes must be identical.
    Space e = Space.of(Formats.x86_64());
    e.tables.map(VirtualRange.ofLength(MIB2, MIB2), 0x4000_0000L, rw, MapOptions.defaults().withPageSize(KIB4));
    long address = e.entryAddress(MIB2, 3);
    e.memory.write(address, e.memory.read(address) | 0x20);
    assertNothingCollapses(e);
  }

  @Test
  void aCollapsedPageKeepsTheRightsInForceWhenItsTableEntryGrantedLess() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(MIB2, MIB2), 0x4000_0000L, Attributes.readWrite(),
        MapOptions.defaults().withPageSize(KIB4));
    long pd = s.entryAddress(MIB2, 2);
    s.memory.write(pd, s.memory.read(pd) & ~0x2L);
    assertThat(s.translate(MIB2).effectiveAttributes().writable()).isFalse();
    s.tables.collapse(VirtualRange.ofLength(MIB2, MIB2));
    assertThat(s.translate(MIB2).pageSize()).isEqualTo(MIB2);
    assertThat(s.translate(MIB2).effectiveAttributes().writable()).isFalse();
  }

  /**
   * "If 512 continuous 4K pages also map to continuous physical pages, and have same attributes,
   * then they can be replaced with a single 2M entry." Possible, on request only.
   */
  @Test
  @Tag("forum")
  @DisplayName("forum: 512 contiguous 4 KiB pages become one 2 MiB page, on request only")
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
  @Tag("forum")
  @DisplayName("forum: a smash invalidates one entry, a collapse all 512 of them")
  void forumCaveat_smashInvalidatesOneEntryWhereasCollapseInvalidatesAllFiveHundredTwelve() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(MIB2, MIB2), 0x4000_0000L, RW);
    SmashResult smash = s.tables.smash(MIB2, KIB4);
    assertThat(smash.plan().entries()).isEqualTo(1);
    assertThat(smash.plan().flushAllSuggested(InvalidationPlan.LINUX_X86_FLUSH_CEILING)).isFalse();
    CollapseResult collapse = s.tables.collapse(VirtualRange.ofLength(MIB2, MIB2));
    assertThat(collapse.plan().entries()).isEqualTo(512 + 1);
    assertThat(collapse.plan().flushAllSuggested(InvalidationPlan.LINUX_X86_FLUSH_CEILING)).isTrue();
  }

  /** "This way you need to at worst smash a page twice (when going from 1G to 4K page) and allocate 2 pages." */
  @Test
  @Tag("forum")
  @DisplayName("forum: smashing 1 GiB down to 4 KiB allocates two tables")
  void forumCaveat_smashingFromGigabyteToFourKilobytesAllocatesTwoTables() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(GIB, GIB), GIB, RW);
    AllocatorState before = s.allocator.state();
    s.tables.smash(GIB + 0x2345_6000L, KIB4);
    assertThat(s.allocator.state().framesNotIn(before)).hasSize(2);
  }

  private static void assertNothingCollapses(Space s) {
    CollapseResult r = s.tables.collapse(VirtualRange.ofLength(0, GIB));
    assertThat(r.collapsed()).isEmpty();
    assertThat(r.plan().isEmpty()).isTrue();
    assertThat(s.translate(MIB2 + 0x1000).pageSize()).isEqualTo(KIB4);
  }
}
