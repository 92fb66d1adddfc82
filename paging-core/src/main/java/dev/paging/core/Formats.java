package dev.paging.core;

import dev.paging.api.Addresses;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import java.util.List;
import java.util.Objects;

/**
 * The supported page-table formats. Every format is immutable and thread-safe; formats built
 * with equal arguments are equal and accept each other's {@link Level}s.
 */
public final class Formats {
  private static final PagingFormat X86_64 = new X86Format(X86Options.defaults(), false);
  private static final PagingFormat X86_64_FIVE_LEVEL = new X86Format(X86Options.defaults(), true);
  private static final PagingFormat X86_32_PSE = X86LegacyFormat.thirtyTwoBit(true);
  private static final PagingFormat X86_32 = X86LegacyFormat.thirtyTwoBit(false);
  private static final PagingFormat X86_PAE_NX = X86LegacyFormat.pae(true);
  private static final PagingFormat X86_PAE = X86LegacyFormat.pae(false);
  private static final PagingFormat AARCH64 = new Aarch64Format(Aarch64Options.defaults());
  private static final PagingFormat SV39 = new RiscVFormat(3);
  private static final PagingFormat SV48 = new RiscVFormat(4);
  private static final PagingFormat SV57 = new RiscVFormat(5);

  private Formats() {}

  /**
   * x86-64 4-level paging (PML4, PDPT, PD, PT; 48-bit virtual addresses) with 1 GiB pages, NX
   * enabled and 52 physical address bits.
   */
  public static PagingFormat x86_64() {
    return X86_64;
  }

  /** x86-64 4-level paging for a processor with {@code options}. */
  public static PagingFormat x86_64(X86Options options) {
    Objects.requireNonNull(options, "options");
    return options.equals(X86Options.defaults()) ? X86_64 : new X86Format(options, false);
  }

  /**
   * x86-64 5-level paging (CR4.LA57: PML5 above PML4; 57-bit virtual addresses) with 1 GiB
   * pages, NX enabled and 52 physical address bits.
   */
  public static PagingFormat x86_64FiveLevel() {
    return X86_64_FIVE_LEVEL;
  }

  /** x86-64 5-level paging for a processor with {@code options}. */
  public static PagingFormat x86_64FiveLevel(X86Options options) {
    Objects.requireNonNull(options, "options");
    return options.equals(X86Options.defaults()) ? X86_64_FIVE_LEVEL : new X86Format(options, true);
  }

  /**
   * 32-bit x86 paging with CR4.PSE (PD and PT of 1,024 four-byte entries; 4 MiB pages with
   * PSE-36, up to 40 physical address bits): the paging of xv6-x86 and PintOS.
   */
  public static PagingFormat x86_32() {
    return X86_32_PSE;
  }

  /** 32-bit x86 paging with CR4.PSE set ({@code pse}: 4 MiB pages) or clear (PS is ignored). */
  public static PagingFormat x86_32(boolean pse) {
    return pse ? X86_32_PSE : X86_32;
  }

  /**
   * x86 PAE paging with EFER.NXE (a 4-entry PDPT, then PD and PT of 512 eight-byte entries; 2 MiB
   * pages; 32-bit virtual, up to 52-bit physical addresses).
   */
  public static PagingFormat x86Pae() {
    return X86_PAE_NX;
  }

  /** x86 PAE paging with EFER.NXE set ({@code nxe}: bit 63 is execute-disable) or clear (reserved). */
  public static PagingFormat x86Pae(boolean nxe) {
    return nxe ? X86_PAE_NX : X86_PAE;
  }

  /**
   * AArch64 stage 1 translation with a 4 KiB granule and 48-bit virtual and output addresses:
   * levels L0..L3, blocks of 1 GiB and 2 MiB, TTBR0_EL1's root for the lower half and
   * TTBR1_EL1's for the upper.
   */
  public static PagingFormat aarch64() {
    return AARCH64;
  }

  /**
   * AArch64 stage 1 translation as TCR_EL1 sets it up in {@code options}: granule, virtual
   * address size of each half, output size.
   *
   * @throws IllegalArgumentException if the virtual size is so small that the walk would start
   *     at the last level (under 26 bits with a 16 KiB granule, under 30 with 64 KiB)
   */
  public static PagingFormat aarch64(Aarch64Options options) {
    Objects.requireNonNull(options, "options");
    return options.equals(Aarch64Options.defaults()) ? AARCH64 : new Aarch64Format(options);
  }

  /** RISC-V Sv39: three levels L2..L0, 39-bit virtual and 56-bit physical addresses. */
  public static PagingFormat sv39() {
    return SV39;
  }

  /** RISC-V Sv48: four levels L3..L0, 48-bit virtual and 56-bit physical addresses. */
  public static PagingFormat sv48() {
    return SV48;
  }

  /** RISC-V Sv57: five levels L4..L0, 57-bit virtual and 56-bit physical addresses. */
  public static PagingFormat sv57() {
    return SV57;
  }

  /**
   * The depth of {@code level} in {@code levels}, the levels of format {@code name}, refusing a
   * level of another hierarchy. Compared by value, not identity: two equal formats must accept
   * each other's levels.
   */
  static int depthOf(String name, List<Level> levels, Level level, long address) {
    int d = Objects.requireNonNull(level, "level").depth();
    if (d >= levels.size() || !sameLevel(levels.get(d), level)) {
      throw new IllegalArgumentException(name + ": level " + level + " (depth " + d
          + ") is not one of " + levels + "; cannot encode " + Addresses.hex(address));
    }
    return d;
  }

  /** True when {@code a} and {@code b} describe the same level; {@link Level} has no equals. */
  static boolean sameLevel(Level a, Level b) {
    return a == b || (a.depth() == b.depth() && a.shift() == b.shift() && a.entryBytes() == b.entryBytes()
        && a.tableAlignment() == b.tableAlignment()
        && a.indexBits() == b.indexBits() && a.leafAllowed() == b.leafAllowed()
        && a.name().equals(b.name()));
  }

  /** A power-of-two size in the largest binary unit that divides it: {@code 2 MiB}. */
  static String sizeName(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int unit = 0;
    while (bytes >= 1024 && (bytes & 1023) == 0 && unit < units.length - 1) {
      bytes >>>= 10;
      unit++;
    }
    return bytes + " " + units[unit];
  }
}
