package dev.paging.dump;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Architecture;
import dev.paging.api.Attributes;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryProblem;
import dev.paging.api.HoleCursor;
import dev.paging.api.PagingFormat;
import dev.paging.api.TableCursor;
import java.io.IOException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Linux's ptdump layout for x86, RISC-V and arm64; the layout is documented on {@link
 * DumpRenderer#ptdump(Appendable, boolean)}. Keeps one pending run and writes it when the next
 * piece of the walk does not continue it.
 */
final class PtdumpRenderer implements DumpRenderer {
  private static final long X86_P = 1L;
  private static final long X86_RW = 1L << 1;
  private static final long X86_US = 1L << 2;
  private static final long X86_PWT = 1L << 3;
  private static final long X86_PCD = 1L << 4;
  private static final long X86_PS = 1L << 7;
  private static final long X86_G = 1L << 8;
  private static final long X86_PAT_HUGE = 1L << 12;
  private static final long X86_NX = 1L << 63;
  /** Address bits of a table entry or 4 KiB leaf; a huge leaf's start at bit 13 (12 is PAT). */
  private static final long X86_ADDRESS = 0x000f_ffff_ffff_f000L;
  private static final long X86_HUGE_ADDRESS = 0x000f_ffff_ffff_e000L;
  private static final int X86_BLANK_COLUMNS = 30;

  /** The bits Linux's RISC-V ptdump compares and prints: N, PBMT, RSW, D A G U X W R V. */
  private static final long RISCV_PROT = (1L << 63) | (3L << 61) | (3L << 8) | 0xffL;

  private static final String[] X86_4 = {"pgd", "pud", "pmd", "pte"};
  private static final String[] X86_5 = {"pgd", "p4d", "pud", "pmd", "pte"};
  /** i386 with 2 levels; a 4 MiB leaf in the PD is a "pmd" (see {@link #levelName}). */
  private static final String[] X86_32 = {"pgd", "pte"};
  private static final String[] X86_PAE = {"pgd", "pmd", "pte"};
  private static final String[] RISCV_3 = {"PGD", "PMD", "PTE"};
  private static final String[] RISCV_4 = {"PGD", "PUD", "PMD", "PTE"};
  private static final String[] RISCV_5 = {"PGD", "P4D", "PUD", "PMD", "PTE"};
  /** arm64 names its top level PGD and its last PTE however many levels the VA size leaves. */
  private static final String[] ARM64_2 = {"PGD", "PTE"};
  private static final String[] ARM64_3 = {"PGD", "PMD", "PTE"};
  private static final String[] ARM64_4 = {"PGD", "PUD", "PMD", "PTE"};

  /** The bits arm64's ptdump compares and prints: 4:0 (valid, table, AttrIndx), 11:6, GP, 54:52. */
  private static final long ARM64_PROT = 0x1fL | (0x3fL << 6) | (1L << 50) | (0x7L << 52);
  /** Linux 6.1's AttrIndx assignment (MT_NORMAL 0 ... MT_DEVICE_nGnRE 4), as its ptdump names them. */
  private static final String[] ARM64_MEMORY = {"MEM/NORMAL", "MEM/NORMAL-TAGGED", "MEM/NORMAL-NC",
      "DEVICE/nGnRnE", "DEVICE/nGnRE"};

  private final Appendable out;
  private final boolean showHoles;

  private PagingFormat format;
  private boolean x86;
  private boolean arm64;
  /** 32-bit x86: 8-digit addresses, as an {@code unsigned long} of a 32-bit kernel prints. */
  private boolean narrow;
  private String[] levelNames;
  /** The upper half's names: {@link #levelNames} unless its walk has another number of levels (AArch64). */
  private String[] upperNames;
  private int lastDepth;
  private long lowerLast;
  private long upperFirst;
  private boolean userMarker;
  private boolean kernelMarker;

  private boolean active;
  private long start;
  /** The exclusive end of the pending run: where a continuation must start (0 past the top). */
  private long next;
  private long prot;
  private int effective;
  private int depth;
  private long startPa;
  /** Why the pending run's entries cannot be followed, or null for a run of mappings or holes. */
  private @Nullable EntryProblem problem;

  PtdumpRenderer(Appendable out, boolean showHoles) {
    this.out = Objects.requireNonNull(out, "out");
    this.showHoles = showHoles;
  }

  @Override
  public void begin(PagingFormat format, TableCursor root) {
    this.format = format;
    this.x86 = format.architecture().isX86();
    this.narrow = format.architecture() == Architecture.X86_32;
    int levels = format.levels().size();
    if (narrow && (levels == 2 || levels == 3)) {
      levelNames = levels == 2 ? X86_32 : X86_PAE;
    } else if (x86 && !narrow && (levels == 4 || levels == 5)) {
      levelNames = levels == 4 ? X86_4 : X86_5;
    } else if (format.architecture() == Architecture.RISC_V && levels >= 3 && levels <= 5) {
      levelNames = levels == 3 ? RISCV_3 : levels == 4 ? RISCV_4 : RISCV_5;
    } else if (format.architecture() == Architecture.AARCH64 && levels >= 2 && levels <= 4) {
      levelNames = arm64Names(levels);
    } else {
      throw new IllegalArgumentException("ptdump prints the x86, RISC-V and arm64 layouts of Linux;"
          + " format " + format.name() + " is none of them");
    }
    this.arm64 = format.architecture() == Architecture.AARCH64;
    // Each half is named by its own walk's depth, as a kernel with that many levels would name it.
    upperNames = arm64 ? arm64Names(format.levels(-1L).size()) : levelNames;
    lastDepth = levels - 1;
    lowerLast = format.lowerHalf().last();
    upperFirst = format.upperHalf().first();
    userMarker = false;
    kernelMarker = false;
    active = false;
  }

  @Override
  public void entry(EntryCursor entry, @Nullable Attributes effective) throws IOException {
    if (entry.kind() == EntryKind.TABLE) {
      return;
    }
    int e = 0;
    if (entry.kind() == EntryKind.LEAF && x86) {
      e = (effective.user() ? 1 : 0) | (effective.writable() ? 2 : 0) | (effective.executable() ? 0 : 4);
    }
    piece(entry.first(), entry.last(), entry.level().depth(), entry.raw(), e, entry.target(), null);
  }

  @Override
  public void hole(HoleCursor hole) throws IOException {
    piece(hole.first(), hole.last(), hole.level().depth(), 0, 0, 0, null);
  }

  @Override
  public void malformed(EntryCursor entry, EntryProblem problem) throws IOException {
    piece(entry.first(), entry.last(), entry.level().depth(), entry.raw(), 0,
        format.address(entry.level(), entry.raw()), problem);
  }

  @Override
  public void end(boolean complete) throws IOException {
    flush();
  }

  private static String[] arm64Names(int levels) {
    return levels == 2 ? ARM64_2 : levels == 3 ? ARM64_3 : ARM64_4;
  }

  private long protOf(long raw, int d) {
    if (arm64) {
      return raw & ARM64_PROT;
    }
    if (!x86) {
      return raw & RISCV_PROT;
    }
    boolean huge = d != lastDepth && (raw & X86_PS) != 0;
    return raw & ~(huge ? X86_HUGE_ADDRESS : X86_ADDRESS);
  }

  private void piece(long first, long last, int d, long raw, int eff, long pa, @Nullable EntryProblem why)
      throws IOException {
    long p = protOf(raw, d);
    // A run never crosses into the upper half, which the kernel-space marker heads; in a 32-bit
    // space no hole separates the halves.
    if (active && (p != prot || eff != effective || d != depth || first != next || why != problem
        || first == upperFirst)) {
      flush();
    }
    if (!active) {
      active = true;
      start = first;
      prot = p;
      effective = eff;
      depth = d;
      startPa = pa;
      problem = why;
    }
    next = last + 1;
  }

  private void flush() throws IOException {
    if (!active) {
      return;
    }
    active = false;
    if (x86) {
      boolean mapped = (prot & X86_P) != 0;
      if (mapped || showHoles) {
        marker();
        x86Line(mapped);
      }
    } else if (arm64) {
      if (prot != 0 || showHoles) {
        arm64Line();
      }
    } else if (prot != 0) {
      riscvLine();
    }
  }

  private void marker() throws IOException {
    if (Long.compareUnsigned(start, lowerLast) <= 0) {
      if (!userMarker) {
        userMarker = true;
        out.append("---[ User Space ]---\n");
      }
    } else if (!kernelMarker) {
      kernelMarker = true;
      out.append("---[ Kernel Space ]---\n");
    }
  }

  private void x86Line(boolean mapped) throws IOException {
    if (narrow) {
      // The top's end, 2^32, wraps to 0 in a 32-bit kernel's unsigned long, as 2^64 does in long mode.
      DumpText.hex8(out, start).append('-');
      DumpText.hex8(out, next).append("   ");
    } else {
      DumpText.hex(out, start).append('-');
      DumpText.hex(out, next).append("   ");
    }
    size(next - start, "BKMGTPE");
    out.append(' ');
    if (!mapped) {
      for (int i = 0; i < X86_BLANK_COLUMNS; i++) {
        out.append(' ');
      }
    } else {
      out.append((prot & X86_US) != 0 ? "USR " : "    ");
      out.append((prot & X86_RW) != 0 ? "RW " : "ro ");
      out.append((prot & X86_PWT) != 0 ? "PWT " : "    ");
      out.append((prot & X86_PCD) != 0 ? "PCD " : "    ");
      out.append(depth != lastDepth && (prot & X86_PS) != 0 ? "PSE " : "    ");
      // PAT is bit 7 in a pte, bit 12 in a pmd or pud; the levels above have none.
      long pat = depth == lastDepth ? X86_PS : depth >= lastDepth - 2 ? X86_PAT_HUGE : 0;
      out.append((prot & pat) != 0 ? "PAT " : "    ");
      out.append((prot & X86_G) != 0 ? "GLB " : "    ");
      out.append((prot & X86_NX) != 0 ? "NX " : "x  ");
    }
    out.append(levelName(mapped));
    notFollowed();
    out.append('\n');
  }

  /**
   * Linux's level of the run: the name of its depth, except on i386 with 2 levels, whose walk
   * folds p4d, pud and pmd into the PD. There an empty PDE is reported at the top level ("pgd",
   * the walk's real depth of a folded level) but a 4 MiB leaf by the pmd callback ("pmd").
   */
  private String levelName(boolean mapped) {
    if (levelNames == X86_32 && depth == 0 && mapped) {
      return "pmd";
    }
    return levelNames[depth];
  }

  /** Marks a run of entries the walk could not follow, which Linux's layout has no column for. */
  private void notFollowed() throws IOException {
    if (problem != null) {
      out.append(" ! ").append(problem.name());
    }
  }

  private void riscvLine() throws IOException {
    DumpText.hex(out, start).append('-');
    DumpText.hex(out, next).append("    ");
    DumpText.hex(out, startPa).append(' ');
    size((next - start) >>> 10, "KMGTPE");
    out.append(' ').append(levelNames[depth]);
    out.append((prot & (1L << 63)) != 0 ? " N" : " .");
    int type = (int) ((prot >>> 61) & 3);
    out.append(type == 0 ? "   ..  " : type == 1 ? " MT(NC)" : type == 2 ? " MT(IO)" : " MT(??)");
    int rsw = (int) ((prot >>> 8) & 3);
    out.append(rsw == 0 ? "   ..  " : " RSW(" + rsw + ")");
    String letters = "VRWXUGAD";
    for (int bit = 7; bit >= 0; bit--) {
      out.append(' ').append((prot & (1L << bit)) != 0 ? letters.charAt(bit) : '.');
    }
    notFollowed();
    out.append('\n');
  }

  /**
   * arm64's line (arch/arm64/mm/ptdump.c as of Linux 6.1): range, size in KiB and up, level, then,
   * for a run with any of the compared bits set, each column as {@code " " + set-or-clear}: valid
   * ({@code " "} or {@code F}), {@code USR}, {@code ro}/{@code RW}, {@code NX}/{@code "x "} (PXN),
   * {@code SHD} (SH = 0b11), {@code AF}, {@code NG}, {@code CON}, {@code BLK} (bit 1 clear),
   * {@code UXN}, {@code GP}, and the memory type of AttrIndx 0 to 4, nothing for the others.
   */
  private void arm64Line() throws IOException {
    DumpText.hex(out, start).append('-');
    DumpText.hex(out, next).append("   ");
    size((next - start) >>> 10, "KMGTPE");
    out.append(' ').append((Long.compareUnsigned(start, upperFirst) >= 0 ? upperNames : levelNames)[depth]);
    if (prot != 0) {
      out.append(' ').append((prot & 1) != 0 ? " " : "F");
      out.append(' ').append((prot & (1L << 6)) != 0 ? "USR" : "   ");
      out.append(' ').append((prot & (1L << 7)) != 0 ? "ro" : "RW");
      out.append(' ').append((prot & (1L << 53)) != 0 ? "NX" : "x ");
      out.append(' ').append((prot & (3L << 8)) == (3L << 8) ? "SHD" : "   ");
      out.append(' ').append((prot & (1L << 10)) != 0 ? "AF" : "  ");
      out.append(' ').append((prot & (1L << 11)) != 0 ? "NG" : "  ");
      out.append(' ').append((prot & (1L << 52)) != 0 ? "CON" : "   ");
      out.append(' ').append((prot & (1L << 1)) != 0 ? "   " : "BLK");
      out.append(' ').append((prot & (1L << 54)) != 0 ? "UXN" : "   ");
      out.append(' ').append((prot & (1L << 50)) != 0 ? "GP" : "  ");
      int type = (int) ((prot >>> 2) & 7);
      if (type < ARM64_MEMORY.length) {
        out.append(' ').append(ARM64_MEMORY[type]);
      }
    }
    notFollowed();
    out.append('\n');
  }

  /** {@code %9lu%c}: the size in the largest of {@code units} that divides it. */
  private void size(long delta, String units) throws IOException {
    int unit = 0;
    while (delta != 0 && (delta & 1023) == 0 && unit + 1 < units.length()) {
      delta >>>= 10;
      unit++;
    }
    DumpText.padLeft(out, delta, 9).append(units.charAt(unit));
  }

  @Override
  public String toString() {
    return "ptdump renderer" + (showHoles ? "" : " (holes hidden)") + (active ? ", run from " + hex(start) : "");
  }
}
