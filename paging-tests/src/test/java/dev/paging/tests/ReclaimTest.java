package dev.paging.tests;

import static dev.paging.api.Addresses.hex;
import static dev.paging.tests.Trees.oneLeafAmongEmptyTables;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.collect.Range;
import com.google.common.primitives.UnsignedLong;
import dev.paging.api.Attributes;
import dev.paging.api.FrameAllocator;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import dev.paging.api.PhysicalAccessException;
import dev.paging.api.PhysicalMemory;
import dev.paging.api.TableNotEmptyException;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.core.Formats;
import dev.paging.core.SharedTables;
import dev.paging.core.VirtualRanges;
import dev.paging.core.X86Options;
import dev.paging.fakes.AllocatorState;
import dev.paging.fakes.CountingMemory;
import dev.paging.fakes.MemorySnapshot;
import dev.paging.ops.InvalidationPlan;
import dev.paging.ops.ReclaimMode;
import dev.paging.ops.ReclaimOptions;
import dev.paging.ops.ReclaimResult;
import dev.paging.ops.Reclaimer;
import dev.paging.ops.Translation;
import dev.paging.ops.Translator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class ReclaimTest {
  private static final long MIB2 = 1L << 21;
  private static final long GIB = 1L << 30;
  private static final long UPPER = 0xffff_8000_0000_0000L;
  private static final long TOP_PAGE = 0xffff_ffff_ffff_f000L;
  private static final List<PagingFormat> FORMATS =
      List.of(Formats.x86_64(), Formats.x86_64FiveLevel(), Formats.sv39(), Formats.sv48(), Formats.sv57());

  /** A leaf slot: the entry at {@code depth} mapping {@code va}. */
  private record Slot(int depth, long va) {}

  /** The first address of the table at {@code depth} whose span holds {@code va}. */
  private static long tableBase(PagingFormat f, int depth, long va) {
    if (depth == 0) {
      return 0;
    }
    long span = f.levels().get(depth - 1).entrySpan();
    return va & -span;
  }

  private static long entrySpan(PagingFormat f, int depth) {
    return f.levels().get(depth).entrySpan();
  }

  /**
   * Places about {@code count} leaves of every size the format allows in both halves, none
   * overlapping another (so no leaf sits where a table must be), clustered so that tables are
   * shared by several leaves.
   */
  private static List<Slot> placeLeaves(Trees t, long seed, int count) {
    PagingFormat f = t.format;
    int n = f.levels().size();
    SplittableRandom random = new SplittableRandom(seed);
    List<Slot> placed = new ArrayList<>();
    long[] rootIndices = {0, 1, 255, 256, 257, 511};
    long[] rootLeafIndices = {3, 508};
    int[] lowIndices = {0, 1, 2, 7, 510, 511};
    for (int attempt = 0; placed.size() < count && attempt < count * 20; attempt++) {
      int depth = random.nextInt(n);
      if (!f.levels().get(depth).leafAllowed()) {
        continue;
      }
      // Root-level leaves (RISC-V) get root entries of their own, or they would rarely fit.
      long offset = (depth == 0 ? rootLeafIndices[random.nextInt(2)] : rootIndices[random.nextInt(rootIndices.length)])
          << f.root().shift();
      for (int d = 1; d <= depth; d++) {
        offset |= (long) lowIndices[random.nextInt(lowIndices.length)] << f.levels().get(d).shift();
      }
      long va = dev.paging.api.Addresses.signExtend(offset, f.virtualAddressBits());
      long size = entrySpan(f, depth);
      boolean overlaps = false;
      for (Slot s : placed) {
        long sSize = entrySpan(f, s.depth());
        if (Long.compareUnsigned(va, s.va() + sSize - 1) <= 0 && Long.compareUnsigned(s.va(), va + size - 1) <= 0) {
          overlaps = true;
          break;
        }
      }
      if (overlaps) {
        continue;
      }
      t.leaf(va, depth, (1L + random.nextInt(3)) << f.levels().get(depth).shift());
      placed.add(new Slot(depth, va));
    }
    return placed;
  }

  @Test
  void clearingEveryLeafAndReclaimingEverythingLeavesJustTheRootAndNoLeakInEveryFormat() {
    for (PagingFormat format : FORMATS) {
      Trees t = Trees.of(format);
      AllocatorState rootOnly = t.allocator.state();
      List<Slot> leaves = placeLeaves(t, 42, 60);
      assertThat(leaves).as(format.name()).hasSizeGreaterThan(40);
      assertThat(leaves).extracting(Slot::depth).as("leaves of every size the format allows")
          .containsAll(format.levels().stream().filter(Level::leafAllowed).map(Level::depth).toList());
      int n = format.levels().size();
      // The tables the leaves need, counted from their addresses alone.
      List<Set<Long>> tablesByDepth = new ArrayList<>();
      for (int d = 0; d < n; d++) {
        tablesByDepth.add(new HashSet<>());
      }
      for (Slot s : leaves) {
        for (int d = 1; d <= s.depth(); d++) {
          tablesByDepth.get(d).add(tableBase(format, d, s.va()));
        }
      }
      int tables = tablesByDepth.stream().mapToInt(Set::size).sum();
      assertThat(t.allocator.allocatedCount()).as(format.name()).isEqualTo(1 + tables);
      for (Slot s : leaves) {
        t.raw(s.va(), s.depth(), 0);
      }
      AllocatorState full = t.allocator.state();

      ReclaimResult r = Reclaimer.of(t.space).reclaim(VirtualRange.all(), ReclaimMode.COLLECT);
      assertThat(r.count()).as(format.name()).isEqualTo(tables);
      for (int d = 0; d < n; d++) {
        assertThat(r.count(format.levels().get(d))).as("%s depth %d", format.name(), d)
            .isEqualTo(tablesByDepth.get(d).size());
      }
      // The tables are unlinked, but the frames wait for the invalidation.
      assertThat(t.allocator.state()).isEqualTo(full);
      assertThat(t.memory.snapshot().wordCount()).as("every table and the root are all zero").isZero();
      r.pendingFrees().release();
      assertThat(t.allocator.state()).isEqualTo(rootOnly);
      t.allocator.assertNoLeaksSince(rootOnly);
      assertThat(Reclaimer.of(t.space).reclaim(VirtualRange.all(), ReclaimMode.STRICT).isEmpty()).isTrue();
    }
  }

  @Test
  void wholeSpaceReclaimOfASparseTreeReadsOnlyItsTables() {
    for (PagingFormat format : FORMATS) {
      int n = format.levels().size();
      Trees t = Trees.of(format);
      t.leaf(0x1000, n - 1, 0x2000);
      long emptyPt = t.table(0x20_0000L, n - 1);
      t.leaf(format.upperHalf().first(), n - 2, 0x20_0000L);
      t.memory.resetCounters();
      ReclaimResult r = Reclaimer.of(t.space).reclaim(VirtualRange.all(), ReclaimMode.COLLECT);
      assertThat(r.frames()).containsExactly(emptyPt);
      // 2n - 1 tables read in full, each entry once (the lower path, the empty PT, the upper
      // path down to the 2 MiB leaf): 256 TiB (128 PiB with 5 levels) of address space for a
      // few thousand reads.
      long expected = 512L * (2 * n - 1);
      assertThat(t.memory.reads()).as(format.name()).isEqualTo(expected);
      assertThat(r.entriesRead()).isEqualTo(expected);
      assertThat(r.tablesVisited()).isEqualTo(2 * n - 1);
      assertThat(t.memory.writes()).isEqualTo(1);
    }
  }

  @Test
  void aRangeAcrossTheCanonicalHoleReclaimsBothSides() {
    Trees t = Trees.of(Formats.x86_64());
    long lowPt = t.table(0x7fff_ffe0_0000L, 3);
    long lowPd = t.table(0x7fff_ffe0_0000L, 2);
    long lowPdpt = t.table(0x7fff_ffe0_0000L, 1);
    long highPt = t.table(UPPER, 3);
    long highPd = t.table(UPPER, 2);
    long highPdpt = t.table(UPPER, 1);
    ReclaimResult r = Reclaimer.of(t.space)
        .reclaim(VirtualRange.closed(0x7f80_0000_0000L, 0xffff_807f_ffff_ffffL), ReclaimMode.STRICT);
    assertThat(r.frames()).containsExactly(lowPt, lowPd, lowPdpt, highPt, highPd, highPdpt);
    assertThat(r.plan().ranges()).containsExactly(
        VirtualRange.closed(0x7f80_0000_0000L, 0x7fff_ffff_ffffL), VirtualRange.closed(UPPER, 0xffff_807f_ffff_ffffL));
  }

  /** The table at {@code depth} covering {@code va} below {@code root}, created if missing. */
  private static long tableIn(Trees t, long root, long va, int depth) {
    long table = root;
    for (int d = 0; d < depth; d++) {
      Level level = t.level(d);
      long entry = table + 8L * level.index(va);
      long raw = t.memory.read(entry);
      if (raw == 0) {
        long child = t.allocator.allocate();
        t.memory.fill(child, 4096, 0);
        raw = t.format.encodeTable(level, child, t.format.tableAttributesFor(Attributes.readWrite().withUser(true)));
        t.memory.write(entry, raw);
      }
      table = t.format.address(level, raw);
    }
    return table;
  }

  private static long entryIn(Trees t, long root, long va, int depth) {
    return tableIn(t, root, va, depth) + 8L * t.level(depth).index(va);
  }

  /**
   * A kernel template whose upper half (PDPTs recorded as shared) three processes link, each
   * with private user tables: reclaim in one never touches the kernel half or the others.
   */
  @Test
  void sharedKernelHalfAcrossSeveralSpaces() {
    Trees t = Trees.of(Formats.x86_64());
    PagingFormat f = t.format;
    SharedTables registry = SharedTables.create();
    t.leaf(UPPER + 0x1000, 3, 0x5000, Attributes.readWrite().withGlobal(true));
    t.leaf(UPPER + GIB, 2, 0x20_0000L, Attributes.readWrite().withGlobal(true));
    long kernelEmptyPt = t.table(UPPER + 2 * GIB, 3);
    t.leaf(TOP_PAGE, 3, 0x7000);
    List<Long> kernelTables = List.of(t.table(UPPER, 1), t.table(UPPER, 2), t.table(UPPER, 3),
        t.table(UPPER + GIB, 2), t.table(UPPER + 2 * GIB, 2), kernelEmptyPt,
        t.table(TOP_PAGE, 1), t.table(TOP_PAGE, 2), t.table(TOP_PAGE, 3));
    for (int i = 256; i < 512; i++) {
      long raw = t.memory.read(t.root() + 8L * i);
      if (raw != 0) {
        registry.share(f.address(t.level(0), raw));
      }
    }
    assertThat(registry.size()).isEqualTo(2);
    AllocatorState templateOnly = t.allocator.state();
    List<byte[]> kernelBytes = new ArrayList<>();
    for (long k : kernelTables) {
      kernelBytes.add(t.memory.readBytes(k, 4096));
    }

    List<AddressSpace> processes = new ArrayList<>();
    List<List<Long>> privateTables = new ArrayList<>();
    for (int p = 0; p < 3; p++) {
      long root = t.allocator.allocate();
      t.memory.fill(root, 4096, 0);
      for (int i = 256; i < 512; i++) {
        t.memory.write(root + 8L * i, t.memory.read(t.root() + 8L * i));
      }
      processes.add(AddressSpace.of(f, t.memory, t.allocator, root, registry));
      long user = 0x40_0000L + p * 0x1000L;
      t.memory.write(entryIn(t, root, user, 3), f.encodeLeaf(t.level(3), 0x100_0000L + p * 0x1000L,
          Attributes.readWrite().withUser(true)));
      long emptyPt = tableIn(t, root, 0x100_0000_0000L, 3);
      privateTables.add(List.of(tableIn(t, root, user, 3), tableIn(t, root, user, 2), tableIn(t, root, user, 1),
          emptyPt, tableIn(t, root, 0x100_0000_0000L, 2), tableIn(t, root, 0x100_0000_0000L, 1)));
    }
    List<Translation> before = new ArrayList<>();
    for (int p = 0; p < 3; p++) {
      before.add(Translator.of(processes.get(p)).translate(0x40_0000L + p * 0x1000L));
      before.add(Translator.of(processes.get(p)).translate(UPPER + GIB + 0x3000));
    }

    // Process 0 unmaps its user page and reclaims its whole space.
    AddressSpace p0 = processes.get(0);
    t.memory.write(entryIn(t, p0.root(), 0x40_0000L, 3), 0);
    CountingMemory counting = CountingMemory.over(t.memory);
    AddressSpace p0Counted = AddressSpace.of(f, counting, t.allocator, p0.root(), registry);
    ReclaimResult r = Reclaimer.of(p0Counted).reclaim(VirtualRange.all(), ReclaimMode.COLLECT);
    List<Long> mine = privateTables.get(0);
    assertThat(r.frames()).containsExactly(mine.stream().mapToLong(Long::longValue).toArray());
    Map<Long, Integer> reads = counting.readsByFrame();
    for (long k : kernelTables) {
      assertThat(reads).as("kernel table %s is never read", hex(k)).doesNotContainKey(k);
    }
    r.pendingFrees().release();
    for (int i = 0; i < kernelTables.size(); i++) {
      assertThat(t.memory.readBytes(kernelTables.get(i), 4096)).isEqualTo(kernelBytes.get(i));
      assertThat(t.allocator.isAllocated(kernelTables.get(i))).isTrue();
    }
    for (int p = 1; p < 3; p++) {
      assertThat(Translator.of(processes.get(p)).translate(0x40_0000L + p * 0x1000L)).isEqualTo(before.get(2 * p));
      assertThat(Translator.of(processes.get(p)).translate(UPPER + GIB + 0x3000)).isEqualTo(before.get(2 * p + 1));
    }
    assertThat(Translator.of(p0).translate(UPPER + GIB + 0x3000)).isEqualTo(before.get(1));

    // A strict reclaim in process 1 names its own user table, not a kernel one.
    assertThatThrownBy(() -> Reclaimer.of(processes.get(1)).reclaim(VirtualRange.all(), ReclaimMode.STRICT))
        .isInstanceOf(TableNotEmptyException.class)
        .hasMessageContaining("PT table " + hex(privateTables.get(1).get(0)));
    // Even the template cannot free its shared PDPTs or anything below them.
    assertThat(Reclaimer.of(AddressSpace.of(f, t.memory, t.allocator, t.root(), registry))
        .reclaim(f.upperHalf(), ReclaimMode.COLLECT).isEmpty()).isTrue();

    // Destroying every process (unmap, reclaim, free the root: what a destroy does) leaves
    // exactly the template's tables allocated.
    for (int p = 0; p < 3; p++) {
      AddressSpace space = processes.get(p);
      t.memory.write(entryIn(t, space.root(), 0x40_0000L + p * 0x1000L, 3), 0);
      Reclaimer.of(space).reclaim(VirtualRange.all(), ReclaimMode.STRICT).pendingFrees().release();
      for (int i = 0; i < 256; i++) {
        assertThat(t.memory.read(space.root() + 8L * i)).isZero();
      }
      t.allocator.free(space.root());
    }
    assertThat(t.allocator.state()).isEqualTo(templateOnly);
    assertThat(t.allocator.isAllocated(kernelEmptyPt)).isTrue();
  }

  /** An allocator that writes what happens to it into a shared log. */
  private static final class LoggingAllocator implements FrameAllocator {
    final FrameAllocator allocator;
    final List<String> log;

    LoggingAllocator(FrameAllocator allocator, List<String> log) {
      this.allocator = allocator;
      this.log = log;
    }

    @Override
    public long allocate() {
      return allocator.allocate();
    }

    @Override
    public void free(long frame) {
      log.add("free " + hex(frame));
      allocator.free(frame);
    }
  }

  @Test
  void framesGoBackOnlyAfterTheInvalidation() {
    Trees t = Trees.of(Formats.x86_64());
    long pt = t.table(0x20_0000L, 3);
    long pd = t.table(0x20_0000L, 2);
    long pdpt = t.table(0x20_0000L, 1);
    List<String> log = new ArrayList<>();
    AddressSpace space = AddressSpace.of(t.format, t.memory, new LoggingAllocator(t.allocator, log), t.root());
    ReclaimResult r = Reclaimer.of(space).reclaim(VirtualRange.all(), ReclaimMode.COLLECT);
    assertThat(log).isEmpty();
    assertThat(r.pendingFrees().isReleased()).isFalse();
    long[] copy = r.frames();
    copy[0] = 0;
    assertThat(r.frames()).containsExactly(pt, pd, pdpt);

    // An invalidation that fails keeps the frames pending.
    assertThatThrownBy(() -> r.releaseAfter(plan -> {
      throw new IllegalStateException("IPI timed out");
    })).hasMessage("IPI timed out");
    assertThat(log).isEmpty();
    assertThat(t.allocator.isAllocated(pt)).isTrue();

    r.releaseAfter(plan -> log.add("invalidate " + plan));
    assertThat(log).containsExactly(
        "invalidate invalidate 3 entries in [0x0000000000000000, 0x0000007fffffffff] (paging structures)",
        "free " + hex(pt), "free " + hex(pd), "free " + hex(pdpt));
    assertThat(r.pendingFrees().isReleased()).isTrue();
    assertThat(r.toString()).contains("3 tables freed (PDPT 1, PD 1, PT 1), released");
    assertThatThrownBy(() -> r.releaseAfter(plan -> log.add("again")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already released");
    assertThatThrownBy(() -> r.pendingFrees().release()).isInstanceOf(IllegalStateException.class);
    assertThat(log).hasSize(4);
  }

  /** Memory that refuses exactly one write, the {@code failAt}-th (1-based). */
  private static final class OneFailingWrite implements PhysicalMemory {
    private final PhysicalMemory memory;
    private final int failAt;
    private int writes;

    OneFailingWrite(PhysicalMemory memory, int failAt) {
      this.memory = memory;
      this.failAt = failAt;
    }

    @Override
    public long read(long address) {
      return memory.read(address);
    }

    @Override
    public void write(long address, long value) {
      if (++writes == failAt) {
        throw new PhysicalAccessException("injected failure of write " + failAt + " at " + hex(address));
      }
      memory.write(address, value);
    }

    @Override
    public boolean contains(long address, long length) {
      return memory.contains(address, length);
    }
  }

  @Test
  void aWriteRefusedPartWayRestoresEveryEntryAndFreesNothing() {
    for (int failAt = 1; failAt <= 5; failAt++) {
      Trees t = Trees.of(Formats.x86_64());
      t.table(0x20_0000L, 3);
      t.table(0x40_0000L, 3);
      t.table(GIB, 3);
      MemorySnapshot before = t.memory.snapshot();
      AllocatorState allocated = t.allocator.state();
      AddressSpace space = AddressSpace.of(t.format, new OneFailingWrite(t.memory, failAt), t.allocator, t.root());
      int k = failAt;
      assertThatThrownBy(() -> Reclaimer.of(space).reclaim(VirtualRange.all(), ReclaimMode.COLLECT))
          .isInstanceOf(PhysicalAccessException.class).hasMessageStartingWith("injected failure of write " + k);
      assertThat(t.memory.snapshot()).as("failing write %d", failAt).isEqualTo(before);
      assertThat(t.allocator.state()).isEqualTo(allocated);
    }
    // Memory that refuses every write (a read-only image): nothing changes either.
    Trees t = Trees.of(Formats.x86_64());
    t.table(0x20_0000L, 3);
    MemorySnapshot before = t.memory.snapshot();
    AddressSpace readOnly = AddressSpace.of(t.format, t.memory.readOnlyView(), t.allocator, t.root());
    assertThatThrownBy(() -> Reclaimer.of(readOnly).reclaim(VirtualRange.all(), ReclaimMode.COLLECT))
        .isInstanceOf(PhysicalAccessException.class);
    assertThat(t.memory.snapshot()).isEqualTo(before);
  }

  @Test
  void theInvalidationPlanCoversTheFreedTablesOnly() {
    Trees t = Trees.of(Formats.x86_64());
    for (int i = 0; i < 40; i++) {
      t.table(GIB + i * MIB2, 3);
    }
    t.leaf(GIB + 100 * MIB2, 2, 0x20_0000L);
    t.table(5 * GIB, 3);
    ReclaimResult r = Reclaimer.of(t.space).reclaim(VirtualRange.all(), ReclaimMode.COLLECT);
    InvalidationPlan plan = r.plan();
    assertThat(r.count()).isEqualTo(40 + 2);
    assertThat(plan.entries()).isEqualTo(42);
    assertThat(plan.pagingStructures()).isTrue();
    assertThat(plan.global()).isFalse();
    assertThat(plan.flushAllSuggested(InvalidationPlan.LINUX_X86_FLUSH_CEILING)).isTrue();
    assertThat(plan.ranges()).containsExactly(
        VirtualRange.halfOpen(GIB, GIB + 40 * MIB2), VirtualRange.page(5 * GIB, GIB));

    assertThat(Reclaimer.of(t.space).reclaim(VirtualRange.all(), ReclaimMode.COLLECT).plan())
        .isEqualTo(InvalidationPlan.none());
  }

  @Test
  void strictOnEmptyTablesFreesExactlyWhatCollectFrees() {
    for (PagingFormat format : FORMATS) {
      Trees a = Trees.of(format);
      Trees b = Trees.of(format);
      for (Slot s : placeLeaves(a, 7, 30)) {
        a.raw(s.va(), s.depth(), 0);
      }
      for (Slot s : placeLeaves(b, 7, 30)) {
        b.raw(s.va(), s.depth(), 0);
      }
      ReclaimResult strict = Reclaimer.of(a.space).reclaim(VirtualRange.all(), ReclaimOptions.strict());
      ReclaimResult collect = Reclaimer.of(b.space).reclaim(VirtualRange.all(), ReclaimOptions.collect());
      assertThat(strict.frames()).as(format.name()).containsExactly(collect.frames());
      assertThat(strict.plan()).isEqualTo(collect.plan());
      assertThat(a.memory.snapshot()).isEqualTo(b.memory.snapshot());
    }
  }

  @Test
  void optionsAndResultsAreValues() {
    assertThat(ReclaimOptions.of(ReclaimMode.COLLECT)).isSameAs(ReclaimOptions.collect());
    assertThat(ReclaimOptions.of(ReclaimMode.STRICT)).isSameAs(ReclaimOptions.strict());
    ReclaimOptions pinned = ReclaimOptions.collect().withPinned((frame, level) -> frame == 0x1000);
    assertThat(pinned.pinsNothing()).isFalse();
    assertThat(pinned.withMode(ReclaimMode.STRICT).mode()).isEqualTo(ReclaimMode.STRICT);
    assertThat(pinned.withMode(ReclaimMode.STRICT).pinned()).isSameAs(pinned.pinned());
    assertThat(pinned.toString()).isEqualTo("COLLECT with pinned tables");
    assertThat(ReclaimOptions.strict().toString()).isEqualTo("STRICT");
    assertThatThrownBy(() -> ReclaimOptions.collect().withPinned(null)).isInstanceOf(NullPointerException.class);

    Trees t = Trees.of(Formats.sv39());
    ReclaimResult r = Reclaimer.of(t.space).reclaim(VirtualRange.all(), ReclaimMode.COLLECT);
    assertThat(r.toString()).isEqualTo(
        "COLLECT reclaim of [0x0000000000000000, 0xffffffffffffffff]: 0 tables freed; nothing to invalidate");
    assertThat(r.frames()).isEmpty();
    assertThatThrownBy(() -> r.countAtDepth(3))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("depth 3 is not a level of a 3-level format");
  }

  private static ReclaimResult collect(Trees t, VirtualRange range) {
    return Reclaimer.of(t.space).reclaim(range, ReclaimMode.COLLECT);
  }

  private static boolean allZero(Trees t, long frame) {
    for (int i = 0; i < 512; i++) {
      if (t.memory.read(frame + 8L * i) != 0) {
        return false;
      }
    }
    return true;
  }

  /** Empty tables below three paths: the first page, the first upper-half page, the top page. */
  private static Trees threeEmptyPaths() {
    Trees t = Trees.of(Formats.x86_64());
    t.table(0x1000, 3);
    t.table(UPPER, 3);
    t.table(TOP_PAGE, 3);
    return t;
  }

  /** PTs at 1 GiB, 1 GiB + 10 MiB and the last 2 MiB of that gigabyte; one PT in the next one. */
  private static Trees gigabyteTree() {
    Trees t = Trees.of(Formats.x86_64());
    t.table(GIB, 3);
    t.table(GIB + 5 * MIB2, 3);
    t.table(GIB + 511 * MIB2, 3);
    t.table(2 * GIB, 3);
    t.table(0, 3);
    return t;
  }

  // "What's the problem with unbounded? I would expect that it just walks over the whole page table."
  @Test
  @Tag("pr-review")
  @DisplayName("pr-review: an unbounded range reclaims both canonical halves, however it is spelled")
  void unboundedRangeWalksTheWholeAddressSpaceBothCanonicalHalves() {
    List<Supplier<VirtualRange>> spellings = List.of(
        VirtualRange::all,
        () -> VirtualRanges.fromGuava(Range.all()),
        () -> VirtualRanges.fromGuava(Range.atLeast(UnsignedLong.ZERO)),
        () -> VirtualRanges.fromGuava(Range.atMost(UnsignedLong.MAX_VALUE)));
    for (Supplier<VirtualRange> spelling : spellings) {
      Trees t = threeEmptyPaths();
      long[] expected = {
          t.table(0x1000, 3), t.table(0x1000, 2), t.table(0x1000, 1),
          t.table(UPPER, 3), t.table(UPPER, 2), t.table(UPPER, 1),
          t.table(TOP_PAGE, 3), t.table(TOP_PAGE, 2), t.table(TOP_PAGE, 1)};
      ReclaimResult r = collect(t, spelling.get());
      assertThat(r.range()).isEqualTo(VirtualRange.all());
      assertThat(r.frames()).containsExactly(expected);
      assertThat(r.countAtDepth(0)).isZero();
      assertThat(r.countAtDepth(1)).isEqualTo(3);
      assertThat(r.countAtDepth(2)).isEqualTo(3);
      assertThat(r.count(t.level(3))).isEqualTo(3);
      assertThat(allZero(t, t.root())).isTrue();
      assertThat(r.plan().ranges()).containsExactly(
          VirtualRange.closed(0, 0x7f_ffff_ffffL),
          VirtualRange.closed(UPPER, 0xffff_807f_ffff_ffffL),
          VirtualRange.closed(0xffff_ff80_0000_0000L, -1L));
    }
  }

  // "Doesn't this lead to an overflow if the endpoint is the address space end address?"
  @Test
  @Tag("pr-review")
  @DisplayName("pr-review: a range ending at the top of the address space does not overflow")
  void inclusiveEndAtTheTopOfTheAddressSpaceDoesNotOverflow() {
    Trees t = threeEmptyPaths();
    long pt = t.table(TOP_PAGE, 3);
    ReclaimResult r = collect(t, VirtualRange.closed(0xffff_ffff_ffe0_0000L, 0xffff_ffff_ffff_ffffL));
    assertThat(r.frames()).containsExactly(pt);
    assertThat(r.plan().ranges()).containsExactly(VirtualRange.closed(0xffff_ffff_ffe0_0000L, -1L));
    assertThat(t.memory.read(t.entryAddress(TOP_PAGE, 2))).isZero();

    // The same end through Guava, closed at UnsignedLong.MAX_VALUE or unbounded above.
    Trees u = threeEmptyPaths();
    long topPt = u.table(TOP_PAGE, 3);
    long topPd = u.table(TOP_PAGE, 2);
    long topPdpt = u.table(TOP_PAGE, 1);
    ReclaimResult g = collect(u, VirtualRanges.fromGuava(
        Range.closed(UnsignedLong.fromLongBits(0xffff_ffff_c000_0000L), UnsignedLong.MAX_VALUE)));
    assertThat(g.frames()).containsExactly(topPt, topPd);
    ReclaimResult h = collect(u, VirtualRanges.fromGuava(Range.atLeast(UnsignedLong.fromLongBits(0xffff_ff80_0000_0000L))));
    assertThat(h.frames()).containsExactly(topPdpt);
    assertThat(h.plan().ranges()).containsExactly(VirtualRange.closed(0xffff_ff80_0000_0000L, -1L));

    // The top page alone is a valid range; no table lies wholly inside 4 KiB.
    Trees v = threeEmptyPaths();
    ReclaimResult p = collect(v, VirtualRange.page(TOP_PAGE));
    assertThat(p.isEmpty()).isTrue();
    assertThat(p.plan()).isEqualTo(InvalidationPlan.none());
  }

  // "If a 1GiB range is passed the bounds are rounded so that not all page tables in the range
  // might get freed" / "a 1GiB range should not lead to different behavior than when it's
  // converted to a 4KiB range".
  @Test
  @Tag("pr-review")
  @DisplayName("pr-review: a range in 1 GiB pages frees exactly what the same range in 4 KiB pages frees")
  void gigabyteRangeFreesExactlyWhatTheSameRangeInSmallPagesFrees() {
    List<Supplier<VirtualRange>> spellings = List.of(
        () -> VirtualRange.page(GIB, GIB),
        () -> VirtualRange.halfOpen(GIB, GIB + 262_144L * 4096),
        () -> VirtualRange.halfOpen(GIB, GIB + 512 * MIB2),
        () -> VirtualRange.closed(GIB, 2 * GIB - 1),
        () -> VirtualRange.ofLength(GIB, GIB),
        () -> VirtualRanges.fromGuava(Range.closedOpen(UnsignedLong.valueOf(GIB), UnsignedLong.valueOf(2 * GIB))),
        () -> VirtualRanges.fromGuava(Range.open(UnsignedLong.valueOf(GIB - 1), UnsignedLong.valueOf(2 * GIB))));
    Trees reference = gigabyteTree();
    long[] expected = {
        reference.table(GIB, 3), reference.table(GIB + 5 * MIB2, 3), reference.table(GIB + 511 * MIB2, 3),
        reference.table(GIB, 2)};
    MemorySnapshot after = null;
    for (Supplier<VirtualRange> spelling : spellings) {
      Trees t = gigabyteTree();
      ReclaimResult r = collect(t, spelling.get());
      assertThat(r.frames()).as(spelling.get().toString()).containsExactly(expected);
      assertThat(r.plan().ranges()).containsExactly(VirtualRange.closed(GIB, 2 * GIB - 1));
      assertThat(r.plan().entries()).isEqualTo(4);
      // The PDPT spans 512 GiB, the PT at 2 GiB lies outside: both stay.
      assertThat(t.memory.read(t.entryAddress(2 * GIB, 2))).isNotZero();
      assertThat(t.memory.read(t.entryAddress(GIB, 1))).isZero();
      MemorySnapshot s = t.memory.snapshot();
      if (after != null) {
        assertThat(s).isEqualTo(after);
      }
      after = s;
    }
  }

  // "Why is this unreachable? 1GiB pages are totally possible." / "2MiB pages are totally
  // possible." / "Shouldn't this be a continue instead of a return?"
  @Test
  @Tag("pr-review")
  @DisplayName("pr-review: huge pages keep their tables and the walk goes on after them")
  void hugePagesAtBothLevelsKeepTheirTablesAndTheWalkGoesOnWithTheNextEntry() {
    for (PagingFormat format : List.of(Formats.x86_64(), Formats.x86_64FiveLevel(), Formats.sv39(), Formats.sv48(), Formats.sv57())) {
      int n = format.levels().size();
      int gig = n - 3;
      int twoMeg = n - 2;
      int pt = n - 1;
      Trees t = Trees.of(format);
      t.leaf(0, gig, 0x4000_0000L);                 // a 1 GiB leaf
      t.leaf(GIB, twoMeg, 0x20_0000L);              // a 2 MiB leaf in the next gigabyte's table
      long ptAfter2M = t.table(GIB + MIB2, pt);     // an empty table after the 2 MiB leaf
      long ptAfter1G = t.table(2 * GIB, pt);        // an empty subtree after the 1 GiB leaf
      long pdAfter1G = t.table(2 * GIB, twoMeg);
      Translator tr = Translator.of(t.space);
      Translation gigBefore = tr.translate(0x1234_5678L);
      Translation twoMegBefore = tr.translate(GIB + 0x1234);

      ReclaimResult r = collect(t, VirtualRange.all());
      assertThat(r.frames()).as(format.name()).containsExactly(ptAfter2M, ptAfter1G, pdAfter1G);
      assertThat(tr.translate(0x1234_5678L)).isEqualTo(gigBefore);
      assertThat(tr.translate(GIB + 0x1234)).isEqualTo(twoMegBefore);
      assertThat(gigBefore.pageSize()).isEqualTo(GIB);
      assertThat(twoMegBefore.pageSize()).isEqualTo(MIB2);
      // The tables holding the huge leaves stay, with their leaves.
      assertThat(t.memory.read(t.entryAddress(0, gig))).isNotZero();
      assertThat(t.memory.read(t.entryAddress(GIB, twoMeg))).isNotZero();
    }
  }

  // Mode (2) of the design discussion: "try to reclaim every page and panic if one of the page
  // tables is non-zero". Here it is an exception, and it changes nothing at all.
  @Test
  @Tag("pr-review")
  @DisplayName("pr-review: a STRICT reclaim that finds a non-empty table changes nothing")
  void strictFailureChangesNothing() {
    Trees t = oneLeafAmongEmptyTables();
    long pt = t.table(0x40_0000L, 3);
    long leaf = t.memory.read(t.entryAddress(0x40_3000L, 3));
    MemorySnapshot memoryBefore = t.memory.snapshot();
    AllocatorState allocatorBefore = t.allocator.state();
    long writes = t.memory.writes();
    Reclaimer reclaimer = Reclaimer.of(t.space);
    assertThatThrownBy(() -> reclaimer.reclaim(VirtualRange.all(), ReclaimMode.STRICT))
        .isInstanceOf(TableNotEmptyException.class)
        .hasMessage("STRICT reclaim of [0x0000000000000000, 0xffffffffffffffff]: PT table " + hex(pt)
            + " spanning [0x0000000000400000, 0x00000000005fffff] is not empty: entry 3"
            + " [0x0000000000403000, 0x0000000000403fff] holds " + hex(leaf)
            + ", a leaf mapping 0x0000000000abc000; nothing was changed");
    assertThat(t.memory.snapshot()).isEqualTo(memoryBefore);
    assertThat(t.allocator.state()).isEqualTo(allocatorBefore);
    assertThat(t.memory.writes()).isEqualTo(writes);

    // The first non-empty entry may sit in a table above: a 2 MiB leaf in the PD.
    Trees u = Trees.of(Formats.x86_64());
    u.table(0x20_0000L, 3);
    u.leaf(0x80_0000L, 2, 0x20_0000L);
    MemorySnapshot uBefore = u.memory.snapshot();
    assertThatThrownBy(() -> Reclaimer.of(u.space).reclaim(VirtualRange.halfOpen(0, GIB), ReclaimMode.STRICT))
        .isInstanceOf(TableNotEmptyException.class)
        .hasMessage("STRICT reclaim of [0x0000000000000000, 0x000000003fffffff]: PD table " + hex(u.table(0, 2))
            + " spanning [0x0000000000000000, 0x000000003fffffff] is not empty: entry 4"
            + " [0x0000000000800000, 0x00000000009fffff] holds " + hex(u.memory.read(u.entryAddress(0x80_0000L, 2)))
            + ", a huge leaf mapping 0x0000000000200000; nothing was changed");
    assertThat(u.memory.snapshot()).isEqualTo(uBefore);

    // Once the leaf is gone the same call succeeds and frees what COLLECT would.
    t.raw(0x40_3000L, 3, 0);
    long[] expected = {t.table(0x20_0000L, 3), pt, t.table(0x60_0000L, 3), t.table(0, 2), t.table(0, 1)};
    ReclaimResult r = reclaimer.reclaim(VirtualRange.all(), ReclaimMode.STRICT);
    assertThat(r.mode()).isEqualTo(ReclaimMode.STRICT);
    assertThat(r.frames()).containsExactly(expected);
    r.pendingFrees().release();
    assertThat(t.allocator.allocatedFrames()).containsExactly(t.root());
  }

  // Mode (1): "reclaim all empty page tables (i.e. all zeros) and leave others in place".
  @Test
  @Tag("pr-review")
  @DisplayName("pr-review: COLLECT frees the empty tables and leaves the others in place")
  void collectLeavesNonEmptyTablesAndFreesTheEmptyOnes() {
    Trees t = oneLeafAmongEmptyTables();
    long swap = 0x0000_0012_3456_7000L | 0x2;        // not present, not zero: a swap marker
    t.raw(0x80_5000L, 3, swap);
    long emptyPt = t.table(0x20_0000L, 3);
    long leafPt = t.table(0x40_0000L, 3);
    long swapPt = t.table(0x80_0000L, 3);
    long lastPt = t.table(0x60_0000L, 3);
    MemorySnapshot before = t.memory.snapshot();

    ReclaimResult r = collect(t, VirtualRange.all());
    assertThat(r.frames()).containsExactly(emptyPt, lastPt);
    assertThat(before.diff(t.memory.snapshot())).isEqualTo("2 words differ:"
        + "\n  " + hex(t.entryAddress(0x20_0000L, 2)) + ": " + hex(before.word(t.entryAddress(0x20_0000L, 2))) + " -> 0x0000000000000000"
        + "\n  " + hex(t.entryAddress(0x60_0000L, 2)) + ": " + hex(before.word(t.entryAddress(0x60_0000L, 2))) + " -> 0x0000000000000000");
    assertThat(collect(t, VirtualRange.all()).isEmpty()).isTrue();

    t.raw(0x40_3000L, 3, 0);
    assertThat(collect(t, VirtualRange.all()).frames()).containsExactly(leafPt);
    t.raw(0x80_5000L, 3, 0);
    long pd = t.table(0, 2);
    long pdpt = t.table(0, 1);
    assertThat(collect(t, VirtualRange.all()).frames()).containsExactly(swapPt, pd, pdpt);
  }

  // "Aren't you iterating over the same page table multiple times (same for the other page
  // table levels)?"
  @Test
  @Tag("pr-review")
  @DisplayName("pr-review: no table is visited twice")
  void noTableIsVisitedTwice() {
    Trees t = Trees.of(Formats.x86_64());
    long pt1 = t.table(0x20_0000L, 3);
    t.leaf(0x40_7000L, 3, 0x9000L);
    long pt2 = t.table(0x40_0000L, 3);
    long pt3 = t.table(0x60_0000L, 3);
    CountingMemory counting = CountingMemory.over(t.memory);
    AddressSpace space = AddressSpace.of(t.format, counting, t.allocator, t.root());
    // A range spelled in 4 KiB pages over three PTs: the old loop went page by page.
    ReclaimResult r = Reclaimer.of(space).reclaim(VirtualRange.halfOpen(0x20_0000L, 0x80_0000L), ReclaimMode.COLLECT);
    assertThat(r.frames()).containsExactly(pt1, pt3);
    Map<Long, Integer> reads = counting.readsByFrame();
    assertThat(reads).containsOnlyKeys(t.root(), t.table(0, 1), t.table(0, 2), pt1, pt2, pt3);
    // Each link is read once; the root, PDPT and PD hold one, one and three links in the range.
    assertThat(reads.get(t.root())).isEqualTo(1);
    assertThat(reads.get(t.table(0, 1))).isEqualTo(1);
    assertThat(reads.get(t.table(0, 2))).isEqualTo(3);
    for (long pt : new long[] {pt1, pt2, pt3}) {
      assertThat(reads.get(pt)).isEqualTo(512);
      assertThat(counting.mostReadsOfOneWord(pt)).isEqualTo(1);
    }
    assertThat(r.tablesVisited()).isEqualTo(6);
    assertThat(r.entriesRead()).isEqualTo(1 + 1 + 3 + 3 * 512);
  }

  // "We only attempt to reclaim page tables that lie entirely within the given range", and the
  // index arithmetic ("How does adding 1 to the P1 index change anything?", "Why is the P1
  // index always zero?") replaced by the walker's clipping.
  @Test
  @Tag("pr-review")
  @DisplayName("pr-review: only tables wholly inside the range are freed, and nothing outside it is read")
  void onlyTablesWhollyInsideTheRangeAreFreedAndNothingOutsideIsRead() {
    Trees t = Trees.of(Formats.x86_64());
    long pt0 = t.table(0, 3);
    long pt1 = t.table(0x20_0000L, 3);
    long pt2 = t.table(0x40_0000L, 3);
    long pt3 = t.table(0x60_0000L, 3);
    CountingMemory counting = CountingMemory.over(t.memory);
    AddressSpace space = AddressSpace.of(t.format, counting, t.allocator, t.root());
    Reclaimer reclaimer = Reclaimer.of(space);
    // Byte-precise ends: one byte of PT0's span and one byte of PT2's are in the range.
    ReclaimResult r = reclaimer.reclaim(VirtualRange.closed(0x1f_ffffL, 0x40_0000L), ReclaimMode.COLLECT);
    assertThat(r.frames()).containsExactly(pt1);
    Map<Long, Integer> reads = counting.readsByFrame();
    assertThat(reads.get(pt0)).isEqualTo(1);
    assertThat(counting.readsOf(pt0 + 8 * 511)).isEqualTo(1);
    assertThat(reads.get(pt2)).isEqualTo(1);
    assertThat(counting.readsOf(pt2)).isEqualTo(1);
    assertThat(reads).doesNotContainKey(pt3);

    // Every PT inside, the PD not: the PD stays even though it is now empty (floor/ceiling).
    ReclaimResult s = reclaimer.reclaim(VirtualRange.halfOpen(0, 0x80_0000L), ReclaimMode.COLLECT);
    assertThat(s.frames()).containsExactly(pt0, pt2, pt3);
    long pd = t.table(0, 2);
    assertThat(allZero(t, pd)).isTrue();
    assertThat(t.memory.read(t.entryAddress(0, 1))).isNotZero();
    // Its whole gigabyte: now the PD goes, and the PDPT (512 GiB) stays.
    ReclaimResult g = reclaimer.reclaim(VirtualRange.page(0, GIB), ReclaimMode.COLLECT);
    assertThat(g.frames()).containsExactly(pd);
    assertThat(t.memory.read(t.entryAddress(0, 0))).isNotZero();
  }

  // "So the reclaim_page_tables function should not change any mappings. It should only
  // reclaim empty page table frames" / "Maybe we should mention that this only frees page
  // tables, not pages."
  @Test
  @Tag("pr-review")
  @DisplayName("pr-review: reclaim never changes a mapping and never frees a data frame")
  void neverChangesAMappingAndNeverFreesADataFrame() {
    Trees t = Trees.of(Formats.x86_64());
    long data1 = t.allocator.allocate();
    long data2 = t.allocator.allocate();
    long[] mapped = {0x1000, 0x7f_ffff_f000L, UPPER + 0x5000, TOP_PAGE};
    t.leaf(mapped[0], 3, data1);
    t.leaf(mapped[1], 3, data2);
    t.leaf(mapped[2], 3, data1);
    t.leaf(mapped[3], 3, data2, Attributes.readWrite().withGlobal(true));
    t.leaf(0x40_0000_0000L, 2, 0x4000_0000L);
    List<Long> tables = new ArrayList<>();
    for (long va : new long[] {0x20_0000L, 0x1_0000_0000L, UPPER + GIB, 0xffff_ffff_0000_0000L}) {
      tables.add(t.table(va, 3));
      tables.add(t.table(va, 2));
    }
    Translator tr = Translator.of(t.space);
    List<Translation> before = new ArrayList<>();
    for (long va : mapped) {
      before.add(tr.translate(va));
    }
    ReclaimResult r = collect(t, VirtualRange.all());
    r.pendingFrees().release();
    for (int i = 0; i < mapped.length; i++) {
      assertThat(tr.translate(mapped[i])).isEqualTo(before.get(i));
    }
    assertThat(t.allocator.isAllocated(data1)).isTrue();
    assertThat(t.allocator.isAllocated(data2)).isTrue();
    assertThat(r.frames()).doesNotContain(data1, data2);
    for (long f : r.frames()) {
      assertThat(tables).contains(f);
    }
    assertThat(r.plan().global()).isFalse();
    assertThat(r.plan().pagingStructures()).isTrue();
  }

  // "It is impossible to know just from the page tables if a page is shared without some other
  // source of information" / "sharing page tables does happen, especially in hypervisors".
  @Test
  @Tag("pr-review")
  @DisplayName("pr-review: pinned, shared and doubly linked tables are never freed")
  void tablesTheLibraryCannotKnowAreInUseAreNeverFreed() {
    // Pinned by the caller: the PT stays, so its PD stays; its empty siblings go.
    Trees t = Trees.of(Formats.x86_64());
    long pinnedPt = t.table(0x20_0000L, 3);
    long otherPt = t.table(0x40_0000L, 3);
    List<String> asked = new ArrayList<>();
    ReclaimOptions pin = ReclaimOptions.collect().withPinned((frame, level) -> {
      asked.add(hex(frame) + " " + level.name());
      return frame == pinnedPt;
    });
    ReclaimResult r = Reclaimer.of(t.space).reclaim(VirtualRange.all(), pin);
    assertThat(r.frames()).containsExactly(otherPt);
    // Asked once about each table wholly inside the range, in walk order, never about the root.
    assertThat(asked).containsExactly(hex(t.table(0, 1)) + " PDPT", hex(t.table(0, 2)) + " PD",
        hex(pinnedPt) + " PT", hex(otherPt) + " PT");
    MemorySnapshot before = t.memory.snapshot();
    assertThatThrownBy(() -> Reclaimer.of(t.space).reclaim(VirtualRange.all(), pin.withMode(ReclaimMode.STRICT)))
        .isInstanceOf(TableNotEmptyException.class)
        .hasMessageContaining("PD table " + hex(t.table(0, 2)) + " spanning [0x0000000000000000, 0x000000003fffffff] is not empty: entry 1")
        .hasMessageContaining("a link to the pinned table " + hex(pinnedPt) + "; nothing was changed");
    assertThat(t.memory.snapshot()).isEqualTo(before);

    // Recorded as shared: kept, and not even read.
    Trees u = Trees.of(Formats.x86_64());
    long sharedPt = u.table(0x20_0000L, 3);
    u.space.sharedTables().share(sharedPt);
    CountingMemory counting = CountingMemory.over(u.memory);
    AddressSpace space = AddressSpace.of(u.format, counting, u.allocator, u.root(), u.space.sharedTables());
    assertThat(Reclaimer.of(space).reclaim(VirtualRange.all(), ReclaimMode.COLLECT).isEmpty()).isTrue();
    assertThat(counting.readsByFrame()).doesNotContainKey(sharedPt);
    assertThatThrownBy(() -> Reclaimer.of(space).reclaim(VirtualRange.all(), ReclaimMode.STRICT))
        .hasMessageContaining("entry 1 [0x0000000000200000, 0x00000000003fffff] holds "
            + hex(u.memory.read(u.entryAddress(0x20_0000L, 2))) + ", a link to the shared table " + hex(sharedPt));

    // Linked twice and recorded nowhere: the walk sees it twice, treats it as shared, and never
    // frees a frame twice.
    Trees v = Trees.of(Formats.x86_64());
    long twice = v.table(0x20_0000L, 3);
    v.link(0x40_0000L, 2, twice);
    long alone = v.table(0x60_0000L, 3);
    ReclaimResult w = collect(v, VirtualRange.all());
    assertThat(w.frames()).containsExactly(alone);
    assertThat(v.memory.read(v.entryAddress(0x20_0000L, 2))).isNotZero();
    w.pendingFrees().release();
    assertThat(v.allocator.isAllocated(twice)).isTrue();

    // Linked from two PDs that are otherwise empty: the first walk would free it through the
    // first PD; the second link shows it is shared, so neither PD nor the PT is freed.
    Trees x = Trees.of(Formats.x86_64());
    long shared2 = x.table(0x20_0000L, 3);
    x.link(GIB + 0x20_0000L, 2, shared2);
    long pdA = x.table(0, 2);
    long pdB = x.table(GIB, 2);
    ReclaimResult y = collect(x, VirtualRange.all());
    assertThat(y.frames()).isEmpty();
    assertThat(allZero(x, pdA)).isFalse();
    assertThat(allZero(x, pdB)).isFalse();
    assertThat(y.tablesVisited()).as("root, PDPT, two PDs and the PT once; then again without the PT").isEqualTo(5 + 4);
  }

  // "make the range be specified as RangeBound so that one can do reclaim_page_tables(page..
  // other_page) and reclaim_page_tables(page..=other_page)".
  @Test
  @Tag("pr-review")
  @DisplayName("pr-review: half-open and closed ranges are ranges of bytes")
  void halfOpenAndClosedRangesAreRangesOfBytes() {
    List<VirtualRange> same = List.of(
        VirtualRange.halfOpen(0x20_0000L, 0x40_0000L),                     // page..other_page
        VirtualRange.closed(0x20_0000L, 0x3f_f000L + 4095),                 // page..=last_page, as bytes
        VirtualRanges.fromGuava(Range.closedOpen(UnsignedLong.valueOf(0x20_0000L), UnsignedLong.valueOf(0x40_0000L))),
        VirtualRanges.fromGuava(Range.closed(UnsignedLong.valueOf(0x20_0000L), UnsignedLong.valueOf(0x3f_ffffL))));
    for (VirtualRange range : same) {
      Trees t = oneLeafAmongEmptyTables();
      long pt = t.table(0x20_0000L, 3);
      assertThat(collect(t, range).frames()).as(range.toString()).containsExactly(pt);
    }
    // A closed range ends at a byte: ending it at the first byte of the last page leaves that
    // page's other bytes outside, so the PT is not wholly inside.
    Trees t = oneLeafAmongEmptyTables();
    assertThat(collect(t, VirtualRange.closed(0x20_0000L, 0x3f_f000L)).isEmpty()).isTrue();
  }

  // "Cannot have 512GiB huge pages (yet)! ... unreachable!()" -> "Can we return a Result from
  // this function instead of possibly panicking?" and "We are already at 4KiB. No huge pages
  // here. unreachable!()" -> "Can we turn this into an error type instead of a possible panic?"
  @Test
  @Tag("pr-review")
  @DisplayName("pr-review: unexpected entries are kept and reported, never a panic")
  void unexpectedEntriesAreKeptAndReportedNeverAPanic() {
    // PS in a PML4 entry (a "512 GiB page") is reserved: the entry is malformed. Its PML4 stays;
    // the empty tables beside it go; COLLECT does not throw.
    Trees t = Trees.of(Formats.x86_64FiveLevel());
    long pml4 = t.table(0, 1);
    t.raw(0x80_0000_0000L, 1, 0x20_0000L | 0x83);
    long pt = t.table(0, 4);
    long pd = t.table(0, 3);
    long pdpt = t.table(0, 2);
    MemorySnapshot before = t.memory.snapshot();
    assertThatThrownBy(() -> Reclaimer.of(t.space).reclaim(VirtualRange.all(), ReclaimMode.STRICT))
        .isInstanceOf(TableNotEmptyException.class)
        .hasMessageContaining("PML4 table " + hex(pml4) + " spanning [0x0000000000000000, 0x0000ffffffffffff] is not empty: entry 1"
            + " [0x0000008000000000, 0x000000ffffffffff] holds 0x0000000000200083, malformed (RESERVED_BITS)");
    assertThat(t.memory.snapshot()).isEqualTo(before);
    ReclaimResult r = collect(t, VirtualRange.all());
    assertThat(r.frames()).containsExactly(pt, pd, pdpt);
    assertThat(t.memory.read(t.entryAddress(0x80_0000_0000L, 1))).isEqualTo(0x20_0083L);

    // Bit 7 in a PT entry is PAT, not "huge": the entry is an ordinary leaf and keeps its PT.
    Trees u = Trees.of(Formats.x86_64());
    u.raw(0x5000, 3, 0x9000L | 0x83);
    long patPt = u.table(0, 3);
    long emptyPt = u.table(0x20_0000L, 3);
    assertThat(collect(u, VirtualRange.all()).frames()).containsExactly(emptyPt);
    assertThat(Translator.of(u.space).physicalAddressOrElse(0x5123, Translator.NOT_MAPPED)).isEqualTo(0x9123L);
    assertThat(u.memory.read(u.entryAddress(0, 2))).isNotZero();
    assertThat(allZero(u, patPt)).isFalse();

    // A link to a table outside memory, and a 1 GiB leaf on a processor without 1 GiB pages:
    // both malformed, both keep their table.
    Trees v = Trees.of(Formats.x86_64(X86Options.defaults().withGigabytePages(false)));
    v.raw(0x40_0000L, 2, (1L << 41) | 3);
    v.raw(0x80_0000_0000L + GIB, 1, 0x4000_0000L | 0x83);
    long emptyV = v.table(0x20_0000L, 3);
    ReclaimResult w = collect(v, VirtualRange.all());
    assertThat(w.frames()).containsExactly(emptyV);
    assertThatThrownBy(() -> Reclaimer.of(v.space).reclaim(VirtualRange.all(), ReclaimMode.STRICT))
        .hasMessageContaining("holds 0x0000020000000003, malformed (TABLE_OUTSIDE_MEMORY)");
    v.raw(0x40_0000L, 2, 0);
    assertThatThrownBy(() -> Reclaimer.of(v.space).reclaim(VirtualRange.all(), ReclaimMode.STRICT))
        .hasMessageContaining("holds 0x0000000040000083, malformed (LEAF_NOT_ALLOWED)");
  }

  // "I will add some sanity checks that at each level, all PTEs should be not present": the rule
  // here is stricter and the same in both modes and at every level: empty means all zero.
  @Test
  @Tag("pr-review")
  @DisplayName("pr-review: a non-present but non-zero entry keeps its table in both modes at every level")
  void aNonPresentButNonZeroEntryKeepsItsTableInBothModesAtEveryLevel() {
    long marker = 0x0000_0000_dead_0000L | 0x400;
    for (int depth = 1; depth <= 3; depth++) {
      Trees t = Trees.of(Formats.x86_64());
      long va = 0x80_0000_0000L + 3 * GIB + 5 * MIB2 + 7 * 4096;
      t.raw(va, depth, marker);
      long holder = t.table(va, depth);
      MemorySnapshot before = t.memory.snapshot();
      assertThatThrownBy(() -> Reclaimer.of(t.space).reclaim(VirtualRange.all(), ReclaimMode.STRICT))
          .as("depth %d", depth)
          .hasMessageContaining(t.level(depth).name() + " table " + hex(holder))
          .hasMessageContaining("holds 0x00000000dead0400, a non-present entry that is not zero");
      assertThat(t.memory.snapshot()).isEqualTo(before);
      ReclaimResult r = collect(t, VirtualRange.all());
      assertThat(r.isEmpty()).as("depth %d", depth).isTrue();
      assertThat(t.memory.read(t.entryAddress(va, depth))).isEqualTo(marker);
    }
  }

  // "The visits occur top-down ... For the delete visitor we would want a bottom-up order,
  // because freeing P1 tables could make the parent P2 table empty."
  @Test
  @Tag("pr-review")
  @DisplayName("pr-review: children go before their parents, and a parent they empty goes in the same call")
  void childrenGoBeforeTheirParentsAndAParentEmptiedByThemGoesInTheSameCall() {
    Trees t = Trees.of(Formats.x86_64());
    t.leaf(0x20_1000L, 3, 0x5000L);
    t.leaf(0x40_2000L, 3, 0x6000L);
    long pt1 = t.table(0x20_0000L, 3);
    long pt2 = t.table(0x40_0000L, 3);
    long pd = t.table(0, 2);
    long pdpt = t.table(0, 1);
    t.raw(0x20_1000L, 3, 0);
    t.raw(0x40_2000L, 3, 0);
    ReclaimResult r = collect(t, VirtualRange.all());
    assertThat(r.frames()).containsExactly(pt1, pt2, pd, pdpt);
    assertThat(r.countAtDepth(1)).isEqualTo(1);
    assertThat(r.countAtDepth(2)).isEqualTo(1);
    assertThat(r.countAtDepth(3)).isEqualTo(2);
    // Every link cleared, so each frame goes back holding an all-zero table.
    for (long f : r.frames()) {
      assertThat(allZero(t, f)).as(hex(f)).isTrue();
    }
    assertThat(allZero(t, t.root())).isTrue();
    assertThat(r.toString()).isEqualTo("COLLECT reclaim of [0x0000000000000000, 0xffffffffffffffff]: 4 tables freed"
        + " (PDPT 1, PD 1, PT 2), pending, first " + hex(pt1)
        + "; invalidate 4 entries in [0x0000000000000000, 0x0000007fffffffff] (paging structures)");
  }
}
