package dev.paging.bench;

import dev.paging.api.Attributes;
import dev.paging.api.PhysicalMemory;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.fakes.BumpFrameAllocator;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.memory.LongArrayMemory;
import dev.paging.ops.MapOptions;
import dev.paging.ops.MapResult;
import dev.paging.ops.PageTables;
import dev.paging.ops.Translator;
import dev.paging.ops.UnmapResult;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The operations measured with the protocol of the reference Rust library's figures
 * (rust-osdev/x86_64 0.15.4, {@code OffsetPageTable}): x86-64 4-level tables, the virtual range
 * [0x0000_1000_0000_0000, +1 GiB), data frames consecutive from physical 0x1_0000_0000, leaves
 * present and writable, tables from a bump allocator, invalidation plans ignored. Translation
 * runs over 10^6 addresses {@code VA_BASE + (x & (2^30 - 1))}, x from xorshift64 (13, 7, 17)
 * seeded with 0x9E3779B97F4A7C15, summing the physical addresses.
 *
 * <p>Each row has a floor beside it ({@code floor...}): the same work written by hand over a
 * plain {@code long[]} ({@link Floors}), so a row is quoted as a library/floor ratio, which holds
 * from machine to machine where the absolute time does not.
 *
 * <p>Run: {@code java -jar paging-bench/target/benchmarks.jar OperationsBenchmark} (add {@code -p
 * memory=simulated} for the protocol's rows only). Per-page and
 * per-translation figures come from {@link OperationsPerInvocation}.
 */
@BenchmarkMode(Mode.AverageTime)
public class OperationsBenchmark {
  static final long VA_BASE = 0x0000_1000_0000_0000L;
  static final long SIZE = 1L << 30;
  static final long PA_BASE = 0x1_0000_0000L;
  static final int PAGES = (int) (SIZE >>> 12);
  static final int TRANSLATIONS = 1_000_000;
  /** 16 GiB: the data frames (4..5 GiB) and the tables (from 8 GiB) fit; only touched frames cost memory. */
  static final long MEMORY = 16L << 30;
  static final long TABLES = 8L << 30;
  static final VirtualRange RANGE = VirtualRange.ofLength(VA_BASE, SIZE);
  static final Attributes LEAF = Attributes.readWrite();
  static final MapOptions FOUR_KIB = MapOptions.defaults().withPageSize(4096);
  static final MapOptions TWO_MIB = MapOptions.defaults().withPageSize(2L << 20);

  /**
   * The memory and allocator of one trial. {@code simulated} is the protocol: a 16 GiB
   * {@link SimulatedMemory}. {@code flat} is the same work over the library's {@link
   * LongArrayMemory}, one {@code long[]} for the tables, to separate what the library costs from
   * what the simulated memory's radix tree costs.
   */
  @State(Scope.Thread)
  public abstract static class Machine {
    /** 4 MiB of tables from {@link #TABLES} in the flat memory: 1,024 frames. */
    static final int FLAT_WINDOW = 4 << 20;

    @Param({"simulated", "flat"})
    public String memory;

    PhysicalMemory physical;
    BumpFrameAllocator allocator;
    PageTables tables;

    @Setup(Level.Trial)
    public void machine() {
      boolean flat = memory.equals("flat");
      physical = flat ? LongArrayMemory.ofSize(TABLES, FLAT_WINDOW) : SimulatedMemory.ofSize(MEMORY);
      allocator = BumpFrameAllocator.over(TABLES, flat ? FLAT_WINDOW >>> 12 : 4096);
      prepare();
    }

    /**
     * What a trial starts from; JMH orders no two setups of one level, so subclasses extend this
     * rather than declare a trial setup of their own.
     */
    void prepare() {}

    /** A new, empty address space; the bump allocator starts over. */
    void fresh() {
      allocator.reset();
      tables = PageTables.create(Formats.x86_64(), physical, allocator);
    }
  }

  /** A fresh, empty address space for every invocation. */
  public static class Empty extends Machine {
    @Setup(Level.Invocation)
    public void reset() {
      fresh();
    }
  }

  /** The range mapped in 4 KiB pages before every invocation, for unmap. */
  public static class Mapped extends Machine {
    @Setup(Level.Invocation)
    public void map() {
      fresh();
      tables.map(RANGE, PA_BASE, LEAF, FOUR_KIB);
    }
  }

  /** The range mapped once in 4 KiB pages, for translation. */
  public static class Small extends Machine {
    @Override
    void prepare() {
      fresh();
      tables.map(RANGE, PA_BASE, LEAF, FOUR_KIB);
    }
  }

  /** The same, with the protocol's 10^6 addresses in an array, for batch translation. */
  public static class SmallBatch extends Small {
    final long[] addresses = new long[TRANSLATIONS];
    final long[] physical = new long[TRANSLATIONS];

    @Override
    void prepare() {
      super.prepare();
      long x = 0x9E3779B97F4A7C15L;
      for (int i = 0; i < TRANSLATIONS; i++) {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        addresses[i] = VA_BASE + (x & (SIZE - 1));
      }
    }
  }

  /** The range mapped once in 2 MiB pages, for translation. */
  public static class Huge extends Machine {
    @Override
    void prepare() {
      fresh();
      tables.map(RANGE, PA_BASE, LEAF, TWO_MIB);
    }
  }

  /** The floors' arena: the flat window's tables, by hand. */
  @State(Scope.Thread)
  public abstract static class Arena {
    Floors floors;

    @Setup(Level.Trial)
    public void arena() {
      floors = new Floors(TABLES, Machine.FLAT_WINDOW);
      prepare();
    }

    void prepare() {}
  }

  public static class FloorEmpty extends Arena {
    @Setup(Level.Invocation)
    public void reset() {
      floors.reset();
    }
  }

  public static class FloorMapped extends Arena {
    @Setup(Level.Invocation)
    public void map() {
      floors.reset();
      floors.mapPages(VA_BASE, PA_BASE, PAGES);
    }
  }

  public static class FloorSmall extends Arena {
    @Override
    void prepare() {
      floors.mapPages(VA_BASE, PA_BASE, PAGES);
    }
  }

  public static class FloorHuge extends Arena {
    @Override
    void prepare() {
      floors.mapHuge(VA_BASE, PA_BASE, 512);
    }
  }

  /** 262,144 4 KiB pages in one call; time per page. */
  @Benchmark
  @OperationsPerInvocation(PAGES)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public MapResult map4KiB(Empty state) {
    return state.tables.map(RANGE, PA_BASE, LEAF, FOUR_KIB);
  }

  @Benchmark
  @OperationsPerInvocation(PAGES)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public long floorMap4KiB(FloorEmpty state) {
    state.floors.mapPages(VA_BASE, PA_BASE, PAGES);
    return state.floors.words[1];
  }

  /** The demand-paging shape: 262,144 {@code mapPage} calls; time per page. */
  @Benchmark
  @OperationsPerInvocation(PAGES)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public void mapOnePage4KiB(Empty state, Blackhole bh) {
    PageTables tables = state.tables;
    for (int p = 0; p < PAGES; p++) {
      long offset = (long) p << 12;
      bh.consume(tables.mapPage(VA_BASE + offset, PA_BASE + offset, LEAF));
    }
  }

  @Benchmark
  @OperationsPerInvocation(PAGES)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public long floorMapOnePage4KiB(FloorEmpty state) {
    Floors floors = state.floors;
    for (int p = 0; p < PAGES; p++) {
      long offset = (long) p << 12;
      floors.mapPage(VA_BASE + offset, PA_BASE + offset);
    }
    return floors.words[1];
  }

  /** The 262,144 pages unmapped in one call; time per page. */
  @Benchmark
  @OperationsPerInvocation(PAGES)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public UnmapResult unmap4KiB(Mapped state) {
    return state.tables.unmap(RANGE);
  }

  @Benchmark
  @OperationsPerInvocation(PAGES)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public long floorUnmap4KiB(FloorMapped state) {
    return state.floors.unmapPages(VA_BASE, PAGES);
  }

  /** 262,144 {@code unmapPage} calls; time per page. */
  @Benchmark
  @OperationsPerInvocation(PAGES)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public void unmapOnePage4KiB(Mapped state, Blackhole bh) {
    PageTables tables = state.tables;
    for (int p = 0; p < PAGES; p++) {
      bh.consume(tables.unmapPage(VA_BASE + ((long) p << 12)));
    }
  }

  @Benchmark
  @OperationsPerInvocation(PAGES)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public long floorUnmapOnePage4KiB(FloorMapped state) {
    Floors floors = state.floors;
    long sum = 0;
    for (int p = 0; p < PAGES; p++) {
      sum += floors.unmapPage(VA_BASE + ((long) p << 12));
    }
    return sum;
  }

  /** 1 GiB as 512 2 MiB pages in one call; time per call. */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public MapResult map512x2MiB(Empty state) {
    return state.tables.map(RANGE, PA_BASE, LEAF, TWO_MIB);
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public long floorMap512x2MiB(FloorEmpty state) {
    state.floors.mapHuge(VA_BASE, PA_BASE, 512);
    return state.floors.words[1];
  }

  @Benchmark
  @OperationsPerInvocation(TRANSLATIONS)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public long translate4KiB(Small state) {
    return translate(state.tables);
  }

  /**
   * The protocol's 10^6 addresses in one {@code physicalAddresses} call; time per address. Each
   * address starts below the tables it shares with the one before (here the PML4 and PDPT
   * entries), so it reads two entries instead of four.
   */
  @Benchmark
  @OperationsPerInvocation(TRANSLATIONS)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public int translateBatch4KiB(SmallBatch state) {
    return state.tables.physicalAddresses(state.addresses, state.physical, Translator.NOT_MAPPED);
  }

  @Benchmark
  @OperationsPerInvocation(TRANSLATIONS)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public long translate2MiB(Huge state) {
    return translate(state.tables);
  }

  @Benchmark
  @OperationsPerInvocation(TRANSLATIONS)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public long floorTranslate4KiB(FloorSmall state) {
    return floorTranslate(state.floors);
  }

  @Benchmark
  @OperationsPerInvocation(TRANSLATIONS)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public long floorTranslate2MiB(FloorHuge state) {
    return floorTranslate(state.floors);
  }

  static long floorTranslate(Floors floors) {
    long[] words = floors.words;
    long base = floors.base;
    long root = floors.root;
    long x = 0x9E3779B97F4A7C15L;
    long sum = 0;
    for (int i = 0; i < TRANSLATIONS; i++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      sum += Floors.translate(words, base, root, VA_BASE + (x & (SIZE - 1)));
    }
    return sum;
  }

  static long translate(PageTables tables) {
    long x = 0x9E3779B97F4A7C15L;
    long sum = 0;
    for (int i = 0; i < TRANSLATIONS; i++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      sum += tables.physicalAddressOrElse(VA_BASE + (x & (SIZE - 1)), Translator.NOT_MAPPED);
    }
    return sum;
  }
}
