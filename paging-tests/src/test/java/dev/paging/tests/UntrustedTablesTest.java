package dev.paging.tests;

import static dev.paging.api.Addresses.hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryProblem;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.core.WalkOutcome;
import dev.paging.core.Walker;
import dev.paging.fakes.SimulatedMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The walker on tables it cannot trust: it must terminate and report, never loop or throw. */
class UntrustedTablesTest {
  @Test
  void tablesThatAreTheirOwnAncestorsAreFollowedForExactlyTheFormatsLevels() {
    Trees t = Trees.of(Formats.x86_64());
    t.link(0x0, 0, t.root());                       // PML4[0] -> the PML4 itself
    long pdpt = t.table(0x80_0000_0000L, 1);         // PML4[1] -> PDPT
    t.link(0x80_0000_0000L, 1, t.root());            // PDPT[0] -> PML4: an ancestor
    t.link(0x80_4000_0000L, 1, pdpt);                // PDPT[1] -> PDPT itself
    Recorder r = new Recorder();
    assertThat(Walker.walk(t.space, VirtualRange.all(), r)).isEqualTo(WalkOutcome.COMPLETED);
    assertThat(r.trace).noneMatch(l -> l.startsWith("malformed"));
    // Every table pointer of the PML4 and the PDPT at the last level reads as a 4 KiB leaf: each
    // path of four indices through {PML4, PDPT} whose last entry is one of the three links or
    // PML4[1]. Counted by hand: the walk's leaves are the paths (i0, i1, i2, i3) with each step
    // following a link: from the PML4 the links are [0] -> PML4 and [1] -> PDPT, from the PDPT
    // [0] -> PML4 and [1] -> PDPT; so 2 choices at each of four levels, 16 leaves.
    assertThat(r.trace).filteredOn(l -> l.startsWith("entry PT")).hasSize(16)
        .allMatch(l -> l.endsWith(" -> " + hex(t.root())) || l.endsWith(" -> " + hex(pdpt)));
  }

  @Test
  void aTableLinkedFromSeveralParentsIsWalkedOncePerLink() {
    Trees t = Trees.of(Formats.x86_64());
    t.leaf(0x1000, 3, 0x5000);
    long pdpt = t.table(0, 1);
    t.link(0xffff_8000_0000_0000L, 0, pdpt);         // the same PDPT under PML4[256]
    Recorder r = new Recorder();
    Walker.walk(t.space, VirtualRange.all(), r);
    assertThat(r.trace).filteredOn(l -> l.startsWith("entry PT")).containsExactly(
        "entry PT[1] LEAF " + Recorder.range(0x1000, 0x1fff) + " -> 0x0000000000005000",
        "entry PT[1] LEAF " + Recorder.range(0xffff_8000_0000_1000L, 0xffff_8000_0000_1fffL) + " -> 0x0000000000005000");
    assertThat(r.trace).noneMatch(l -> l.startsWith("malformed"));
  }

  @Test
  void tablesOutsideMemoryAndReservedBitsAreReportedAndNotFollowed() {
    Trees t = Trees.of(Formats.x86_64());
    t.raw(0, 0, (1L << 40) | 0x3);                   // PML4[0] -> a table at 1 TiB, beyond 64 MiB
    t.raw(0x80_0000_0000L, 0, 0x2000 | 0x83);        // PML4[1] with PS: reserved at the top level
    t.leaf(0x100_0000_0000L, 3, 0x5000);             // PML4[2] -> ... a good leaf
    Recorder r = new Recorder();
    assertThat(Walker.walk(t.space, VirtualRange.all(), r)).isEqualTo(WalkOutcome.COMPLETED);
    assertThat(r.trace).filteredOn(l -> l.startsWith("malformed")).containsExactly(
        "malformed PML4[0] TABLE_OUTSIDE_MEMORY 0x0000010000000003",
        "malformed PML4[1] RESERVED_BITS 0x0000000000002083");
    assertThat(r.trace).contains("entry PT[0] LEAF " + Recorder.range(0x100_0000_0000L, 0x100_0000_0fffL) + " -> 0x0000000000005000");
  }

  @Test
  void narrowPhysicalWidthMakesHighAddressBitsMalformed() {
    Trees t = Trees.of(Formats.x86_64(dev.paging.core.X86Options.defaults().withPhysicalAddressBits(36)));
    t.raw(0x1000, 3, (1L << 40) | 0x3);
    Recorder r = new Recorder();
    Walker.walk(t.space, VirtualRange.all(), r);
    assertThat(r.trace).filteredOn(l -> l.startsWith("malformed"))
        .containsExactly("malformed PT[1] ADDRESS_BEYOND_PHYSICAL_WIDTH 0x0000010000000003");
  }

  @Test
  void sharingThatMultipliesWorkIsBoundedByTheBudget() {
    // Every PML4 entry -> one PDPT whose every entry -> one PD whose every entry -> one PT of
    // 512 leaves: legal, but 2^36 leaves to visit. The budget ends it exactly.
    Trees t = Trees.of(Formats.x86_64());
    long pt = t.allocator.allocate();
    long pd = t.allocator.allocate();
    long pdpt = t.allocator.allocate();
    PagingFormat f = t.format;
    for (int i = 0; i < 512; i++) {
      t.memory.write(pt + 8L * i, f.encodeLeaf(f.levels().get(3), 0x10_0000L + 4096L * i, dev.paging.api.Attributes.readWrite()));
      t.memory.write(pd + 8L * i, f.encodeTable(f.levels().get(2), pt, dev.paging.api.Attributes.readWrite()));
      t.memory.write(pdpt + 8L * i, f.encodeTable(f.levels().get(1), pd, dev.paging.api.Attributes.readWrite()));
      t.memory.write(t.root() + 8L * i, f.encodeTable(f.levels().get(0), pdpt, dev.paging.api.Attributes.readWrite()));
    }
    Walker walker = t.space.walker().entryBudget(100_000);
    long[] leaves = {0};
    assertThat(walker.walk(t.root(), VirtualRange.all(), new PageTableVisitor() {
      @Override
      public Control onEntry(EntryCursor e) {
        leaves[0]++;
        return Control.CONTINUE;
      }
    })).isEqualTo(WalkOutcome.BUDGET_EXHAUSTED);
    assertThat(walker.entriesRead()).isEqualTo(100_000);
    assertThat(t.memory.reads()).isEqualTo(100_000);
    // Every entry is non-empty and read once: one onEntry per entry read.
    assertThat(leaves[0]).isEqualTo(100_000L);
  }

  @Test
  void randomImagesAsEveryFormatAlwaysFinish() {
    List<PagingFormat> formats = List.of(Formats.x86_64(), Formats.x86_64FiveLevel(), Formats.sv39(), Formats.sv48(), Formats.sv57(), Formats.x86_32(), Formats.x86Pae(),
        Formats.aarch64());
    for (long seed = 1; seed <= 20; seed++) {
      SimulatedMemory image = randomImage(seed, false);
      for (PagingFormat format : formats) {
        long malformed = 0;
        for (long root = 0; root < (2L << 20); root += 0x40000) {
          Counts c = new Counts();
          WalkOutcome outcome = Walker.of(format, image).walk(root, VirtualRange.all(), c);
          assertThat(outcome).as("%s seed %d root %s", format, seed, hex(root)).isEqualTo(WalkOutcome.COMPLETED);
          // A PAE root has 4 entries, all not present one time in 16: only its sum must show them.
          if (format.root().entries() >= 512) {
            assertThat(c.malformed).as("random bits are mostly malformed or out of memory").isPositive();
          }
          malformed += c.malformed;
        }
        assertThat(malformed).as("%s seed %d: random bits are mostly malformed or out of memory", format, seed)
            .isPositive();
      }
    }
  }

  @Test
  void hostileRandomImagesWithPointersInsideMemoryFinishWithinTheBudget() {
    // Pointers masked into the image make every table reachable from many parents: without a
    // budget this would take years; with one it ends, every time.
    for (long seed = 1; seed <= 10; seed++) {
      SimulatedMemory image = randomImage(seed, true);
      for (PagingFormat format : List.of(Formats.x86_64(), Formats.sv39())) {
        Walker walker = Walker.of(format, image).entryBudget(200_000);
        Counts c = new Counts();
        WalkOutcome outcome = walker.walk(0, VirtualRange.all(), c);
        assertThat(outcome).isIn(WalkOutcome.BUDGET_EXHAUSTED, WalkOutcome.COMPLETED);
        assertThat(walker.entriesRead()).isLessThanOrEqualTo(200_000);
        assertThat(c.tables).isPositive();
      }
    }
  }

  /** 2 MiB of random bytes; with {@code inside}, every present entry's address lands inside the image. */
  private static SimulatedMemory randomImage(long seed, boolean inside) {
    SimulatedMemory m = SimulatedMemory.ofSize(2L << 20);
    SplittableRandom random = new SplittableRandom(seed);
    for (long a = 0; a < (2L << 20); a += 8) {
      long w = random.nextLong();
      if (inside) {
        // Flags stay random; the address becomes a frame of the image (x86 bits 12..20).
        w = (w & 0xfff) | ((random.nextLong() & 0x1ff) << 12) | 1;
      }
      m.write(a, w);
    }
    m.resetCounters();
    return m;
  }

  private static final class Counts implements PageTableVisitor {
    long tables;
    long malformed;
    final List<EntryProblem> problems = new ArrayList<>();

    @Override
    public Control beforeTable(dev.paging.api.TableCursor table) {
      tables++;
      return Control.CONTINUE;
    }

    @Override
    public Control onMalformed(EntryCursor entry, EntryProblem problem) {
      malformed++;
      return Control.CONTINUE;
    }
  }
}
