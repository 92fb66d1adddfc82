package dev.paging.core;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Architecture;
import dev.paging.api.Attributes;
import dev.paging.api.EntryProblem;
import dev.paging.api.EntryVerdict;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * RISC-V Sv39, Sv48 and Sv57 (privileged spec, "Supervisor-Level ISA", with Svpbmt and
 * Svnapot).
 *
 * <p>PTE layout: V 0, R 1, W 2, X 3, U 4, G 5, A 6, D 7, RSW 8-9, PPN 10-53 (physical address =
 * PPN &lt;&lt; 12, 56 bits), reserved 54-60, PBMT 61-62, N 63. A valid entry with R=W=X=0 points
 * to the next table; any other valid entry is a leaf, at any level. Levels are named after the
 * VPN field that indexes them: Sv39 has L2, L1, L0.
 *
 * <p>{@link #problem} reports the first of, in this order:
 *
 * <ol>
 *   <li>{@link EntryProblem#RESERVED_BITS}: any of bits 54-60; on a pointer, PBMT or N non-zero
 *       (both are reserved on non-leaf entries); on a leaf above L0, N (Svnapot defines NAPOT
 *       only for L0 leaves);
 *   <li>on a pointer: {@link EntryProblem#NON_LEAF_FLAGS} when A, D or U is set, then
 *       {@link EntryProblem#TABLE_AT_LAST_LEVEL} at L0;
 *   <li>on a leaf: {@link EntryProblem#RESERVED_ENCODING} for W without R, PBMT = 3, or an L0
 *       NAPOT entry whose PPN[0] low bits are not {@code 1000} (the only size defined, 64 KiB);
 *       then {@link EntryProblem#MISALIGNED_LEAF} for a superpage whose low PPN fields are not
 *       zero.
 * </ol>
 *
 * <p>The N bit is kept in {@link Attributes#extraBits()} and not otherwise interpreted: the
 * address of a NAPOT entry is its PPN as stored, low bits {@code 1000} included, and it is a
 * 4 KiB leaf to this format.
 */
final class RiscVFormat implements PagingFormat {
  private static final long V = 1L;
  private static final long R = 1L << 1;
  private static final long W = 1L << 2;
  private static final long X = 1L << 3;
  private static final long U = 1L << 4;
  private static final long G = 1L << 5;
  private static final long A = 1L << 6;
  private static final long D = 1L << 7;
  private static final long RWX = R | W | X;
  private static final long PPN = 0x003f_ffff_ffff_fc00L;
  private static final long RESERVED = 0x7fL << 54;
  private static final long PBMT = 0x3L << 61;
  private static final long N = 1L << 63;
  /** PPN[0] bits 3:0, which a NAPOT entry sets to 1000 for 64 KiB. */
  private static final long NAPOT_LOW = 0xfL << 10;
  private static final long NAPOT_64K = 0x8L << 10;
  private static final int PHYSICAL_ADDRESS_BITS = 56;
  private static final int SOFTWARE_WIDTH = 2;
  private static final int MAX_MEMORY_TYPE = 2;

  private static final int PAGE_SHIFT = 12;
  private static final int INDEX_BITS = 9;

  private final String name;
  private final int virtualAddressBits;
  private final List<Level> levels;
  private final int last;
  /** PPN bits below a superpage's size, by depth; zero at L0. */
  private final long[] misalignedBits;
  /** N at depths where a leaf may not be NAPOT (all but L0). */
  private final long[] forbiddenNapot;

  RiscVFormat(int levelCount) {
    this.name = "sv" + (PAGE_SHIFT + INDEX_BITS * levelCount);
    this.virtualAddressBits = PAGE_SHIFT + INDEX_BITS * levelCount;
    this.last = levelCount - 1;
    Level[] built = new Level[levelCount];
    misalignedBits = new long[levelCount];
    forbiddenNapot = new long[levelCount];
    for (int d = 0; d < levelCount; d++) {
      int vpn = last - d;
      int shift = PAGE_SHIFT + INDEX_BITS * vpn;
      built[d] = Level.of("L" + vpn, d, shift, INDEX_BITS, true);
      misalignedBits[d] = ((1L << (shift - PAGE_SHIFT)) - 1) << 10;
      forbiddenNapot[d] = d == last ? 0 : N;
    }
    this.levels = List.of(built);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Architecture architecture() {
    return Architecture.RISC_V;
  }

  @Override
  public List<Level> levels() {
    return levels;
  }

  @Override
  public int virtualAddressBits() {
    return virtualAddressBits;
  }

  @Override
  public int physicalAddressBits() {
    return PHYSICAL_ADDRESS_BITS;
  }

  /** A well-formed pointer: V set; R, W, X, U, A, D, PBMT, N and the reserved bits clear. */
  private static final long POINTER_CHECK = V | RWX | U | A | D | RESERVED | PBMT | N;

  @Override
  public EntryVerdict decode(Level level, long raw) {
    int d = Objects.requireNonNull(level, "level").depth();
    // The common cases in one test each; everything else takes the full chain, which agrees.
    if ((raw & POINTER_CHECK) == V) {
      return d == last ? EntryVerdict.TABLE_AT_LAST_LEVEL : EntryVerdict.TABLE;
    }
    if ((raw & (V | R | RESERVED | N | misalignedBits[d])) == (V | R) && (raw & PBMT) != PBMT) {
      return EntryVerdict.LEAF;
    }
    return decodeInFull(d, raw);
  }

  private EntryVerdict decodeInFull(int d, long raw) {
    if (raw == 0) {
      return EntryVerdict.EMPTY;
    }
    if ((raw & V) == 0) {
      return EntryVerdict.NOT_PRESENT;
    }
    if ((raw & RESERVED) != 0) {
      return EntryVerdict.RESERVED_BITS;
    }
    if ((raw & RWX) == 0) {
      if ((raw & (PBMT | N)) != 0) {
        return EntryVerdict.RESERVED_BITS;
      }
      if ((raw & (A | D | U)) != 0) {
        return EntryVerdict.NON_LEAF_FLAGS;
      }
      return d == last ? EntryVerdict.TABLE_AT_LAST_LEVEL : EntryVerdict.TABLE;
    }
    if ((raw & forbiddenNapot[d]) != 0) {
      return EntryVerdict.RESERVED_BITS;
    }
    if ((raw & (R | W)) == W || (raw & PBMT) == PBMT
        || ((raw & N) != 0 && (raw & NAPOT_LOW) != NAPOT_64K)) {
      return EntryVerdict.RESERVED_ENCODING;
    }
    if ((raw & misalignedBits[d]) != 0) {
      return EntryVerdict.MISALIGNED_LEAF;
    }
    return EntryVerdict.LEAF;
  }

  @Override
  public long address(Level level, long raw) {
    // PPN sits at bit 10 and means bit 12: one shift, for every level.
    return (raw & PPN) << 2;
  }

  /**
   * One decoding for pointers and leaves: a well-formed pointer has R, W, X, U, A, D, PBMT and N
   * clear, so only G and RSW can show. Reserved bits 54-60 of a malformed entry are reported in
   * the extra bits next to N.
   */
  @Override
  public Attributes attributes(Level level, long raw) {
    return Attributes.none()
        .withReadable((raw & R) != 0)
        .withWritable((raw & W) != 0)
        .withExecutable((raw & X) != 0)
        .withUser((raw & U) != 0)
        .withGlobal((raw & G) != 0)
        .withAccessed((raw & A) != 0)
        .withDirty((raw & D) != 0)
        .withMemoryType((int) ((raw & PBMT) >>> 61))
        .withSoftwareBits((raw >>> 8) & 0x3)
        .withExtraBits(raw & (N | RESERVED));
  }

  @Override
  public long encodeTable(Level level, long tableAddress, Attributes attributes) {
    int d = depthOf(level, tableAddress);
    if (d == last) {
      throw new IllegalArgumentException(name + ": a pointer at " + level + " to "
          + hex(tableAddress) + " is not allowed; " + level + " is the last level");
    }
    checkAddress(level, tableAddress, PAGE_SHIFT, "table");
    if (attributes.readable() || attributes.writable() || attributes.executable()) {
      throw new IllegalArgumentException(name + ": a pointer has R=W=X=0; cannot encode "
          + attributes + " in the " + level + " entry for table " + hex(tableAddress));
    }
    if (attributes.user() || attributes.accessed() || attributes.dirty()) {
      throw new IllegalArgumentException(name + ": U, A and D are reserved on a pointer; cannot"
          + " encode " + attributes + " in the " + level + " entry for table " + hex(tableAddress));
    }
    if (attributes.memoryType() != 0) {
      throw new IllegalArgumentException(name + ": PBMT is reserved on a pointer; memory type "
          + hex(attributes.memoryType()) + " must be 0");
    }
    checkSoftware(attributes.softwareBits());
    if (attributes.extraBits() != 0) {
      throw new IllegalArgumentException(name + ": extra bits " + hex(attributes.extraBits())
          + " are reserved on a pointer");
    }
    long raw = V | (tableAddress >>> 2) | (attributes.softwareBits() << 8);
    return attributes.global() ? raw | G : raw;
  }

  @Override
  public long encodeLeaf(Level level, long physicalAddress, Attributes attributes) {
    int d = depthOf(level, physicalAddress);
    checkAddress(level, physicalAddress, level.shift(), "page");
    boolean r = attributes.readable();
    boolean w = attributes.writable();
    boolean x = attributes.executable();
    if (!r && !w && !x) {
      throw new IllegalArgumentException(name + ": a leaf needs R, W or X (R=W=X=0 is a"
          + " pointer); cannot encode " + attributes + " for " + hex(physicalAddress));
    }
    if (w && !r) {
      throw new IllegalArgumentException(name + ": W without R is reserved; cannot encode "
          + attributes + " for " + hex(physicalAddress));
    }
    int type = attributes.memoryType();
    if (type > MAX_MEMORY_TYPE) {
      throw new IllegalArgumentException(name + ": memory type " + hex(type)
          + " is not a PBMT value (0 PMA, 1 NC, 2 IO; 3 is reserved)");
    }
    checkSoftware(attributes.softwareBits());
    long extra = attributes.extraBits();
    if ((extra & ~N) != 0) {
      throw new IllegalArgumentException(name + ": extra bits " + hex(extra)
          + " overlap bits the format models or reserves; only N " + hex(N) + " may be given");
    }
    if ((extra & forbiddenNapot[d]) != 0) {
      throw new IllegalArgumentException(name + ": N (NAPOT) is defined for L0 leaves only;"
          + " cannot set it on the " + level + " leaf for " + hex(physicalAddress));
    }
    long ppn = physicalAddress >>> 2;
    if (extra != 0 && (ppn & NAPOT_LOW) != NAPOT_64K) {
      throw new IllegalArgumentException(name + ": a NAPOT leaf holds address bits 15:12 = 1000"
          + " (64 KiB); " + hex(physicalAddress) + " does not");
    }
    long raw = V | ppn | ((long) type << 61) | (attributes.softwareBits() << 8) | extra;
    if (r) {
      raw |= R;
    }
    if (w) {
      raw |= W;
    }
    if (x) {
      raw |= X;
    }
    if (attributes.user()) {
      raw |= U;
    }
    if (attributes.global()) {
      raw |= G;
    }
    if (attributes.accessed()) {
      raw |= A;
    }
    if (attributes.dirty()) {
      raw |= D;
    }
    return raw;
  }

  private void checkSoftware(long sw) {
    if ((sw >>> SOFTWARE_WIDTH) != 0) {
      throw new IllegalArgumentException(
          name + ": software bits " + hex(sw) + " do not fit in RSW (2 bits, entry bits 8-9)");
    }
  }

  private void checkAddress(Level level, long address, int alignShift, String what) {
    if ((address & ((1L << alignShift) - 1)) != 0) {
      throw new IllegalArgumentException(name + ": " + what + " address " + hex(address)
          + " for an " + level + " entry is not aligned to " + Formats.sizeName(1L << alignShift));
    }
    if ((address >>> PHYSICAL_ADDRESS_BITS) != 0) {
      throw new IllegalArgumentException(name + ": " + what + " address " + hex(address)
          + " is beyond the " + PHYSICAL_ADDRESS_BITS + "-bit physical address width");
    }
  }

  /**
   * The depth of one of this format's levels, refusing levels of another hierarchy. Compared by
   * value, not identity: two equal formats must accept each other's levels.
   */
  private int depthOf(Level level, long address) {
    return Formats.depthOf(name, levels, level, address);
  }

  /** RISC-V pointers carry no permissions: the leaf alone decides, so this is {@code lower}. */
  @Override
  public Attributes effective(Attributes upper, Attributes lower) {
    return lower;
  }

  /**
   * Always {@link Attributes#none()}: a pointer has R=W=X=0 and U, A, D reserved. G is not
   * copied from the leaf either: a global pointer makes every mapping below it global, which
   * would be wrong for the leaf's future neighbours.
   */
  @Override
  public Attributes tableAttributesFor(Attributes leaf) {
    return Attributes.none();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof RiscVFormat && ((RiscVFormat) o).name.equals(name);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  @Override
  public String toString() {
    return name;
  }
}
