package dev.paging.images;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Attributes;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.fakes.BumpFrameAllocator;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.ops.PageTables;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every virtual address mapping a physical one, aliases included, in one walk. */
class ReverseMapTest {
  private static final long ESPFIX = 0xffff_ff00_0000_0000L;
  private static final long DIRECT_MAP = 0xffff_8880_0000_0000L;
  private static final long FRAME = 0x5000L;

  @Test
  void anAliasedFrameListsEveryAliasInVirtualOrder() {
    for (PagingFormat format : List.of(Formats.x86_64(), Formats.sv48())) {
      SimulatedMemory memory = SimulatedMemory.ofSize(64L << 20);
      PageTables tables = PageTables.create(format, memory, BumpFrameAllocator.over(0x100_0000, 4096));
      long upper = format.upperHalf().first();
      // ESPFIX-style: 4,096 read-only pages of one frame, then the direct map's 2 MiB page holding it.
      long espfix = upper + (ESPFIX - 0xffff_8000_0000_0000L);
      for (int i = 0; i < 4096; i++) {
        tables.mapPage(espfix + 0x1000L * i, FRAME, Attributes.readOnly());
      }
      long direct = upper + (DIRECT_MAP - 0xffff_8000_0000_0000L);
      tables.map(VirtualRange.ofLength(direct, 0x20_0000), 0, Attributes.readWrite());
      tables.mapPage(0x40_0000L, 0x7000, Attributes.readWrite().withUser(true));

      ReverseMap.Result r = ReverseMap.of(format, memory).find(tables.space().root(), FRAME + 0x123, 0x7008,
          0x30_0000, FRAME + 0x123);
      assertThat(r.complete()).isTrue();
      assertThat(r.size()).isEqualTo(4);
      List<Long> expected = new ArrayList<>();
      expected.add(direct + FRAME + 0x123);
      for (int i = 0; i < 4096; i++) {
        expected.add(espfix + 0x1000L * i + 0x123);
      }
      expected.sort(Long::compareUnsigned);
      assertThat(r.aliases(0)).extracting(Alias::virtualAddress).as(format.name()).containsExactlyElementsOf(expected);
      assertThat(r.aliases(3)).isEqualTo(r.aliases(0));
      Alias huge = r.aliases(0).stream().filter(a -> a.pageSize() == 0x20_0000).findFirst().orElseThrow();
      assertThat(huge.virtualAddress()).isEqualTo(direct + FRAME + 0x123);
      assertThat(huge.level().depth()).isEqualTo(format.levels().size() - 2);
      // 0x7008 is in the direct map's 2 MiB page and in the user page.
      assertThat(r.aliases(1)).extracting(Alias::virtualAddress).containsExactly(0x40_0008L, direct + 0x7008);
      assertThat(r.aliases(1).get(0).attributes().user()).isTrue();
      assertThat(r.aliases(1).get(0).pageSize()).isEqualTo(4096);
      assertThat(r.aliases(2)).isEmpty();
      assertThat(r.physicalAddress(2)).isEqualTo(0x30_0000);
    }
  }

  @Test
  void anEntryBudgetEndsTheWalkAndSaysTheAliasesMayBeIncomplete() {
    PagingFormat format = Formats.x86_64();
    SimulatedMemory memory = SimulatedMemory.ofSize(64L << 20);
    PageTables tables = PageTables.create(format, memory, BumpFrameAllocator.over(0x100_0000, 4096));
    for (int i = 0; i < 600; i++) {
      tables.mapPage(0x40_0000L + 0x1000L * i, FRAME, Attributes.readOnly());
    }
    ReverseMap.Result r = ReverseMap.of(format, memory).withEntryBudget(100).find(tables.space().root(), FRAME);
    assertThat(r.complete()).isFalse();
    assertThat(r.aliases(0).size()).isLessThan(600);
    assertThat(ReverseMap.of(format, memory).find(tables.space().root(), FRAME).aliases(0)).hasSize(600);
  }

  @Test
  void theTopOfPhysicalMemoryIsAnAddressLikeAnyOther() {
    PagingFormat format = Formats.x86_64();
    SimulatedMemory memory = SimulatedMemory.ofSize(64L << 20);
    PageTables tables = PageTables.create(format, memory, BumpFrameAllocator.over(0x100_0000, 4096));
    long top = (1L << format.physicalAddressBits()) - 0x1000;
    tables.mapPage(0xffff_ffff_ffff_f000L, top, Attributes.readOnly());
    ReverseMap.Result r = ReverseMap.of(format, memory).find(tables.space().root(), top + 0xfff, -1L);
    assertThat(r.aliases(0)).extracting(Alias::virtualAddress).containsExactly(-1L);
    assertThat(r.aliases(1)).isEmpty();
  }
}
