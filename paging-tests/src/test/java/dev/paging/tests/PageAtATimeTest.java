package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Attributes;
import dev.paging.api.MappingConflictException;
import dev.paging.api.OutOfFramesException;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.fakes.MemorySnapshot;
import dev.paging.ops.MapOptions;
import dev.paging.ops.MapResult;
import dev.paging.ops.MutationResult;
import dev.paging.ops.ProtectResult;
import dev.paging.ops.UnmapResult;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The one-page calls ({@code mapPage}, {@code unmapPage}, {@code protectPage}) are the range
 * calls over one page, only faster: on twin spaces built alike, every call gives the same result
 * (plan, invalidations, mappings, frames) or the same error, and leaves the same memory and
 * allocator, whether it took its one-walk path or fell back to the general one.
 */
class PageAtATimeTest {
  private static final List<PagingFormat> FORMATS =
      List.of(Formats.x86_64(), Formats.x86_64FiveLevel(), Formats.sv39(), Formats.sv48());
  private static final List<Attributes> ATTRIBUTES = List.of(Attributes.readOnly(), Attributes.readWrite(),
      Attributes.readWrite().withUser(true), Attributes.readExecute(), Attributes.readWrite().withGlobal(true));
  /** 8 MiB in the lower half: four 2 MiB regions, so huge pages, tables and holes all occur. */
  private static final long WINDOW = 0x4000_0000L;
  private static final long WINDOW_SIZE = 8L << 20;

  @Test
  void everyOnePageCallEqualsTheRangeCallOverTheSamePage() {
    int calls = 0;
    for (PagingFormat format : FORMATS) {
      for (int seed = 0; seed < 25; seed++) {
        Random random = new Random(seed * 31L + format.name().hashCode());
        Space fast = Space.of(format);
        Space general = Space.of(format);
        for (Space s : List.of(fast, general)) {
          setUp(s, new Random(seed));
        }
        for (int step = 0; step < 60; step++) {
          // Mostly the window, where tables, huge pages and markers are; else anywhere in the
          // lower half, where the tables are missing.
          long va = random.nextInt(10) < 7 ? WINDOW + ((long) random.nextInt((int) (WINDOW_SIZE >>> 12)) << 12)
              : random.nextLong() & ((1L << (format.virtualAddressBits() - 1)) - 1) & ~0xfffL;
          long pa = (long) random.nextInt(1 << 16) << 12;
          Attributes attributes = ATTRIBUTES.get(random.nextInt(ATTRIBUTES.size()));
          String what = format.name() + " seed " + seed + " step " + step + ": ";
          switch (random.nextInt(3)) {
            case 0:
              what += "map " + Long.toHexString(va);
              assertSame(what, fast, general, t -> t.tables.mapPage(va, pa, attributes),
                  t -> t.tables.map(VirtualRange.page(va), pa, attributes));
              break;
            case 1:
              what += "unmap " + Long.toHexString(va);
              assertSame(what, fast, general, t -> t.tables.unmapPage(va), t -> t.tables.unmap(VirtualRange.page(va)));
              break;
            default:
              what += "protect " + Long.toHexString(va);
              assertSame(what, fast, general, t -> t.tables.protectPage(va, attributes),
                  t -> t.tables.protect(VirtualRange.page(va), attributes));
          }
          calls++;
        }
      }
    }
    assertThat(calls).isEqualTo(FORMATS.size() * 25 * 60);
  }

  /** Huge pages, small pages, a not-present marker and a permission-poor table path, alike in both. */
  private static void setUp(Space s, Random random) {
    s.tables.map(VirtualRange.ofLength(WINDOW, 2L << 20), 0x20_0000L, Attributes.readWrite(), MapOptions.defaults());
    for (int i = 0; i < 40; i++) {
      long va = WINDOW + (2L << 20) + ((long) random.nextInt(512) << 12);
      s.tables.map(VirtualRange.page(va), (long) random.nextInt(1 << 16) << 12, Attributes.readOnly(),
          MapOptions.replacing());
    }
    long marker = WINDOW + (4L << 20) + 0x3000;
    s.tables.map(VirtualRange.page(marker), 0x5000, Attributes.readOnly(), MapOptions.replacing());
    s.memory.write(s.entryAddress(marker, s.format.levels().size() - 1), 0x4000_0000L);
  }

  private static void assertSame(String what, Space fast, Space general, Function<Space, MutationResult> page,
      Function<Space, MutationResult> range) {
    String a = outcome(fast, page);
    String b = outcome(general, range);
    assertThat(a).as(what).isEqualTo(b);
    MemorySnapshot ma = fast.memory.snapshot();
    MemorySnapshot mb = general.memory.snapshot();
    assertThat(ma.equals(mb)).as(what + ": memory differs: " + ma.diff(mb)).isTrue();
    assertThat(fast.allocator.state()).as(what).isEqualTo(general.allocator.state());
  }

  private static String outcome(Space s, Function<Space, MutationResult> call) {
    MutationResult r;
    try {
      r = call.apply(s);
    } catch (RuntimeException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    String common = r.plan() + " " + r.plan().invalidations() + " frees " + r.pendingFrees().count() + " ";
    if (r instanceof MapResult) {
      MapResult m = (MapResult) r;
      return common + m.replaced() + m.removedEntries() + " tables " + m.tablesAllocated();
    }
    if (r instanceof UnmapResult) {
      UnmapResult u = (UnmapResult) r;
      return common + u.unmapped() + u.removedEntries() + " tables " + u.tablesAllocated();
    }
    ProtectResult p = (ProtectResult) r;
    return common + p.previous() + " tables " + p.tablesAllocated();
  }

  @Test
  void aMapIntoAnEmptyEntryIsOneWalkReadingEachTableOnThePathOnce() {
    Space s = Space.of(Formats.x86_64());
    s.tables.mapPage(0x4000_0000L, 0x1000, Attributes.readWrite());
    s.memory.resetCounters();
    MapResult r = s.tables.mapPage(0x4000_1000L, 0x2000, Attributes.readWrite());
    // One entry of each of the four tables on the path, the PT's being the empty one it fills.
    assertThat(s.memory.reads()).isEqualTo(4);
    assertThat(s.memory.writes()).isEqualTo(1);
    assertThat(r.tablesAllocated()).isZero();
    assertThat(r.plan().isEmpty()).isTrue();
    assertThat(s.translate(0x4000_1234L).physicalAddress()).isEqualTo(0x2234);
  }

  @Test
  void aMapThatNeedsTablesTakesThemAllOrNone() {
    Space s = Space.of(Formats.x86_64());
    s.tables.mapPage(0x4000_0000L, 0x1000, Attributes.readWrite());
    var before = s.allocator.state();
    MemorySnapshot memory = s.memory.snapshot();
    // A new PML4 entry needs a PDPT, a PD and a PT; the second allocation fails.
    s.allocator.failAtAllocation(2);
    assertThatThrownBy(() -> s.tables.mapPage(0x7f00_0000_0000L, 0x3000, Attributes.readWrite()))
        .isInstanceOf(OutOfFramesException.class);
    assertThat(s.memory.snapshot()).isEqualTo(memory);
    assertThat(s.allocator.state()).isEqualTo(before);
    s.allocator.clearFailures();
    MapResult r = s.tables.mapPage(0x7f00_0000_0000L, 0x3000, Attributes.readWrite());
    assertThat(r.tablesAllocated()).isEqualTo(3);
    assertThat(s.translate(0x7f00_0000_0ff8L).physicalAddress()).isEqualTo(0x3ff8);
  }

  @Test
  void aConflictIsReportedAsTheRangeCallReportsIt() {
    Space s = Space.of(Formats.x86_64());
    s.tables.mapPage(0x4000_0000L, 0x1000, Attributes.readWrite());
    assertThatThrownBy(() -> s.tables.mapPage(0x4000_0000L, 0x9000, Attributes.readOnly()))
        .isInstanceOf(MappingConflictException.class)
        .hasMessageStartingWith("map [0x0000000040000000, 0x0000000040000fff] -> 0x0000000000009000: 0x0000000040000000 is "
            + "already mapped by the 4K PT leaf ")
        .hasMessageEndingWith(" (-> 0x0000000000001000); nothing was changed");
    assertThatThrownBy(() -> s.tables.mapPage(0x4000_0800L, 0x9000, Attributes.readOnly()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000040000800");
    assertThatThrownBy(() -> s.tables.unmapPage(0x0000_8000_0000_0000L))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000800000000000");
  }

  @Test
  void anUnmappedPageIsReportedWithItsPlanAndAnAddressNothingMapsWithNone() {
    Space s = Space.of(Formats.x86_64());
    s.tables.mapPage(0x4000_0000L, 0x1000, Attributes.readWrite().withGlobal(true));
    UnmapResult r = s.tables.unmapPage(0x4000_0000L);
    assertThat(r.plan().invalidations()).containsExactly(VirtualRange.page(0x4000_0000L));
    assertThat(r.plan().global()).isTrue();
    assertThat(r.unmapped()).hasSize(1);
    assertThat(r.unmapped().get(0).physicalAddress()).isEqualTo(0x1000);
    assertThat(s.tables.unmapPage(0x4000_0000L).plan().isEmpty()).isTrue();
    assertThat(s.translate(0x4000_0000L).isMapped()).isFalse();
  }
}
