package dev.paging.core;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Architecture;
import dev.paging.api.Attributes;
import dev.paging.api.EntryVerdict;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The two paging modes of a 32-bit x86 processor (Intel SDM vol. 3A, 4.3 and 4.4): 32-bit paging
 * and PAE paging. Both translate 32-bit virtual addresses with no canonical hole; both keep
 * x86-64's bit positions for P, R/W, U/S, PWT, PCD, A, D, PS (PAT in a last-level entry), G and
 * the PAT bit 12 of a large leaf.
 *
 * <p><b>32-bit paging</b> ({@code x86-32}): a page directory (PD) and page tables (PT) of 1,024
 * four-byte entries, both 4 KiB. With CR4.PSE a PDE with PS maps a 4 MiB page: physical bits
 * 31:22 in entry bits 31:22 and, with PSE-36, bits 39:32 in entry bits 20:13 (up to 40 physical
 * bits, as QEMU implements it); bit 21 is reserved. Without CR4.PSE, PS in a PDE is ignored and
 * the entry points to a page table. There is no execute-disable: every page is executable.
 * Nothing else in a 4-byte entry is reserved, so only a 4 MiB PDE can be malformed.
 *
 * <p><b>PAE paging</b> ({@code x86-pae}): CR3 points to a page-directory-pointer table (PDPT) of 4
 * eight-byte entries, 32 bytes and 32-byte aligned; below it, a PD and PTs of 512 eight-byte
 * entries, with 2 MiB pages in the PD. A PDPTE holds only P, PWT, PCD and the address; it grants
 * every right, so its attributes are readable, writable, user and executable. Its bits 1, 2 and
 * 6-8 are reserved, and so is bit 63. Bit 5 is reserved too, but QEMU's own walker sets it (as
 * an accessed bit) in guests' PDPTEs, so it is tolerated: an image QEMU made must not read as
 * malformed. It shows in {@link Attributes#extraBits()}. In PD and PT entries, bits 52-62 are
 * reserved (x86-64 leaves them to software and protection keys), bit 63 is execute-disable with
 * EFER.NXE and reserved without it, and a 2 MiB leaf's address bits 13-20 are reported as {@link
 * EntryVerdict#MISALIGNED_LEAF}, as {@code x86-64} reports them.
 *
 * <p>Software bits are entry bits 9-11 in both modes. The halves that audits and walks split at
 * are {@code [0, 0x7fffffff]} and {@code [0x80000000, 0xffffffff]}; where an operating system puts
 * its kernel (Linux at 3 GiB, xv6 and Windows at 2 GiB) is its own choice.
 */
final class X86LegacyFormat implements PagingFormat {
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
  private static final long SOFTWARE = 0x7L << 9;
  private static final int SOFTWARE_WIDTH = 3;

  /** 32-bit paging's table address, and a 4 MiB page's low address bits. */
  private static final long ADDRESS_32 = 0xffff_f000L;
  private static final long LARGE_LOW_32 = 0xffc0_0000L;
  /** PSE-36's eight high address bits 39:32, in entry bits 20:13. */
  private static final long LARGE_HIGH_32 = 0xffL << 13;
  private static final long LARGE_RESERVED_32 = 1L << 21;
  /** The bits a PAE entry may hold an address in. */
  private static final long ADDRESS_PAE = 0x000f_ffff_ffff_f000L;
  /** Bits 52-62 of a PAE PD or PT entry. */
  private static final long HIGH_RESERVED_PAE = 0x7ffL << 52;
  /** A PDPTE's reserved bits, except bit 5, which QEMU sets (see the class comment). */
  private static final long PDPTE_RESERVED = RW | US | D | PS | G | HIGH_RESERVED_PAE | XD;
  /** Ignored bits a table entry may carry: 6 and 8 in a PDE (and PS, when CR4.PSE is clear). */
  private static final long TABLE_EXTRA = D | G;

  private static final int PAE_PHYSICAL_BITS = 52;
  private static final int PSE36_PHYSICAL_BITS = 40;

  private final boolean pae;
  /** 32-bit paging: CR4.PSE. PAE: EFER.NXE. */
  private final boolean feature;
  private final String name;
  private final List<Level> levels;
  private final int last;
  private final int physicalAddressBits;
  /** PAE: address bits from MAXPHYADDR to 51. */
  private final long beyondWidth;

  private X86LegacyFormat(boolean pae, boolean feature) {
    this.pae = pae;
    this.feature = feature;
    if (pae) {
      this.name = "x86-pae";
      this.levels = List.of(
          Level.of("PDPT", 0, 30, 2, false).withTableAlignment(32),
          Level.of("PD", 1, 21, 9, true),
          Level.of("PT", 2, 12, 9, true));
      this.physicalAddressBits = PAE_PHYSICAL_BITS;
    } else {
      this.name = "x86-32";
      this.levels = List.of(
          Level.of("PD", 0, 22, 10, feature).withEntryBytes(4),
          Level.of("PT", 1, 12, 10, true).withEntryBytes(4));
      this.physicalAddressBits = feature ? PSE36_PHYSICAL_BITS : 32;
    }
    this.last = levels.size() - 1;
    this.beyondWidth = ADDRESS_PAE & ~((1L << physicalAddressBits) - 1);
  }

  /** 32-bit paging, with 4 MiB pages (and PSE-36) when {@code pse}. */
  static X86LegacyFormat thirtyTwoBit(boolean pse) {
    return new X86LegacyFormat(false, pse);
  }

  /** PAE paging, with execute-disable when {@code nxe}. */
  static X86LegacyFormat pae(boolean nxe) {
    return new X86LegacyFormat(true, nxe);
  }

  /** Whether bit 63 is execute-disable (PAE with EFER.NXE); never in 32-bit paging. */
  boolean nx() {
    return pae && feature;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Architecture architecture() {
    return Architecture.X86_32;
  }

  @Override
  public List<Level> levels() {
    return levels;
  }

  @Override
  public int virtualAddressBits() {
    return 32;
  }

  @Override
  public int physicalAddressBits() {
    return physicalAddressBits;
  }

  /** A 32-bit PTE holds 32 address bits; only a PSE-36 large page reaches beyond 4 GiB. */
  @Override
  public int physicalAddressBits(Level level) {
    Objects.requireNonNull(level, "level");
    return !pae && level.depth() == last ? 32 : physicalAddressBits;
  }

  /** A 32-bit space has no hole: an address is its low 32 bits, zero-extended. */
  @Override
  public long canonicalAddress(long bits) {
    return bits & 0xffff_ffffL;
  }

  @Override
  public VirtualRange lowerHalf() {
    return VirtualRange.closed(0, 0x7fff_ffffL);
  }

  @Override
  public VirtualRange upperHalf() {
    return VirtualRange.closed(0x8000_0000L, 0xffff_ffffL);
  }

  @Override
  public EntryVerdict decode(Level level, long raw) {
    int d = Objects.requireNonNull(level, "level").depth();
    if (raw == 0) {
      return EntryVerdict.EMPTY;
    }
    if ((raw & P) == 0) {
      return EntryVerdict.NOT_PRESENT;
    }
    if (!pae) {
      if ((raw >>> 32) != 0) {
        // Only a caller that hands a 4-byte format a wider value gets here; no entry read has it.
        return EntryVerdict.RESERVED_BITS;
      }
      if (d == last) {
        return EntryVerdict.LEAF;
      }
      if (!feature || (raw & PS) == 0) {
        return EntryVerdict.TABLE;
      }
      if ((raw & LARGE_RESERVED_32) != 0) {
        return EntryVerdict.RESERVED_BITS;
      }
      if ((raw & LARGE_HIGH_32 & ~(((1L << (physicalAddressBits - 32)) - 1) << 13)) != 0) {
        return EntryVerdict.ADDRESS_BEYOND_PHYSICAL_WIDTH;
      }
      return EntryVerdict.LEAF;
    }
    if (d == 0) {
      if ((raw & PDPTE_RESERVED) != 0) {
        return EntryVerdict.RESERVED_BITS;
      }
      return (raw & beyondWidth) != 0 ? EntryVerdict.ADDRESS_BEYOND_PHYSICAL_WIDTH : EntryVerdict.TABLE;
    }
    if ((raw & HIGH_RESERVED_PAE) != 0 || (!feature && (raw & XD) != 0)) {
      return EntryVerdict.RESERVED_BITS;
    }
    if ((raw & beyondWidth) != 0) {
      return EntryVerdict.ADDRESS_BEYOND_PHYSICAL_WIDTH;
    }
    if (d == last) {
      return EntryVerdict.LEAF;
    }
    if ((raw & PS) == 0) {
      return EntryVerdict.TABLE;
    }
    return (raw & 0x1f_e000L) != 0 ? EntryVerdict.MISALIGNED_LEAF : EntryVerdict.LEAF;
  }

  private boolean isLeaf(int d, long raw) {
    return d == last || (d == last - 1 && (pae || feature) && (raw & PS) != 0);
  }

  @Override
  public long address(Level level, long raw) {
    int d = Objects.requireNonNull(level, "level").depth();
    if (!pae) {
      if (d != last && feature && (raw & PS) != 0) {
        return (raw & LARGE_LOW_32) | ((raw & LARGE_HIGH_32) << 19);
      }
      return raw & ADDRESS_32;
    }
    if (d == last - 1 && (raw & PS) != 0) {
      // The misaligned bits stay, so that a malformed leaf shows the address it holds.
      return raw & ADDRESS_PAE & ~PAT_HUGE;
    }
    return raw & ADDRESS_PAE;
  }

  @Override
  public Attributes attributes(Level level, long raw) {
    int d = Objects.requireNonNull(level, "level").depth();
    int cache = (int) ((raw >>> 3) & 0x3);
    long software = (raw & SOFTWARE) >>> 9;
    if (pae && d == 0) {
      // A PDPTE restricts nothing: the rights come from the PD and PT entries below it.
      return Attributes.readWrite().withExecutable(true).withUser(true).withMemoryType(cache)
          .withSoftwareBits(software).withExtraBits(raw & (A | PDPTE_RESERVED));
    }
    Attributes a = Attributes.none()
        .withReadable(true)
        .withWritable((raw & RW) != 0)
        .withUser((raw & US) != 0)
        .withAccessed((raw & A) != 0)
        .withExecutable(!nx() || (raw & XD) == 0)
        .withSoftwareBits(software);
    long reserved = pae ? HIGH_RESERVED_PAE | (nx() ? 0 : XD) : 0;
    if (!isLeaf(d, raw)) {
      long ignored = TABLE_EXTRA | (pae || feature ? 0 : PS);
      return a.withMemoryType(cache).withExtraBits(raw & (ignored | reserved));
    }
    long pat = d == last ? PAT_SMALL : PAT_HUGE;
    long extra = pae ? reserved : LARGE_RESERVED_32 & (d == last ? 0 : raw);
    return a.withGlobal((raw & G) != 0)
        .withDirty((raw & D) != 0)
        .withMemoryType(cache | ((raw & pat) != 0 ? 4 : 0))
        .withExtraBits(raw & extra);
  }

  @Override
  public long encodeTable(Level level, long tableAddress, Attributes attributes) {
    Objects.requireNonNull(attributes, "attributes");
    int d = depthOf(level, tableAddress);
    if (d == last) {
      throw new IllegalArgumentException(name + ": a " + level + " entry cannot point to a table ("
          + hex(tableAddress) + "); " + level + " is the last level");
    }
    checkAddress(level, tableAddress, 12, pae ? physicalAddressBits : 32, "table");
    if (attributes.memoryType() > 3) {
      throw new IllegalArgumentException(name + ": memory type " + hex(attributes.memoryType())
          + " does not fit a table entry, which has PWT and PCD only (0..3)");
    }
    long sw = software(attributes, tableAddress);
    long cache = (long) attributes.memoryType() << 3;
    if (pae && d == 0) {
      // The PDPTE has no rights to give; asked-for restrictions are the PD's and PT's to make.
      X86Entries.checkExtra(name, attributes.extraBits(), A, "PDPT");
      return P | tableAddress | cache | sw | attributes.extraBits();
    }
    checkCommon(attributes, tableAddress);
    if (attributes.global() || attributes.dirty()) {
      throw new IllegalArgumentException(name + ": global and dirty are leaf flags; a " + level
          + " table entry for " + hex(tableAddress) + " cannot carry " + attributes);
    }
    X86Entries.checkExtra(name, attributes.extraBits(), TABLE_EXTRA, "table");
    return P | tableAddress | X86Entries.rightsBits(attributes) | cache | sw | attributes.extraBits();
  }

  @Override
  public long encodeLeaf(Level level, long physicalAddress, Attributes attributes) {
    Objects.requireNonNull(attributes, "attributes");
    int d = depthOf(level, physicalAddress);
    if (!level.leafAllowed()) {
      throw new IllegalArgumentException(name + ": a " + level + " entry cannot map a page ("
          + hex(physicalAddress) + ")" + (pae ? "" : "; 4 MiB pages need CR4.PSE"));
    }
    boolean huge = d != last;
    checkAddress(level, physicalAddress, level.shift(), physicalAddressBits(levels.get(d)), "page");
    checkCommon(attributes, physicalAddress);
    int type = attributes.memoryType();
    if (type > 7) {
      throw new IllegalArgumentException(name + ": memory type " + hex(type) + " is not a PAT index (0..7)");
    }
    if (attributes.extraBits() != 0) {
      throw new IllegalArgumentException(name + ": extra bits " + hex(attributes.extraBits())
          + " of a leaf entry are reserved; a leaf of this format has none to give");
    }
    long address = physicalAddress;
    if (huge && !pae) {
      address = (physicalAddress & LARGE_LOW_32) | ((physicalAddress >>> 32) << 13);
    }
    long raw = P | address | X86Entries.rightsBits(attributes) | software(attributes, physicalAddress)
        | ((long) (type & 3) << 3);
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
    return raw;
  }

  private long software(Attributes attributes, long address) {
    long sw = attributes.softwareBits();
    if ((sw >>> SOFTWARE_WIDTH) != 0) {
      throw new IllegalArgumentException(name + ": software bits " + hex(sw) + " do not fit in "
          + SOFTWARE_WIDTH + " bits (entry bits 9-11); cannot encode " + hex(address));
    }
    return sw << 9;
  }

  private void checkCommon(Attributes attributes, long address) {
    if (!attributes.readable()) {
      throw new IllegalArgumentException(name + ": every present entry is readable; cannot encode "
          + attributes + " for " + hex(address));
    }
    if (!attributes.executable() && !nx()) {
      throw new IllegalArgumentException(name + ": execute-disable needs "
          + (pae ? "EFER.NXE, which is clear" : "PAE or long mode; 32-bit paging has none")
          + "; cannot encode " + attributes + " for " + hex(address));
    }
  }

  private void checkAddress(Level level, long address, int alignShift, int width, String what) {
    if ((address & ((1L << alignShift) - 1)) != 0) {
      throw new IllegalArgumentException(name + ": " + what + " address " + hex(address)
          + " for a " + level + " entry is not aligned to " + Formats.sizeName(1L << alignShift));
    }
    if ((address >>> width) != 0) {
      throw new IllegalArgumentException(name + ": " + what + " address " + hex(address)
          + " for a " + level + " entry is beyond the " + width + "-bit physical address width");
    }
  }

  private int depthOf(Level level, long address) {
    return Formats.depthOf(name, levels, level, address);
  }

  /** As in every x86 mode: write and user are ANDed down the levels, execute-disable ORed. */
  @Override
  public Attributes effective(Attributes upper, Attributes lower) {
    return X86Entries.effective(upper, lower);
  }

  @Override
  public Attributes tableAttributesFor(Attributes leaf) {
    return X86Entries.tableAttributesFor(leaf);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof X86LegacyFormat)) {
      return false;
    }
    X86LegacyFormat other = (X86LegacyFormat) o;
    return other.pae == pae && other.feature == feature;
  }

  @Override
  public int hashCode() {
    return Boolean.hashCode(pae) * 31 + Boolean.hashCode(feature);
  }

  @Override
  public String toString() {
    return name + (pae ? (feature ? " (NXE)" : "") : (feature ? " (PSE)" : ""));
  }
}
