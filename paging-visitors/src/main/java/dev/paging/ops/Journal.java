package dev.paging.ops;

import dev.paging.api.EntryCursor;
import dev.paging.api.PhysicalMemory;
import dev.paging.api.TableCursor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The undo log of an operation's writing walk: each write to a live entry is recorded with what
 * the entry held, which the operation always knows without reading it again (the cursor's bits,
 * or the table it took whole). If anything throws before the operation returns (a read, a write,
 * a check), {@link #abort} writes the old bits back, newest first, and gives back the frames the
 * operation took, so the tables end as they began. Writes into the operation's own new tables
 * need no record: those frames go back to the allocator.
 *
 * <p>The log holds three words per entry written and is kept between calls, shrinking again
 * after a large operation.
 */
final class Journal {
  private static final int INITIAL = 3 * 64;
  private static final int KEEP = 3 * 4096;

  private final PhysicalMemory memory;
  /** (address, before, written) triples, in write order. */
  private long[] log = new long[INITIAL];
  private int size;

  Journal(PhysicalMemory memory) {
    this.memory = memory;
  }

  /** Forgets the last operation's writes. */
  void start() {
    size = 0;
    if (log.length > KEEP) {
      log = new long[INITIAL];
    }
  }

  /** Entries written since {@link #start()}. */
  int written() {
    return size / 3;
  }

  void write(EntryCursor e, long raw) {
    record(e.entryAddress(), e.raw(), raw);
    e.write(raw);
  }

  void write(TableCursor t, int index, long before, long raw) {
    record(t.frame() + 8L * index, before, raw);
    t.write(index, raw);
  }

  void write(long address, long before, long raw) {
    record(address, before, raw);
    memory.write(address, raw);
  }

  private void record(long address, long before, long written) {
    if (size + 3 > log.length) {
      log = Arrays.copyOf(log, log.length * 2);
    }
    log[size] = address;
    log[size + 1] = before;
    log[size + 2] = written;
    size += 3;
  }

  /**
   * Undoes the writes after {@code failure}: returns what to throw (an Error is thrown from
   * here). With nothing written, that is the failure itself, with the frames given back; else an
   * {@link InterruptedChangeException} saying whether the undo restored the tables, with a plan
   * for {@code [first, last]}.
   */
  RuntimeException abort(Throwable failure, String operation, @Nullable FramePool pool, long first, long last,
      boolean shared) {
    int n = size / 3;
    List<EntryWrite> left = new ArrayList<>();
    for (int i = n - 1; i >= 0; i--) {
      long address = log[3 * i];
      try {
        memory.write(address, log[3 * i + 1]);
      } catch (RuntimeException | Error again) {
        failure.addSuppressed(again);
        left.add(EntryWrite.of(address, log[3 * i + 1], log[3 * i + 2]));
      }
    }
    size = 0;
    long[] kept = new long[0];
    if (pool != null) {
      if (left.isEmpty()) {
        pool.giveBackAll(failure);
      } else {
        kept = pool.held();
      }
    }
    if (n == 0) {
      return rethrow(failure);
    }
    Collections.reverse(left);
    InvalidationPlan.Builder plan = InvalidationPlan.builder().table(first, last).global();
    if (shared) {
      plan.shared();
    }
    InterruptedChangeException e = new InterruptedChangeException(operation, n, left, plan.build(), kept, failure);
    if (failure instanceof Error) {
      failure.addSuppressed(e);
      throw (Error) failure;
    }
    return e;
  }

  private static RuntimeException rethrow(Throwable failure) {
    if (failure instanceof Error) {
      throw (Error) failure;
    }
    return (RuntimeException) failure;
  }
}
