package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.paging.api.Attributes;
import dev.paging.api.Level;
import dev.paging.api.OutOfFramesException;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.fakes.AllocatorState;
import dev.paging.fakes.MemorySnapshot;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.fakes.TrackingFrameAllocator;
import dev.paging.ops.Mapping;
import dev.paging.ops.PageTables;
import dev.paging.ops.Translation;
import java.util.function.Supplier;

/** An address space in simulated memory with a tracking allocator, and the checks the operation tests share. */
final class Space {
  static final long KIB4 = 1L << 12;
  static final long MIB2 = 1L << 21;
  static final long GIB = 1L << 30;
  static final long MEMORY = 64L << 20;
  static final long TABLES_BASE = 0x10_0000;
  static final long TABLE_FRAMES = 8192;

  final PagingFormat format;
  final SimulatedMemory memory;
  final TrackingFrameAllocator allocator;
  final PageTables tables;

  private Space(PagingFormat format, SimulatedMemory memory, TrackingFrameAllocator allocator, PageTables tables) {
    this.format = format;
    this.memory = memory;
    this.allocator = allocator;
    this.tables = tables;
  }

  static Space of(PagingFormat format) {
    SimulatedMemory memory = SimulatedMemory.ofSize(MEMORY);
    TrackingFrameAllocator allocator = TrackingFrameAllocator.over(TABLES_BASE, TABLE_FRAMES);
    return new Space(format, memory, allocator, PageTables.create(format, memory, allocator));
  }

  /** Another space over the same memory and allocator. */
  Space with(PageTables other) {
    return new Space(format, memory, allocator, other);
  }

  AddressSpace space() {
    return tables.space();
  }

  Level level(int depth) {
    return format.levels().get(depth);
  }

  Translation translate(long va) {
    return tables.translate(va);
  }

  /** The raw entry at {@code depth} on the path to {@code va}; the path must exist down to there. */
  long entry(long va, int depth) {
    return level(depth).readEntry(memory, tableOn(va, depth), level(depth).index(va));
  }

  long entryAddress(long va, int depth) {
    return level(depth).entryAddress(tableOn(va, depth), level(depth).index(va));
  }

  private long tableOn(long va, int depth) {
    long table = tables.space().rootFor(va);
    for (int d = 0; d < depth; d++) {
      table = format.address(level(d), level(d).readEntry(memory, table, level(d).index(va)));
    }
    return table;
  }

  /** Checks every field of a reported mapping. */
  static void assertMapping(Mapping m, long first, long last, long pa, long pageSize, Attributes attributes) {
    assertThat(m.range()).as("range of " + m).isEqualTo(VirtualRange.closed(first, last));
    assertThat(m.physicalAddress()).as("physical address of " + m).isEqualTo(pa);
    assertThat(m.pageSize()).as("page size of " + m).isEqualTo(pageSize);
    assertThat(m.attributes()).as("attributes of " + m).isEqualTo(attributes);
  }

  /** The table at {@code depth} on the path to {@code va}. */
  long tableAt(long va, int depth) {
    return tableOn(va, depth);
  }

  /**
   * Runs {@code operation} with the allocator failing at the 1st, 2nd, ... allocation until it
   * succeeds; each failure must leave memory and allocator exactly as before. Returns the result
   * and asserts the operation allocated exactly {@code expectedAllocations} frames.
   */
  <T> T allOrNothing(int expectedAllocations, Supplier<T> operation) {
    for (int k = 1; ; k++) {
      MemorySnapshot before = memory.snapshot();
      AllocatorState state = allocator.state();
      allocator.failAtAllocation(k);
      try {
        T result = operation.get();
        allocator.clearFailures();
        assertThat(k - 1).as("allocations the operation made").isEqualTo(expectedAllocations);
        assertThat(allocator.state().framesNotIn(state)).hasSize(expectedAllocations);
        return result;
      } catch (OutOfFramesException e) {
        allocator.clearFailures();
        assertThat(before.diff(memory.snapshot())).as("memory after failing at allocation " + k).isEmpty();
        assertThat(allocator.state()).as("allocator after failing at allocation " + k).isEqualTo(state);
        if (k > expectedAllocations + 1) {
          fail("still failing at allocation " + k + ": " + e.getMessage());
        }
      }
    }
  }

  /**
   * As {@link #allOrNothing(int, Supplier)} when the count is not known in advance: returns the
   * number of frames the successful run allocated.
   */
  int exhaustively(Supplier<?> operation) {
    for (int k = 1; ; k++) {
      MemorySnapshot before = memory.snapshot();
      AllocatorState state = allocator.state();
      allocator.failAtAllocation(k);
      try {
        operation.get();
        allocator.clearFailures();
        assertThat(allocator.state().framesNotIn(state)).hasSize(k - 1);
        return k - 1;
      } catch (OutOfFramesException e) {
        allocator.clearFailures();
        assertThat(before.diff(memory.snapshot())).as("memory after failing at allocation " + k).isEmpty();
        assertThat(allocator.state()).as("allocator after failing at allocation " + k).isEqualTo(state);
      }
    }
  }

  /** Runs {@code operation}, which must throw, and checks it changed nothing; returns what it threw. */
  Throwable unchangedBy(Runnable operation) {
    MemorySnapshot before = memory.snapshot();
    AllocatorState state = allocator.state();
    try {
      operation.run();
    } catch (RuntimeException e) {
      assertThat(before.diff(memory.snapshot())).as("memory after " + e).isEmpty();
      assertThat(allocator.state()).as("allocator after " + e).isEqualTo(state);
      return e;
    }
    throw new AssertionError("expected the operation to throw");
  }
}
