package dev.paging.tests;

import static dev.paging.api.Addresses.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.Aarch64Options;
import dev.paging.core.Formats;
import dev.paging.core.WalkOutcome;
import dev.paging.core.Walker;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WalkerTest {
  private static final long GIB = 1L << 30;
  private static final long TOP_PAGE = 0xffff_ffff_ffff_f000L;

  /**
   * 1 GiB, 2 MiB and 4 KiB leaves in the lower half; a 2 MiB leaf at the start of the upper
   * half and a 4 KiB leaf in the top page.
   */
  private static Trees mixedTree() {
    Trees t = Trees.of(Formats.x86_64());
    t.leaf(0x4000_0000L, 1, 0x1_0000_0000L);
    t.leaf(0x8020_0000L, 2, 0x60_0000L);
    t.leaf(0x8040_3000L, 3, 0x5000L);
    t.leaf(0xffff_8000_0000_0000L, 2, 0x20_0000L);
    t.leaf(TOP_PAGE, 3, 0x7000L);
    return t;
  }

  private static List<String> walk(Trees t, VirtualRange range) {
    Recorder r = new Recorder();
    assertThat(Walker.walk(t.space, range, r)).isEqualTo(WalkOutcome.COMPLETED);
    return r.trace;
  }

  /** Expected trace lines, spelled the way {@link Recorder} spells them. */
  private static final class Expect {
    final List<String> lines = new ArrayList<>();

    Expect before(String level, long first, long last) {
      lines.add("before " + level + " " + Recorder.range(first, last));
      return this;
    }

    Expect table(String slot, long first, long last) {
      lines.add("entry " + slot + " TABLE " + Recorder.range(first, last));
      return this;
    }

    Expect leaf(String slot, long first, long last, long pa) {
      lines.add("entry " + slot + " LEAF " + Recorder.range(first, last) + " -> " + hex(pa));
      return this;
    }

    Expect hole(String slot, long first, long last) {
      lines.add("hole " + slot + " " + Recorder.range(first, last));
      return this;
    }

    Expect after(String level) {
      lines.add("after " + level);
      return this;
    }
  }

  @Test
  void hookOrderOverBothCanonicalHalvesWithLeavesOfEverySize() {
    Expect e = new Expect()
        .before("PML4", 0, -1L)
        .table("PML4[0]", 0, 0x7f_ffff_ffffL)
        .before("PDPT", 0, 0x7f_ffff_ffffL)
        .hole("PDPT[0..0]", 0, 0x3fff_ffffL)
        .leaf("PDPT[1]", 0x4000_0000L, 0x7fff_ffffL, 0x1_0000_0000L)
        // the walk goes on after a huge leaf
        .table("PDPT[2]", 0x8000_0000L, 0xbfff_ffffL)
        .before("PD", 0x8000_0000L, 0xbfff_ffffL)
        .hole("PD[0..0]", 0x8000_0000L, 0x801f_ffffL)
        .leaf("PD[1]", 0x8020_0000L, 0x803f_ffffL, 0x60_0000L)
        .table("PD[2]", 0x8040_0000L, 0x805f_ffffL)
        .before("PT", 0x8040_0000L, 0x805f_ffffL)
        .hole("PT[0..2]", 0x8040_0000L, 0x8040_2fffL)
        .leaf("PT[3]", 0x8040_3000L, 0x8040_3fffL, 0x5000L)
        .hole("PT[4..511]", 0x8040_4000L, 0x805f_ffffL)
        .after("PT")
        .hole("PD[3..511]", 0x8060_0000L, 0xbfff_ffffL)
        .after("PD")
        .hole("PDPT[3..511]", 0xc000_0000L, 0x7f_ffff_ffffL)
        .after("PDPT")
        // index 255 ends the lower half; the hole does not run on into index 256
        .hole("PML4[1..255]", 0x80_0000_0000L, 0x7fff_ffff_ffffL)
        .table("PML4[256]", 0xffff_8000_0000_0000L, 0xffff_807f_ffff_ffffL)
        .before("PDPT", 0xffff_8000_0000_0000L, 0xffff_807f_ffff_ffffL)
        .table("PDPT[0]", 0xffff_8000_0000_0000L, 0xffff_8000_3fff_ffffL)
        .before("PD", 0xffff_8000_0000_0000L, 0xffff_8000_3fff_ffffL)
        .leaf("PD[0]", 0xffff_8000_0000_0000L, 0xffff_8000_001f_ffffL, 0x20_0000L)
        .hole("PD[1..511]", 0xffff_8000_0020_0000L, 0xffff_8000_3fff_ffffL)
        .after("PD")
        .hole("PDPT[1..511]", 0xffff_8000_4000_0000L, 0xffff_807f_ffff_ffffL)
        .after("PDPT")
        .hole("PML4[257..510]", 0xffff_8080_0000_0000L, 0xffff_ff7f_ffff_ffffL)
        .table("PML4[511]", 0xffff_ff80_0000_0000L, -1L)
        .before("PDPT", 0xffff_ff80_0000_0000L, -1L)
        .hole("PDPT[0..510]", 0xffff_ff80_0000_0000L, 0xffff_ffff_bfff_ffffL)
        .table("PDPT[511]", 0xffff_ffff_c000_0000L, -1L)
        .before("PD", 0xffff_ffff_c000_0000L, -1L)
        .hole("PD[0..510]", 0xffff_ffff_c000_0000L, 0xffff_ffff_ffdf_ffffL)
        .table("PD[511]", 0xffff_ffff_ffe0_0000L, -1L)
        .before("PT", 0xffff_ffff_ffe0_0000L, -1L)
        .hole("PT[0..510]", 0xffff_ffff_ffe0_0000L, 0xffff_ffff_ffff_efffL)
        .leaf("PT[511]", TOP_PAGE, -1L, 0x7000L)
        .after("PT")
        .after("PD")
        .after("PDPT")
        .after("PML4");
    assertThat(walk(mixedTree(), VirtualRange.all())).containsExactlyElementsOf(e.lines);
  }

  @Test
  void closedRangeEndingAtTheTopOfTheAddressSpace() {
    Expect e = new Expect()
        .before("PML4", TOP_PAGE, -1L)
        .table("PML4[511]", 0xffff_ff80_0000_0000L, -1L)
        .before("PDPT", TOP_PAGE, -1L)
        .table("PDPT[511]", 0xffff_ffff_c000_0000L, -1L)
        .before("PD", TOP_PAGE, -1L)
        .table("PD[511]", 0xffff_ffff_ffe0_0000L, -1L)
        .before("PT", TOP_PAGE, -1L)
        .leaf("PT[511]", TOP_PAGE, -1L, 0x7000L)
        .after("PT").after("PD").after("PDPT").after("PML4");
    assertThat(walk(mixedTree(), VirtualRange.closed(TOP_PAGE, -1L))).containsExactlyElementsOf(e.lines);
    assertThat(walk(mixedTree(), VirtualRange.page(TOP_PAGE))).containsExactlyElementsOf(e.lines);
  }

  @Test
  void rangeAcrossTheCanonicalHoleWalksBothSidesAndSkipsTheGap() {
    Expect e = new Expect()
        .before("PML4", 0x7fff_ffff_f000L, 0xffff_8000_0000_0fffL)
        .hole("PML4[255..255]", 0x7fff_ffff_f000L, 0x7fff_ffff_ffffL)
        .table("PML4[256]", 0xffff_8000_0000_0000L, 0xffff_807f_ffff_ffffL)
        .before("PDPT", 0xffff_8000_0000_0000L, 0xffff_8000_0000_0fffL)
        .table("PDPT[0]", 0xffff_8000_0000_0000L, 0xffff_8000_3fff_ffffL)
        .before("PD", 0xffff_8000_0000_0000L, 0xffff_8000_0000_0fffL)
        .leaf("PD[0]", 0xffff_8000_0000_0000L, 0xffff_8000_001f_ffffL, 0x20_0000L)
        .after("PD").after("PDPT").after("PML4");
    assertThat(walk(mixedTree(), VirtualRange.closed(0x7fff_ffff_f000L, 0xffff_8000_0000_0fffL)))
        .containsExactlyElementsOf(e.lines);
  }

  @Test
  void fiveLevelWalkSplitsAtItsOwnCanonicalHole() {
    Trees t = Trees.of(Formats.x86_64FiveLevel());
    t.leaf(0xff00_0000_0000_0000L, 4, 0x9000L);
    Expect e = new Expect()
        .before("PML5", 0x00ff_ffff_ffff_f000L, 0xff00_0000_0000_0fffL)
        .hole("PML5[255..255]", 0x00ff_ffff_ffff_f000L, 0x00ff_ffff_ffff_ffffL)
        .table("PML5[256]", 0xff00_0000_0000_0000L, 0xff00_ffff_ffff_ffffL)
        .before("PML4", 0xff00_0000_0000_0000L, 0xff00_0000_0000_0fffL)
        .table("PML4[0]", 0xff00_0000_0000_0000L, 0xff00_007f_ffff_ffffL)
        .before("PDPT", 0xff00_0000_0000_0000L, 0xff00_0000_0000_0fffL)
        .table("PDPT[0]", 0xff00_0000_0000_0000L, 0xff00_0000_3fff_ffffL)
        .before("PD", 0xff00_0000_0000_0000L, 0xff00_0000_0000_0fffL)
        .table("PD[0]", 0xff00_0000_0000_0000L, 0xff00_0000_001f_ffffL)
        .before("PT", 0xff00_0000_0000_0000L, 0xff00_0000_0000_0fffL)
        .leaf("PT[0]", 0xff00_0000_0000_0000L, 0xff00_0000_0000_0fffL, 0x9000L)
        .after("PT").after("PD").after("PDPT").after("PML4").after("PML5");
    assertThat(walk(t, VirtualRange.closed(0x00ff_ffff_ffff_f000L, 0xff00_0000_0000_0fffL)))
        .containsExactlyElementsOf(e.lines);

    // Index 255 -> 256 of a whole-space walk of an empty root gives two holes, one per half.
    Trees empty = Trees.of(Formats.x86_64FiveLevel());
    assertThat(walk(empty, VirtualRange.all())).containsExactly(
        "before PML5 " + Recorder.range(0, -1L),
        "hole PML5[0..255] " + Recorder.range(0, 0x00ff_ffff_ffff_ffffL),
        "hole PML5[256..511] " + Recorder.range(0xff00_0000_0000_0000L, -1L),
        "after PML5");
  }

  @Test
  void holesAndRangesNotAlignedToTableSpansAreClipped() {
    Expect e = new Expect()
        .before("PML4", 0x8040_2800L, 0x8040_47ffL)
        .table("PML4[0]", 0, 0x7f_ffff_ffffL)
        .before("PDPT", 0x8040_2800L, 0x8040_47ffL)
        .table("PDPT[2]", 0x8000_0000L, 0xbfff_ffffL)
        .before("PD", 0x8040_2800L, 0x8040_47ffL)
        .table("PD[2]", 0x8040_0000L, 0x805f_ffffL)
        .before("PT", 0x8040_2800L, 0x8040_47ffL)
        .hole("PT[2..2]", 0x8040_2800L, 0x8040_2fffL)
        .leaf("PT[3]", 0x8040_3000L, 0x8040_3fffL, 0x5000L)
        .hole("PT[4..4]", 0x8040_4000L, 0x8040_47ffL)
        .after("PT").after("PD").after("PDPT").after("PML4");
    assertThat(walk(mixedTree(), VirtualRange.halfOpen(0x8040_2800L, 0x8040_4800L)))
        .containsExactlyElementsOf(e.lines);
  }

  @Test
  void onePageRangeInsideAHugeLeafVisitsTheLeafOnly() {
    Expect e = new Expect()
        .before("PML4", 0x5000_0000L, 0x5000_0fffL)
        .table("PML4[0]", 0, 0x7f_ffff_ffffL)
        .before("PDPT", 0x5000_0000L, 0x5000_0fffL)
        .leaf("PDPT[1]", 0x4000_0000L, 0x7fff_ffffL, 0x1_0000_0000L)
        .after("PDPT").after("PML4");
    assertThat(walk(mixedTree(), VirtualRange.page(0x5000_0000L))).containsExactlyElementsOf(e.lines);
  }

  @Test
  void nonCanonicalEndsAreRejectedInHex() {
    Trees t = mixedTree();
    assertThatThrownBy(() -> Walker.walk(t.space, VirtualRange.closed(0x1000, 0x0000_8000_0000_0000L), new Recorder()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0x0000800000000000").hasMessageContaining("not canonical");
    assertThatThrownBy(() -> Walker.walk(t.space, VirtualRange.page(0xffff_7fff_ffff_f000L), new Recorder()))
        .hasMessageContaining("0xffff7ffffffff000");
  }

  @Test
  void unboundedWalkOfOneMappedPageReadsOnlyTheTablesOnItsPath() {
    for (PagingFormat format : List.of(Formats.x86_64(), Formats.x86_64FiveLevel(), Formats.sv39(), Formats.sv48(), Formats.sv57())) {
      Trees t = Trees.of(format);
      int levels = format.levels().size();
      t.leaf(0x1000, levels - 1, 0x2000);
      t.memory.resetCounters();
      Walker walker = t.space.walker();
      assertThat(walker.walk(t.root(), VirtualRange.all(), new Recorder())).isEqualTo(WalkOutcome.COMPLETED);
      // Every entry of the `levels` tables on the path, once; nothing else.
      long expected = 512L * levels;
      assertThat(t.memory.reads()).as(format.name()).isEqualTo(expected);
      assertThat(walker.entriesRead()).isEqualTo(expected);
      assertThat(walker.tablesVisited()).isEqualTo(levels);
      assertThat(t.memory.writes()).isZero();
    }
  }

  /**
   * The same walk on 32-bit paging and PAE. PAE reads each word of its three tables once: 4 + 512
   * + 512. 32-bit paging reads each of its 2 x 1,024 four-byte entries once, as 1,024 words and
   * five second reads of a word that holds two entries: PD[1] after PD[0]; PD[513] when the
   * upper half's scan starts at an odd entry after PD[512] (the root is walked half by half);
   * PT[1] when the scan after PT[0] starts at an odd entry, and again when the walker reads it;
   * PT[3] likewise after PT[2]. Then the scans run over whole words.
   */
  @Test
  void unboundedWalkOfOneMappedPageOnThirtyTwoBitFormatsReadsEachEntryOnce() {
    for (PagingFormat format : List.of(Formats.x86_32(), Formats.x86Pae())) {
      Trees t = Trees.of(format);
      int levels = format.levels().size();
      t.leaf(0x1000, levels - 1, 0x2000);
      t.memory.resetCounters();
      Walker walker = t.space.walker();
      assertThat(walker.walk(t.root(), VirtualRange.all(), new Recorder())).isEqualTo(WalkOutcome.COMPLETED);
      long entries = levels == 2 ? 2 * 1024 : 4 + 2 * 512;
      assertThat(walker.entriesRead()).as(format.name()).isEqualTo(entries);
      assertThat(t.memory.reads()).as(format.name()).isEqualTo(levels == 2 ? 1024 + 5 : 4 + 2 * 512);
      assertThat(walker.tablesVisited()).isEqualTo(levels);
      assertThat(t.memory.writes()).isZero();
    }
  }

  /**
   * The same walk on AArch64: the four tables on TTBR0's path and TTBR1's empty root, 512
   * entries each, each read once; nothing between the halves.
   */
  @Test
  void unboundedWalkOfOneMappedPageOnAarch64ReadsBothRootsOnce() {
    Trees t = Trees.of(Formats.aarch64());
    t.leaf(0x1000, 3, 0x2000);
    t.memory.resetCounters();
    assertThat(Walker.walk(t.space, VirtualRange.all(), new Recorder())).isEqualTo(WalkOutcome.COMPLETED);
    Walker again = t.space.walker();
    t.memory.resetCounters();
    assertThat(again.walk(t.space.root(), t.space.upperRoot(), VirtualRange.all(), new Recorder()))
        .isEqualTo(WalkOutcome.COMPLETED);
    assertThat(again.entriesRead()).isEqualTo(5 * 512);
    assertThat(t.memory.reads()).isEqualTo(5 * 512);
    assertThat(again.tablesVisited()).isEqualTo(5);
    assertThat(t.memory.writes()).isZero();
    // One page in each half: one entry per level of that half's path.
    again.walk(t.space.root(), t.space.upperRoot(), VirtualRange.page(0x1000), new Recorder());
    assertThat(again.entriesRead()).isEqualTo(4);
    again.walk(t.space.root(), t.space.upperRoot(), VirtualRange.page(-4096L), new Recorder());
    assertThat(again.entriesRead()).isEqualTo(1);
    assertThat(again.tablesVisited()).isEqualTo(1);
  }

  /**
   * The larger granules read each entry of their larger tables once too: with 16 KiB, two
   * 2-entry roots and three tables of 2,048 entries; with 64 KiB, two 64-entry roots and two
   * tables of 8,192.
   */
  @Test
  void unboundedWalkOfOneMappedPageOnTheLargerGranulesReadsEachEntryOnce() {
    for (int granule : new int[] {16384, 65536}) {
      PagingFormat format = Formats.aarch64(Aarch64Options.defaults().withGranule(granule));
      Trees t = Trees.of(format);
      int last = format.levels().size() - 1;
      t.leaf(granule, last, 2L * granule);
      t.memory.resetCounters();
      Walker walker = t.space.walker();
      assertThat(walker.walk(t.space.root(), t.space.upperRoot(), VirtualRange.all(), new Recorder()))
          .isEqualTo(WalkOutcome.COMPLETED);
      long expected = granule == 16384 ? 2 + 3 * 2048 + 2 : 64 + 2 * 8192 + 64;
      assertThat(walker.entriesRead()).as(format.name()).isEqualTo(expected);
      assertThat(t.memory.reads()).as(format.name()).isEqualTo(expected);
      assertThat(walker.tablesVisited()).isEqualTo(last + 2);
    }
  }

  @Test
  void costDoesNotGrowWithTheRangeSpanned() {
    Trees t = Trees.of(Formats.x86_64());
    t.leaf(0x1000, 3, 0x2000);
    Walker walker = t.space.walker();
    walker.walk(t.root(), VirtualRange.page(0x1000), new Recorder());
    long onePage = walker.entriesRead();
    walker.walk(t.root(), VirtualRange.halfOpen(0x1000, 0x7f_ffff_f000L), new Recorder());
    long wholeFirstTable = walker.entriesRead();
    // One page: one entry per level. 512 GiB: the PDPT, PD and PT read in full from the start
    // index, the PML4 only at index 0.
    assertThat(onePage).isEqualTo(4);
    assertThat(wholeFirstTable).isEqualTo(1 + 512 + 512 + 511);
  }

  @Test
  void skipAtEveryLevelOmitsExactlyThatSubtree() {
    List<String> full = walk(mixedTree(), VirtualRange.all());
    for (String level : List.of("PML4", "PDPT", "PD", "PT")) {
      // beforeTable SKIP: the table's entries and its afterTable disappear.
      Recorder r = new Recorder(line -> line.startsWith("before " + level + " ") ? Control.SKIP_SUBTREE : Control.CONTINUE);
      Walker.walk(mixedTree().space, VirtualRange.all(), r);
      assertThat(r.trace).as(level).containsExactlyElementsOf(withoutSubtrees(full, "before " + level + " ", false));
      // onEntry SKIP on table pointers of this level: the child tables disappear.
      Recorder s = new Recorder(line -> line.startsWith("entry " + level + "[") && line.contains(" TABLE ")
          ? Control.SKIP_SUBTREE : Control.CONTINUE);
      Walker.walk(mixedTree().space, VirtualRange.all(), s);
      assertThat(s.trace).as(level).containsExactlyElementsOf(withoutSubtrees(full, "entry " + level + "[", true));
    }
  }

  /** {@code full} without what follows each line starting with {@code marker}, up to its matching close. */
  private static List<String> withoutSubtrees(List<String> full, String marker, boolean childOfEntry) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < full.size(); i++) {
      String line = full.get(i);
      out.add(line);
      boolean skips = line.startsWith(marker) && (!childOfEntry || line.contains(" TABLE "));
      if (!skips) {
        continue;
      }
      int depth = 0;
      int j = childOfEntry ? i + 1 : i;
      if (childOfEntry && (j >= full.size() || !full.get(j).startsWith("before "))) {
        continue;
      }
      for (; j < full.size(); j++) {
        if (full.get(j).startsWith("before ")) {
          depth++;
        } else if (full.get(j).startsWith("after ")) {
          depth--;
        }
        if (depth == 0) {
          break;
        }
      }
      i = j;
    }
    return out;
  }

  @Test
  void stopAtAnyHookEndsTheWalkThere() {
    List<String> full = walk(mixedTree(), VirtualRange.all());
    for (int k = 0; k < full.size(); k++) {
      String stopLine = full.get(k);
      Recorder r = new Recorder(line -> line.equals(stopLine) ? Control.STOP : Control.CONTINUE);
      assertThat(Walker.walk(mixedTree().space, VirtualRange.all(), r)).isEqualTo(WalkOutcome.STOPPED);
      assertThat(r.trace).as(stopLine).containsExactlyElementsOf(full.subList(0, full.indexOf(stopLine) + 1));
    }
  }

  @Test
  void anEntryReplacedInOnEntryIsReReadAndWalkedInto() {
    Trees t = mixedTree();
    PagingFormat f = t.format;
    // A visitor that turns the 1 GiB leaf into a PD of 512 2 MiB leaves, the way a smash does.
    PageTableVisitor smash = new PageTableVisitor() {
      @Override
      public Control onEntry(EntryCursor e) {
        if (e.kind() == EntryKind.LEAF && e.level().name().equals("PDPT")) {
          long pd = t.allocator.allocate();
          for (int i = 0; i < 512; i++) {
            t.memory.write(pd + 8L * i, f.encodeLeaf(f.levels().get(2), e.target() + ((long) i << 21), e.attributes()));
          }
          e.write(f.encodeTable(e.level(), pd, f.tableAttributesFor(e.attributes())));
        }
        return Control.CONTINUE;
      }
    };
    Recorder r = new Recorder();
    Walker.walk(t.space, VirtualRange.halfOpen(0x4000_0000L, 0x4060_0000L), dev.paging.core.Visitors.compose(smash, r));
    assertThat(r.trace).containsExactly(
        "before PML4 " + Recorder.range(0x4000_0000L, 0x405f_ffffL),
        "entry PML4[0] TABLE " + Recorder.range(0, 0x7f_ffff_ffffL),
        "before PDPT " + Recorder.range(0x4000_0000L, 0x405f_ffffL),
        "entry PDPT[1] TABLE " + Recorder.range(0x4000_0000L, 0x7fff_ffffL),
        "before PD " + Recorder.range(0x4000_0000L, 0x405f_ffffL),
        "entry PD[0] LEAF " + Recorder.range(0x4000_0000L, 0x401f_ffffL) + " -> 0x0000000100000000",
        "entry PD[1] LEAF " + Recorder.range(0x4020_0000L, 0x403f_ffffL) + " -> 0x0000000100200000",
        "entry PD[2] LEAF " + Recorder.range(0x4040_0000L, 0x405f_ffffL) + " -> 0x0000000100400000",
        "after PD", "after PDPT", "after PML4");

    // The same visitor alone: it sees the leaf, then is walked into the table it wrote.
    Trees u = mixedTree();
    List<String> kinds = new ArrayList<>();
    Walker.walk(u.space, VirtualRange.halfOpen(0x4000_0000L, 0x4040_0000L), new PageTableVisitor() {
      @Override
      public Control onEntry(EntryCursor e) {
        kinds.add(e.level() + ":" + e.kind());
        if (e.kind() == EntryKind.LEAF && e.level().name().equals("PDPT")) {
          long pd = u.allocator.allocate();
          u.memory.fill(pd, 4096, 0);
          u.memory.write(pd, u.format.encodeLeaf(u.format.levels().get(2), 0x1_0000_0000L, Attributes.readWrite()));
          e.write(u.format.encodeTable(e.level(), pd, Attributes.readWrite()));
        }
        return Control.CONTINUE;
      }
    });
    assertThat(kinds).containsExactly("PML4:TABLE", "PDPT:LEAF", "PD:LEAF");
  }

  @Test
  void anEntryClearedInOnEntryIsNotDescended() {
    Trees t = mixedTree();
    Recorder r = new Recorder(line -> Control.CONTINUE) {
      @Override
      public Control onEntry(EntryCursor e) {
        Control c = super.onEntry(e);
        if (e.level().name().equals("PD") && e.index() == 2) {
          e.write(0);
        }
        return c;
      }
    };
    Walker.walk(t.space, VirtualRange.halfOpen(0x8040_0000L, 0x8060_0000L), r);
    assertThat(r.trace).doesNotContain("after PT").contains("entry PD[2] TABLE " + Recorder.range(0x8040_0000L, 0x805f_ffffL));
    assertThat(t.memory.read(t.entryAddress(0x8040_0000L, 2))).isZero();
  }

  @Test
  void rootOutsideMemoryOrUnalignedIsRejected() {
    Trees t = mixedTree();
    Walker walker = t.space.walker();
    assertThatThrownBy(() -> walker.walk(1L << 40, VirtualRange.all(), new Recorder()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000010000000000");
    assertThatThrownBy(() -> walker.walk(t.root() + 8, VirtualRange.all(), new Recorder()))
        .hasMessageContaining(hex(t.root() + 8));
  }

  @Test
  void aWalkerIsNotReentrant() {
    Trees t = mixedTree();
    Walker walker = t.space.walker();
    assertThatThrownBy(() -> walker.walk(t.root(), VirtualRange.all(), new PageTableVisitor() {
      @Override
      public Control onEntry(EntryCursor e) {
        walker.walk(t.root(), VirtualRange.all(), new Recorder());
        return Control.CONTINUE;
      }
    })).isInstanceOf(IllegalStateException.class).hasMessageContaining("re-entrant");
    // The failed walk leaves the walker usable.
    assertThat(walker.walk(t.root(), VirtualRange.all(), new Recorder())).isEqualTo(WalkOutcome.COMPLETED);
  }

  @Test
  void gigabyteRangeBehavesLikeTheSameRangeInSmallPages() {
    List<String> big = walk(mixedTree(), VirtualRange.page(0x8000_0000L, GIB));
    List<String> small = walk(mixedTree(), VirtualRange.halfOpen(0x8000_0000L, 0x8000_0000L + 262_144L * 4096));
    assertThat(big).isEqualTo(small).hasSize(17);
  }

  /** Fills every hole it meets: leaves at the last level, fresh tables above it. */
  private static PageTableVisitor filler(Trees t) {
    return new PageTableVisitor() {
      @Override
      public Control onHole(dev.paging.api.HoleCursor hole) {
        PagingFormat f = t.format;
        dev.paging.api.Level level = hole.level();
        boolean last = level.depth() == f.levels().size() - 1;
        for (int i = hole.firstIndex(); i <= hole.lastIndex(); i++) {
          long raw;
          if (last) {
            raw = f.encodeLeaf(level, 0x40_0000L + 4096L * i, Attributes.readWrite());
          } else {
            long table = t.allocator.allocate();
            t.memory.fill(table, 4096, 0);
            raw = f.encodeTable(level, table, Attributes.readWrite());
          }
          t.memory.write(hole.table().frame() + 8L * i, raw);
        }
        hole.revisit();
        return Control.CONTINUE;
      }
    };
  }

  @Test
  void aHoleFilledInOnHoleIsRevisitedAndWalkedInto() {
    Trees t = Trees.of(Formats.x86_64());
    Recorder r = new Recorder();
    Walker.walk(t.space, VirtualRange.halfOpen(0x1000, 0x3000), dev.paging.core.Visitors.compose(filler(t), r));
    assertThat(r.trace).containsExactly(
        "before PML4 " + Recorder.range(0x1000, 0x2fff),
        "hole PML4[0..0] " + Recorder.range(0x1000, 0x2fff),
        "entry PML4[0] TABLE " + Recorder.range(0, 0x7f_ffff_ffffL),
        "before PDPT " + Recorder.range(0x1000, 0x2fff),
        "hole PDPT[0..0] " + Recorder.range(0x1000, 0x2fff),
        "entry PDPT[0] TABLE " + Recorder.range(0, 0x3fff_ffffL),
        "before PD " + Recorder.range(0x1000, 0x2fff),
        "hole PD[0..0] " + Recorder.range(0x1000, 0x2fff),
        "entry PD[0] TABLE " + Recorder.range(0, 0x1f_ffffL),
        "before PT " + Recorder.range(0x1000, 0x2fff),
        "hole PT[1..2] " + Recorder.range(0x1000, 0x2fff),
        "entry PT[1] LEAF " + Recorder.range(0x1000, 0x1fff) + " -> 0x0000000000401000",
        "entry PT[2] LEAF " + Recorder.range(0x2000, 0x2fff) + " -> 0x0000000000402000",
        "after PT", "after PD", "after PDPT", "after PML4");
    assertThat(t.allocator.allocatedCount()).isEqualTo(4);
  }

  @Test
  void aHoleMetWhileRevisitingCannotBeRevisitedAgain() {
    Trees t = Trees.of(Formats.x86_64());
    Recorder r = new Recorder();
    PageTableVisitor once = filler(t);
    // A visitor that asks again for a hole the walker met in its second pass would loop forever.
    PageTableVisitor greedy = new PageTableVisitor() {
      @Override
      public Control onHole(dev.paging.api.HoleCursor hole) {
        hole.revisit();
        return Control.CONTINUE;
      }
    };
    assertThatThrownBy(() -> Walker.walk(t.space, VirtualRange.page(0x1000), greedy))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot be revisited again");
    assertThat(Walker.walk(t.space, VirtualRange.page(0x1000), dev.paging.core.Visitors.compose(once, r)))
        .isEqualTo(WalkOutcome.COMPLETED);
  }
}
