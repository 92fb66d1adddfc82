package dev.paging.images;

import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryVerdict;
import dev.paging.api.Level;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.WalkOutcome;
import dev.paging.core.Walker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * Finds the address spaces in a memory image without registers, as forensic tools do: every 4
 * KiB page of the image is read once and kept as a candidate root when it reads as a root table
 * of the format, then each candidate's tables are checked, and the survivors are scored, grouped
 * by the kernel half they link, and counted.
 *
 * <p>A page is a candidate when every non-zero entry decodes without a problem at the root
 * level, at least one points to a table inside the image, at most {@value #MAX_NOT_PRESENT} are
 * non-zero but not present, and its table pointers are not mostly one same target (a page of one
 * repeated word). A candidate survives when its first {@value #CHILDREN} children that are not
 * empty are well-formed tables of their level, and so, down to the last level, are the first
 * {@value #GRANDCHILDREN} non-empty tables each of those links; at least one child must be
 * non-empty. A page of random bytes fails the first test; a page of valid-looking entries that
 * lead to random bytes or to nothing fails the second; a lower-level table read as a root fails
 * where its path reaches data pages read as tables. One that reaches only zero pages cannot be
 * told from a root mapping nothing but a user half: it survives, scored low (no upper half).
 *
 * <p>Work is bounded on hostile images: each page of the image is read once; each candidate
 * zero-checks its children and reads at most {@value #CHILDREN} of them with {@value
 * #GRANDCHILDREN} tables per level below each; only the best {@value #COUNTED} survivors get their
 * leaves counted, each within the leaf budget.
 *
 * <p>Every format whose root table fills a 4 KiB page is scanned, 32-bit paging's 1,024 four-byte
 * entries included. A PAE root is not: its 4 entries, 32-byte aligned anywhere in a page, are too
 * few to tell a page directory pointer table from data, so {@link #of} refuses the format and the
 * root must come from CR3.
 */
public final class RootFinder {
  static final int MAX_NOT_PRESENT = 8;
  static final int CHILDREN = 16;
  static final int GRANDCHILDREN = 2;
  /** How many of the best candidates get their leaves counted. */
  public static final int COUNTED = 64;
  private static final long PAGE = 4096;

  private final PagingFormat format;
  private final long leafBudget;

  private RootFinder(PagingFormat format, long leafBudget) {
    this.format = format;
    this.leafBudget = leafBudget;
  }

  /** A finder of root tables of {@code format}, counting leaves within 2^20 entries per candidate. */
  public static RootFinder of(PagingFormat format) {
    Objects.requireNonNull(format, "format");
    if (format.root().tableBytes() != PAGE) {
      throw new IllegalArgumentException(format.name() + ": a root table is " + format.root().tableBytes()
          + " bytes (" + format.root().entries() + " entries), too few to be told from data by scanning;"
          + " the root must be given (CR3)");
    }
    return new RootFinder(format, 1 << 20);
  }

  /**
   * This finder with each candidate's leaf count stopped after {@code entries} entries read.
   *
   * @throws IllegalArgumentException if {@code entries} is not positive
   */
  public RootFinder withLeafBudget(long entries) {
    if (entries <= 0) {
      throw new IllegalArgumentException("leaf budget " + entries + " is not positive");
    }
    return new RootFinder(format, entries);
  }

  /** The candidates in {@code image}, best first. */
  public List<RootCandidate> scan(MemoryImage image) {
    return scan(image, pages -> {});
  }

  /**
   * The candidates in {@code image}, best first; {@code progress} hears the number of pages read
   * so far after every 256 pages and at the end (the total is the image's size / 4096, rounded
   * down per segment).
   */
  public List<RootCandidate> scan(MemoryImage image, LongConsumer progress) {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(progress, "progress");
    Level root = format.root();
    int entries = root.entries();
    long[] words = new long[entries];
    List<Survivor> survivors = new ArrayList<>();
    long pages = 0;
    for (Segment s : image.segments()) {
      long first = (s.start() + PAGE - 1) & -PAGE;
      if (Long.compareUnsigned(first, s.start()) < 0) {
        continue; // no whole page: rounding up wrapped past 2^64
      }
      for (long page = first;
          Long.compareUnsigned(page, s.last()) <= 0 && Long.compareUnsigned(s.last() - page, PAGE - 1) >= 0;
          page += PAGE) {
        // Most of a dump is empty pages: one pass that stops at the first word tells them apart.
        if (image.firstNonZero(page, (int) (PAGE >>> 3)) >= 0) {
          root.readEntries(image, page, 0, words, entries);
          Survivor c = candidate(image, page, words);
          if (c != null && confirmed(image, c)) {
            survivors.add(c);
          }
        }
        if ((++pages & 255) == 0) {
          progress.accept(pages);
        }
        if (page + PAGE == 0) {
          break; // the last page of the physical space
        }
      }
    }
    progress.accept(pages);
    survivors.sort(Comparator.comparingInt((Survivor c) -> -c.score)
        .thenComparing((Survivor c) -> c.address, Long::compareUnsigned));
    int[] groups = groups(survivors);
    Map<Long, Integer> rank = new HashMap<>();
    for (int i = 0; i < survivors.size(); i++) {
      rank.put(survivors.get(i).address, i);
    }
    List<RootCandidate> found = new ArrayList<>();
    for (int i = 0; i < survivors.size(); i++) {
      Survivor c = survivors.get(i);
      long twin = -1;
      long other = (c.address & PAGE) == 0 ? c.address + PAGE : c.address - PAGE;
      Integer t = rank.get(other);
      if (t != null && groups[i] != 0 && groups[t] == groups[i]) {
        twin = other;
      }
      long leaves = -1;
      boolean complete = false;
      if (i < COUNTED) {
        long[] counted = countLeaves(image, c.address);
        leaves = counted[0];
        complete = counted[1] != 0;
      }
      found.add(new RootCandidate(c.address, format, c.score, c.tables, c.leaves, c.upper, groups[i], twin,
          c.selfReference, leaves, complete));
    }
    return List.copyOf(found);
  }

  /** What stage one learnt of a page that reads as a root. */
  private static final class Survivor {
    final long address;
    final int tables;
    final int upper;
    final int leaves;
    final int selfReference;
    final long[] targets;
    final int[] indices;
    int score;

    Survivor(long address, int tables, int upper, int leaves, int selfReference, long[] targets, int[] indices) {
      this.address = address;
      this.tables = tables;
      this.upper = upper;
      this.leaves = leaves;
      this.selfReference = selfReference;
      this.targets = targets;
      this.indices = indices;
    }
  }

  private Survivor candidate(MemoryImage image, long page, long[] words) {
    Level root = format.root();
    int entries = words.length;
    int tables = 0;
    int upper = 0;
    int leaves = 0;
    int notPresent = 0;
    int self = -1;
    long[] targets = null;
    int[] indices = null;
    for (int i = 0; i < entries; i++) {
      long raw = words[i];
      if (raw == 0) {
        continue;
      }
      EntryVerdict v = format.decode(root, raw);
      switch (v.kind()) {
        case MALFORMED:
          return null;
        case NOT_PRESENT:
          if (++notPresent > MAX_NOT_PRESENT) {
            return null;
          }
          break;
        case TABLE:
          long target = format.address(root, raw);
          if (!image.contains(target, format.levels().get(1).tableBytes())) {
            return null;
          }
          if (targets == null) {
            targets = new long[entries];
            indices = new int[entries];
          }
          targets[tables] = target;
          indices[tables] = i;
          tables++;
          if (i >= entries / 2) {
            upper++;
          }
          if (target == page && self < 0) {
            self = i;
          }
          break;
        case LEAF:
          leaves++;
          break;
        default:
          break;
      }
    }
    if (tables == 0) {
      return null;
    }
    long[] t = Arrays.copyOf(targets, tables);
    if (tables >= 4) {
      long[] sorted = t.clone();
      Arrays.sort(sorted);
      int distinct = 1;
      for (int k = 1; k < sorted.length; k++) {
        if (sorted[k] != sorted[k - 1]) {
          distinct++;
        }
      }
      if (2 * distinct < tables) {
        return null;
      }
    }
    return new Survivor(page, tables, upper, leaves, self, t, Arrays.copyOf(indices, tables));
  }

  /** Stage two: the candidate's children and grandchildren; sets the score of one that survives. */
  private boolean confirmed(MemoryImage image, Survivor c) {
    if (format.levels().size() < 2) {
      return false;
    }
    Level childLevel = format.levels().get(1);
    int nonEmpty = 0;
    int n = c.targets.length;
    long[] words = new long[childLevel.entries()];
    for (int k = 0; k < n && nonEmpty < CHILDREN; k++) {
      long child = c.targets[k];
      if (child == c.address || image.isZero(child, words(childLevel))) {
        continue;
      }
      if (!wellFormed(image, child, 1, words)) {
        return false;
      }
      nonEmpty++;
    }
    if (nonEmpty == 0) {
      return false;
    }
    c.score = (c.upper > 0 ? 1000 : 0) + 10 * Math.min(nonEmpty, CHILDREN) + Math.min(c.tables, 99);
    return true;
  }

  /**
   * False when the table at {@code address} of level {@code depth} holds an entry that is
   * malformed there or a table pointer outside the image, or when one of its first {@value
   * #GRANDCHILDREN} non-empty children fails the same test a level down.
   */
  private boolean wellFormed(MemoryImage image, long address, int depth, long[] words) {
    Level level = format.levels().get(depth);
    level.readEntries(image, address, 0, words, level.entries());
    int notPresent = 0;
    int grandchildren = 0;
    long[] next = null;
    for (int i = 0; i < level.entries(); i++) {
      long raw = words[i];
      if (raw == 0) {
        continue;
      }
      EntryKind kind = format.decode(level, raw).kind();
      if (kind == EntryKind.MALFORMED) {
        return false;
      }
      if (kind == EntryKind.NOT_PRESENT) {
        // Swapped-out pages live in the lowest levels; above them, a table of them is data.
        if (++notPresent > level.entries() / 8) {
          return false;
        }
        continue;
      }
      if (kind == EntryKind.TABLE) {
        long target = format.address(level, raw);
        Level below = format.levels().get(depth + 1);
        if (!image.contains(target, below.tableBytes())) {
          return false;
        }
        if (grandchildren < GRANDCHILDREN) {
          if (!image.isZero(target, words(below))) {
            if (next == null) {
              next = new long[below.entries()];
            }
            grandchildren++;
            if (!wellFormed(image, target, depth + 1, next)) {
              return false;
            }
          }
        }
      }
    }
    return true;
  }

  /** The 8-byte words a table of {@code level} fills. */
  private static int words(Level level) {
    return (int) (level.tableBytes() >>> 3);
  }

  /**
   * Union of candidates linking one same upper-half table: the processes of one kernel. Groups
   * are numbered from 1 in the order of their best candidate; 0 for a candidate with no upper half.
   */
  private int[] groups(List<Survivor> survivors) {
    int n = survivors.size();
    int[] parent = new int[n];
    for (int i = 0; i < n; i++) {
      parent[i] = i;
    }
    Map<Long, Integer> owner = new HashMap<>();
    int half = format.root().entries() / 2;
    for (int i = 0; i < n; i++) {
      Survivor c = survivors.get(i);
      for (int k = 0; k < c.targets.length; k++) {
        if (c.indices[k] < half) {
          continue;
        }
        Integer other = owner.putIfAbsent(c.targets[k], i);
        if (other != null) {
          parent[find(parent, i)] = find(parent, other);
        }
      }
    }
    int[] groups = new int[n];
    Map<Integer, Integer> numbers = new HashMap<>();
    for (int i = 0; i < n; i++) {
      if (survivors.get(i).upper == 0) {
        continue;
      }
      int r = find(parent, i);
      Integer number = numbers.get(r);
      if (number == null) {
        number = numbers.size() + 1;
        numbers.put(r, number);
      }
      groups[i] = number;
    }
    return groups;
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  /** {leaves, 1 when the walk completed}: one walk of the whole space within the leaf budget. */
  private long[] countLeaves(MemoryImage image, long root) {
    long[] count = new long[1];
    PageTableVisitor counter = new PageTableVisitor() {
      @Override
      public Control onEntry(EntryCursor entry) {
        if (entry.kind() == EntryKind.LEAF) {
          count[0]++;
        }
        return Control.CONTINUE;
      }
    };
    WalkOutcome outcome = Walker.of(format, image).entryBudget(leafBudget).walk(root, VirtualRange.all(), counter);
    return new long[] {count[0], outcome == WalkOutcome.COMPLETED ? 1 : 0};
  }
}
