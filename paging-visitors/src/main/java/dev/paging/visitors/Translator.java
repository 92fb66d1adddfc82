package dev.paging.visitors;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Addresses;
import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryProblem;
import dev.paging.api.HoleCursor;
import dev.paging.api.Level;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import dev.paging.api.PhysicalMemory;
import dev.paging.core.AddressSpace;
import dev.paging.core.Walker;

/**
 * Translates virtual addresses. {@link #translate(long)} walks the one-byte range of the address
 * with a visitor, like every other operation, remembering the entries on the path and decoding
 * attributes once it knows the outcome.
 *
 * <p>{@link #physicalAddress(long)} is the hot path (a TLB miss handler, an emulator's memory
 * access): it descends the same path directly, with no visitor and no allocation, following
 * exactly the walker's rules (a pointer at the last level, a table outside memory and a table
 * that is its own ancestor end the walk as malformed), so both always agree.
 *
 * <p>Not thread-safe: it reuses its walker and its path between calls.
 */
public final class Translator {
  /** What {@link #physicalAddress(long)} returns for an address that is not mapped. */
  public static final long NOT_MAPPED = -1L;

  /** A walk that ended without a leaf, in {@link #descend}'s encoding; no address complements to it. */
  private static final long MISS = Long.MIN_VALUE;

  private final AddressSpace space;
  private final PagingFormat format;
  private final PhysicalMemory memory;
  private final Walker walker;
  private final PathVisitor path;
  private final long root;
  private final int last;
  // The levels' geometry as plain fields, so the fast path loads nothing from Level objects.
  private final Level l0;
  private final Level l1;
  private final Level l2;
  private final Level l3;
  private final Level l4;
  private final int s0;
  private final int s1;
  private final int s2;
  private final int s3;
  private final int s4;

  private Translator(AddressSpace space) {
    this.space = space;
    this.format = space.format();
    this.memory = space.memory();
    this.walker = space.walker();
    this.path = new PathVisitor(format.levels().size());
    this.root = space.root();
    Level[] levels = format.levels().toArray(new Level[0]);
    // The fast path handles the tables of every supported format: 512 entries, up to five levels.
    boolean standard = levels.length <= 5;
    for (Level level : levels) {
      standard &= level.entries() == 512;
    }
    this.last = standard ? levels.length - 1 : Integer.MAX_VALUE;
    Level[] l = java.util.Arrays.copyOf(levels, 5);
    for (int d = levels.length; d < 5; d++) {
      l[d] = levels[levels.length - 1];
    }
    this.l0 = l[0];
    this.l1 = l[1];
    this.l2 = l[2];
    this.l3 = l[3];
    this.l4 = l[4];
    this.s0 = l0.shift();
    this.s1 = l1.shift();
    this.s2 = l2.shift();
    this.s3 = l3.shift();
    this.s4 = l4.shift();
  }

  public static Translator of(AddressSpace space) {
    return new Translator(space);
  }

  /**
   * The physical address {@code virtualAddress} maps to, or {@link #NOT_MAPPED}.
   *
   * @throws IllegalArgumentException if the address is not canonical
   */
  public long physicalAddress(long virtualAddress) {
    if (!format.isCanonical(virtualAddress)) {
      throw notCanonical(virtualAddress);
    }
    return last <= 4 ? descend(virtualAddress) : slowPhysicalAddress(virtualAddress);
  }

  /**
   * The fast path, kept small enough (in bytecode) for the JIT to inline it into the caller's
   * loop, which lets the processor overlap consecutive translations: measured several times
   * faster than a loop over the levels or one large method. Each step returns the next table, or
   * (negative) how the walk ended: {@link #MISS}, or the complement of the physical address.
   */
  private long descend(long va) {
    long t0 = root;
    long t1 = down(l0, 0, t0, va, s0, t0, t0, t0);
    if (t1 < 0) {
      return result(t1);
    }
    long t2 = down(l1, 1, t1, va, s1, t0, t0, t0);
    if (t2 < 0) {
      return result(t2);
    }
    long t3 = down(l2, 2, t2, va, s2, t0, t1, t1);
    if (t3 < 0) {
      return result(t3);
    }
    long t4 = down(l3, 3, t3, va, s3, t0, t1, t2);
    if (t4 < 0) {
      return result(t4);
    }
    // Depth 4 is the deepest level the fast path serves, so its step always ends the walk.
    return result(down(l4, 4, t4, va, s4, t0, t1, t2));
  }

  /**
   * One level: the table the entry for {@code va} in {@code table} points to, if the walker would
   * follow it (not at the last level, inside memory, not {@code table} or one of the ancestors
   * {@code a}, {@code b}, {@code c}); otherwise the end of the walk, encoded as {@link #descend}
   * says.
   */
  private long down(Level level, int depth, long table, long va, int shift, long a, long b, long c) {
    long raw = memory.read(table + ((va >>> shift) & 511) * 8);
    EntryKind kind = format.kind(level, raw);
    if (kind == EntryKind.TABLE && depth != last) {
      long child = format.address(level, raw);
      return memory.contains(child, Addresses.FRAME_SIZE) && child != table && child != a && child != b && child != c
          ? child : MISS;
    }
    return kind == EntryKind.LEAF ? ~(format.address(level, raw) | (va & (level.entrySpan() - 1))) : MISS;
  }

  private static long result(long end) {
    return end == MISS ? NOT_MAPPED : ~end;
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
    walkTo(virtualAddress);
    Level level = path.endLevel;
    long raw = path.raw[level.depth()];
    switch (path.endKind) {
      case LEAF:
        Attributes effective = null;
        for (int d = 0; d <= level.depth(); d++) {
          Level l = format.levels().get(d);
          Attributes a = format.attributes(l, path.raw[d]);
          effective = effective == null ? a : format.effective(effective, a);
        }
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
    walker.walk(space.root(), virtualAddress, virtualAddress, path);
  }

  /** Records the entry met at each level; the walk has one entry or hole per level. */
  private static final class PathVisitor implements PageTableVisitor {
    final long[] raw;
    Level endLevel;
    EntryKind endKind;
    EntryProblem problem;

    PathVisitor(int levels) {
      raw = new long[levels];
    }

    void reset() {
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
