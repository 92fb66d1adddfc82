package dev.paging.bench;

import static dev.paging.bench.OperationsBenchmark.FOUR_KIB;
import static dev.paging.bench.OperationsBenchmark.LEAF;
import static dev.paging.bench.OperationsBenchmark.PAGES;
import static dev.paging.bench.OperationsBenchmark.PA_BASE;
import static dev.paging.bench.OperationsBenchmark.RANGE;
import static dev.paging.bench.OperationsBenchmark.TABLES;
import static dev.paging.bench.OperationsBenchmark.TRANSLATIONS;
import static dev.paging.bench.OperationsBenchmark.TWO_MIB;

import dev.paging.core.Formats;
import dev.paging.testkit.BumpFrameAllocator;
import dev.paging.visitors.MapResult;
import dev.paging.visitors.PageTables;
import dev.paging.visitors.UnmapResult;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A diagnostic, not the protocol: {@link OperationsBenchmark}'s work over {@link FlatMemory}
 * instead of {@code SimulatedMemory}, to separate what the library costs from what the simulated
 * memory's radix tree costs.
 */
@BenchmarkMode(Mode.AverageTime)
public class FlatMemoryBenchmark {
  /** 4 MiB of tables from {@link OperationsBenchmark#TABLES}: 1,024 frames. */
  static final int WINDOW = 4 << 20;

  @State(Scope.Thread)
  public static class Empty {
    final FlatMemory memory = new FlatMemory(TABLES, WINDOW);
    final BumpFrameAllocator allocator = BumpFrameAllocator.over(TABLES, WINDOW >>> 12);
    PageTables tables;

    @Setup(Level.Invocation)
    public void reset() {
      allocator.reset();
      tables = PageTables.create(Formats.x86_64(), memory, allocator);
    }
  }

  @State(Scope.Thread)
  public static class Mapped {
    final FlatMemory memory = new FlatMemory(TABLES, WINDOW);
    final BumpFrameAllocator allocator = BumpFrameAllocator.over(TABLES, WINDOW >>> 12);
    PageTables tables;

    @Setup(Level.Invocation)
    public void map() {
      allocator.reset();
      tables = PageTables.create(Formats.x86_64(), memory, allocator);
      tables.map(RANGE, PA_BASE, LEAF, FOUR_KIB);
    }
  }

  @State(Scope.Thread)
  public static class Small {
    PageTables tables;

    @Setup(Level.Trial)
    public void map() {
      tables = PageTables.create(Formats.x86_64(), new FlatMemory(TABLES, WINDOW),
          BumpFrameAllocator.over(TABLES, WINDOW >>> 12));
      tables.map(RANGE, PA_BASE, LEAF, FOUR_KIB);
    }
  }

  @State(Scope.Thread)
  public static class Huge {
    PageTables tables;

    @Setup(Level.Trial)
    public void map() {
      tables = PageTables.create(Formats.x86_64(), new FlatMemory(TABLES, WINDOW),
          BumpFrameAllocator.over(TABLES, WINDOW >>> 12));
      tables.map(RANGE, PA_BASE, LEAF, TWO_MIB);
    }
  }

  @Benchmark
  @OperationsPerInvocation(PAGES)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public MapResult map4KiB(Empty state) {
    return state.tables.map(RANGE, PA_BASE, LEAF, FOUR_KIB);
  }

  @Benchmark
  @OperationsPerInvocation(PAGES)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public UnmapResult unmap4KiB(Mapped state) {
    return state.tables.unmap(RANGE);
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public MapResult map512x2MiB(Empty state) {
    return state.tables.map(RANGE, PA_BASE, LEAF, TWO_MIB);
  }

  @Benchmark
  @OperationsPerInvocation(TRANSLATIONS)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public long translate4KiB(Small state) {
    return OperationsBenchmark.translate(state.tables);
  }

  @Benchmark
  @OperationsPerInvocation(TRANSLATIONS)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public long translate2MiB(Huge state) {
    return OperationsBenchmark.translate(state.tables);
  }
}
