package dev.paging.images;

import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryVerdict;
import dev.paging.api.Level;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
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
import org.jspecify.annotations.Nullable;

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
 * <p>Every format whose root table fills a 4 KiB page or more is scanned, 32-bit paging's 1,024
 * four-byte entries included, and a root larger than a page (AArch64's 8,192-entry root with a
 * 64 KiB granule) is read at each address aligned to its size. A PAE root is not: its 4 entries,
 * 32-byte aligned anywhere in a page, are too few to tell a page directory pointer table from
 * data, so {@link #of} refuses the format and the root must come from CR3; so are AArch64 roots
 * of a few entries (a 16 KiB granule with 47 or 48 bits starts with a level 0 of 2).
 *
 * <p>Where each half has a root of its own (AArch64), a candidate is a TTBR0 or a TTBR1 root, and
 * nothing in the root says which: the scan tells them by the leaves its checks met ({@link
 * RootCandidate#half()}): a user half's pages are EL0-accessible (AP[1]), a kernel half's are
 * not. Where the halves' geometries differ, each page is read with each half's levels, and the
 * levels that read it say the half; a page that reads as a root of both is listed once for each.
 * The scores do not weigh an upper half then, and there are no kernel groups or PTI twins:
 * processes link no table of the kernel's, whose TTBR1 root is one table for all.
 */
public final class RootFinder {
  static final int MAX_NOT_PRESENT = 8;
  static final int CHILDREN = 16;
  static final int GRANDCHILDREN = 2;
  /** How many of the best candidates get their leaves counted. */
  public static final int COUNTED = 64;
  private static final long PAGE = 4096;

  private final PagingFormat format;
  private final List<Geometry> geometries;
  private final long leafBudget;

  private RootFinder(PagingFormat format, List<Geometry> geometries, long leafBudget) {
    this.format = format;
    this.geometries = geometries;
    this.leafBudget = leafBudget;
  }

  /**
   * One way to read a page as a root: a half's levels and the half it stands for (null where the
   * leaves must tell).
   */
  private static final class Geometry {
    final List<Level> levels;
    final Level root;
    final RootCandidate.@Nullable Half half;

    Geometry(List<Level> levels, RootCandidate.@Nullable Half half) {
      this.levels = levels;
      this.root = levels.get(0);
      this.half = half;
    }

    boolean scannable() {
      return root.tableBytes() >= PAGE && levels.size() >= 2;
    }
  }

  /** A finder of root tables of {@code format}, counting leaves within 2^20 entries per candidate. */
  public static RootFinder of(PagingFormat format) {
    Objects.requireNonNull(format, "format");
    List<Geometry> all = new ArrayList<>();
    if (!format.rootPerHalf()) {
      all.add(new Geometry(format.levels(), RootCandidate.Half.WHOLE));
    } else if (format.oneGeometry()) {
      all.add(new Geometry(format.levels(), null));
    } else {
      all.add(new Geometry(format.levels(), RootCandidate.Half.LOWER));
      all.add(new Geometry(format.levels(-1L), RootCandidate.Half.UPPER));
    }
    List<Geometry> scanned = new ArrayList<>();
    for (Geometry g : all) {
      if (g.scannable()) {
        scanned.add(g);
      }
    }
    if (scanned.isEmpty()) {
      Level root = all.get(all.size() - 1).root;
      throw new IllegalArgumentException(format.name() + ": a root table is " + root.tableBytes() + " bytes ("
          + root.entries() + " entries), too few to be told from data by scanning; the root must be given ("
          + (format.rootPerHalf() ? "TTBR0_EL1, TTBR1_EL1" : "CR3") + ")");
    }
    return new RootFinder(format, List.copyOf(scanned), 1 << 20);
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
    return new RootFinder(format, geometries, entries);
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
    long[][] words = new long[geometries.size()][];
    for (int k = 0; k < words.length; k++) {
      words[k] = new long[geometries.get(k).root.entries()];
    }
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
        for (int k = 0; k < words.length; k++) {
          Geometry g = geometries.get(k);
          long bytes = g.root.tableBytes();
          if ((page & (bytes - 1)) != 0 || Long.compareUnsigned(s.last() - page, bytes - 1) < 0) {
            continue; // a root larger than a page starts only where its size aligns, whole in the segment
          }
          // Most of a dump is empty pages: one pass that stops at the first word tells them apart.
          if (image.firstNonZero(page, (int) (bytes >>> 3)) >= 0) {
            g.root.readEntries(image, page, 0, words[k], words[k].length);
            Survivor c = candidate(image, g, page, words[k]);
            if (c != null && confirmed(image, c)) {
              survivors.add(c);
            }
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
      RootCandidate.Half half = half(c);
      long leaves = -1;
      boolean complete = false;
      if (i < COUNTED) {
        long[] counted = countLeaves(image, c.address, half);
        leaves = counted[0];
        complete = counted[1] != 0;
      }
      found.add(new RootCandidate(c.address, format, half, c.score, c.tables, c.leaves, c.upper, groups[i], twin,
          c.selfReference, leaves, complete));
    }
    return List.copyOf(found);
  }

  /**
   * The half a candidate's root translates: its geometry's, else what the leaves its checks met
   * say. Linux maps every user page EL0-accessible and no kernel page so; three in four either
   * way decide, and a mix or no leaf leaves it open.
   */
  private static RootCandidate.Half half(Survivor c) {
    if (c.geometry.half != null) {
      return c.geometry.half;
    }
    if (c.sampledLeaves > 0 && 4L * c.userLeaves >= 3L * c.sampledLeaves) {
      return RootCandidate.Half.LOWER;
    }
    if (c.sampledLeaves > 0 && 4L * c.userLeaves <= c.sampledLeaves) {
      return RootCandidate.Half.UPPER;
    }
    return RootCandidate.Half.EITHER;
  }

  /** What stage one learnt of a page that reads as a root. */
  private static final class Survivor {
    final Geometry geometry;
    final long address;
    final int tables;
    final int upper;
    final int leaves;
    final int selfReference;
    final long[] targets;
    final int[] indices;
    int score;
    /** Leaves the checks met, and those of them EL0 may access: the evidence of a half. */
    int sampledLeaves;
    int userLeaves;

    Survivor(Geometry geometry, long address, int tables, int upper, int leaves, int selfReference, long[] targets,
        int[] indices) {
      this.geometry = geometry;
      this.address = address;
      this.tables = tables;
      this.upper = upper;
      this.leaves = leaves;
      this.selfReference = selfReference;
      this.targets = targets;
      this.indices = indices;
    }
  }

  private @Nullable Survivor candidate(MemoryImage image, Geometry g, long page, long[] words) {
    Level root = g.root;
    boolean oneRoot = g.half == RootCandidate.Half.WHOLE;
    int entries = words.length;
    int sampled = 0;
    int user = 0;
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
          if (!image.contains(target, g.levels.get(1).tableBytes())) {
            return null;
          }
          if (targets == null) {
            targets = new long[entries];
            indices = new int[entries];
          }
          targets[tables] = target;
          indices[tables] = i;
          tables++;
          if (oneRoot && i >= entries / 2) {
            upper++;
          }
          if (target == page && self < 0) {
            self = i;
          }
          break;
        case LEAF:
          leaves++;
          sampled++;
          if (format.attributes(root, raw).user()) {
            user++;
          }
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
    Survivor c = new Survivor(g, page, tables, upper, leaves, self, t, Arrays.copyOf(indices, tables));
    c.sampledLeaves = sampled;
    c.userLeaves = user;
    return c;
  }

  /** Stage two: the candidate's children and grandchildren; sets the score of one that survives. */
  private boolean confirmed(MemoryImage image, Survivor c) {
    Level childLevel = c.geometry.levels.get(1);
    int nonEmpty = 0;
    int n = c.targets.length;
    long[] words = new long[childLevel.entries()];
    for (int k = 0; k < n && nonEmpty < CHILDREN; k++) {
      long child = c.targets[k];
      if (child == c.address || image.isZero(child, words(childLevel))) {
        continue;
      }
      if (!wellFormed(image, c, child, 1, words)) {
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
  private boolean wellFormed(MemoryImage image, Survivor c, long address, int depth, long[] words) {
    List<Level> levels = c.geometry.levels;
    Level level = levels.get(depth);
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
      if (kind == EntryKind.LEAF) {
        c.sampledLeaves++;
        if (format.attributes(level, raw).user()) {
          c.userLeaves++;
        }
        continue;
      }
      if (kind == EntryKind.TABLE) {
        long target = format.address(level, raw);
        Level below = levels.get(depth + 1);
        if (!image.contains(target, below.tableBytes())) {
          return false;
        }
        if (grandchildren < GRANDCHILDREN) {
          if (!image.isZero(target, words(below))) {
            if (next == null) {
              next = new long[below.entries()];
            }
            grandchildren++;
            if (!wellFormed(image, c, target, depth + 1, next)) {
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
  private long[] countLeaves(MemoryImage image, long root, RootCandidate.Half half) {
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
    // A root of one half is walked as that half's only (as the lower half's when the leaves did
    // not tell), so no leaf is counted twice.
    long lower = half == RootCandidate.Half.UPPER ? AddressSpace.NO_ROOT : root;
    long upper = half == RootCandidate.Half.WHOLE ? root
        : half == RootCandidate.Half.UPPER ? root : AddressSpace.NO_ROOT;
    WalkOutcome outcome = Walker.of(format, image).entryBudget(leafBudget).walk(lower, upper, VirtualRange.all(),
        counter);
    return new long[] {count[0], outcome == WalkOutcome.COMPLETED ? 1 : 0};
  }
}
