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
 * x86-64 4-level and 5-level paging (Intel SDM vol. 3A ch. 4, AMD APM vol. 2 ch. 5).
 *
 * <p>Entry layout: P 0, R/W 1, U/S 2, PWT 3, PCD 4, A 5, D 6 (leaf), bit 7 = PS in PDPT and PD
 * entries but PAT in PT entries, G 8 (leaf), 9-11 ignored, PAT 12 in huge leaves, address
 * 12..MAXPHYADDR-1, 52-58 ignored, 59-62 protection key (leaf) or ignored (table), XD 63.
 *
 * <p>{@link #problem} reports the first of, in this order:
 *
 * <ol>
 *   <li>{@link EntryProblem#RESERVED_BITS}: PS in a PML5 or PML4 entry, or XD with NX disabled;
 *   <li>{@link EntryProblem#ADDRESS_BEYOND_PHYSICAL_WIDTH}: any bit from MAXPHYADDR to 51;
 *   <li>{@link EntryProblem#LEAF_NOT_ALLOWED}: PS in a PDPT entry without 1 GiB pages;
 *   <li>{@link EntryProblem#MISALIGNED_LEAF}: a 2 MiB or 1 GiB leaf with address bits between 13
 *       and its page-size shift set. The SDM calls these bits reserved; they are reported as a
 *       misaligned leaf because that says what is actually wrong with the entry.
 * </ol>
 *
 * <p>Bits 9-11 and 52-58 are free for software and bits 59-62 hold a protection key or are
 * ignored, so none of them is ever a problem. The attributes of a malformed entry keep the
 * offending reserved bits (XD without NX, PS in PML4/PML5) in {@link Attributes#extraBits()} so
 * that a dump shows them; the encoders refuse to write them back.
 */
final class X86Format implements PagingFormat {
  private static final long P = 1L;
  private static final long RW = 1L << 1;
  private static final long US = 1L << 2;
  private static final long PWT = 1L << 3;
  private static final long PCD = 1L << 4;
  private static final long A = 1L << 5;
  private static final long D = 1L << 6;
  private static final long PS = 1L << 7;
  private static final long PAT_SMALL = 1L << 7;
  private static final long G = 1L << 8;
  private static final long PAT_HUGE = 1L << 12;
  private static final long XD = 1L << 63;
  private static final long SOFTWARE_LOW = 0x7L << 9;
  private static final long SOFTWARE_HIGH = 0x7fL << 52;
  private static final long PROTECTION_KEY = 0xfL << 59;
  /** Every bit an entry can hold an address in, whatever MAXPHYADDR is. */
  private static final long ADDRESS_BITS = 0x000f_ffff_ffff_f000L;
  private static final int SOFTWARE_WIDTH = 10;

  /** Extra bits a table entry may carry: ignored bits 6 and 8, and 59-62. */
  private static final long TABLE_EXTRA = D | G | PROTECTION_KEY;
  /** Extra bits a leaf may carry: the protection key. */
  private static final long LEAF_EXTRA = PROTECTION_KEY;

  private static final int PT_SHIFT = 12;
  private static final int INDEX_BITS = 9;

  private final String name;
  private final X86Options options;
  private final int virtualAddressBits;
  private final List<Level> levels;
  private final int last;

  // Decoding tables indexed by depth, so kind/problem/address are a few ANDs and no allocation.
  /** PS at depths where it selects a huge leaf (PDPT, PD), whether or not it is allowed. */
  private final long[] hugeBit;
  /** PS at the PDPT when 1 GiB pages are unsupported. */
  private final long[] forbiddenLeafBit;
  /** Bits whose presence is RESERVED_BITS: PS in PML5/PML4, XD without NX. */
  private final long[] reservedBits;
  /** Address bits 13..shift-1 of a huge leaf. */
  private final long[] misalignedBits;
  /** Address mask by {@code depth * 2 + PS}. */
  private final long[] addressMask;
  /** Unmodelled bits reported in table-entry attributes. */
  private final long[] tableExtraDecode;
  private final long leafExtraDecode;
  /** Bits MAXPHYADDR..51. */
  private final long beyondWidth;
  /**
   * The common cases in one test each, by depth: an entry whose bits under {@code
   * commonCheck} are exactly P is {@code commonVerdict} (a table pointer, or a leaf at the last
   * level); one whose bits under {@code hugeCheck} are exactly {@code hugeWant} is a well-formed
   * huge leaf. Everything else takes the full chain of checks, which decides the same way.
   */
  private final long[] commonCheck;
  private final EntryVerdict[] commonVerdict;
  private final long[] hugeCheck;
  private final long[] hugeWant;

  X86Format(X86Options options, boolean fiveLevel) {
    this.options = options;
    this.name = fiveLevel ? "x86-64-5level" : "x86-64";
    this.virtualAddressBits = fiveLevel ? 57 : 48;
    String[] names = fiveLevel
        ? new String[] {"PML5", "PML4", "PDPT", "PD", "PT"}
        : new String[] {"PML4", "PDPT", "PD", "PT"};
    int n = names.length;
    this.last = n - 1;
    Level[] built = new Level[n];
    hugeBit = new long[n];
    forbiddenLeafBit = new long[n];
    reservedBits = new long[n];
    misalignedBits = new long[n];
    addressMask = new long[n * 2];
    tableExtraDecode = new long[n];
    long noNx = options.nx() ? 0 : XD;
    for (int d = 0; d < n; d++) {
      int shift = PT_SHIFT + INDEX_BITS * (last - d);
      String levelName = names[d];
      boolean pdpt = levelName.equals("PDPT");
      boolean pd = levelName.equals("PD");
      boolean aboveLeaves = !pdpt && !pd && d != last;
      boolean leafAllowed = d == last || pd || (pdpt && options.gigabytePages());
      built[d] = Level.of(levelName, d, shift, INDEX_BITS, leafAllowed);
      hugeBit[d] = pdpt || pd ? PS : 0;
      forbiddenLeafBit[d] = pdpt && !options.gigabytePages() ? PS : 0;
      reservedBits[d] = noNx | (aboveLeaves ? PS : 0);
      misalignedBits[d] = pdpt || pd ? ((1L << shift) - 1) & ~((1L << 13) - 1) : 0;
      addressMask[d * 2] = ADDRESS_BITS;
      // A huge leaf's address starts at bit 13 (bit 12 is PAT); the misaligned bits are kept so
      // that a malformed entry shows the address it actually holds.
      addressMask[d * 2 + 1] = pdpt || pd ? ADDRESS_BITS & ~PAT_HUGE : ADDRESS_BITS;
      tableExtraDecode[d] = TABLE_EXTRA | noNx | (aboveLeaves ? PS : 0);
    }
    leafExtraDecode = LEAF_EXTRA | noNx;
    beyondWidth = ADDRESS_BITS & ~((1L << options.physicalAddressBits()) - 1);
    commonCheck = new long[n];
    commonVerdict = new EntryVerdict[n];
    hugeCheck = new long[n];
    hugeWant = new long[n];
    for (int d = 0; d < n; d++) {
      commonCheck[d] = P | reservedBits[d] | beyondWidth | hugeBit[d];
      commonVerdict[d] = d == last ? EntryVerdict.LEAF : EntryVerdict.TABLE;
      hugeCheck[d] = P | PS | reservedBits[d] | beyondWidth | forbiddenLeafBit[d] | misalignedBits[d];
      // -1 has bits outside every check, so no entry matches where huge leaves cannot be.
      hugeWant[d] = hugeBit[d] != 0 && forbiddenLeafBit[d] == 0 ? P | PS : -1L;
    }
    this.levels = List.of(built);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Architecture architecture() {
    return Architecture.X86_64;
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
    return options.physicalAddressBits();
  }

  /** The processor features this format was built for. */
  X86Options options() {
    return options;
  }

  @Override
  public EntryVerdict decode(Level level, long raw) {
    int d = Objects.requireNonNull(level, "level").depth();
    if ((raw & commonCheck[d]) == P) {
      return commonVerdict[d];
    }
    if ((raw & hugeCheck[d]) == hugeWant[d]) {
      return EntryVerdict.LEAF;
    }
    return decodeInFull(d, raw);
  }

  /** Every check in order; {@link #decode} answers the common cases before it gets here. */
  private EntryVerdict decodeInFull(int d, long raw) {
    if (raw == 0) {
      return EntryVerdict.EMPTY;
    }
    if ((raw & P) == 0) {
      return EntryVerdict.NOT_PRESENT;
    }
    if ((raw & reservedBits[d]) != 0) {
      return EntryVerdict.RESERVED_BITS;
    }
    if ((raw & beyondWidth) != 0) {
      return EntryVerdict.ADDRESS_BEYOND_PHYSICAL_WIDTH;
    }
    if ((raw & forbiddenLeafBit[d]) != 0) {
      return EntryVerdict.LEAF_NOT_ALLOWED;
    }
    if ((raw & hugeBit[d]) != 0 && (raw & misalignedBits[d]) != 0) {
      return EntryVerdict.MISALIGNED_LEAF;
    }
    return isLeaf(d, raw) ? EntryVerdict.LEAF : EntryVerdict.TABLE;
  }

  private boolean isLeaf(int d, long raw) {
    return d == last || (raw & hugeBit[d]) != 0;
  }

  @Override
  public long address(Level level, long raw) {
    return raw & addressMask[level.depth() * 2 + (int) ((raw & PS) >>> 7)];
  }

  @Override
  public Attributes attributes(Level level, long raw) {
    int d = level.depth();
    Attributes a = Attributes.none()
        .withReadable(true)
        .withWritable((raw & RW) != 0)
        .withUser((raw & US) != 0)
        .withAccessed((raw & A) != 0)
        .withExecutable(!options.nx() || (raw & XD) == 0)
        .withSoftwareBits(((raw >>> 9) & 0x7) | (((raw >>> 52) & 0x7f) << 3));
    int cache = (int) ((raw >>> 3) & 0x3);
    if (!isLeaf(d, raw)) {
      return a.withMemoryType(cache).withExtraBits(raw & tableExtraDecode[d]);
    }
    long pat = d == last ? PAT_SMALL : PAT_HUGE;
    return a.withGlobal((raw & G) != 0)
        .withDirty((raw & D) != 0)
        .withMemoryType(cache | ((raw & pat) != 0 ? 4 : 0))
        .withExtraBits(raw & leafExtraDecode);
  }

  @Override
  public long encodeTable(Level level, long tableAddress, Attributes attributes) {
    int d = depthOf(level, tableAddress);
    if (d == last) {
      throw new IllegalArgumentException(name + ": a " + level + " entry cannot point to a table ("
          + hex(tableAddress) + "); " + level + " is the last level");
    }
    checkAddress(level, tableAddress, PT_SHIFT, "table");
    checkCommon(attributes, tableAddress);
    if (attributes.global() || attributes.dirty()) {
      throw new IllegalArgumentException(name + ": global and dirty are leaf flags; a " + level
          + " table entry for " + hex(tableAddress) + " cannot carry " + attributes);
    }
    if (attributes.memoryType() > 3) {
      throw new IllegalArgumentException(name + ": memory type " + hex(attributes.memoryType())
          + " does not fit a table entry, which has PWT and PCD only (0..3)");
    }
    checkExtra(attributes.extraBits(), TABLE_EXTRA, "table");
    long raw = P | tableAddress | commonBits(attributes)
        | ((long) attributes.memoryType() << 3);
    return raw | attributes.extraBits();
  }

  @Override
  public long encodeLeaf(Level level, long physicalAddress, Attributes attributes) {
    int d = depthOf(level, physicalAddress);
    if (!levels.get(d).leafAllowed()) {
      throw new IllegalArgumentException(name + ": a " + level + " entry cannot map a page ("
          + hex(physicalAddress) + ")"
          + (hugeBit[d] != 0 ? "; 1 GiB pages are not supported" : ""));
    }
    checkAddress(level, physicalAddress, level.shift(), "page");
    checkCommon(attributes, physicalAddress);
    int type = attributes.memoryType();
    if (type > 7) {
      throw new IllegalArgumentException(
          name + ": memory type " + hex(type) + " is not a PAT index (0..7)");
    }
    checkExtra(attributes.extraBits(), LEAF_EXTRA, "leaf");
    boolean huge = d != last;
    long raw = P | physicalAddress | commonBits(attributes) | ((long) (type & 3) << 3);
    if ((type & 4) != 0) {
      raw |= huge ? PAT_HUGE : PAT_SMALL;
    }
    if (huge) {
      raw |= PS;
    }
    if (attributes.global()) {
      raw |= G;
    }
    if (attributes.dirty()) {
      raw |= D;
    }
    return raw | attributes.extraBits();
  }

  /** The bits tables and leaves share: R/W, U/S, A, XD and the software bits. */
  private long commonBits(Attributes attributes) {
    long sw = attributes.softwareBits();
    return X86Entries.rightsBits(attributes) | ((sw & 0x7) << 9) | ((sw >>> 3) << 52);
  }

  private void checkCommon(Attributes attributes, long address) {
    if (!attributes.readable()) {
      throw new IllegalArgumentException(name + ": every present entry is readable; cannot encode "
          + attributes + " for " + hex(address));
    }
    if (!attributes.executable() && !options.nx()) {
      throw new IllegalArgumentException(name + ": execute-disable needs NX, which is disabled;"
          + " cannot encode " + attributes + " for " + hex(address));
    }
    long sw = attributes.softwareBits();
    if ((sw >>> SOFTWARE_WIDTH) != 0) {
      throw new IllegalArgumentException(name + ": software bits " + hex(sw) + " do not fit in "
          + SOFTWARE_WIDTH + " bits (entry bits 9-11 and 52-58)");
    }
  }

  private void checkExtra(long extra, long allowed, String what) {
    X86Entries.checkExtra(name, extra, allowed, what);
  }

  private void checkAddress(Level level, long address, int alignShift, String what) {
    if ((address & ((1L << alignShift) - 1)) != 0) {
      throw new IllegalArgumentException(name + ": " + what + " address " + hex(address)
          + " for a " + level + " entry is not aligned to " + Formats.sizeName(1L << alignShift));
    }
    if ((address >>> options.physicalAddressBits()) != 0) {
      throw new IllegalArgumentException(name + ": " + what + " address " + hex(address)
          + " is beyond the " + options.physicalAddressBits() + "-bit physical address width");
    }
  }

  /**
   * The depth of one of this format's levels, refusing levels of another hierarchy. Compared by
   * value, not identity: two equal formats must accept each other's levels.
   */
  private int depthOf(Level level, long address) {
    return Formats.depthOf(name, levels, level, address);
  }

  /**
   * x86 ANDs write and user and ORs execute-disable down the levels; everything else is the
   * lower entry's.
   */
  @Override
  public Attributes effective(Attributes upper, Attributes lower) {
    return X86Entries.effective(upper, lower);
  }

  /**
   * Readable, writable and user only when the leaf is, never execute-disable, nothing else: the
   * leaf then decides, since the effective rights are the AND over the levels.
   */
  @Override
  public Attributes tableAttributesFor(Attributes leaf) {
    return X86Entries.tableAttributesFor(leaf);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof X86Format)) {
      return false;
    }
    X86Format other = (X86Format) o;
    return other.name.equals(name) && other.options.equals(options);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + options.hashCode();
  }

  @Override
  public String toString() {
    return name;
  }
}
