package dev.paging.tests;

import static dev.paging.api.Addresses.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
      // 2n - 1 tables read in full (the lower path, the empty PT, the upper path down to the
      // 2 MiB leaf) and one re-read of each of the 2n - 2 links followed: 256 TiB (128 PiB with
      // 5 levels) of address space for a few thousand reads.
      long expected = 512L * (2 * n - 1) + (2 * n - 2);
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
    assertThat(r.invalidation().ranges()).containsExactly(
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
    InvalidationPlan plan = r.invalidation();
    assertThat(r.count()).isEqualTo(40 + 2);
    assertThat(plan.entries()).isEqualTo(42);
    assertThat(plan.pagingStructures()).isTrue();
    assertThat(plan.global()).isFalse();
    assertThat(plan.flushAllSuggested()).isTrue();
    assertThat(plan.ranges()).containsExactly(
        VirtualRange.halfOpen(GIB, GIB + 40 * MIB2), VirtualRange.page(5 * GIB, GIB));

    assertThat(Reclaimer.of(t.space).reclaim(VirtualRange.all(), ReclaimMode.COLLECT).invalidation())
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
      assertThat(strict.invalidation()).isEqualTo(collect.invalidation());
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
}
