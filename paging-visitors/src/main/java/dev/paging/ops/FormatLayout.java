package dev.paging.ops;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Addresses;
import dev.paging.api.Attributes;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryProblem;
import dev.paging.api.Level;
import dev.paging.api.MappingConflictException;
import dev.paging.api.PagingFormat;
import dev.paging.api.PhysicalMemory;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.core.SharedTables;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What every operation on one address space needs to know about its format, computed once: the
 * levels as arrays, and how the format embeds a physical address in a leaf, so that consecutive
 * leaves can be written by adding a constant instead of calling the encoder for each page.
 *
 * <p>Where the halves' geometries differ (AArch64 with TG0, T0SZ apart from TG1, T1SZ) each half
 * has a layout of its own, and depth-indexed facts are the half's: code that may meet both halves
 * asks {@link #half(long)} for the layout of the address at hand. With one geometry, both are
 * this layout.
 */
final class FormatLayout {
  /** Marks a level whose leaf encoding is not a plain shift of the address. */
  static final int NONLINEAR = -1;

  final AddressSpace space;
  final PagingFormat format;
  final PhysicalMemory memory;
  final SharedTables shared;
  final Level[] levels;
  final int last;
  final int[] shift;
  final int[] entries;
  /**
   * Per depth, the right shift that turns a page address into the entry's address bits (0 for
   * x86, 2 for RISC-V), or {@link #NONLINEAR}; only for levels that may hold a leaf.
   */
  final int[] addressShift;
  /** Whether map, unmap and protect may edit through a recursive entry's window. */
  final boolean throughRecursive;
  /** The format gives each half a root of its own. */
  final boolean rootPerHalf;
  /** The smallest page: the last level's, 4 KiB but for AArch64's 16 and 64 KiB granules. */
  final long pageSize;
  /** How messages name it: {@code 4 KiB}. */
  final String pageName;
  /** Some level has a contiguous hint (AArch64), which the operations keep true. */
  final boolean contiguousHints;
  /** The lower half's layout and the upper half's; both this one where the format has one geometry. */
  private final FormatLayout lowerHalf;
  private final FormatLayout upperHalf;
  /** 0 for the lower half's layout (and a format's only one), 1 for the upper half's: an index for per-half caches. */
  final int halfIndex;
  /** The most levels either half's walk has: the size of depth-indexed caches shared by both halves. */
  final int maxDepths;
  private final long upperFirst;

  FormatLayout(AddressSpace space) {
    this(space, false);
  }

  FormatLayout(AddressSpace space, boolean throughRecursive) {
    this(space, throughRecursive, null, space.format().levels());
  }

  /** The layout of the half whose levels are {@code list}; {@code lower} is the lower half's, or null for it. */
  private FormatLayout(AddressSpace space, boolean throughRecursive, @Nullable FormatLayout lower, List<Level> list) {
    this.space = space;
    this.throughRecursive = throughRecursive;
    this.format = space.format();
    this.memory = space.memory();
    this.shared = space.sharedTables();
    this.rootPerHalf = format.rootPerHalf();
    this.upperFirst = format.upperHalf().first();
    this.maxDepths = Math.max(format.levels().size(), format.levels(-1L).size());
    this.pageSize = list.get(list.size() - 1).entrySpan();
    this.pageName = (pageSize >>> 10) + " KiB";
    boolean hints = false;
    for (List<Level> half : List.of(format.levels(), format.levels(-1L))) {
      for (Level level : half) {
        hints |= format.contiguousRun(level) > 0;
      }
    }
    this.contiguousHints = hints;
    this.levels = list.toArray(new Level[0]);
    this.last = levels.length - 1;
    this.shift = new int[levels.length];
    this.entries = new int[levels.length];
    this.addressShift = new int[levels.length];
    for (int d = 0; d < levels.length; d++) {
      shift[d] = levels[d].shift();
      entries[d] = levels[d].entries();
      addressShift[d] = levels[d].leafAllowed() ? probeAddressShift(levels[d]) : NONLINEAR;
    }
    if (lower != null) {
      this.lowerHalf = lower;
      this.upperHalf = this;
      this.halfIndex = 1;
    } else {
      this.lowerHalf = this;
      this.upperHalf = format.oneGeometry() ? this
          : new FormatLayout(space, throughRecursive, this, format.levels(-1L));
      this.halfIndex = 0;
    }
  }

  /** The layout of the half {@code va} is in: this one unless the halves' geometries differ. */
  FormatLayout half(long va) {
    if (lowerHalf == upperHalf) {
      return this;
    }
    return Long.compareUnsigned(va, upperFirst) >= 0 ? upperHalf : lowerHalf;
  }

  /** The largest table either half has, in entries: the size of a buffer that takes any last-level table. */
  int maxLastLevelEntries() {
    return Math.max(lowerHalf.levels[lowerHalf.last].entries(), upperHalf.levels[upperHalf.last].entries());
  }

  /**
   * Finds the shift by encoding single address bits with attributes every format accepts, and
   * checks it on every bit the format can hold; anything else is treated as non-linear and
   * encoded page by page.
   */
  private int probeAddressShift(Level level) {
    Attributes probe = Attributes.readExecute();
    try {
      long zero = format.encodeLeaf(level, 0, probe);
      long image = format.encodeLeaf(level, level.entrySpan(), probe) ^ zero;
      if (Long.bitCount(image) != 1) {
        return NONLINEAR;
      }
      int s = level.shift() - Long.numberOfTrailingZeros(image);
      if (s < 0) {
        return NONLINEAR;
      }
      for (int b = level.shift(); b < format.physicalAddressBits(level); b++) {
        long bit = 1L << b;
        if ((format.encodeLeaf(level, bit, probe) ^ zero) != bit >>> s || (zero & (bit >>> s)) != 0) {
          return NONLINEAR;
        }
      }
      return s;
    } catch (IllegalArgumentException e) {
      return NONLINEAR;
    }
  }

  /** Whether a leaf at {@code depth} can say dirty; AArch64 descriptors cannot. */
  boolean hasDirtyBit(int depth) {
    try {
      format.encodeLeaf(levels[depth], 0, Attributes.readExecute().withDirty(true));
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  long span(int depth) {
    return 1L << shift[depth];
  }

  /** The first address of entry {@code index} of a table at {@code depth} that starts at {@code tableFirst}. */
  long entryFirst(int depth, long tableFirst, int index) {
    long offset = (long) index << shift[depth];
    // A shared root's entries name canonical addresses, sign-extended in the upper half of a
    // 64-bit space; a root of one half starts where the half does.
    return depth == 0 && !rootPerHalf ? format.canonicalAddress(offset) : tableFirst + offset;
  }

  /** The depth whose leaves are {@code size} bytes and may exist, or -1. */
  int depthOfPageSize(long size) {
    for (int d = 0; d <= last; d++) {
      if (span(d) == size && levels[d].leafAllowed()) {
        return d;
      }
    }
    return -1;
  }

  /** The format's kind of {@code raw} at {@code depth}; see {@link PagingFormat#kind}. */
  EntryKind kind(int depth, long raw) {
    return format.kind(levels[depth], raw);
  }

  /** The format's problem with {@code raw}, which the caller knows is malformed at {@code depth}. */
  EntryProblem problem(int depth, long raw) {
    EntryProblem p = format.decode(levels[depth], raw).problem();
    if (p == null) {
      throw new IllegalStateException(hex(raw) + " at " + levels[depth] + " is not malformed");
    }
    return p;
  }


  /**
   * The table entry {@code raw} at {@code depth}, widened so that it grants what {@code needs}
   * asks (read, write, execute, user), or {@code raw} itself when it already does.
   */
  long widen(int depth, long raw, Attributes needs) {
    Level level = levels[depth];
    Attributes current = format.attributes(level, raw);
    if (needs == null || current.permits(needs)) {
      return raw;
    }
    Attributes wider = current.withReadable(current.readable() || needs.readable())
        .withWritable(current.writable() || needs.writable())
        .withExecutable(current.executable() || needs.executable())
        .withUser(current.user() || needs.user());
    return format.encodeTable(level, format.address(level, raw), wider);
  }

  /** Permissions granted by either: what a table above leaves of both kinds must grant. */
  static Attributes union(Attributes a, Attributes b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return a.withReadable(a.readable() || b.readable()).withWritable(a.writable() || b.writable())
        .withExecutable(a.executable() || b.executable()).withUser(a.user() || b.user());
  }

  /**
   * Rejects a range whose ends are not canonical or not on boundaries of the smallest page (4
   * KiB, or an AArch64 granule of 16 or 64 KiB).
   */
  void checkPageRange(String operation, VirtualRange range) {
    format.checkCanonical(range);
    // Each end in its own half's pages, where the halves' granules differ.
    FormatLayout start = half(range.first());
    FormatLayout end = half(range.last());
    if (!Addresses.isAligned(range.first(), start.pageSize)) {
      throw new IllegalArgumentException(operation + ": range start " + hex(range.first())
          + " is not " + start.pageName + " aligned");
    }
    if (!Addresses.isAligned(range.last() + 1, end.pageSize)) {
      throw new IllegalArgumentException(operation + ": range end " + hex(range.last() + 1)
          + " (exclusive; last byte " + hex(range.last()) + ") is not " + end.pageName + " aligned");
    }
  }

  /** The smallest page at {@code va}, for the page-at-a-time calls' general path. */
  VirtualRange page(long va) {
    long size = half(va).pageSize;
    return Addresses.isAligned(va, size) ? VirtualRange.page(va, size) : VirtualRange.page(va);
  }

  /**
   * Refuses, before anything is written, an edit whose walk reaches the recursive entry {@code
   * e}, unless these operations were asked to edit through recursive windows.
   */
  void checkRecursive(String operation, EntryCursor e) {
    if (e.recursive() && !throughRecursive) {
      throw recursive(operation, e, "PageTables.editingThroughRecursiveEntries() edits them as the MMU sees them");
    }
  }

  /** The error for an edit that reaches the recursive entry {@code e}; {@code instead} says what to do. */
  static MappingConflictException recursive(String operation, EntryCursor e, String instead) {
    return new MappingConflictException(operation + ": the " + e.level() + " entry " + e.index() + " " + hex(e.raw())
        + " points back to the table " + hex(e.target()) + " (a recursive mapping), so [" + hex(e.first()) + ", "
        + hex(e.last()) + "] is a window onto the space's own tables and editing there would rewrite them;"
        + " nothing was changed (" + instead + ")");
  }

  static boolean ule(long a, long b) {
    return Long.compareUnsigned(a, b) <= 0;
  }

  static boolean ult(long a, long b) {
    return Long.compareUnsigned(a, b) < 0;
  }

  static long umax(long a, long b) {
    return ult(a, b) ? b : a;
  }

  static long umin(long a, long b) {
    return ult(a, b) ? a : b;
  }
}
