package dev.paging.tests;

import static dev.paging.api.Addresses.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.paging.api.Addresses;
import dev.paging.api.PagingFormat;
import dev.paging.api.TableNotEmptyException;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.fakes.AllocatorState;
import dev.paging.fakes.MemorySnapshot;
import dev.paging.ops.ReclaimMode;
import dev.paging.ops.ReclaimOptions;
import dev.paging.ops.ReclaimResult;
import dev.paging.ops.Reclaimer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random trees, random leaves cleared, random pins, shared tables and ranges, in every format,
 * checked against a model that decides from first principles which tables must go: a table is
 * freed exactly when its span lies in the range, it is not the root, no table at or above it is
 * shared, and its subtree holds no live entry, no pinned table and no shared table. The model
 * knows nothing of walks or counters.
 *
 * <p>Every scenario derives from one seed; a failure names it, and {@code -Dreclaim.seed=N}
 * replays that scenario alone.
 */
class ReclaimModelTest {
  private static final List<PagingFormat> FORMATS =
      List.of(Formats.x86_64(), Formats.x86_64FiveLevel(), Formats.sv39(), Formats.sv48(), Formats.sv57());
  private static final int SCENARIOS = 400;

  /** An entry the scenario wrote: a leaf or a non-present marker, live until cleared. */
  private record Slot(int depth, long va, long last, boolean marker) {}

  /** A table of the tree, known by its depth and virtual span. */
  private record Table(int depth, long first, long last, long frame) {
    boolean within(long a, long b) {
      return Long.compareUnsigned(a, first) <= 0 && Long.compareUnsigned(last, b) <= 0;
    }

    boolean contains(long va) {
      return Long.compareUnsigned(first, va) <= 0 && Long.compareUnsigned(va, last) <= 0;
    }

    /** True when {@code other} is this table or lies below it. */
    boolean covers(Table other) {
      return other.depth >= depth && within(other.first) && within(other.last);
    }

    private boolean within(long va) {
      return contains(va);
    }
  }

  @Test
  void randomScenariosAgreeWithTheModel() {
    String replay = System.getProperty("reclaim.seed");
    if (replay != null) {
      scenario(Long.parseLong(replay));
      return;
    }
    SplittableRandom seeds = new SplittableRandom(0x5eed_0004L);
    int strictFailures = 0;
    int freed = 0;
    for (int i = 0; i < SCENARIOS; i++) {
      Outcome o = scenario(seeds.nextLong());
      strictFailures += o.strictFailed ? 1 : 0;
      freed += o.freed;
    }
    // The generator must exercise both outcomes of STRICT and free a fair number of tables.
    assertThat(strictFailures).isBetween(SCENARIOS / 5, SCENARIOS * 4 / 5);
    assertThat(freed).isGreaterThan(SCENARIOS * 2);
  }

  private record Outcome(boolean strictFailed, int freed) {}

  private static Outcome scenario(long seed) {
    String tag = "seed " + seed + " (replay with -Dreclaim.seed=" + seed + ")";
    SplittableRandom random = new SplittableRandom(seed);
    PagingFormat f = FORMATS.get(random.nextInt(FORMATS.size()));
    Trees t = Trees.of(f);
    List<Slot> slots = place(t, random, 1 + random.nextInt(24));
    List<Table> tables = tablesOf(t, slots);

    List<Slot> live = new ArrayList<>();
    for (Slot s : slots) {
      if (random.nextInt(10) < 6) {
        t.raw(s.va(), s.depth(), 0);
      } else {
        live.add(s);
      }
    }
    Set<Long> pinned = new HashSet<>();
    Set<Long> shared = new HashSet<>();
    for (Table table : tables) {
      if (table.depth() > 0 && random.nextInt(100) < 6) {
        pinned.add(table.frame());
      } else if (table.depth() > 0 && random.nextInt(100) < 4) {
        shared.add(table.frame());
        t.space.sharedTables().share(table.frame());
      }
    }
    VirtualRange range = randomRange(random, f, tables);
    tag += " " + f.name() + " range " + range;

    // The model.
    List<Table> expected = new ArrayList<>();
    List<Table> candidates = new ArrayList<>();
    for (Table table : tables) {
      if (table.depth() == 0 || !table.within(range.first(), range.last())) {
        continue;
      }
      boolean sharedAtOrAbove = tables.stream().anyMatch(a -> shared.contains(a.frame()) && a.covers(table));
      boolean candidate = !sharedAtOrAbove && !pinned.contains(table.frame());
      boolean holdsSomething = live.stream().anyMatch(s -> s.depth() >= table.depth() && table.contains(s.va()))
          || tables.stream().anyMatch(u -> table.covers(u) && (pinned.contains(u.frame()) || shared.contains(u.frame())));
      if (candidate) {
        candidates.add(table);
      }
      if (candidate && !holdsSomething) {
        expected.add(table);
      }
    }
    // Children before parents, in address order: by last address, then deepest first.
    expected.sort(Comparator.comparing(Table::last, Long::compareUnsigned)
        .thenComparing(Comparator.comparingInt(Table::depth).reversed()));
    long[] expectedFrames = expected.stream().mapToLong(Table::frame).toArray();

    MemorySnapshot before = t.memory.snapshot();
    AllocatorState allocatedBefore = t.allocator.state();
    ReclaimOptions options = ReclaimOptions.strict().withPinned((frame, level) -> pinned.contains(frame));
    Reclaimer reclaimer = Reclaimer.of(t.space);

    boolean strictShouldFail = expected.size() != candidates.size();
    Throwable thrown = catchThrowable(() -> reclaimer.reclaim(range, options).pendingFrees().release());
    if (strictShouldFail) {
      assertThat(thrown).as(tag).isInstanceOf(TableNotEmptyException.class);
      String message = thrown.getMessage();
      long named = Long.parseUnsignedLong(message.substring(message.indexOf(" table 0x") + 9).substring(0, 16), 16);
      Set<Long> failing = new HashSet<>();
      candidates.stream().filter(c -> !expected.contains(c)).forEach(c -> failing.add(c.frame()));
      assertThat(failing).as(tag + ": " + message).contains(named);
      assertThat(t.memory.snapshot()).as(tag).isEqualTo(before);
      assertThat(t.allocator.state()).as(tag).isEqualTo(allocatedBefore);
    } else {
      assertThat(thrown).as(tag).isNull();
      // STRICT freed what COLLECT would have; undo nothing, just check the outcome below.
    }

    ReclaimResult r;
    if (strictShouldFail) {
      r = reclaimer.reclaim(range, options.withMode(ReclaimMode.COLLECT));
      assertThat(r.frames()).as(tag).containsExactly(expectedFrames);
      assertThat(r.plan().entries()).as(tag).isEqualTo(expected.size());
      assertThat(r.plan().ranges()).as(tag).isEqualTo(coalesce(expected));
      assertThat(r.plan().pagingStructures()).isEqualTo(!expected.isEmpty());
      r.pendingFrees().release();
    }

    // Memory: the link to each freed table is zero, every other word is as before.
    Set<Long> cleared = new HashSet<>();
    for (Table table : expected) {
      Table parent = tables.stream()
          .filter(p -> p.depth() == table.depth() - 1 && p.contains(table.first())).findFirst().orElseThrow();
      cleared.add(parent.frame() + 8L * f.levels().get(parent.depth()).index(table.first()));
    }
    MemorySnapshot after = t.memory.snapshot();
    for (long address : before.addresses()) {
      long want = cleared.contains(address) ? 0 : before.word(address);
      assertThat(after.word(address)).as("%s: word %s", tag, hex(address)).isEqualTo(want);
    }
    assertThat(after.wordCount()).as(tag).isEqualTo(before.wordCount() - cleared.size());

    // The allocator got exactly the freed frames back.
    Set<Long> remaining = new HashSet<>();
    for (long frame : allocatedBefore.frames()) {
      remaining.add(frame);
    }
    for (long frame : expectedFrames) {
      assertThat(remaining.remove(frame)).as(tag).isTrue();
    }
    assertThat(t.allocator.allocatedFrames()).as(tag)
        .containsExactlyInAnyOrder(remaining.stream().mapToLong(Long::longValue).toArray());

    // A second pass finds nothing more.
    assertThat(reclaimer.reclaim(range, options.withMode(ReclaimMode.COLLECT)).isEmpty()).as(tag).isTrue();
    return new Outcome(strictShouldFail, expected.size());
  }

  /** Leaves and markers whose spans do not overlap, clustered so that tables are shared. */
  private static List<Slot> place(Trees t, SplittableRandom random, int count) {
    PagingFormat f = t.format;
    int n = f.levels().size();
    int half = f.root().entries() / 2;
    int[] rootIndices = {0, 1, half - 1, half, half + 1, 2 * half - 1};
    int[] indices = {0, 1, 2, 3, 255, 256, 511};
    List<Slot> placed = new ArrayList<>();
    for (int attempt = 0; placed.size() < count && attempt < 50 * count; attempt++) {
      int depth = random.nextInt(n);
      boolean marker = random.nextInt(5) == 0;
      if (!marker && !f.levels().get(depth).leafAllowed()) {
        continue;
      }
      long offset = (long) rootIndices[random.nextInt(rootIndices.length)] << f.root().shift();
      for (int d = 1; d <= depth; d++) {
        offset |= (long) indices[random.nextInt(indices.length)] << f.levels().get(d).shift();
      }
      long va = Addresses.signExtend(offset, f.virtualAddressBits());
      long last = va + f.levels().get(depth).entrySpan() - 1;
      boolean overlaps = placed.stream().anyMatch(s ->
          Long.compareUnsigned(va, s.last()) <= 0 && Long.compareUnsigned(s.va(), last) <= 0);
      if (overlaps) {
        continue;
      }
      if (marker) {
        t.raw(va, depth, (random.nextLong() & 0x000f_ffff_ffff_f000L) | 0x800);
      } else {
        t.leaf(va, depth, (1L + random.nextInt(3)) << f.levels().get(depth).shift());
      }
      placed.add(new Slot(depth, va, last, marker));
    }
    return placed;
  }

  /** Every table the slots needed, the root included, from their addresses alone. */
  private static List<Table> tablesOf(Trees t, List<Slot> slots) {
    PagingFormat f = t.format;
    List<Table> tables = new ArrayList<>();
    tables.add(new Table(0, 0, -1L, t.root()));
    Set<String> seen = new HashSet<>();
    for (Slot s : slots) {
      for (int d = 1; d <= s.depth(); d++) {
        long span = f.levels().get(d - 1).entrySpan();
        long first = s.va() & -span;
        if (seen.add(d + ":" + first)) {
          tables.add(new Table(d, first, first + span - 1, t.table(s.va(), d)));
        }
      }
    }
    return tables;
  }

  /** Whole space, one half, or ends near table boundaries (on, one byte in, one byte out). */
  private static VirtualRange randomRange(SplittableRandom random, PagingFormat f, List<Table> tables) {
    switch (random.nextInt(8)) {
      case 0:
        return VirtualRange.all();
      case 1:
        return random.nextBoolean() ? f.lowerHalf() : f.upperHalf();
      default:
        while (true) {
          long a = boundary(random, f, tables);
          long b = boundary(random, f, tables);
          if (!f.isCanonical(a) || !f.isCanonical(b)) {
            continue;
          }
          return Long.compareUnsigned(a, b) <= 0 ? VirtualRange.closed(a, b) : VirtualRange.closed(b, a);
        }
    }
  }

  private static long boundary(SplittableRandom random, PagingFormat f, List<Table> tables) {
    Table table = tables.get(random.nextInt(tables.size()));
    long edge = random.nextBoolean() ? table.first() : table.last();
    switch (random.nextInt(4)) {
      case 0:
        return edge + 1;
      case 1:
        return edge - 1;
      case 2:
        return Addresses.signExtend(random.nextLong(), f.virtualAddressBits());
      default:
        return edge;
    }
  }

  /** The freed spans, sorted and merged where they overlap or touch. */
  private static List<VirtualRange> coalesce(List<Table> freed) {
    List<Table> sorted = new ArrayList<>(freed);
    sorted.sort(Comparator.comparing(Table::first, Long::compareUnsigned));
    List<VirtualRange> out = new ArrayList<>();
    long first = 0;
    long last = 0;
    boolean open = false;
    for (Table table : sorted) {
      if (open && (last == -1L || Long.compareUnsigned(table.first(), last + 1) <= 0)) {
        if (Long.compareUnsigned(table.last(), last) > 0) {
          last = table.last();
        }
        continue;
      }
      if (open) {
        out.add(VirtualRange.closed(first, last));
      }
      first = table.first();
      last = table.last();
      open = true;
    }
    if (open) {
      out.add(VirtualRange.closed(first, last));
    }
    return out;
  }
}
