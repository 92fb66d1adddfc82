package dev.paging.core;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Architecture;
import dev.paging.api.Attributes;
import dev.paging.api.EntryVerdict;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * AArch64 stage 1 translation of the EL1&amp;0 regime (Arm ARM, VMSAv8-64 translation table
 * format): TTBR0_EL1 maps {@code [0, 2^v0)} and TTBR1_EL1 the top {@code 2^v1} bytes, each from a
 * {@linkplain #rootPerHalf() root of its own}; addresses between them are not canonical. Each
 * half has its own granule (TG0, TG1) and size ({@code v0 = 64 - T0SZ}, {@code v1 = 64 - T1SZ}),
 * so where they differ each has its own {@linkplain #levels(long) levels}; the format is then
 * named for both granules ({@code aarch64-4k/64k}, lower half first). Top-byte-ignore is not
 * modelled: an address's bits above its half's size must all equal bit 63.
 *
 * <p><b>Geometry.</b> Each level resolves {@code g - 3} address bits for a granule of {@code 2^g}
 * bytes (9, 11 or 13); levels are named by the manual's number, {@code L0} to {@code L3}, and the
 * walk starts at the level the virtual size needs, whose table may have fewer entries (2 at L0
 * with a 16 KiB granule and 48 bits; 64 at L1 with 64 KiB). A root of fewer than 8 entries is
 * 64-byte aligned, any other table is aligned to its size. Blocks exist at L1 and L2 with 4 KiB
 * (1 GiB, 2 MiB), at L2 with 16 KiB (32 MiB) and with 64 KiB (512 MiB), and at L1 with 64 KiB
 * and 52-bit addresses (4 TiB).
 *
 * <p><b>Descriptors.</b> Bit 0 clear is invalid: the other bits are the software's, so a
 * non-zero invalid descriptor is {@code NOT_PRESENT}. Bits 1:0 {@code 0b11} are a table above the
 * last level and a page at it, {@code 0b01} a block where the level allows one ({@code
 * LEAF_NOT_ALLOWED} elsewhere) and reserved at the last level ({@code RESERVED_ENCODING}). Address
 * bits below the granule, bits 50:48 of a table descriptor and 49:48 of a block or page are RES0
 * ({@code RESERVED_BITS}); a block's address bits below its size are {@code MISALIGNED_LEAF};
 * address bits at or above the output size are {@code ADDRESS_BEYOND_PHYSICAL_WIDTH}.
 *
 * <p><b>Attributes.</b> A block or page: readable always (EL1 can read every valid mapping),
 * {@link Attributes#user()} is AP[1] (EL0 access), {@link Attributes#writable()} is AP[2] clear,
 * {@link Attributes#accessed()} is AF, {@link Attributes#global()} is nG clear, the memory type is
 * AttrIndx, the software bits are 58:55. There is no dirty bit: DBM (51) is in the extra bits,
 * with NS (5), SH (9:8), GP (50), the Contiguous hint (52) and bits 63:59 (ignored, or PBHA).
 * {@link Attributes#executable()} is the right of the exception level the mapping is for: EL0's
 * (UXN clear) for a user mapping, EL1's (PXN clear) otherwise. The other level's execute-never
 * bit is set in every mapping Linux makes, so that is what an absence means; when it is clear,
 * {@link Attributes#extraBits()} holds that bit's position (PXN, bit 53, for a user mapping; UXN,
 * bit 54, otherwise) to say that the other level may execute too. It is the one extra bit that
 * stands for a clear bit.
 *
 * <p>A table descriptor says the same things of its subtree, which it may only restrict: user is
 * APTable[0] (bit 61) clear, writable is APTable[1] (bit 62) clear, and EL0 and EL1 execute are
 * UXNTable (60) and PXNTable (59) clear, in the leaves' form. Its ignored bits 58:51 are the
 * software bits; its ignored bits 11:2 and NSTable (63) are extra bits. So {@link #effective} is
 * one rule at every level: user, write and each level's execute are ANDed down the path.
 * Privileged execute-never for memory EL0 may write, which the architecture adds on top, is
 * {@link Aarch64Permissions}'s to apply.
 */
final class Aarch64Format implements PagingFormat {
  private static final long VALID = 1L;
  private static final long TYPE = 1L << 1;
  private static final long ATTR_INDX = 0x7L << 2;
  private static final long NS = 1L << 5;
  private static final long AP_EL0 = 1L << 6;
  private static final long AP_RO = 1L << 7;
  private static final long SH = 0x3L << 8;
  private static final long AF = 1L << 10;
  private static final long NG = 1L << 11;
  private static final long GP = 1L << 50;
  private static final long DBM = 1L << 51;
  private static final long CONTIGUOUS = 1L << 52;
  static final long PXN = 1L << 53;
  static final long UXN = 1L << 54;
  private static final long LEAF_SOFTWARE = 0xfL << 55;
  private static final long UPPER_IGNORED = 0x1fL << 59;
  private static final long LEAF_EXTRA = NS | SH | GP | DBM | CONTIGUOUS | UPPER_IGNORED;

  private static final long TABLE_IGNORED_LOW = 0x3ffL << 2;
  private static final long TABLE_SOFTWARE = 0xffL << 51;
  private static final long PXN_TABLE = 1L << 59;
  private static final long UXN_TABLE = 1L << 60;
  private static final long AP_TABLE_NO_EL0 = 1L << 61;
  private static final long AP_TABLE_RO = 1L << 62;
  private static final long NS_TABLE = 1L << 63;
  private static final long TABLE_EXTRA = TABLE_IGNORED_LOW | NS_TABLE;

  /** Address bits 47:12 of a descriptor; the granule's low ones are RES0 below it. */
  private static final long ADDRESS_48 = 0x0000_ffff_ffff_f000L;
  /** With 52-bit addresses, descriptor bits 15:12 hold address bits 51:48. */
  private static final long HIGH_NIBBLE = 0xfL << 12;
  private static final long TABLE_RES0 = 0x7L << 48;
  private static final long LEAF_RES0 = 0x3L << 48;

  private final Aarch64Options options;
  private final String name;
  /** The lower half's walk, root first; {@link #upperLevels} is the same list unless the halves differ. */
  private final List<Level> levels;
  private final List<Level> upperLevels;
  private final long lowMask;
  private final long upperLowMask;
  /**
   * Per level shift, the granule's shift (0 for a shift no level of this format has): every
   * level's shift names its granule and its number, since the granules' shifts are disjoint
   * (4 KiB: 12, 21, 30, 39; 16 KiB: 14, 25, 36, 47; 64 KiB: 16, 29, 42).
   */
  private final int[] granuleAt = new int[64];
  /** Per level shift, the manual's level number, 0..3. */
  private final int[] numberAt = new int[64];
  /** Per level shift, whether a block or page may sit there. */
  private final boolean[] leafAt = new boolean[64];
  /** Per level shift, descriptor bits between 12 and the granule that are RES0 (none for 4 KiB, and with LPA). */
  private final long[] belowGranuleAt = new long[64];
  /** Address bits at or above the output size, as they sit in a descriptor. */
  private final long beyondWidth;
  /**
   * Per level shift, the bits that must read VALID and TYPE alone for the common verdict, a
   * table above the last level and a page at it, which {@link #decode} then gives in one test;
   * every other entry takes the full chain, which agrees.
   */
  private final long[] commonMaskAt = new long[64];
  private final EntryVerdict[] commonVerdictAt = new EntryVerdict[64];

  Aarch64Format(Aarch64Options options) {
    this.options = Objects.requireNonNull(options, "options");
    int g0 = options.granuleShift(false);
    int g1 = options.granuleShift(true);
    this.name = "aarch64-" + (1 << g0 >>> 10) + "k" + (g1 != g0 ? "/" + (1 << g1 >>> 10) + "k" : "");
    int v0 = options.virtualAddressBits();
    int v1 = options.upperVirtualAddressBits();
    this.levels = levels(g0, v0, options.halvesDiffer() ? "the lower half's " : "");
    this.upperLevels = options.halvesDiffer() ? levels(g1, v1, "the upper half's ") : levels;
    this.lowMask = (1L << v0) - 1;
    this.upperLowMask = (1L << v1) - 1;
    boolean lpa = options.largeAddresses();
    for (int g : new int[] {g0, g1}) {
      for (int l = 0; l <= 3; l++) {
        int shift = g + (g - 3) * (3 - l);
        // A 64 KiB granule has no L0: even 52 bits start at L1.
        if (shift < 52) {
          granuleAt[shift] = g;
          numberAt[shift] = l;
          leafAt[shift] = l == 3 || blockAllowed(g, l);
          belowGranuleAt[shift] = lpa ? 0 : ADDRESS_48 & ((1L << g) - 1);
        }
      }
    }
    int p = options.physicalAddressBits();
    long beyond = ADDRESS_48 & ~((1L << Math.min(p, 48)) - 1);
    if (lpa) {
      // Address bits 51:48 sit in descriptor bits 15:12.
      beyond |= ((0xfL << 48) & ~((1L << p) - 1)) >>> 36;
    }
    this.beyondWidth = beyond;
    for (int shift = 0; shift < 64; shift++) {
      int g = granuleAt[shift];
      if (g != 0) {
        boolean last = shift == g;
        commonMaskAt[shift] = VALID | TYPE | (last ? LEAF_RES0 : TABLE_RES0) | belowGranuleAt[shift] | beyond;
        commonVerdictAt[shift] = last ? EntryVerdict.LEAF : EntryVerdict.TABLE;
      }
    }
  }

  /** One half's walk: the levels from the one {@code v} bits need down to L3, with a {@code 2^g} granule. */
  private List<Level> levels(int g, int v, String half) {
    int bits = g - 3;
    int start = 0;
    while (g + bits * (3 - start) >= v) {
      start++;
    }
    if (start == 3) {
      throw new IllegalArgumentException(name + ": " + half + v + " virtual address bits would start the walk at L3, "
          + "leaving no table level above the pages; this granule needs at least " + (2 * g - 2) + " bits");
    }
    List<Level> list = new ArrayList<>();
    for (int l = start; l <= 3; l++) {
      int shift = g + bits * (3 - l);
      int indexBits = l == start ? v - shift : bits;
      Level level = Level.of("L" + l, l - start, shift, indexBits, blockAllowed(g, l) || l == 3);
      if (level.tableBytes() < 64) {
        level = level.withTableAlignment(64);
      }
      list.add(level);
    }
    return List.copyOf(list);
  }

  private boolean blockAllowed(int g, int level) {
    switch (g) {
      case 12:
        return level == 1 || level == 2;
      case 14:
        return level == 2;
      default:
        return level == 2 || (level == 1 && options.largeAddresses());
    }
  }

  /** The granule shift of {@code level}, which must be one of this format's. */
  private int granuleOf(Level level) {
    int g = granuleAt[Objects.requireNonNull(level, "level").shift()];
    if (g == 0) {
      throw new IllegalArgumentException(name + ": level " + level + " (shift " + level.shift()
          + ") is not one of " + levels + (upperLevels != levels ? " or " + upperLevels : ""));
    }
    return g;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Architecture architecture() {
    return Architecture.AARCH64;
  }

  /** The lower half's levels; where the halves differ, {@link #levels(long)} gives the upper half's. */
  @Override
  public List<Level> levels() {
    return levels;
  }

  @Override
  public List<Level> levels(long address) {
    return address < 0 ? upperLevels : levels;
  }

  /** The wider half's: where the halves differ, {@link #lowerHalf()} and {@link #upperHalf()} say each. */
  @Override
  public int virtualAddressBits() {
    return Math.max(options.virtualAddressBits(), options.upperVirtualAddressBits());
  }

  @Override
  public int physicalAddressBits() {
    return options.physicalAddressBits();
  }

  @Override
  public boolean rootPerHalf() {
    return true;
  }

  /**
   * 16 entries at every block or page level with a 4 KiB granule; 128 pages or 32 blocks with 16
   * KiB; 32 with 64 KiB (no hint for a 4 TiB block). Arm ARM, the Contiguous bit.
   */
  @Override
  public int contiguousRun(Level level) {
    int s = Objects.requireNonNull(level, "level").shift();
    int g = granuleAt[s];
    if (g == 0 || !leafAt[s]) {
      return 0;
    }
    switch (g) {
      case 12:
        return 16;
      case 14:
        return s == g ? 128 : 32;
      default:
        return numberAt[s] == 1 ? 0 : 32;
    }
  }

  @Override
  public boolean contiguousHint(Level level, long raw) {
    return contiguousRun(level) > 0 && (raw & CONTIGUOUS) != 0 && decode(level, raw) == EntryVerdict.LEAF;
  }

  @Override
  public long contiguousHintBit(Level level) {
    return contiguousRun(level) > 0 ? CONTIGUOUS : 0;
  }

  @Override
  public long canonicalAddress(long bits) {
    return bits < 0 ? bits | ~upperLowMask : bits & lowMask;
  }

  @Override
  public VirtualRange lowerHalf() {
    return VirtualRange.closed(0, lowMask);
  }

  @Override
  public VirtualRange upperHalf() {
    return VirtualRange.closed(~upperLowMask, -1L);
  }

  /** Decides by the level's shift, which names its granule and number, so one rule serves both halves' levels. */
  @Override
  public EntryVerdict decode(Level level, long raw) {
    int s = Objects.requireNonNull(level, "level").shift();
    int g = granuleAt[s];
    if (g == 0) {
      granuleOf(level);
    }
    if ((raw & commonMaskAt[s]) == (VALID | TYPE)) {
      return commonVerdictAt[s];
    }
    if (raw == 0) {
      return EntryVerdict.EMPTY;
    }
    if ((raw & VALID) == 0) {
      return EntryVerdict.NOT_PRESENT;
    }
    boolean typeBit = (raw & TYPE) != 0;
    boolean last = s == g;
    if (last && !typeBit) {
      return EntryVerdict.RESERVED_ENCODING;
    }
    long belowGranule = belowGranuleAt[s];
    if (!last && typeBit) {
      if ((raw & (TABLE_RES0 | belowGranule)) != 0) {
        return EntryVerdict.RESERVED_BITS;
      }
      return (raw & beyondWidth) != 0 ? EntryVerdict.ADDRESS_BEYOND_PHYSICAL_WIDTH : EntryVerdict.TABLE;
    }
    if (!leafAt[s]) {
      return EntryVerdict.LEAF_NOT_ALLOWED;
    }
    if ((raw & (LEAF_RES0 | belowGranule)) != 0) {
      return EntryVerdict.RESERVED_BITS;
    }
    if ((raw & beyondWidth) != 0) {
      return EntryVerdict.ADDRESS_BEYOND_PHYSICAL_WIDTH;
    }
    long misaligned = ADDRESS_48 & ((1L << s) - 1) & ~((1L << g) - 1);
    return (raw & misaligned) != 0 ? EntryVerdict.MISALIGNED_LEAF : EntryVerdict.LEAF;
  }

  @Override
  public long address(Level level, long raw) {
    granuleOf(level);
    long address = raw & ADDRESS_48 & ~belowGranuleAt[level.shift()];
    if (options.largeAddresses()) {
      address = (address & ~HIGH_NIBBLE) | ((raw & HIGH_NIBBLE) << 36);
    }
    return address;
  }

  @Override
  public Attributes attributes(Level level, long raw) {
    if (level.shift() != granuleOf(level) && (raw & TYPE) != 0) {
      Attributes a = Attributes.none()
          .withReadable(true)
          .withUser((raw & AP_TABLE_NO_EL0) == 0)
          .withWritable((raw & AP_TABLE_RO) == 0)
          .withSoftwareBits((raw & TABLE_SOFTWARE) >>> 51)
          .withExtraBits(raw & TABLE_EXTRA);
      return withExecute(a, (raw & UXN_TABLE) == 0, (raw & PXN_TABLE) == 0);
    }
    Attributes a = Attributes.none()
        .withReadable(true)
        .withUser((raw & AP_EL0) != 0)
        .withWritable((raw & AP_RO) == 0)
        .withAccessed((raw & AF) != 0)
        .withGlobal((raw & NG) == 0)
        .withMemoryType((int) ((raw & ATTR_INDX) >>> 2))
        .withSoftwareBits((raw & LEAF_SOFTWARE) >>> 55)
        .withExtraBits(raw & LEAF_EXTRA);
    return withExecute(a, (raw & UXN) == 0, (raw & PXN) == 0);
  }

  /** {@code a} saying that EL0 may execute when {@code el0} and EL1 when {@code el1}. */
  static Attributes withExecute(Attributes a, boolean el0, boolean el1) {
    boolean user = a.user();
    long other = user ? PXN : UXN;
    long extra = a.extraBits() & ~(PXN | UXN);
    if (user ? el1 : el0) {
      extra |= other;
    }
    return a.withExecutable(user ? el0 : el1).withExtraBits(extra);
  }

  /** Whether attributes in this format's form let EL0 execute. */
  static boolean el0Executes(Attributes a) {
    return a.user() ? a.executable() : (a.extraBits() & UXN) != 0;
  }

  /** Whether attributes in this format's form let EL1 execute. */
  static boolean el1Executes(Attributes a) {
    return a.user() ? (a.extraBits() & PXN) != 0 : a.executable();
  }

  @Override
  public long encodeTable(Level level, long tableAddress, Attributes attributes) {
    Objects.requireNonNull(attributes, "attributes");
    List<Level> list = levelsHolding(level, tableAddress);
    int d = level.depth();
    if (d == list.size() - 1) {
      throw new IllegalArgumentException(name + ": an " + level + " descriptor cannot point to a table ("
          + hex(tableAddress) + "); " + level + " is the last level");
    }
    Level next = list.get(d + 1);
    checkAddress(level, tableAddress, Long.numberOfTrailingZeros(next.tableAlignment()), "table");
    checkReadable(attributes, tableAddress);
    if (attributes.global() || attributes.dirty() || attributes.accessed() || attributes.memoryType() != 0) {
      throw new IllegalArgumentException(name + ": global, accessed, dirty and a memory type belong to blocks and "
          + "pages; an " + level + " table descriptor for " + hex(tableAddress) + " cannot carry " + attributes);
    }
    long extra = attributes.extraBits() & ~(PXN | UXN);
    if ((extra & ~TABLE_EXTRA) != 0) {
      throw new IllegalArgumentException(name + ": extra bits " + hex(extra & ~TABLE_EXTRA)
          + " are not ignored bits 11:2 or NSTable of a table descriptor; cannot encode " + hex(tableAddress));
    }
    long sw = attributes.softwareBits();
    if ((sw >>> 8) != 0) {
      throw new IllegalArgumentException(name + ": software bits " + hex(sw)
          + " do not fit in 8 bits (table descriptor bits 58:51); cannot encode " + hex(tableAddress));
    }
    long raw = VALID | TYPE | addressBits(tableAddress) | extra | (sw << 51);
    if (!attributes.user()) {
      raw |= AP_TABLE_NO_EL0;
    }
    if (!attributes.writable()) {
      raw |= AP_TABLE_RO;
    }
    if (!el0Executes(attributes)) {
      raw |= UXN_TABLE;
    }
    if (!el1Executes(attributes)) {
      raw |= PXN_TABLE;
    }
    return raw;
  }

  @Override
  public long encodeLeaf(Level level, long physicalAddress, Attributes attributes) {
    Objects.requireNonNull(attributes, "attributes");
    List<Level> list = levelsHolding(level, physicalAddress);
    int d = level.depth();
    int last = list.size() - 1;
    if (!level.leafAllowed()) {
      throw new IllegalArgumentException(name + ": an " + level + " descriptor cannot be a block ("
          + hex(physicalAddress) + "); blocks are " + blockSizes(list));
    }
    checkAddress(level, physicalAddress, level.shift(), d == last ? "page" : "block");
    checkReadable(attributes, physicalAddress);
    if (attributes.dirty()) {
      throw new IllegalArgumentException(name + ": a descriptor has no dirty bit (hardware dirty state is DBM, "
          + "bit 51, among the extra bits); cannot encode " + attributes + " for " + hex(physicalAddress));
    }
    if (attributes.memoryType() > 7) {
      throw new IllegalArgumentException(name + ": memory type " + hex(attributes.memoryType())
          + " is not an AttrIndx (0..7)");
    }
    long extra = attributes.extraBits() & ~(PXN | UXN);
    if ((extra & ~LEAF_EXTRA) != 0) {
      throw new IllegalArgumentException(name + ": extra bits " + hex(extra & ~LEAF_EXTRA)
          + " are not NS, SH, GP, DBM, Contiguous or bits 63:59 of a block or page; cannot encode "
          + hex(physicalAddress));
    }
    long sw = attributes.softwareBits();
    if ((sw >>> 4) != 0) {
      throw new IllegalArgumentException(name + ": software bits " + hex(sw)
          + " do not fit in 4 bits (bits 58:55); cannot encode " + hex(physicalAddress));
    }
    long raw = VALID | (d == last ? TYPE : 0) | addressBits(physicalAddress) | extra | (sw << 55)
        | ((long) attributes.memoryType() << 2);
    if (attributes.user()) {
      raw |= AP_EL0;
    }
    if (!attributes.writable()) {
      raw |= AP_RO;
    }
    if (attributes.accessed()) {
      raw |= AF;
    }
    if (!attributes.global()) {
      raw |= NG;
    }
    if (!el0Executes(attributes)) {
      raw |= UXN;
    }
    if (!el1Executes(attributes)) {
      raw |= PXN;
    }
    return raw;
  }

  private long addressBits(long address) {
    if (options.largeAddresses()) {
      return (address & ADDRESS_48) | ((address >>> 36) & HIGH_NIBBLE);
    }
    return address;
  }

  private static String blockSizes(List<Level> levels) {
    List<String> sizes = new ArrayList<>();
    for (int d = 0; d < levels.size() - 1; d++) {
      if (levels.get(d).leafAllowed()) {
        sizes.add(Formats.sizeName(levels.get(d).entrySpan()) + " at " + levels.get(d));
      }
    }
    return sizes.isEmpty() ? "not available at any level of this space" : String.join(" and ", sizes);
  }

  private void checkReadable(Attributes attributes, long address) {
    if (!attributes.readable()) {
      throw new IllegalArgumentException(name + ": EL1 may read every valid mapping; cannot encode " + attributes
          + " for " + hex(address));
    }
  }

  private void checkAddress(Level level, long address, int alignShift, String what) {
    if ((address & ((1L << alignShift) - 1)) != 0) {
      throw new IllegalArgumentException(name + ": " + what + " address " + hex(address)
          + " for an " + level + " descriptor is not aligned to " + Formats.sizeName(1L << alignShift));
    }
    int width = options.physicalAddressBits();
    if ((address >>> width) != 0) {
      throw new IllegalArgumentException(name + ": " + what + " address " + hex(address)
          + " for an " + level + " descriptor is beyond the " + width + "-bit output address size");
    }
  }

  /** The half's levels {@code level} is one of (the lower half's first, where both have it). */
  private List<Level> levelsHolding(Level level, long address) {
    int d = Objects.requireNonNull(level, "level").depth();
    if (upperLevels != levels && (d >= levels.size() || !Formats.sameLevel(levels.get(d), level))) {
      Formats.depthOf(name, upperLevels, level, address);
      return upperLevels;
    }
    Formats.depthOf(name, levels, level, address);
    return levels;
  }

  /** User, write, and EL0's and EL1's execute are each ANDed down the levels. */
  @Override
  public Attributes effective(Attributes upper, Attributes lower) {
    Objects.requireNonNull(upper, "upper");
    Objects.requireNonNull(lower, "lower");
    boolean el0 = el0Executes(upper) && el0Executes(lower);
    boolean el1 = el1Executes(upper) && el1Executes(lower);
    Attributes a = lower.withUser(upper.user() && lower.user()).withWritable(upper.writable() && lower.writable());
    return withExecute(a, el0, el1);
  }

  /** A table descriptor that restricts nothing (APTable 0, no XNTable), as Linux writes them. */
  @Override
  public Attributes tableAttributesFor(Attributes leaf) {
    Objects.requireNonNull(leaf, "leaf");
    Attributes a = Attributes.none().withReadable(true).withWritable(true).withUser(true);
    return withExecute(a, true, true);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Aarch64Format && ((Aarch64Format) o).options.equals(options);
  }

  @Override
  public int hashCode() {
    return options.hashCode();
  }

  @Override
  public String toString() {
    String va = options.virtualAddressBits() == options.upperVirtualAddressBits() ? options.virtualAddressBits()
        + "-bit VA" : options.virtualAddressBits() + "-bit VA below, " + options.upperVirtualAddressBits() + " above";
    return name + " (" + va + ", " + options.physicalAddressBits() + "-bit PA"
        + (options.largeAddresses() ? ", LPA" : "") + ")";
  }
}
