package dev.paging.bench;

import java.util.Arrays;

/**
 * The floors: the same work as the library's rows written by hand for x86-64 4-level tables over
 * a plain {@code long[]}, with nothing but the bits the hardware defines (present, writable,
 * page size, the address mask). A row's library/floor ratio says what the library's generality
 * costs and, unlike the row's absolute time, holds from machine to machine.
 *
 * <p>The arena is physical memory {@code [base, base + 8 * words.length)}; table frames come from
 * a bump pointer and are zeroed when taken, as any kernel must.
 */
final class Floors {
  static final long PRESENT = 1;
  static final long WRITABLE = 2;
  static final long HUGE = 0x80;
  static final long ADDRESS = 0x000f_ffff_ffff_f000L;
  /** What table entries carry: present and writable. */
  static final long TABLE = PRESENT | WRITABLE;

  final long base;
  final long[] words;
  final long root;
  private long next;

  Floors(long base, int bytes) {
    this.base = base;
    this.words = new long[bytes >>> 3];
    this.root = base;
    reset();
  }

  /** An empty root again, every other frame free; clears only the frames taken since the last reset. */
  void reset() {
    Arrays.fill(words, 0, next == 0 ? words.length : index(next), 0L);
    next = base + 4096;
  }

  int index(long address) {
    return (int) ((address - base) >>> 3);
  }

  private long take() {
    long frame = next;
    next += 4096;
    int i = index(frame);
    Arrays.fill(words, i, i + 512, 0L);
    return frame;
  }

  /** Four dependent loads, each checked for present and (at PDPT and PD) page size. */
  static long translate(long[] w, long base, long root, long va) {
    long e = w[(int) ((root - base) >>> 3) + (int) ((va >>> 39) & 511)];
    if ((e & PRESENT) == 0) {
      return -1;
    }
    e = w[(int) (((e & ADDRESS) - base) >>> 3) + (int) ((va >>> 30) & 511)];
    if ((e & PRESENT) == 0) {
      return -1;
    }
    if ((e & HUGE) != 0) {
      return (e & ADDRESS & ~0x3fff_ffffL) | (va & 0x3fff_ffffL);
    }
    e = w[(int) (((e & ADDRESS) - base) >>> 3) + (int) ((va >>> 21) & 511)];
    if ((e & PRESENT) == 0) {
      return -1;
    }
    if ((e & HUGE) != 0) {
      return (e & ADDRESS & ~0x1f_ffffL) | (va & 0x1f_ffffL);
    }
    e = w[(int) (((e & ADDRESS) - base) >>> 3) + (int) ((va >>> 12) & 511)];
    if ((e & PRESENT) == 0) {
      return -1;
    }
    return (e & ADDRESS) | (va & 0xfff);
  }

  /** The entry index in {@code words} of the PT entry for {@code va}, creating tables on the way. */
  private int pathTo(long va, int depth) {
    long table = root;
    for (int d = 0; d < depth; d++) {
      int i = index(table) + (int) ((va >>> (39 - 9 * d)) & 511);
      long e = words[i];
      if (e == 0) {
        long frame = take();
        words[i] = frame | TABLE;
        table = frame;
      } else {
        table = e & ADDRESS;
      }
    }
    return index(table) + (int) ((va >>> (39 - 9 * depth)) & 511);
  }

  /** One 4 KiB page: walk down, taking the tables that are missing, write the leaf. */
  void mapPage(long va, long pa) {
    int i = pathTo(va, 3);
    if (words[i] != 0) {
      throw new IllegalStateException("already mapped");
    }
    words[i] = pa | TABLE;
  }

  /** A run of 4 KiB pages, one page table at a time. */
  void mapPages(long va, long pa, int pages) {
    for (int p = 0; p < pages; ) {
      int i = pathTo(va + ((long) p << 12), 3);
      int n = Math.min(pages - p, 512 - (int) (((va >>> 12) + p) & 511));
      for (int k = 0; k < n; k++) {
        words[i + k] = (pa + ((long) (p + k) << 12)) | TABLE;
      }
      p += n;
    }
  }

  /** 2 MiB pages: PD entries. */
  void mapHuge(long va, long pa, int pages) {
    for (int p = 0; p < pages; p++) {
      long at = va + ((long) p << 21);
      words[pathTo(at, 2)] = (pa + ((long) p << 21)) | TABLE | HUGE;
    }
  }

  /** One 4 KiB page: walk down to the PT entry and clear it; returns what it held. */
  long unmapPage(long va) {
    long table = root;
    for (int d = 0; d < 3; d++) {
      long e = words[index(table) + (int) ((va >>> (39 - 9 * d)) & 511)];
      if ((e & PRESENT) == 0) {
        return 0;
      }
      table = e & ADDRESS;
    }
    int i = index(table) + (int) ((va >>> 12) & 511);
    long old = words[i];
    words[i] = 0;
    return old;
  }

  /** Clears a run of 4 KiB pages, one page table at a time. */
  long unmapPages(long va, int pages) {
    long cleared = 0;
    for (int p = 0; p < pages; ) {
      long at = va + ((long) p << 12);
      int n = Math.min(pages - p, 512 - (int) ((at >>> 12) & 511));
      long table = root;
      for (int d = 0; d < 3 && table != 0; d++) {
        long e = words[index(table) + (int) ((at >>> (39 - 9 * d)) & 511)];
        table = (e & PRESENT) == 0 ? 0 : e & ADDRESS;
      }
      if (table != 0) {
        int i = index(table) + (int) ((at >>> 12) & 511);
        for (int k = 0; k < n; k++) {
          if (words[i + k] != 0) {
            words[i + k] = 0;
            cleared++;
          }
        }
      }
      p += n;
    }
    return cleared;
  }

  /**
   * Bottom-up reclamation of the empty tables below the root: each table scanned with an early
   * exit at its first live entry, links to freed tables cleared. Returns the tables freed.
   */
  int reclaimEmpty() {
    freed = 0;
    emptyAfterReclaim(root, 0);
    return freed;
  }

  private int freed;

  /** Frees the empty tables below {@code table}; true when {@code table} is then empty itself. */
  private boolean emptyAfterReclaim(long table, int depth) {
    int t = index(table);
    if (depth == 3) {
      for (int i = 0; i < 512; i++) {
        if (words[t + i] != 0) {
          return false;
        }
      }
      return true;
    }
    boolean empty = true;
    for (int i = 0; i < 512; i++) {
      long e = words[t + i];
      if (e == 0) {
        continue;
      }
      if ((e & (PRESENT | HUGE)) == PRESENT && emptyAfterReclaim(e & ADDRESS, depth + 1)) {
        words[t + i] = 0;
        freed++;
      } else {
        empty = false;
      }
    }
    return empty;
  }

  /** Counts the leaves of the whole space, descending every present table. */
  long countLeaves() {
    return countBelow(root, 0);
  }

  private long countBelow(long table, int depth) {
    long leaves = 0;
    int t = index(table);
    for (int i = 0; i < 512; i++) {
      long e = words[t + i];
      if ((e & PRESENT) == 0) {
        continue;
      }
      if (depth == 3 || (depth > 0 && (e & HUGE) != 0)) {
        leaves++;
      } else {
        leaves += countBelow(e & ADDRESS, depth + 1);
      }
    }
    return leaves;
  }
}
