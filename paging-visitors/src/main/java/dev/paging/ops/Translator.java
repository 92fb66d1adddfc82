package dev.paging.ops;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Addresses;
import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryProblem;
import dev.paging.api.EntryVerdict;
import dev.paging.api.HoleCursor;
import dev.paging.api.Level;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import dev.paging.api.PhysicalMemory;
import dev.paging.core.AddressSpace;
import dev.paging.core.Walker;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Translates virtual addresses. {@link #translate(long)} walks the one-byte range of the address
 * with a visitor, like every other operation, remembering the entries on the path and decoding
 * attributes once it knows the outcome.
 *
 * <p>{@link #physicalAddressOrElse(long, long)} is the hot path (a TLB miss handler, an emulator's memory
 * access): it descends the same path directly, with no visitor and no allocation, following
 * exactly the walker's rules (a pointer at the last level, a table outside memory and a table
 * that is its own ancestor end the walk as malformed), so both always agree.
 *
 * <p>Not thread-safe: it reuses its walker and its path between calls.
 */
public final class Translator {
  /**
   * A conventional fallback for {@link #physicalAddressOrElse(long, long)}: no physical address
   * of any supported format has bit 63 set, so it never collides with a real answer.
   */
  public static final long NOT_MAPPED = -1L;

  private final AddressSpace space;
  private final PagingFormat format;
  private final PhysicalMemory memory;
  private final Walker walker;
  private final PathVisitor path;
  /** One descent for single addresses, one for batches, so a batch never disturbs the other. */
  private final Descent single;
  private final Descent batch;
  private final long root;
  /** The upper half's root: {@link #root} unless the format has a root per half. */
  private final long upperRoot;
  /** A root per half: an address is canonical when its bits from the top implemented one up are equal. */
  private final boolean rootPerHalf;
  /** Each half's levels as arrays; one and the same unless the halves' geometries differ. */
  private final Geometry lowerGeometry;
  private final Geometry upperGeometry;
  /** Deeper than the fast path goes (more than five levels): every address goes through the walker. */
  private final boolean deep;
  /** Where each half has a root: the lower half's bits, and the upper half's. */
  private final int lowerBits;
  private final int upperBits;
  /** {@code 64 - virtualAddressBits}: canonical when shifting up and back keeps the address. */
  private final int canonicalShift;
  /** False for a 32-bit space, whose addresses are zero-extended rather than sign-extended. */
  private final boolean signExtends;

  private Translator(AddressSpace space) {
    this.space = space;
    this.format = space.format();
    this.memory = space.memory();
    this.walker = space.walker();
    this.root = space.root();
    this.upperRoot = space.upperRoot();
    this.rootPerHalf = format.rootPerHalf();
    this.lowerGeometry = new Geometry(format.levels());
    this.upperGeometry = format.oneGeometry() ? lowerGeometry : new Geometry(format.levels(-1L));
    this.path = new PathVisitor(Math.max(lowerGeometry.levels.length, upperGeometry.levels.length));
    // The fast path handles the tables of every supported format: up to five levels.
    this.deep = lowerGeometry.levels.length > 5 || upperGeometry.levels.length > 5;
    this.lowerBits = 64 - Long.numberOfLeadingZeros(format.lowerHalf().last());
    this.upperBits = 64 - Long.numberOfLeadingZeros(~format.upperHalf().first());
    this.canonicalShift = 64 - format.virtualAddressBits();
    long topBit = 1L << (format.virtualAddressBits() - 1);
    this.signExtends = format.canonicalAddress(topBit) != topBit;
    this.single = new Descent();
    this.batch = new Descent();
  }

  public static Translator of(AddressSpace space) {
    return new Translator(Objects.requireNonNull(space, "space"));
  }

  /**
   * The physical address {@code virtualAddress} maps to, page offset included, or {@code
   * ifNotMapped} when no leaf maps it (an empty or not-present entry, or a walk that meets a
   * malformed entry or a table outside memory; a recursive entry is followed, as the MMU
   * follows it). Allocates nothing: the page-at-a-time
   * path of a TLB-miss handler or an emulator. {@link #translate(long)} says why an address is
   * not mapped; {@link Translation#physicalAddress()} is only asked of a mapped translation.
   *
   * @throws IllegalArgumentException if the address is not canonical
   */
  public long physicalAddressOrElse(long virtualAddress, long ifNotMapped) {
    space.checkNotDestroyed();
    if (!isCanonical(virtualAddress)) {
      throw notCanonical(virtualAddress);
    }
    if (deep) {
      long pa = slowPhysicalAddress(virtualAddress);
      // Internally NOT_MAPPED, which no physical address equals, stands for "no leaf".
      return pa == NOT_MAPPED ? ifNotMapped : pa;
    }
    Descent one = single;
    one.forget();
    one.walk(virtualAddress);
    return one.leaf() ? one.physicalAddress(virtualAddress) : ifNotMapped;
  }

  /**
   * Translates {@code count} addresses at once: {@code virtualAddresses[from + i]} into {@code
   * physicalAddresses[to + i]}, page offset included, or {@code ifNotMapped} where no leaf maps
   * it, each exactly as {@link #physicalAddressOrElse} would; returns how many were mapped. When
   * {@code outcomes} is not null, {@code outcomes[to + i]} says why an address is not mapped
   * ({@link Translation.Outcome#EMPTY}, {@code NOT_PRESENT}, {@code MALFORMED}) or that it is
   * ({@code MAPPED}), as {@link #translate} would.
   *
   * <p>For an emulator's or a dump reader's bulk accesses: each address starts from the path of
   * the one before it, so addresses that share upper-level entries do not read them again (a run
   * of addresses in one page table reads one entry each; two in one page read nothing for the
   * second). Nothing is allocated. The tables must not change during the call.
   *
   * @throws IllegalArgumentException naming the first non-canonical address and its position;
   *     nothing is written then
   * @throws IndexOutOfBoundsException if a range of an array is too short
   */
  public int physicalAddresses(long[] virtualAddresses, int from, long[] physicalAddresses, int to, int count,
      long ifNotMapped, Translation.Outcome @Nullable [] outcomes) {
    Objects.requireNonNull(virtualAddresses, "virtualAddresses");
    Objects.requireNonNull(physicalAddresses, "physicalAddresses");
    space.checkNotDestroyed();
    Objects.checkFromIndexSize(from, count, virtualAddresses.length);
    Objects.checkFromIndexSize(to, count, physicalAddresses.length);
    if (outcomes != null) {
      Objects.checkFromIndexSize(to, count, outcomes.length);
    }
    for (int i = 0; i < count; i++) {
      long va = virtualAddresses[from + i];
      if (!isCanonical(va)) {
        throw new IllegalArgumentException("address " + hex(va) + " at position " + (from + i)
            + " is not canonical for " + format.name() + "; nothing was translated");
      }
    }
    if (deep) {
      // Formats deeper than any shipped one go address by address through the walker.
      int mapped = 0;
      for (int i = 0; i < count; i++) {
        Translation t = translate(virtualAddresses[from + i]);
        physicalAddresses[to + i] = t.isMapped() ? t.physicalAddress() : ifNotMapped;
        mapped += t.isMapped() ? 1 : 0;
        if (outcomes != null) {
          outcomes[to + i] = t.outcome();
        }
      }
      return mapped;
    }
    Descent d = batch;
    d.forget();
    int mapped = 0;
    for (int i = 0; i < count; i++) {
      long va = virtualAddresses[from + i];
      d.walk(va);
      boolean leaf = d.leaf();
      physicalAddresses[to + i] = leaf ? d.physicalAddress(va) : ifNotMapped;
      mapped += leaf ? 1 : 0;
      if (outcomes != null) {
        outcomes[to + i] = outcome(d.endVerdict);
      }
    }
    return mapped;
  }

  /** The format's rule ({@link PagingFormat#isCanonical}) as two shifts. */
  private boolean isCanonical(long va) {
    if (rootPerHalf) {
      // Bits 63:v all equal, v being the half's size (AArch64: 64 - T0SZ below, 64 - T1SZ above).
      return va < 0 ? va >> upperBits == -1 : va >>> lowerBits == 0;
    }
    return signExtends ? (va << canonicalShift) >> canonicalShift == va : (va << canonicalShift) >>> canonicalShift == va;
  }

  /**
   * The fast path: the walker's rules as a plain loop over at most five levels, for one address
   * or many. Each entry's fate is the format's one verdict ({@link PagingFormat#decode}), the
   * same call the walker makes; a table outside memory ends the walk unmapped, as the walker's
   * {@code TABLE_OUTSIDE_MEMORY} does, and a recursive entry is followed, as the walker and the
   * MMU follow it. It keeps the
   * path of its last address (the table at each depth, where and how the walk ended), so the next
   * address of a batch starts below the deepest table both share.
   */
  /** One half's levels as the descent reads them. */
  private static final class Geometry {
    final Level[] levels;
    final int last;
    final int[] shifts;
    /** Per depth, the offset bits of a page that level maps. */
    final long[] offsetMask;
    /** Per depth, the index bits of a table of that level, and the bytes of the table below. */
    final long[] indexMask;
    final long[] childBytes;
    /** True when every entry is 8 bytes, a memory word: the descent reads words directly. */
    final boolean wide;

    Geometry(List<Level> list) {
      Level[] levels = list.toArray(new Level[0]);
      this.levels = levels;
      this.last = levels.length - 1;
      this.shifts = new int[levels.length];
      this.offsetMask = new long[levels.length];
      this.indexMask = new long[levels.length];
      this.childBytes = new long[levels.length];
      boolean words = true;
      for (int d = 0; d < levels.length; d++) {
        shifts[d] = levels[d].shift();
        offsetMask[d] = levels[d].entrySpan() - 1;
        indexMask[d] = levels[d].entries() - 1;
        childBytes[d] = d + 1 < levels.length ? levels[d + 1].tableBytes() : 0;
        words &= levels[d].entryBytes() == 8;
      }
      this.wide = words;
    }
  }

  private final class Descent {
    private final long[] path = new long[Math.max(lowerGeometry.levels.length, upperGeometry.levels.length)];
    /** The geometry of the last walk's half. */
    private Geometry geometry = lowerGeometry;
    private boolean started;
    private int endDepth;
    private long endRaw;
    private EntryVerdict endVerdict = EntryVerdict.EMPTY;
    private long previous;

    /** The next walk starts from the root. */
    void forget() {
      started = false;
    }

    boolean leaf() {
      return endVerdict == EntryVerdict.LEAF;
    }

    /** The physical address of {@code va}, which the last walk found a leaf for. */
    long physicalAddress(long va) {
      return format.address(geometry.levels[endDepth], endRaw) | (va & geometry.offsetMask[endDepth]);
    }

    void walk(long va) {
      int d = 0;
      // A canonical address's bit 63 says its half.
      long table = va < 0 ? upperRoot : root;
      Geometry g = va < 0 ? upperGeometry : lowerGeometry;
      if (g != geometry) {
        // The other half's path, through other levels, shares nothing with this one.
        started = false;
        geometry = g;
      }
      int[] shifts = g.shifts;
      if (table == AddressSpace.NO_ROOT && rootPerHalf) {
        // The half is not translated (TCR_EL1.EPDx): a fault at its root, as for an empty entry.
        started = false;
        endDepth = 0;
        endRaw = 0;
        endVerdict = EntryVerdict.EMPTY;
        return;
      }
      if (started) {
        long diff = va ^ previous;
        if ((diff >>> shifts[endDepth]) == 0) {
          // The same entry ends this address's walk: the same outcome, no read.
          return;
        }
        while (d < endDepth && (diff >>> shifts[d]) == 0) {
          d++;
        }
        if (d > 0) {
          table = path[d];
        }
      }
      PhysicalMemory memory = Translator.this.memory;
      PagingFormat format = Translator.this.format;
      started = true;
      previous = va;
      for (; ; d++) {
        path[d] = table;
        Level level = g.levels[d];
        long index = (va >>> shifts[d]) & g.indexMask[d];
        long raw = g.wide ? memory.read(table + (index << 3)) : level.readEntry(memory, table, (int) index);
        EntryVerdict verdict = format.decode(level, raw);
        endDepth = d;
        endRaw = raw;
        endVerdict = verdict;
        if (verdict != EntryVerdict.TABLE) {
          return;
        }
        if (d == g.last) {
          // Only a format that calls a last-level entry a table gets here; the walker names it.
          started = false;
          slowPhysicalAddress(va);
          throw new IllegalStateException(format.name() + " decodes a last-level entry as a table");
        }
        long next = format.address(level, raw);
        if (!memory.contains(next, g.childBytes[d])) {
          // The walker's TABLE_OUTSIDE_MEMORY: not followed, and MALFORMED as an outcome, which
          // any malformed verdict gives.
          endVerdict = EntryVerdict.RESERVED_BITS;
          return;
        }
        // A pointer to a table above (a recursive mapping) is followed like any other, as the
        // MMU does; the loop still ends after the format's levels.
        table = next;
      }
    }
  }

  private static Translation.Outcome outcome(EntryVerdict verdict) {
    switch (verdict.kind()) {
      case LEAF:
        return Translation.Outcome.MAPPED;
      case EMPTY:
        return Translation.Outcome.EMPTY;
      case NOT_PRESENT:
        return Translation.Outcome.NOT_PRESENT;
      default:
        return Translation.Outcome.MALFORMED;
    }
  }

  private long slowPhysicalAddress(long virtualAddress) {
    walkTo(virtualAddress);
    if (path.endKind != EntryKind.LEAF) {
      return NOT_MAPPED;
    }
    Level level = path.endLevel;
    return format.address(level, path.raw[level.depth()]) | (virtualAddress & (level.entrySpan() - 1));
  }

  private IllegalArgumentException notCanonical(long virtualAddress) {
    return new IllegalArgumentException("address " + hex(virtualAddress) + " is not canonical for " + format.name());
  }

  /**
   * The full translation of {@code virtualAddress}: physical address, page size, level, leaf and
   * effective attributes, or where and why the walk ended.
   *
   * @throws IllegalArgumentException if the address is not canonical
   */
  public Translation translate(long virtualAddress) {
    space.checkNotDestroyed();
    walkTo(virtualAddress);
    Level level = path.endLevel;
    long raw = path.raw[level.depth()];
    switch (path.endKind) {
      case LEAF:
        Attributes effective = path.effective;
        long pa = format.address(level, raw) | (virtualAddress & (level.entrySpan() - 1));
        return Translation.mapped(virtualAddress, level, raw, pa, format.attributes(level, raw), effective);
      case NOT_PRESENT:
        return Translation.unmapped(virtualAddress, Translation.Outcome.NOT_PRESENT, level, raw, null);
      case MALFORMED:
        return Translation.unmapped(virtualAddress, Translation.Outcome.MALFORMED, level, raw, path.problem);
      default:
        return Translation.unmapped(virtualAddress, Translation.Outcome.EMPTY, level, 0, null);
    }
  }

  private void walkTo(long virtualAddress) {
    if (!format.isCanonical(virtualAddress)) {
      throw new IllegalArgumentException(
          "address " + hex(virtualAddress) + " is not canonical for " + format.name());
    }
    path.reset();
    walker.walk(space.root(), space.upperRoot(), virtualAddress, virtualAddress, path);
    if (path.endLevel == null) {
      // Nothing visited: the address's half has no root.
      path.endLevel = format.levels(virtualAddress).get(0);
    }
  }

  /** Records the entry met at each level; the walk has one entry or hole per level. */
  private static final class PathVisitor implements PageTableVisitor {
    final long[] raw;
    @Nullable Level endLevel;
    EntryKind endKind;
    @Nullable EntryProblem problem;
    /** The leaf's effective attributes, from the walker's path state. */
    @Nullable Attributes effective;

    PathVisitor(int levels) {
      raw = new long[levels];
    }

    void reset() {
      effective = null;
      endLevel = null;
      endKind = EntryKind.EMPTY;
      problem = null;
    }

    @Override
    public Control onEntry(EntryCursor entry) {
      int depth = entry.level().depth();
      raw[depth] = entry.raw();
      endLevel = entry.level();
      endKind = entry.kind();
      if (endKind == EntryKind.LEAF) {
        effective = entry.effectiveAttributes();
      }
      return Control.CONTINUE;
    }

    @Override
    public Control onHole(HoleCursor hole) {
      raw[hole.level().depth()] = 0;
      endLevel = hole.level();
      endKind = EntryKind.EMPTY;
      return Control.STOP;
    }

    @Override
    public Control onMalformed(EntryCursor entry, EntryProblem p) {
      raw[entry.level().depth()] = entry.raw();
      endLevel = entry.level();
      endKind = EntryKind.MALFORMED;
      problem = p;
      return Control.STOP;
    }
  }
}
