package dev.paging.testkit.grading;

import dev.paging.api.TableNotEmptyException;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.core.SharedTables;
import dev.paging.fakes.AllocatorState;
import dev.paging.fakes.MemorySnapshot;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.fakes.TrackingFrameAllocator;
import dev.paging.ops.ReclaimMode;
import dev.paging.ops.Reclaimer;
import org.jspecify.annotations.Nullable;

/**
 * What the library's {@link Reclaimer} does to an identical copy of a system's tables: the
 * memory and allocator afterwards, or the strict failure. A reclaim is fully determined by the
 * tables, so any correct implementation must leave exactly this behind.
 */
final class ReclaimOracle {
  final MemorySnapshot after;
  final AllocatorState state;
  /** The library's {@link TableNotEmptyException} message, or {@code null} when it succeeded. */
  final @Nullable String failure;

  private ReclaimOracle(MemorySnapshot after, AllocatorState state, @Nullable String failure) {
    this.after = after;
    this.state = state;
    this.failure = failure;
  }

  /** Runs the library on a copy of {@code system} as it was at {@code before} and {@code state}. */
  static ReclaimOracle run(PagingSystem system, VirtualRange range, ReclaimMode mode, MemorySnapshot before,
      AllocatorState state) {
    SimulatedMemory memory = SimulatedMemory.ofSize(system.memory().size());
    for (long address : before.addresses()) {
      memory.write(address, before.word(address));
    }
    TrackingFrameAllocator original = system.allocator();
    TrackingFrameAllocator allocator = TrackingFrameAllocator.over(original.base(), original.frameCount());
    long[] frames = state.frames();
    if (frames.length > 0) {
      // The allocator hands out the lowest free frame: take every frame up to the highest one
      // allocated, then give back those that were free.
      long highest = frames[frames.length - 1];
      long frame;
      do {
        frame = allocator.allocate();
      } while (frame != highest);
      for (long f = original.base(); f != highest; f += 4096) {
        if (!state.contains(f)) {
          allocator.free(f);
        }
      }
    }
    SharedTables shared = SharedTables.create();
    for (long f : system.space().sharedTables().frames()) {
      shared.share(f);
    }
    AddressSpace copy = AddressSpace.of(system.format(), memory, allocator, system.space().root(), shared);
    try {
      Reclaimer.of(copy).reclaim(range, mode).pendingFrees().release();
      return new ReclaimOracle(memory.snapshot(), allocator.state(), null);
    } catch (TableNotEmptyException e) {
      return new ReclaimOracle(before, state, e.getMessage());
    }
  }
}
