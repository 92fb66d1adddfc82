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

  private final AddressSpace space;
  private final PagingFormat format;
  private final PhysicalMemory memory;
  private final Walker walker;
  private final PathVisitor path;
  private final Level[] levels;
  private final long root;

  private Translator(AddressSpace space) {
    this.space = space;
    this.format = space.format();
    this.memory = space.memory();
    this.walker = space.walker();
    this.path = new PathVisitor(format.levels().size());
    this.levels = format.levels().toArray(new Level[0]);
    this.root = space.root();
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
      throw new IllegalArgumentException(
          "address " + hex(virtualAddress) + " is not canonical for " + format.name());
    }
    Level[] levels = this.levels;
    int last = levels.length - 1;
    if (last > 4) {
      // Deeper than any supported format: the visitor keeps the whole path.
      walkTo(virtualAddress);
      if (path.endKind != EntryKind.LEAF) {
        return NOT_MAPPED;
      }
      Level level = path.endLevel;
      return format.address(level, path.raw[level.depth()]) | (virtualAddress & (level.entrySpan() - 1));
    }
    long table = root;
    // The tables on the path so far, for the walker's cycle rule; at most five levels.
    long t0 = root;
    long t1 = -1;
    long t2 = -1;
    long t3 = -1;
    for (int d = 0; ; d++) {
      Level level = levels[d];
      long raw = memory.read(table + 8L * level.index(virtualAddress));
      if (raw == 0) {
        return NOT_MAPPED;
      }
      EntryKind kind = format.kind(level, raw);
      if (kind == EntryKind.LEAF) {
        return format.address(level, raw) | (virtualAddress & (level.entrySpan() - 1));
      }
      if (kind != EntryKind.TABLE || d == last) {
        return NOT_MAPPED;
      }
      long child = format.address(level, raw);
      if (!memory.contains(child, Addresses.FRAME_SIZE) || child == t0 || child == t1 || child == t2 || child == t3) {
        return NOT_MAPPED;
      }
      table = child;
      switch (d) {
        case 0:
          t1 = child;
          break;
        case 1:
          t2 = child;
          break;
        case 2:
          t3 = child;
          break;
        default:
          // Depth 4 tables exist only in 5-level formats and have no children to compare.
          break;
      }
    }
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
