package dev.paging.api;

import static dev.paging.api.Addresses.hex;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An architecture's page-table format, as data and a codec: its levels, its canonical virtual
 * address rule, its physical address width, and how to decode and encode one 64-bit entry at a
 * given level (bit meaning may depend on the level: x86 bit 7 is PS above the last level and PAT
 * at it).
 *
 * <p>Every method is a pure function of its arguments, cheap enough for the walker's inner
 * loop; only {@link #attributes} and the encoders may allocate. Implementations must be
 * immutable and thread-safe. Each {@link Level} says how its tables are laid out: entry size (8
 * bytes, or 4 for 32-bit x86), entries per table and alignment; entries are little-endian and a
 * 4-byte entry is handled as a {@code long} whose upper half is zero.
 */
public interface PagingFormat {
  /** A short name: {@code x86-64}, {@code x86-64-5level}, {@code sv39}... */
  String name();

  /** The architecture whose MMU reads tables of this format. */
  Architecture architecture();

  /**
   * The levels, root first: those of every walk, unless the halves have geometries of their own
   * (see {@link #levels(long)}), where these are the lower half's.
   */
  List<Level> levels();

  /**
   * The levels of the walk that translates {@code address}, root first: {@link #levels()},
   * except where each half has a root and a geometry of its own (AArch64 with TG0 and TG1, or
   * T0SZ and T1SZ, apart), where an upper-half address's walk has the upper half's levels, which
   * may start at another level number or use another granule. A level's depth counts from its
   * own half's root. Code that indexes levels by depth takes the list of the half it is in.
   */
  default List<Level> levels(long address) {
    return levels();
  }

  /** True when {@link #levels(long)} is {@link #levels()} everywhere: one geometry for both halves. */
  default boolean oneGeometry() {
    return levels(-1L) == levels();
  }

  /** The root level, {@code levels().get(0)}: the lower half's where the halves differ. */
  default Level root() {
    return levels().get(0);
  }

  /**
   * The number of implemented virtual address bits (48 for 4-level x86-64, 39 for Sv39); the
   * wider half's where the halves differ ({@link #lowerHalf()} and {@link #upperHalf()} say each).
   */
  int virtualAddressBits();

  /** The number of physical address bits an entry may hold (x86 MAXPHYADDR), at its widest level. */
  int physicalAddressBits();

  /**
   * The physical address bits an entry at {@code level} may hold: {@link #physicalAddressBits()}
   * unless the format's levels differ (32-bit x86: 32 in a PTE, 40 in a 4 MiB PDE with PSE-36).
   */
  default int physicalAddressBits(Level level) {
    Objects.requireNonNull(level, "level");
    return physicalAddressBits();
  }

  /**
   * True when each half has a root table of its own, as AArch64's TTBR0_EL1 (lower half) and
   * TTBR1_EL1 (upper half): the root's entries then map either half, an address space has two
   * roots, and a walk of both halves visits two root tables. False (the default) when one root
   * table's entries map both halves, as on x86 and RISC-V.
   */
  default boolean rootPerHalf() {
    return false;
  }

  /**
   * How many entries, aligned, the format's contiguous hint at {@code level} spans: AArch64's
   * Contiguous bit says a block or page belongs to such a run of entries that map one aligned,
   * contiguous range with the same attributes (16 at every level with a 4 KiB granule). 0, the
   * default, where the format or the level has no such hint.
   */
  default int contiguousRun(Level level) {
    Objects.requireNonNull(level, "level");
    return 0;
  }

  /** True when {@code raw} at {@code level} is a leaf that carries the contiguous hint. */
  default boolean contiguousHint(Level level, long raw) {
    Objects.requireNonNull(level, "level");
    return false;
  }

  /** The entry bit that is the contiguous hint at {@code level}, to clear it with; 0 where there is none. */
  default long contiguousHintBit(Level level) {
    Objects.requireNonNull(level, "level");
    return 0;
  }

  /**
   * True when {@code run}, the {@link #contiguousRun} entries of one aligned run at {@code level}
   * in table order, is what the hint promises: every entry a leaf with the hint, the first's
   * address aligned to the run's size, each next one a page further, all with the same
   * attributes.
   */
  default boolean contiguousRunHolds(Level level, long[] run) {
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(run, "run");
    if (run.length == 0 || !contiguousHint(level, run[0])) {
      return false;
    }
    long base = address(level, run[0]);
    if ((base & (level.entrySpan() * run.length - 1)) != 0) {
      return false;
    }
    Attributes first = attributes(level, run[0]);
    for (int i = 1; i < run.length; i++) {
      if (!contiguousHint(level, run[i]) || address(level, run[i]) != base + i * level.entrySpan()
          || !attributes(level, run[i]).equals(first)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The canonical address whose low {@link #virtualAddressBits()} bits are those of {@code bits}:
   * sign-extended from the top implemented bit (x86-64, RISC-V), zero-extended where the virtual
   * space is the whole of a 32-bit word (32-bit x86 and PAE), or, where {@linkplain #rootPerHalf()
   * each half has its own root} and both halves are {@code 2^bits} bytes, extended with bit 63 of
   * {@code bits} (AArch64). Walks use it to name the addresses a root entry maps.
   */
  default long canonicalAddress(long bits) {
    return Addresses.signExtend(bits, virtualAddressBits());
  }

  /** True when {@code address} is its own {@link #canonicalAddress}. */
  default boolean isCanonical(long address) {
    return canonicalAddress(address) == address;
  }

  /**
   * The lower canonical half, {@code [0, 2^(bits-1) - 1]}. A format whose space has no hole
   * (32-bit x86) splits it at the same place; the halves are where walks split the root's
   * entries and what audits call user and kernel space.
   */
  default VirtualRange lowerHalf() {
    return VirtualRange.closed(0, canonicalAddress((1L << (virtualAddressBits() - 1)) - 1));
  }

  /** The upper canonical half, {@code [-2^(bits-1), 0xffffffffffffffff]}. */
  default VirtualRange upperHalf() {
    long first = canonicalAddress(1L << (virtualAddressBits() - 1));
    return VirtualRange.closed(first, canonicalAddress(-1L));
  }

  /**
   * Rejects a range whose first or last address is not canonical; the non-canonical hole
   * between two canonical ends is allowed and is skipped by walks.
   *
   * @throws IllegalArgumentException naming the offending address in hex
   */
  default void checkCanonical(VirtualRange range) {
    Objects.requireNonNull(range, "range");
    if (range.isAll()) {
      return;
    }
    if (!isCanonical(range.first())) {
      throw new IllegalArgumentException(
          "address " + hex(range.first()) + " (start of " + range + ") is not canonical for " + name());
    }
    if (!isCanonical(range.last())) {
      throw new IllegalArgumentException(
          "address " + hex(range.last()) + " (end of " + range + ") is not canonical for " + name());
    }
  }

  /**
   * What {@code raw} is at {@code level}, kind and problem in one answer. The format is the one
   * place that decides it: the walker, the translator, the operations and {@link
   * EntryCursor#write} all ask it. At the last level an entry is never {@link EntryVerdict#TABLE}:
   * a pointer there is {@link EntryVerdict#TABLE_AT_LAST_LEVEL} (the walker refuses a format that
   * breaks this with an {@link IllegalStateException} naming it).
   */
  EntryVerdict decode(Level level, long raw);

  /** The kind of {@code raw} at {@code level}: {@code decode(level, raw).kind()}. */
  default EntryKind kind(Level level, long raw) {
    return decode(level, raw).kind();
  }

  /**
   * Why {@code raw} is malformed at {@code level}: {@code decode(level, raw).problem()}, non-null
   * exactly when {@link #kind} is {@link EntryKind#MALFORMED}.
   */
  default @Nullable EntryProblem problem(Level level, long raw) {
    return decode(level, raw).problem();
  }

  /**
   * The physical address an entry points to: the next table for {@link EntryKind#TABLE}, the
   * page's base for {@link EntryKind#LEAF}. Meaningless for other kinds.
   */
  long address(Level level, long raw);

  /** The attributes of a present entry (table or leaf) at {@code level}. */
  Attributes attributes(Level level, long raw);

  /**
   * An entry at {@code level} pointing to the table at {@code tableAddress}.
   *
   * @throws IllegalArgumentException if the address is unaligned or too wide, the level is the
   *     last, or the attributes ask for something a table entry cannot say
   */
  long encodeTable(Level level, long tableAddress, Attributes attributes);

  /**
   * An entry at {@code level} mapping the page at {@code physicalAddress}.
   *
   * @throws IllegalArgumentException if the level cannot hold a leaf, the address is unaligned
   *     to the page size or too wide, or the attributes cannot be expressed by this format
   */
  long encodeLeaf(Level level, long physicalAddress, Attributes attributes);

  /**
   * The attributes in force below an entry with attributes {@code upper} (a table entry) for
   * an entry with {@code lower}: x86 ANDs write and user and ORs execute-disable down the levels;
   * RISC-V leaves alone decide. The result carries {@code lower}'s other fields.
   */
  Attributes effective(Attributes upper, Attributes lower);

  /**
   * The attributes of a new intermediate entry above a leaf with {@code leaf}'s attributes,
   * permissive enough that the leaf governs (x86: writable and user as the leaf needs, never
   * execute-disable).
   */
  Attributes tableAttributesFor(Attributes leaf);
}
