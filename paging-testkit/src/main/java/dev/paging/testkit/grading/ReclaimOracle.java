package dev.paging.testkit.grading;

import dev.paging.api.TableNotEmptyException;
import dev.paging.api.VirtualRange;
import dev.paging.fakes.AllocatorState;
import dev.paging.fakes.MemorySnapshot;
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
    PagingSystem.Copy copy = system.copyAt(before, state);
    try {
      Reclaimer.of(copy.space).reclaim(range, mode).pendingFrees().release();
      return new ReclaimOracle(copy.memory.snapshot(), copy.allocator.state(), null);
    } catch (TableNotEmptyException e) {
      return new ReclaimOracle(before, state, e.getMessage());
    }
  }
}
