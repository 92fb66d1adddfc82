package dev.paging.bench;

import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.Level;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import dev.paging.api.PhysicalMemory;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.core.Formats;
import dev.paging.core.Visitors;
import dev.paging.core.Walker;
import dev.paging.fakes.CountingMemory;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.memory.LongArrayMemory;
import dev.paging.fakes.TrackingFrameAllocator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The walker over an x86-64 space with 1 GiB mapped in 4 KiB pages (262,144 leaves in 512 page
 * tables): a whole-space walk, the same walk with two visitors composed, and a walk of one
 * address at a time, over {@link SimulatedMemory} or the library's {@link LongArrayMemory}
 * ({@code -p memory=flat}). {@code floorWholeSpace} is the whole-space walk by hand: a recursive
 * scan of the present tables of the same tree in a {@code long[]}, counting leaves (it ignores
 * the memory parameter).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
public class WalkerBenchmark {
  static final long MAPPED_BASE = 0x0000_0000_4000_0000L;
  static final long MAPPED_SIZE = 1L << 30;
  static final long PAGE = 4096;
  static final int PAGES = (int) (MAPPED_SIZE / PAGE);
  private static final int ADDRESSES = 4096;
  /** Every entry of the 515 tables (root, PDPT, PD, 512 PTs), once. */
  static final long WHOLE_SPACE_READS = 515 * 512;

  /** Tables from here; the flat memory is a 4 MiB window of them. */
  static final long TABLES = 0x10_0000;

  @Param({"simulated", "flat"})
  public String memory;

  private PhysicalMemory physical;
  private Floors floors;
  private AddressSpace space;
  private Walker walker;
  private LeafCounter counter;
  private LeafCounter first;
  private LeafCounter second;
  private PageTableVisitor composed;
  private long[] addresses;
  private int next;

  /** Counts leaves: the least a visitor can do while still seeing every entry. */
  static final class LeafCounter implements PageTableVisitor {
    long leaves;

    @Override
    public Control onEntry(EntryCursor entry) {
      if (entry.kind() == EntryKind.LEAF) {
        leaves++;
      }
      return Control.CONTINUE;
    }
  }

  @Setup
  public void build() {
    PagingFormat format = Formats.x86_64();
    physical = memory.equals("flat") ? LongArrayMemory.ofSize(TABLES, 4 << 20) : SimulatedMemory.ofSize(2L << 30);
    CountingMemory counted = CountingMemory.over(physical);
    TrackingFrameAllocator allocator = TrackingFrameAllocator.over(TABLES, 1024);
    space = AddressSpace.create(format, physical, allocator);
    Attributes data = Attributes.readWrite().withUser(true);
    Attributes table = format.tableAttributesFor(data);
    Level pml4 = format.levels().get(0);
    Level pdpt = format.levels().get(1);
    Level pd = format.levels().get(2);
    Level pt = format.levels().get(3);
    long pdptFrame = allocator.allocate();
    long pdFrame = allocator.allocate();
    physical.write(space.root() + 8L * pml4.index(MAPPED_BASE), format.encodeTable(pml4, pdptFrame, table));
    physical.write(pdptFrame + 8L * pdpt.index(MAPPED_BASE), format.encodeTable(pdpt, pdFrame, table));
    for (int p = 0; p < PAGES; p += pt.entries()) {
      long va = MAPPED_BASE + p * PAGE;
      long ptFrame = allocator.allocate();
      physical.write(pdFrame + 8L * pd.index(va), format.encodeTable(pd, ptFrame, table));
      for (int i = 0; i < pt.entries(); i++) {
        // Data frames sit in the second GiB of memory, one per page.
        physical.write(ptFrame + 8L * i, format.encodeLeaf(pt, MAPPED_SIZE + (p + i) * PAGE, data));
      }
    }
    floors = new Floors(TABLES, 4 << 20);
    floors.mapPages(MAPPED_BASE, MAPPED_SIZE, PAGES);
    if (floors.countLeaves() != PAGES) {
      throw new IllegalStateException("the floor's tree maps " + floors.countLeaves() + " pages");
    }
    walker = space.walker();
    counter = new LeafCounter();
    first = new LeafCounter();
    second = new LeafCounter();
    composed = Visitors.compose(first, second);
    SplittableRandom random = new SplittableRandom(42);
    addresses = new long[ADDRESSES];
    for (int i = 0; i < ADDRESSES; i++) {
      addresses[i] = MAPPED_BASE + random.nextLong(MAPPED_SIZE);
    }
    // A benchmark of a wrong tree measures nothing: check the tree and the work once.
    counter.leaves = 0;
    Walker.of(format, counted).walk(space.root(), space.upperRoot(), VirtualRange.all(), counter);
    if (counter.leaves != PAGES || counted.reads() != WHOLE_SPACE_READS) {
      throw new IllegalStateException("the benchmark tree maps " + counter.leaves + " pages in "
          + counted.reads() + " reads, not " + PAGES + " in " + WHOLE_SPACE_READS);
    }
  }

  /** Every entry of every table: {@link #WHOLE_SPACE_READS} memory reads. */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public long wholeSpace() {
    counter.leaves = 0;
    walker.walk(space.root(), space.upperRoot(), VirtualRange.all(), counter);
    return counter.leaves;
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public long floorWholeSpace() {
    return floors.countLeaves();
  }

  /** The same walk with two visitors composed into one pass: the cost of composition. */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public long wholeSpaceComposed() {
    first.leaves = 0;
    second.leaves = 0;
    walker.walk(space.root(), space.upperRoot(), VirtualRange.all(), composed);
    return first.leaves + second.leaves;
  }

  /** One address of the mapped GiB, a different one each call: four tables, one entry each. */
  @Benchmark
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public long singleAddress() {
    long va = addresses[next++ & (ADDRESSES - 1)];
    counter.leaves = 0;
    walker.walk(space.root(), space.upperRoot(), va, va, counter);
    return counter.leaves;
  }
}
