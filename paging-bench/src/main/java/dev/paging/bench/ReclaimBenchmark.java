package dev.paging.bench;

import dev.paging.api.Attributes;
import dev.paging.api.Level;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import dev.paging.api.PhysicalMemory;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.core.Formats;
import dev.paging.core.Walker;
import dev.paging.fakes.BumpFrameAllocator;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.memory.LongArrayMemory;
import dev.paging.ops.ReclaimMode;
import dev.paging.ops.ReclaimResult;
import dev.paging.ops.Reclaimer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Whole-space reclamation, x86-64 4-level.
 *
 * <ul>
 *   <li>{@code afterUnmapping1GiB}: the tables of a 1 GiB mapping of 4 KiB pages at {@code
 *       0x0000100000000000} with every leaf cleared, as an unmap leaves them: a PDPT, a PD and 512
 *       PTs, 514 tables to free besides the root. Each invocation gets the tables rebuilt
 *       (outside the measurement) in the same frames. Its floor, {@code
 *       floorAfterUnmapping1GiB}, is the same bottom-up reclamation by hand over a {@code
 *       long[]}: each table scanned with an early exit at its first live entry.
 *   <li>{@code baselineWalkOf1GiBTablesOnly}: the engine walking the same tables with a visitor
 *       that does nothing, the floor under the previous benchmark.
 *   <li>{@code sparseNothingToFree}: a space of a few mappings in both halves (8 tables); a
 *       whole-space reclaim that finds nothing to free, the steady state of a periodic clean-up.
 *   <li>{@code sparseWithEmptyTables}: the same space plus an emptied 2 MiB region and an emptied
 *       subtree in the upper half: 5 tables to free.
 * </ul>
 *
 * Frames are released to the allocator inside the measurement, after the plan is in hand, as a
 * caller would.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ReclaimBenchmark {
  static final long GIGABYTE_VA = 0x0000_1000_0000_0000L;
  static final long UPPER = 0xffff_8000_0000_0000L;
  static final long TABLES_BASE = 0x10_0000L;
  static final int GIGABYTE_TABLES = 514;

  /**
   * Memory, allocator and reclaimer made once; the tables rebuilt before every call. {@code
   * simulated} is {@link SimulatedMemory}, which knows its zero frames; {@code flat} is the
   * library's {@link LongArrayMemory}, which does not.
   */
  @State(Scope.Thread)
  public abstract static class Space {
    final PagingFormat format = Formats.x86_64();
    final Attributes table = Attributes.readWrite().withUser(true);

    @Param({"simulated", "flat"})
    public String memory;

    PhysicalMemory physical;
    BumpFrameAllocator allocator;
    long root;
    Reclaimer reclaimer;

    void create() {
      physical = memory.equals("flat") ? LongArrayMemory.ofSize(0, 64L << 20) : SimulatedMemory.ofSize(64L << 20);
      allocator = BumpFrameAllocator.over(TABLES_BASE, 4096);
      AddressSpace space = AddressSpace.create(format, physical, allocator);
      root = space.root();
      reclaimer = Reclaimer.of(space);
    }

    /** Starts again from an empty root in the same frame. */
    void reset() {
      allocator.reset();
      if (allocator.allocate() != root) {
        throw new IllegalStateException("the root moved");
      }
      physical.zero(root, 512);
    }

    void fill(long frame, long word) {
      for (int i = 0; i < 512; i++) {
        physical.write(frame + 8L * i, word);
      }
    }

    Level level(int depth) {
      return format.levels().get(depth);
    }

    /** The table at {@code depth} covering {@code va}, created empty if missing. */
    long table(long va, int depth) {
      long t = root;
      for (int d = 0; d < depth; d++) {
        long entry = t + 8L * level(d).index(va);
        long raw = physical.read(entry);
        if (raw == 0) {
          long child = allocator.allocate();
          physical.zero(child, 512);
          raw = format.encodeTable(level(d), child, table);
          physical.write(entry, raw);
        }
        t = format.address(level(d), raw);
      }
      return t;
    }

    void leaf(long va, int depth, long pa) {
      physical.write(table(va, depth) + 8L * level(depth).index(va), format.encodeLeaf(level(depth), pa, Attributes.readWrite()));
    }

    /** A PT that held 512 leaves and had them all cleared. */
    void emptiedPageTable(long va) {
      long pt = table(va, 3);
      fill(pt, format.encodeLeaf(level(3), 0x4000_0000L, Attributes.readWrite()));
      physical.zero(pt, 512);
    }

    void check(long expectedFrees) {
      if (allocator.frees() != expectedFrees) {
        throw new IllegalStateException(allocator.frees() + " frames freed, expected " + expectedFrees);
      }
    }
  }

  @State(Scope.Thread)
  public static class UnmappedGigabyte extends Space {
    @Setup(org.openjdk.jmh.annotations.Level.Trial)
    public void trial() {
      create();
    }

    @Setup(org.openjdk.jmh.annotations.Level.Invocation)
    public void rebuild() {
      reset();
      for (int i = 0; i < 512; i++) {
        emptiedPageTable(GIGABYTE_VA + ((long) i << 21));
      }
    }

    @TearDown(org.openjdk.jmh.annotations.Level.Invocation)
    public void verify() {
      check(GIGABYTE_TABLES);
    }
  }

  /** The same 516 tables, built once: the baseline walks them without changing anything. */
  @State(Scope.Thread)
  public static class GigabyteToWalk extends Space {
    final PageTableVisitor nothing = new PageTableVisitor() {};
    Walker walker;

    @Setup(org.openjdk.jmh.annotations.Level.Trial)
    public void trial() {
      create();
      reset();
      for (int i = 0; i < 512; i++) {
        emptiedPageTable(GIGABYTE_VA + ((long) i << 21));
      }
      walker = Walker.of(format, physical);
    }
  }

  /** Eight tables: 4 KiB pages at both ends of the lower half, a kernel 2 MiB page, the top page. */
  abstract static class Sparse extends Space {
    void sparse() {
      leaf(0x1000, 3, 0x20_0000L);
      leaf(0x7fff_ffff_f000L, 3, 0x20_1000L);
      leaf(UPPER, 2, 0x4000_0000L);
      leaf(0xffff_ffff_ffff_f000L, 3, 0x20_2000L);
    }
  }

  @State(Scope.Thread)
  public static class SparseSteady extends Sparse {
    @Setup(org.openjdk.jmh.annotations.Level.Trial)
    public void trial() {
      create();
      reset();
      sparse();
    }

    @TearDown(org.openjdk.jmh.annotations.Level.Trial)
    public void verify() {
      check(0);
    }
  }

  @State(Scope.Thread)
  public static class SparseWithEmpty extends Sparse {
    @Setup(org.openjdk.jmh.annotations.Level.Trial)
    public void trial() {
      create();
    }

    @Setup(org.openjdk.jmh.annotations.Level.Invocation)
    public void rebuild() {
      reset();
      sparse();
      emptiedPageTable(0x20_0000L);
      emptiedPageTable(UPPER + (5L << 30));
      emptiedPageTable(UPPER + (1L << 39));
    }

    @TearDown(org.openjdk.jmh.annotations.Level.Invocation)
    public void verify() {
      // The PT at 2 MiB; the PT and PD at 5 GiB into the kernel half; PT, PD and PDPT at 512 GiB.
      check(6);
    }
  }

  /** The same 514 emptied tables by hand, rebuilt before every call. */
  @State(Scope.Thread)
  public static class FloorUnmappedGigabyte {
    Floors floors;

    @Setup(org.openjdk.jmh.annotations.Level.Trial)
    public void trial() {
      floors = new Floors(TABLES_BASE, 4 << 20);
    }

    @Setup(org.openjdk.jmh.annotations.Level.Invocation)
    public void rebuild() {
      floors.reset();
      floors.mapPages(GIGABYTE_VA, 0x4000_0000L, 1 << 18);
      floors.unmapPages(GIGABYTE_VA, 1 << 18);
    }
  }

  private static ReclaimResult reclaimAll(Space s, ReclaimMode mode) {
    ReclaimResult r = s.reclaimer.reclaim(VirtualRange.all(), mode);
    r.pendingFrees().release();
    return r;
  }

  @Benchmark
  public ReclaimResult afterUnmapping1GiB(UnmappedGigabyte s) {
    return reclaimAll(s, ReclaimMode.COLLECT);
  }

  @Benchmark
  public int floorAfterUnmapping1GiB(FloorUnmappedGigabyte s) {
    int freed = s.floors.reclaimEmpty();
    if (freed != GIGABYTE_TABLES) {
      throw new IllegalStateException(freed + " tables freed by hand, expected " + GIGABYTE_TABLES);
    }
    return freed;
  }

  @Benchmark
  public ReclaimResult afterUnmapping1GiBStrict(UnmappedGigabyte s) {
    return reclaimAll(s, ReclaimMode.STRICT);
  }

  /**
   * The floor under {@code afterUnmapping1GiB}: the engine's walk of the same 516 tables with a
   * visitor that does nothing. Reclamation cannot cost less than reading every entry of every
   * table it frees, which is what this measures.
   */
  @Benchmark
  public long baselineWalkOf1GiBTablesOnly(GigabyteToWalk s) {
    s.walker.walk(s.root, VirtualRange.all(), s.nothing);
    return s.walker.entriesRead();
  }

  @Benchmark
  public ReclaimResult sparseNothingToFree(SparseSteady s) {
    return reclaimAll(s, ReclaimMode.COLLECT);
  }

  @Benchmark
  public ReclaimResult sparseWithEmptyTables(SparseWithEmpty s) {
    return reclaimAll(s, ReclaimMode.COLLECT);
  }
}
