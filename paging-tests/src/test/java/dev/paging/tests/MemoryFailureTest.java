package dev.paging.tests;

import static dev.paging.tests.Space.GIB;
import static dev.paging.tests.Space.KIB4;
import static dev.paging.tests.Space.MIB2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.paging.api.Attributes;
import dev.paging.api.PagingFormat;
import dev.paging.api.PhysicalMemory;
import dev.paging.api.VirtualRange;
import dev.paging.core.Aarch64Options;
import dev.paging.core.Formats;
import dev.paging.fakes.AllocatorState;
import dev.paging.fakes.FailingMemory;
import dev.paging.fakes.FailingMemory.InjectedMemoryFailure;
import dev.paging.fakes.MemorySnapshot;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.fakes.TrackingFrameAllocator;
import dev.paging.ops.EntryWrite;
import dev.paging.ops.InterruptedChangeException;
import dev.paging.ops.MapOptions;
import dev.paging.ops.PageTables;
import dev.paging.ops.ReclaimMode;
import dev.paging.testkit.Invariants;
import dev.paging.testkit.PagingFixture;
import dev.paging.testkit.stateful.Generators;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;

/**
 * Every read and every write of every operation of a process's lifetime, failed once each, on
 * every format: whatever the memory throws and wherever, the tables end bit for bit as before
 * and the allocator holds exactly the frames it held (a frame taken and given back may keep what
 * was written into it: it is free memory, as allocators hand out memory, not zeroed tables). The failure comes back as thrown, or, once
 * live entries were written, as an {@link InterruptedChangeException} that says they were written
 * back and carries a plan. The scenario is replayed from scratch for each sweep, so each step is
 * swept on the state the steps before it leave.
 */
class MemoryFailureTest {
  private static final List<PagingFormat> FORMATS = List.of(Formats.x86_64(), Formats.x86_64FiveLevel(),
      Formats.sv39(), Formats.sv48(), Formats.sv57());

  /** The simulated memory, the failing view every operation uses, and the spaces. */
  private static final class World {
    final PagingFormat format;
    final SimulatedMemory memory = SimulatedMemory.ofSize(Space.MEMORY);
    final FailingMemory failing = FailingMemory.over(memory);
    final WriteLog log = new WriteLog(failing);
    final TrackingFrameAllocator allocator;
    final PageTables kernel;
    PageTables process;

    World(PagingFormat format) {
      this.format = format;
      long frame = PagingFixture.frameBytes(format);
      this.allocator = TrackingFrameAllocator.over(Space.TABLES_BASE, Space.TABLE_FRAMES * KIB4 / frame, frame);
      this.kernel = PageTables.create(format, log, allocator);
    }

    long kva() {
      return format.upperHalf().first() + 5 * GIB;
    }
  }

  private static final long UVA = 3 * GIB;
  /** A page away from the others, inside the lower half of every format. */
  private static final long PAGE = 0x30_0000_0000L - 64 * KIB4;
  private static final Attributes USER = Attributes.readWrite().withUser(true);

  /** The lifetime, one step per operation; steps later in the list rely on those before. */
  private static List<Step> steps() {
    List<Step> steps = new ArrayList<>();
    steps.add(new Step("share the kernel half", w -> w.process = PageTables.createSharingKernelHalf(w.kernel)));
    steps.add(new Step("map kernel memory", w -> w.kernel.map(VirtualRange.ofLength(w.kva() - MIB2, GIB + 2 * MIB2 + KIB4),
        0x8000_0000L - MIB2, Attributes.readWrite().withGlobal(true))));
    steps.add(new Step("map a 1 GiB page with a 4 KiB page each side", w -> w.process.map(
        VirtualRange.ofLength(UVA - KIB4, GIB + 2 * KIB4), 0x1_0000_0000L - KIB4, USER)));
    steps.add(new Step("replace 4 KiB inside the 1 GiB page", w -> w.process.map(
        VirtualRange.ofLength(UVA + MIB2 + KIB4, KIB4), 0x9_0000_0000L, USER.withWritable(false),
        MapOptions.replacing())));
    steps.add(new Step("protect, smashing both ends", w -> w.process.protect(
        VirtualRange.halfOpen(UVA + 3 * MIB2 + KIB4, UVA + 9 * MIB2 - KIB4), USER.withWritable(false))));
    steps.add(new Step("unmap, smashing one end", w -> w.process.unmap(
        VirtualRange.halfOpen(UVA + 11 * MIB2 - KIB4, UVA + 14 * MIB2 + KIB4))));
    steps.add(new Step("map one page", w -> w.process.mapPage(PAGE, 0x7000_0000L, USER)));
    steps.add(new Step("protect one page", w -> w.process.protectPage(PAGE,
        USER.withWritable(false))));
    steps.add(new Step("unmap one page", w -> w.process.unmapPage(PAGE)));
    steps.add(new Step("smash a shared kernel 2 MiB page", w -> w.process.smash(w.kva() + GIB + 0x5000, KIB4)));
    steps.add(new Step("collapse it again", w -> w.process.collapse(VirtualRange.ofLength(w.kva() + GIB, MIB2))
        .pendingFrees().release()));
    steps.add(new Step("unmap the user half", w -> w.process.unmap(w.format.lowerHalf())));
    steps.add(new Step("reclaim the user half", w -> w.process.reclaim(w.format.lowerHalf(), ReclaimMode.COLLECT)
        .pendingFrees().release()));
    steps.add(new Step("destroy the process", w -> w.process.destroy().pendingFrees().release()));
    return steps;
  }

  private static final class Step {
    final String name;
    final Consumer<World> action;

    Step(String name, Consumer<World> action) {
      this.name = name;
      this.action = action;
    }
  }

  /**
   * The same lifetime in a 32-bit space, for 32-bit paging (4-byte entries, 4 MiB pages, no NX)
   * and PAE (a 4-entry root, 2 MiB pages): kernel at 3 GiB, user memory at 1 GiB. AArch64 (two
   * roots) lives it too, its kernel 3 GiB into TTBR1's half, with 4 and 16 KiB granules: pages,
   * tables and frames of 16 KiB.
   */
  private static List<Step> thirtyTwoBitSteps(PagingFormat format) {
    long large = format.levels().get(format.levels().size() - 2).entrySpan();
    long pg = Generators.smallestPage(format);
    long kva = format.virtualAddressBits() == 32 ? 0xc000_0000L : format.upperHalf().first() + 0xc000_0000L;
    long uva = 0x4000_0000L;
    long page = 0x7ff0_0000L;
    Attributes user = Attributes.readWrite().withUser(true).withExecutable(true);
    // AArch64's kernel memory asks for the Contiguous hint, which map and smash keep true or clear.
    long hint = format.contiguousHintBit(format.levels().get(format.levels().size() - 1));
    Attributes kernel = Attributes.readWrite().withGlobal(true).withExecutable(true).withExtraBits(hint);
    List<Step> steps = new ArrayList<>();
    steps.add(new Step("share the kernel half", w -> w.process = PageTables.createSharingKernelHalf(w.kernel)));
    // Small: the shared kernel half's tables exist already, so 32-bit paging maps it in 4 KiB pages.
    steps.add(new Step("map kernel memory", w -> w.kernel.map(VirtualRange.ofLength(kva - large, 3 * large + pg),
        0x1000_0000L - large, kernel)));
    steps.add(new Step("map large pages with a 4 KiB page each side", w -> w.process.map(
        VirtualRange.ofLength(uva - pg, 8 * large + 2 * pg), 0x2000_0000L - pg, user)));
    steps.add(new Step("replace 4 KiB inside a large page", w -> w.process.map(
        VirtualRange.ofLength(uva + large + pg, pg), 0x3000_0000L, user.withWritable(false),
        MapOptions.replacing())));
    steps.add(new Step("protect, smashing both ends", w -> w.process.protect(
        VirtualRange.halfOpen(uva + 2 * large + pg, uva + 4 * large - pg), user.withWritable(false))));
    steps.add(new Step("unmap, smashing one end", w -> w.process.unmap(
        VirtualRange.halfOpen(uva + 6 * large - pg, uva + 8 * large + pg))));
    steps.add(new Step("map one page", w -> w.process.mapPage(page, 0x3100_0000L, user)));
    steps.add(new Step("protect one page", w -> w.process.protectPage(page, user.withWritable(false))));
    steps.add(new Step("unmap one page", w -> w.process.unmapPage(page)));
    steps.add(new Step("smash a shared kernel large page", w -> w.process.smash(kva + large + 5 * pg, pg)));
    steps.add(new Step("collapse it again", w -> w.process.collapse(VirtualRange.ofLength(kva + large, large))
        .pendingFrees().release()));
    steps.add(new Step("unmap the user half", w -> w.process.unmap(w.format.lowerHalf())));
    steps.add(new Step("reclaim the user half", w -> w.process.reclaim(w.format.lowerHalf(), ReclaimMode.COLLECT)
        .pendingFrees().release()));
    steps.add(new Step("destroy the process", w -> w.process.destroy().pendingFrees().release()));
    return steps;
  }

  @Test
  void everyReadAndWritePointFailsCleanlyOnThirtyTwoBitX86PaeAndAarch64() {
    for (PagingFormat format : List.of(Formats.x86_32(), Formats.x86Pae(), Formats.aarch64(),
        Formats.aarch64(Aarch64Options.defaults().withGranule(16384)))) {
      sweepLifetime(format, thirtyTwoBitSteps(format));
    }
  }

  @Test
  void everyReadAndWritePointOfEveryOperationFailsCleanlyOnEveryFormat() {
    for (PagingFormat format : FORMATS) {
      sweepLifetime(format, steps());
    }
  }

  private static void sweepLifetime(PagingFormat format, List<Step> steps) {
    int restoredAfterWrites = 0;
    int points = 0;
    for (int i = 0; i < steps.size(); i++) {
      for (boolean reads : new boolean[] {true, false}) {
        World w = new World(format);
        for (int j = 0; j < i; j++) {
          steps.get(j).action.accept(w);
        }
        String what = format.name() + ", " + steps.get(i).name;
        int[] counts = sweep(w, steps.get(i), reads, what);
        points += counts[0];
        restoredAfterWrites += counts[1];
        boolean processLives = w.process != null && i + 1 < steps.size();
        Invariants.check(processLives ? List.of(w.kernel.space(), w.process.space()) : List.of(w.kernel.space()))
            .assertClean();
      }
    }
    // A sweep that never reached a live write would prove little about undoing them.
    assertThat(restoredAfterWrites).as(format.name() + ": failures met after live writes").isGreaterThan(100);
    assertThat(points).as(format.name() + ": failure points").isGreaterThan(1000);
  }

  /**
   * Fails read (or write) point 1, 2, ... of the step until it succeeds; returns the points
   * failed and how many of those came back as restored interrupted changes.
   */
  private static int[] sweep(World w, Step step, boolean reads, String what) {
    int interrupted = 0;
    // Each failure is checked to leave these as they were, so they hold for the next point too.
    MemorySnapshot before = w.memory.snapshot();
    AllocatorState state = w.allocator.state();
    for (int k = 1; ; k++) {
      w.log.clear();
      if (reads) {
        w.failing.failAtRead(k);
      } else {
        w.failing.failAtWrite(k);
      }
      try {
        step.action.accept(w);
        w.failing.clearFailures();
        return new int[] {k - 1, interrupted};
      } catch (RuntimeException e) {
        w.failing.clearFailures();
        String at = what + ", failing " + (reads ? "read" : "write") + " point " + k;
        if (e instanceof InterruptedChangeException) {
          InterruptedChangeException ice = (InterruptedChangeException) e;
          assertThat(ice.restored()).as(at + ": " + e.getMessage()).isTrue();
          assertThat(ice.getCause()).as(at).isInstanceOf(InjectedMemoryFailure.class);
          assertThat(ice.plan().pagingStructures()).as(at).isTrue();
          assertThat(ice.framesKept()).as(at).isEmpty();
          interrupted++;
        } else if (!(e instanceof InjectedMemoryFailure)) {
          fail(at + ": threw " + e, e);
        }
        assertThat(w.allocator.state()).as(at + ": allocator").isEqualTo(state);
        // A frame the operation took and gave back may keep what was written into it: it is
        // free memory again, not a table. (Plain comparisons: thousands of points each check
        // hundreds of words.)
        w.log.forEachWord(frame -> inAllocatorRegion(frame) && !state.contains(frame), address -> {
          if (w.memory.read(address) != before.word(address)) {
            fail(String.format("%s: the word at 0x%x is 0x%x, was 0x%x", at, address, w.memory.read(address),
                before.word(address)));
          }
        });
        if (k > 100_000) {
          fail(what + " still fails at point " + k);
        }
      }
    }
  }

  @Test
  void whenTheUndoFailsTooTheExceptionNamesExactlyTheEntriesLeftChangedAndKeepsTheFrames() {
    World w = new World(Formats.x86_64());
    PageTables t = w.kernel;
    t.map(VirtualRange.ofLength(UVA, 4 * MIB2), 0x4000_0000L, USER);
    MemorySnapshot before = w.memory.snapshot();
    AllocatorState state = w.allocator.state();
    // Protecting [2 MiB + 4 KiB, 6 MiB - 4 KiB) smashes the 2 MiB pages at 2 and 4 MiB: each new
    // table is written whole (512 writes) before the PD entry that links it. The memory dies at
    // the second PD entry and stays dead, so undoing the first fails too.
    w.failing.failFromWrite(2 * 512 + 2);
    InterruptedChangeException e = (InterruptedChangeException) catchThrowable(() ->
        t.protect(VirtualRange.halfOpen(UVA + MIB2 + KIB4, UVA + 3 * MIB2 - KIB4), USER.withWritable(false)));
    w.failing.clearFailures();
    assertThat(e.restored()).isFalse();
    assertThat(e.entriesWritten()).isEqualTo(2);
    long pd = tableAt(w, UVA, 2);
    long[] kept = e.framesKept();
    assertThat(kept).hasSize(2);
    assertThat(w.allocator.state().framesNotIn(state)).containsExactlyInAnyOrder(kept);
    // Both writes are listed: the first holds its new bits, the failed one its old ones.
    List<EntryWrite> left = e.entriesLeftChanged();
    assertThat(left).extracting(EntryWrite::address).containsExactly(pd + 8, pd + 16);
    assertThat(w.memory.read(pd + 8)).isEqualTo(left.get(0).written());
    assertThat(left.get(0).written() & 1).isEqualTo(1);
    assertThat(w.memory.read(pd + 16)).isEqualTo(left.get(1).before());
    // Nothing else outside the kept frames changed.
    Set<Long> keptFrames = new HashSet<>();
    for (long f : kept) {
      keptFrames.add(f);
    }
    w.log.forEachWord(keptFrames::contains, address -> {
      if (address != pd + 8) {
        assertThat(w.memory.read(address)).as("0x%x", address).isEqualTo(before.word(address));
      }
    });
    assertThat(e.getMessage()).contains("protect [", "2 could not be written back, first entry at 0x",
        "the 2 frames taken stay allocated");
  }

  @Test
  void aCollapseWhoseMemoryFailsAfterALeafIsWrittenLinksTheOldTablesAgain() {
    World w = new World(Formats.x86_64());
    PageTables t = w.kernel;
    VirtualRange range = VirtualRange.ofLength(UVA, 2 * MIB2);
    t.map(range, 0x4000_0000L, USER, MapOptions.defaults().withPageSize(KIB4));
    long pd = tableAt(w, UVA, 2);
    long[] before = {w.memory.read(pd), w.memory.read(pd + 8)};
    AllocatorState state = w.allocator.state();
    // The collapse reads the first PT and writes PD entry 0 as a 2 MiB leaf, then reads the
    // second PT: every read failure from there on comes after a live write.
    int afterTheWrite = 0;
    for (int k = 1; ; k++) {
      w.failing.failAtRead(k);
      try {
        t.collapse(range).pendingFrees().release();
        break;
      } catch (InterruptedChangeException e) {
        afterTheWrite++;
        assertThat(e.restored()).isTrue();
        assertThat(e.plan().ranges()).containsExactly(range);
      } catch (InjectedMemoryFailure e) {
        assertThat(afterTheWrite).as("a plain failure after an interrupted one, at read " + k).isZero();
      }
      w.failing.clearFailures();
      assertThat(new long[] {w.memory.read(pd), w.memory.read(pd + 8)}).as("read point " + k).isEqualTo(before);
      assertThat(w.allocator.state()).isEqualTo(state);
      assertThat(t.translate(UVA + 0x3000).pageSize()).isEqualTo(KIB4);
    }
    w.failing.clearFailures();
    assertThat(afterTheWrite).isGreaterThan(0);
    assertThat(t.translate(UVA + 0x3000).pageSize()).isEqualTo(MIB2);
  }

  private static boolean inAllocatorRegion(long address) {
    return address >= Space.TABLES_BASE && address < Space.TABLES_BASE + Space.TABLE_FRAMES * KIB4;
  }

  private static long tableAt(World w, long va, int depth) {
    long table = w.kernel.space().root();
    for (int d = 0; d < depth; d++) {
      long raw = w.memory.read(table + 8L * w.format.levels().get(d).index(va));
      table = w.format.address(w.format.levels().get(d), raw);
    }
    return table;
  }

  private static Throwable catchThrowable(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      return e;
    }
    throw new AssertionError("expected an exception");
  }

  /**
   * Records where it was written: single words, and runs zeroed as (address, count), so that a
   * check need look only there. Primitive arrays: a sweep writes millions of words.
   */
  private static final class WriteLog implements PhysicalMemory {
    private final PhysicalMemory memory;
    private long[] words = new long[1024];
    private int wordCount;
    private long[] runs = new long[64];
    private int runCount;

    WriteLog(PhysicalMemory memory) {
      this.memory = memory;
    }

    void clear() {
      wordCount = 0;
      runCount = 0;
    }

    /** Calls {@code check} with the address of every word written since {@link #clear()}, a word at a time. */
    void forEachWord(LongPredicate skipFrame, LongConsumer check) {
      for (int i = 0; i < wordCount; i++) {
        if (!skipFrame.test(words[i] & ~0xfffL)) {
          check.accept(words[i]);
        }
      }
      for (int i = 0; i < runCount; i += 2) {
        if (!skipFrame.test(runs[i] & ~0xfffL)) {
          for (long k = 0; k < runs[i + 1]; k++) {
            check.accept(runs[i] + 8 * k);
          }
        }
      }
    }

    @Override
    public long read(long address) {
      return memory.read(address);
    }

    @Override
    public void write(long address, long value) {
      if (wordCount == words.length) {
        words = Arrays.copyOf(words, 2 * wordCount);
      }
      words[wordCount++] = address;
      memory.write(address, value);
    }

    @Override
    public boolean contains(long address, long length) {
      return memory.contains(address, length);
    }

    @Override
    public void read(long address, long[] into, int offset, int count) {
      memory.read(address, into, offset, count);
    }

    @Override
    public int firstNonZero(long address, int count) {
      return memory.firstNonZero(address, count);
    }

    @Override
    public boolean isZero(long address, int count) {
      return memory.isZero(address, count);
    }

    @Override
    public void zero(long address, int count) {
      if (runCount + 2 > runs.length) {
        runs = Arrays.copyOf(runs, 2 * runs.length);
      }
      runs[runCount++] = address;
      runs[runCount++] = count;
      memory.zero(address, count);
    }
  }
}
