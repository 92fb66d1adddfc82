package dev.paging.tests;

import static dev.paging.tests.Space.GIB;
import static dev.paging.tests.Space.KIB4;
import static dev.paging.tests.Space.MIB2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Attributes;
import dev.paging.api.MalformedTableException;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.fakes.AllocatorState;
import dev.paging.ops.MapOptions;
import dev.paging.ops.ProtectResult;
import dev.paging.ops.Translation;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class ProtectTest {
  private static final Attributes RW = Attributes.readWrite();
  private static final Attributes RO = Attributes.readOnly();
  private static final Attributes KERNEL = Attributes.readWrite().withGlobal(true);

  @Test
  void keepsHugePagesWhollyInsideAndSmashesOnlyAtTheEdges() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(GIB, GIB), 0x1_0000_0000L, RW, MapOptions.defaults().withMaxPageSize(MIB2));
    ProtectResult r = s.allOrNothing(2,
        () -> s.tables.protect(VirtualRange.halfOpen(GIB + MIB2 + 0x1000, GIB + 3 * MIB2 + 0x2000), RO));
    assertThat(r.tablesAllocated()).isEqualTo(2);
    expect(s, GIB + MIB2, KIB4, RW);
    expect(s, GIB + MIB2 + 0x1000, KIB4, RO);
    expect(s, GIB + 2 * MIB2, MIB2, RO);
    expect(s, GIB + 3 * MIB2 + 0x1000, KIB4, RO);
    expect(s, GIB + 3 * MIB2 + 0x2000, KIB4, RW);
    expect(s, GIB + 4 * MIB2, MIB2, RW);
    expect(s, GIB, MIB2, RW);
    // Two smashed huge entries and one rewritten: three invalidations.
    assertThat(r.plan().entries()).isEqualTo(3);
    assertThat(r.plan().ranges()).containsExactly(VirtualRange.ofLength(GIB + MIB2, 3 * MIB2));
    assertThat(r.previous()).hasSize(3);
    Space.assertMapping(r.previous().get(1), GIB + 2 * MIB2, GIB + 3 * MIB2 - 1, 0x1_0040_0000L, MIB2, RW);
  }

  @Test
  void aWhollyCoveredGigabytePageStaysWhole() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(GIB, GIB), 0x1_0000_0000L, RW);
    ProtectResult r = s.tables.protect(VirtualRange.ofLength(GIB, GIB), RO.withGlobal(true));
    assertThat(r.tablesAllocated()).isZero();
    expect(s, GIB + 0x1234_5678L, GIB, RO.withGlobal(true));
    assertThat(r.plan().entries()).isEqualTo(1);
  }

  @Test
  void eachLeafKeepsItsAccessedAndDirtyBits() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(0x1000, 0x2000), 0x5000, RW);
    long address = s.entryAddress(0x1000, 3);
    s.memory.write(address, s.memory.read(address) | 0x60);
    s.tables.protect(VirtualRange.ofLength(0x1000, 0x2000), RO.withExecutable(true));
    assertThat(s.memory.read(address)).isEqualTo(0x5000L | 0x61);
    assertThat(s.memory.read(s.entryAddress(0x2000, 3))).isEqualTo(0x6000L | 0x1);
  }

  @Test
  void widensTheTablesAboveWhenTheNewAttributesNeedMore() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(0x1000, 0x1000), 0x5000, RO);
    s.tables.map(VirtualRange.ofLength(GIB, 0x1000), 0x6000, RO);
    ProtectResult r = s.tables.protect(VirtualRange.ofLength(0x1000, 0x1000), RW.withUser(true));
    assertThat(s.translate(0x1000).effectiveAttributes()).isEqualTo(RW.withUser(true));
    for (int d = 0; d < 3; d++) {
      assertThat(s.entry(0x1000, d) & 0x7).isEqualTo(0x7);
    }
    // The other PDPT entry stays as it was: only the path to a changed leaf is widened.
    assertThat(s.entry(GIB, 1) & 0x7).isEqualTo(0x1);
    // The leaf changed; the widened table entries need no invalidation.
    assertThat(r.plan().invalidations()).containsExactly(VirtualRange.page(0x1000));
    assertThat(r.plan().pagingStructures()).isFalse();
  }

  @Test
  void unchangedLeavesAreNotRewrittenAndNeedNoInvalidation() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(MIB2, MIB2), 0x4000_0000L, RO);
    s.memory.resetCounters();
    ProtectResult r = s.tables.protect(VirtualRange.ofLength(MIB2 + 0x1000, 0x1000), RO);
    assertThat(r.plan().isEmpty()).isTrue();
    assertThat(r.tablesAllocated()).isZero();
    assertThat(s.memory.writes()).isZero();
  }

  @Test
  void aMalformedEntryInTheRangeStopsTheProtectBeforeAnyChange() {
    Space s = Space.of(Formats.sv39());
    s.tables.map(VirtualRange.ofLength(0x1000, 0x3000), 0x8000_0000L, RW);
    // W without R is a reserved RISC-V encoding.
    s.memory.write(s.entryAddress(0x3000, 2), (0x9000_0000L >>> 2) | 0x5);
    Throwable e = s.unchangedBy(() -> s.tables.protect(VirtualRange.ofLength(0x1000, 0x3000), RO));
    assertThat(e).isInstanceOf(MalformedTableException.class).hasMessageContaining("RESERVED_ENCODING")
        .hasMessageContaining("0x0000000000003000");
  }

  @Test
  void attributesALevelCannotCarryAreRefusedBeforeAnyChange() {
    Space s = Space.of(Formats.sv39());
    s.tables.map(VirtualRange.ofLength(MIB2, MIB2), 0x8000_0000L, RW);
    // Memory type 3 is reserved PBMT.
    Throwable e = s.unchangedBy(() -> s.tables.protect(VirtualRange.ofLength(MIB2, MIB2), RW.withMemoryType(3)));
    assertThat(e).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("L1 leaf cannot carry");
  }

  /**
   * "When modifying attributes of a region ... if you only want to change a part of the region,
   * and the page table entry is for a huge page, you smash the PTE."
   */
  @Test
  @Tag("forum")
  @DisplayName("forum: protecting part of a huge page smashes only that page")
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

  /** "I'd just mark kernel page entries as global, so reloading cr3 won't flush kernel mappings." */
  @Test
  @Tag("forum")
  @DisplayName("forum: a plan says whether global kernel entries went stale")
  void forumCaveat_globalKernelMappingsAreFlaggedInTheInvalidationPlan() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(0xffff_c000_0000_0000L, 0x2000), 0x30_0000, KERNEL);
    s.tables.map(VirtualRange.ofLength(0x40_0000, 0x2000), 0x40_0000, RW.withUser(true));
    assertThat(s.tables.protect(VirtualRange.ofLength(0xffff_c000_0000_0000L, 0x2000), Attributes.readOnly())
        .plan().global()).isTrue();
    assertThat(s.tables.unmap(VirtualRange.ofLength(0x40_0000, 0x2000)).plan().global()).isFalse();
  }

  private static void expect(Space s, long va, long size, Attributes attributes) {
    Translation t = s.translate(va);
    assertThat(t.pageSize()).as("page size at " + Long.toHexString(va)).isEqualTo(size);
    assertThat(t.effectiveAttributes()).as("attributes at " + Long.toHexString(va)).isEqualTo(attributes);
    assertThat(t.physicalAddress()).as("physical address of " + Long.toHexString(va)).isEqualTo(va - GIB + 0x1_0000_0000L);
  }
}
