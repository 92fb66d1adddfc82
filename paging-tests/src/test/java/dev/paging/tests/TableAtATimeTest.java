package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.TableCursor;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.core.WalkOutcome;
import dev.paging.core.Walker;
import dev.paging.fakes.CountingMemory;
import dev.paging.ops.ReclaimMode;
import dev.paging.ops.ReclaimResult;
import dev.paging.ops.Reclaimer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine asks memory for runs of words: the rest of an empty run in one scan, a whole table
 * when a visitor takes it. Counts stay those of reading word by word, so the cost tests elsewhere
 * keep their meaning; what a memory that knows its zero frames saves shows in {@code
 * wordsExamined}.
 */
class TableAtATimeTest {
  private static final long GIB_VA = 0x0000_1000_0000_0000L;

  /** A PDPT, a PD and 512 page tables whose 512 leaves each were written and cleared again. */
  private static Trees unmappedGigabyte() {
    Trees t = Trees.of(Formats.x86_64());
    for (int i = 0; i < 512; i++) {
      long pt = t.table(GIB_VA + ((long) i << 21), 3);
      t.memory.fill(pt, 4096, 0x1003);
      t.memory.fill(pt, 4096, 0);
    }
    return t;
  }

  @Test
  void reclaimingEmptyTablesLooksAtOneWordOfEachWhenMemoryKnowsItsZeroFrames() {
    Trees t = unmappedGigabyte();
    t.memory.resetCounters();
    ReclaimResult r = Reclaimer.of(t.space).reclaim(VirtualRange.all(), ReclaimMode.COLLECT);
    assertThat(r.frames()).hasSize(514);
    // Counted as word by word: the root, PDPT, PD and 512 PTs in full, each entry once.
    long logical = 515L * 512;
    assertThat(t.memory.reads()).isEqualTo(logical);
    assertThat(r.entriesRead()).isEqualTo(logical);
    // Looked at: the first word of each empty PT (its scan of 511 words costs nothing), and at
    // most every word of the three tables above them, plus once more a word that ends an empty
    // run (the scan finds it, then the walker reads it), at most once per table here.
    assertThat(t.memory.wordsExamined()).isLessThanOrEqualTo(512 + 3 * (512 + 1));
  }

  @Test
  void eachEntryOfAnEmptyTableCountsAsReadOnceThroughTheScan() {
    Trees t = unmappedGigabyte();
    long pt = t.table(GIB_VA, 3);
    CountingMemory counting = CountingMemory.over(t.memory);
    Walker.of(t.format, counting).walk(t.root(), VirtualRange.ofLength(GIB_VA, 1L << 21), new Recorder());
    for (int i = 0; i < 512; i++) {
      assertThat(counting.readsOf(pt + 8L * i)).as("entry %d", i).isEqualTo(1);
    }
  }

  @Test
  void theBudgetEndsAWalkInsideAnEmptyRunWithoutReportingThePartOfTheRunItRead() {
    Trees t = Trees.of(Formats.x86_64());
    // Two non-present markers in the root, 199 empty entries between them.
    t.memory.write(t.root(), 0x2);
    t.memory.write(t.root() + 8 * 200, 0x2);
    Recorder skipAll = new Recorder(line -> line.startsWith("entry") ? Control.SKIP_SUBTREE : Control.CONTINUE);
    t.memory.resetCounters();
    Walker walker = Walker.of(t.format, t.memory).entryBudget(100);
    assertThat(walker.walk(t.root(), VirtualRange.all(), skipAll)).isEqualTo(WalkOutcome.BUDGET_EXHAUSTED);
    assertThat(walker.entriesRead()).isEqualTo(100);
    assertThat(t.memory.reads()).isEqualTo(100);
    assertThat(skipAll.trace).containsExactly(
        "before PML4 0x0000000000000000..0xffffffffffffffff",
        "entry PML4[0] NOT_PRESENT 0x0000000000000000..0x0000007fffffffff");

    Recorder enough = new Recorder(line -> line.startsWith("entry") ? Control.SKIP_SUBTREE : Control.CONTINUE);
    walker.entryBudget(201);
    assertThat(walker.walk(t.root(), VirtualRange.all(), enough)).isEqualTo(WalkOutcome.BUDGET_EXHAUSTED);
    assertThat(enough.trace).containsExactly(
        "before PML4 0x0000000000000000..0xffffffffffffffff",
        "entry PML4[0] NOT_PRESENT 0x0000000000000000..0x0000007fffffffff",
        "hole PML4[1..199] 0x0000008000000000..0x000063ffffffffff",
        "entry PML4[200] NOT_PRESENT 0x0000640000000000..0x0000647fffffffff");
  }

  /** Takes each page table whole in beforeTable, as Unmapper and Protector do. */
  private static final class TableTaker implements PageTableVisitor {
    final List<long[]> taken = new ArrayList<>();
    final List<Integer> counts = new ArrayList<>();
    final long[] buffer = new long[512];

    @Override
    public Control beforeTable(TableCursor table) {
      if (table.level().depth() < 3) {
        return Control.CONTINUE;
      }
      int n = table.readEntries(buffer);
      counts.add(n);
      long[] copy = new long[n];
      System.arraycopy(buffer, table.firstIndex(), copy, 0, n);
      taken.add(copy);
      for (int i = table.firstIndex(); i < table.firstIndex() + n; i++) {
        if (buffer[i] != 0) {
          table.write(i, buffer[i] | 0x4);
        }
      }
      return Control.SKIP_SUBTREE;
    }

    @Override
    public Control onEntry(EntryCursor entry) {
      return Control.CONTINUE;
    }
  }

  @Test
  void aVisitorTakesTheEntriesOfTheWalkRangeInOneCallInsideTheCount() {
    Trees t = Trees.of(Formats.x86_64());
    t.leaf(0x5000, 3, 0x7000);
    t.leaf(0x9000, 3, 0x8000);
    long pt = t.table(0x5000, 3);
    TableTaker taker = new TableTaker();
    Walker walker = Walker.of(t.format, t.memory);
    t.memory.resetCounters();
    assertThat(walker.walk(t.root(), VirtualRange.halfOpen(0x4000, 0xa000), taker)).isEqualTo(WalkOutcome.COMPLETED);
    // Entries 4 to 9 of the PT: the two leaves where the memory has them, zeros between.
    long leaf5 = t.format.encodeLeaf(t.level(3), 0x7000, Attributes.readWrite());
    long leaf9 = t.format.encodeLeaf(t.level(3), 0x8000, Attributes.readWrite());
    assertThat(taker.taken).hasSize(1);
    assertThat(taker.taken.get(0)).containsExactly(0, leaf5, 0, 0, 0, leaf9);
    // PML4, PDPT and PD: one entry each; the PT: six entries in one call.
    assertThat(walker.entriesRead()).isEqualTo(3 + 6);
    assertThat(t.memory.reads()).isEqualTo(3 + 6);
    // Written through the cursor: the user bit set on both leaves, nothing else.
    assertThat(t.memory.read(pt + 8 * 5)).isEqualTo(leaf5 | 0x4);
    assertThat(t.memory.read(pt + 8 * 9)).isEqualTo(leaf9 | 0x4);
    assertThat(t.memory.writes()).isEqualTo(2);
  }

  @Test
  void takingATableLargerThanTheBudgetReadsWhatTheBudgetAllowsAndEndsTheWalk() {
    Trees t = Trees.of(Formats.x86_64());
    t.leaf(0x5000, 3, 0x7000);
    TableTaker taker = new TableTaker();
    Walker walker = Walker.of(t.format, t.memory).entryBudget(3 + 4);
    assertThat(walker.walk(t.root(), VirtualRange.halfOpen(0, 0x20_0000), taker))
        .isEqualTo(WalkOutcome.BUDGET_EXHAUSTED);
    assertThat(taker.counts).containsExactly(4);
    assertThat(walker.entriesRead()).isEqualTo(7);
  }

  @Test
  void aTakenTableNeedsRoomForEveryEntry() {
    Trees t = Trees.of(Formats.x86_64());
    t.leaf(0x5000, 3, 0x7000);
    PageTableVisitor small = new PageTableVisitor() {
      @Override
      public Control beforeTable(TableCursor table) {
        table.readEntries(new long[8]);
        return Control.SKIP_SUBTREE;
      }
    };
    assertThatThrownBy(() -> Walker.of(t.format, t.memory).walk(t.root(), VirtualRange.page(0x5000), small))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("an array of 8 cannot hold the 512 entries of a PML4 table");
  }

  /** Splits the 2 MiB leaf at 0 into a new page table, writing the PD entry as {@code link} says. */
  private static PageTableVisitor splitter(Trees t, long newPt, boolean throughCursor, List<String> seen) {
    return new PageTableVisitor() {
      @Override
      public Control beforeTable(TableCursor table) {
        seen.add("before " + table.level());
        return Control.CONTINUE;
      }

      @Override
      public Control onEntry(EntryCursor entry) {
        if (entry.kind() == EntryKind.LEAF && entry.level().depth() == 2) {
          for (int i = 0; i < 512; i++) {
            t.memory.write(newPt + 8L * i, t.format.encodeLeaf(t.level(3), entry.target() + 4096L * i, Attributes.readWrite()));
          }
          long pointer = t.format.encodeTable(t.level(2), newPt, Attributes.readWrite());
          if (throughCursor) {
            entry.table().write(entry.index(), pointer);
          } else {
            t.memory.write(entry.table().frame() + 8L * entry.index(), pointer);
          }
        }
        return Control.CONTINUE;
      }
    };
  }

  @Test
  void anEntryRewrittenThroughItsTableIsWalkedIntoWithoutASecondRead() {
    Trees t = Trees.of(Formats.x86_64());
    t.leaf(0, 2, 0x20_0000);
    long newPt = t.allocator.allocate();
    List<String> seen = new ArrayList<>();
    Walker walker = Walker.of(t.format, t.memory);
    t.memory.resetCounters();
    walker.walk(t.root(), VirtualRange.halfOpen(0, 0x20_0000), splitter(t, newPt, true, seen));
    assertThat(seen).containsExactly("before PML4", "before PDPT", "before PD", "before PT");
    // One entry each of PML4, PDPT and PD, then the new PT's 512: no entry read twice.
    assertThat(walker.entriesRead()).isEqualTo(3 + 512);
    assertThat(t.memory.reads()).isEqualTo(3 + 512);
  }

  @Test
  void aWriteBehindTheCursorsIsSeenByTheNextWalkNotThisOne() {
    Trees t = Trees.of(Formats.x86_64());
    t.leaf(0, 2, 0x20_0000);
    long newPt = t.allocator.allocate();
    List<String> seen = new ArrayList<>();
    Walker walker = Walker.of(t.format, t.memory);
    walker.walk(t.root(), VirtualRange.halfOpen(0, 0x20_0000), splitter(t, newPt, false, seen));
    assertThat(seen).containsExactly("before PML4", "before PDPT", "before PD");
    Recorder next = new Recorder();
    walker.walk(t.root(), VirtualRange.page(0), next);
    assertThat(next.trace).contains("before PT 0x0000000000000000..0x0000000000000fff");
  }
}
