package dev.paging.ops;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.EntryCursor;
import dev.paging.api.Level;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PhysicalMemory;
import dev.paging.api.TableCursor;
import dev.paging.core.Walker;
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
 * <p>A single write costs three words of log. A table cleared whole ({@link #clearing}) is saved
 * as runs of entries that step by a constant (a page table of contiguous 4 KiB pages is one
 * run), three words each: an unmap of a gigabyte of contiguous pages logs 12 KiB, where copying
 * the entries would take 2 MiB, a large allocation for every fresh space. The log keeps its
 * size between calls.
 */
final class Journal {
  /**
   * Marks a record of a table cleared whole: (first entry's address | CLEARED, offset of its runs
   * in {@link #saved}, entries); the runs are (first value, step, length) triples.
   */
  private static final long CLEARED = 1;
  /** Marks a record of 4-byte entries (32-bit x86), which are undone 4 bytes at a time. */
  private static final long NARROW = 2;

  private final PhysicalMemory memory;
  /** (address, before, written) triples, in write order, or cleared-table records. */
  private long[] log = new long[3 * 64];
  private int size;
  /** The old entries of the tables cleared whole, as runs. */
  private long[] saved = new long[3 * 64];
  private int savedSize;

  Journal(PhysicalMemory memory) {
    this.memory = memory;
  }

  /** Forgets the last operation's writes. */
  void start() {
    size = 0;
    savedSize = 0;
  }

  /**
   * The one walk of a one-page unmap or protect ({@code verb}) at {@code va}, whose visitor writes
   * through this journal: undone, with no frame to give back, if anything throws.
   */
  void walkPage(Walker walker, FormatLayout g, long va, PageTableVisitor visitor, String verb) {
    start();
    long last = va + g.half(va).pageSize - 1;
    try {
      walker.walk(g.space.root(), g.space.upperRoot(), va, last, visitor);
    } catch (RuntimeException | Error e) {
      throw abort(e, verb + " " + hex(va), null, va, last, g.shared.size() > 0);
    }
  }

  void write(EntryCursor e, long raw) {
    record(tag(e.level(), e.entryAddress()), e.raw(), raw);
    e.write(raw);
  }

  void write(TableCursor t, int index, long before, long raw) {
    record(tag(t.level(), t.level().entryAddress(t.frame(), index)), before, raw);
    t.write(index, raw);
  }

  /** Writes entry {@code index} of the {@code level} table at {@code frame}, which held {@code before}. */
  void write(Level level, long frame, int index, long before, long raw) {
    record(tag(level, level.entryAddress(frame, index)), before, raw);
    level.writeEntry(memory, frame, index, raw);
  }

  private static long tag(Level level, long address) {
    return level.entryBytes() == 4 ? address | NARROW : address;
  }

  /**
   * Records that the caller is about to write zero to each non-zero entry {@code iFrom..iTo} of
   * table {@code t}, which held {@code entries[iFrom..iTo]}; the caller then writes through the
   * cursor directly. Undoing writes back the non-zero ones, the only ones written.
   */
  void clearing(TableCursor t, long[] entries, int iFrom, int iTo) {
    record(tag(t.level(), t.level().entryAddress(t.frame(), iFrom)) | CLEARED, savedSize, iTo - iFrom + 1);
    int i = iFrom;
    while (i <= iTo) {
      long first = entries[i];
      long step = i < iTo ? entries[i + 1] - first : 0;
      int j = i + 1;
      while (j <= iTo && entries[j] - entries[j - 1] == step) {
        j++;
      }
      save(first, step, j - i);
      i = j;
    }
  }

  /** The table recorded last by {@link #clearing} was cleared only as far as its first {@code count} entries. */
  void clearedOnly(int count) {
    int r = size - 3;
    log[r + 2] = count;
    int left = count;
    int run = (int) log[r + 1];
    while (run < savedSize && left > 0) {
      int length = (int) Math.min(saved[run + 2], left);
      saved[run + 2] = length;
      left -= length;
      run += 3;
    }
    savedSize = run;
  }

  private void save(long first, long step, int length) {
    if (savedSize + 3 > saved.length) {
      saved = Arrays.copyOf(saved, saved.length * 2);
    }
    saved[savedSize] = first;
    saved[savedSize + 1] = step;
    saved[savedSize + 2] = length;
    savedSize += 3;
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
    int written = 0;
    List<EntryWrite> left = new ArrayList<>();
    for (int r = size - 3; r >= 0; r -= 3) {
      long address = log[r];
      boolean narrow = (address & NARROW) != 0;
      if ((address & CLEARED) == 0) {
        written++;
        undo(address & ~NARROW, narrow, log[r + 1], log[r + 2], failure, left);
        continue;
      }
      int run = (int) log[r + 1];
      int count = (int) log[r + 2];
      long entry = address & ~(CLEARED | NARROW);
      int bytes = narrow ? 4 : 8;
      // The runs go forward; what stays changed is listed newest first like the rest.
      List<EntryWrite> tableLeft = new ArrayList<>();
      for (int done = 0; done < count; run += 3) {
        long value = saved[run];
        long step = saved[run + 1];
        for (long k = 0; k < saved[run + 2]; k++, done++, entry += bytes, value += step) {
          if (value != 0) {
            written++;
            undo(entry, narrow, value, 0, failure, tableLeft);
          }
        }
      }
      Collections.reverse(tableLeft);
      left.addAll(tableLeft);
    }
    size = 0;
    savedSize = 0;
    long[] kept = new long[0];
    if (pool != null) {
      if (left.isEmpty()) {
        pool.giveBackAll(failure);
      } else {
        kept = pool.held();
      }
    }
    if (written == 0) {
      return rethrow(failure);
    }
    Collections.reverse(left);
    InvalidationPlan.Builder plan = InvalidationPlan.builder().table(first, last).global();
    if (shared) {
      plan.shared();
    }
    InterruptedChangeException e = new InterruptedChangeException(operation, written, left, plan.build(), kept,
        failure);
    if (failure instanceof Error) {
      failure.addSuppressed(e);
      throw (Error) failure;
    }
    return e;
  }

  private void undo(long address, boolean narrow, long before, long written, Throwable failure,
      List<EntryWrite> left) {
    try {
      if (narrow) {
        memory.write32(address, (int) before);
      } else {
        memory.write(address, before);
      }
    } catch (RuntimeException | Error again) {
      failure.addSuppressed(again);
      left.add(EntryWrite.of(address, before, written));
    }
  }

  private static RuntimeException rethrow(Throwable failure) {
    if (failure instanceof Error) {
      throw (Error) failure;
    }
    return (RuntimeException) failure;
  }
}
