package dev.paging.dump;

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
 * QEMU's {@code info mem} (target/i386/monitor.c and target/riscv/monitor.c).
 *
 * <p>Both listings work, as QEMU does, on linear addresses: the virtual address without its
 * sign extension, so the upper half follows the lower half directly and a run may continue
 * across the canonical hole. Addresses are printed sign-extended when their top implemented bit
 * is set.
 *
 * <p>x86: {@code <start>-<end> <size> <u|->r<w|->} for each run of present pages whose effective
 * user and write permission (ANDed down the levels) is the same; execute-disable and physical
 * contiguity do not matter, and anything that maps nothing (holes, not-present and malformed
 * entries) ends a run and is not printed. Like QEMU, the end of a run reaching the top of the
 * address space is {@code 2^48} ({@code 2^57} with 5 levels), and the size is sign-extended like
 * an address, which shows only for runs of half the address space. 32-bit and PAE paging list
 * the same way (QEMU's {@code mem_info_32} and {@code mem_info_pae32}): 16-digit addresses never
 * sign-extended, a run reaching the top ends at {@code 0000000100000000}, and a PAE PDPTE takes
 * no part in the rights (it has no R/W or U/S bit). QEMU ignores reserved bits where this
 * listing, walking as the MMU faults, ends a run at a malformed entry.
 *
 * <p>RISC-V: the header {@code vaddr            paddr            size             attr} and a
 * dashed line, then {@code <vaddr> <paddr> <size> <rwxugad>} for each run of leaves with the same
 * low eight bits whose virtual and physical addresses both continue the run, exactly as QEMU 7.2's
 * {@code walk_pte} decides it, with two of its quirks kept on purpose so that the output can be
 * compared with QEMU's byte for byte:
 *
 * <ul>
 *   <li>QEMU keeps the virtual-contiguity cursor ({@code last_start}) in a local variable of each
 *       table's call, starting at -1, while the physical address, size and attributes of the run
 *       are shared. So a run always ends at the first leaf of every table visit, and at the first
 *       leaf after a table the walk descended into, even when addresses and attributes continue.
 *   <li>QEMU prints the physical address as {@code (pte >> 10) << 12}, without masking bits 54-63:
 *       a leaf with PBMT NC (bit 61) shows bit 63 set in its physical address, and an Svnapot
 *       leaf shows its encoded PPN rather than the page it maps.
 * </ul>
 *
 * <p>QEMU treats every valid entry with R, W or X as a leaf, so the entries this library finds
 * malformed for their leaf bits (reserved bits, a reserved encoding such as W without R, a
 * misaligned superpage) are printed as QEMU prints them. A pointer QEMU would follow but the
 * walker does not (A, D or U set, or a table outside memory) lists nothing below it.
 */
final class QemuInfoMemRenderer implements DumpRenderer {
  private static final long X86_P = 1, X86_RW = 2, X86_US = 4;
  private static final long RV_V = 1, RV_RWX = 0xe;

  private final Appendable out;
  private boolean x86;
  /** False for 32-bit x86, whose addresses QEMU's addr_canonical leaves alone. */
  private boolean signExtends;
  private int vaBits;
  private long linearMask;

  private boolean active;
  /** x86: linear start and exclusive end of the pending run. */
  private long start;
  private long next;
  private long prot;

  /** RISC-V: QEMU's walk state, named as in walk_pte: the run's start and its last leaf. */
  private long vbase;
  private long pbase;
  private long lastPaddr;
  private long lastSize;
  private long lastAttr;
  /** QEMU's {@code last_start}, one per table being walked: a local of each recursive call. */
  private long[] lastStart;

  QemuInfoMemRenderer(Appendable out) {
    this.out = Objects.requireNonNull(out, "out");
  }

  @Override
  public void begin(PagingFormat format, TableCursor root) throws IOException {
    x86 = format.architecture().isX86();
    signExtends = format.architecture() != Architecture.X86_32;
    if (!x86 && format.architecture() != Architecture.RISC_V) {
      throw new IllegalArgumentException("QEMU's info mem exists for x86 and RISC-V; format "
          + format.name() + " is neither");
    }
    vaBits = format.virtualAddressBits();
    linearMask = (1L << vaBits) - 1;
    active = false;
    vbase = -1;
    pbase = -1;
    lastPaddr = -1;
    lastSize = 0;
    lastAttr = 0;
    lastStart = new long[format.levels().size()];
    if (!x86) {
      out.append("vaddr            paddr            size             attr\n");
      out.append("---------------- ---------------- ---------------- -------\n");
    }
  }

  @Override
  public void beforeTable(TableCursor table) {
    lastStart[table.level().depth()] = -1;
  }

  @Override
  public void entry(EntryCursor entry, @Nullable Attributes effective) throws IOException {
    if (entry.kind() == EntryKind.LEAF) {
      if (x86) {
        long p = X86_P | (effective.user() ? X86_US : 0) | (effective.writable() ? X86_RW : 0);
        x86Piece(entry.first(), entry.last(), p);
      } else {
        riscvLeaf(entry);
      }
    } else if (entry.kind() == EntryKind.NOT_PRESENT && x86) {
      x86Piece(entry.first(), entry.last(), 0);
    }
  }

  @Override
  public void hole(HoleCursor hole) throws IOException {
    if (x86) {
      x86Piece(hole.first(), hole.last(), 0);
    }
  }

  @Override
  public void malformed(EntryCursor entry, EntryProblem problem) throws IOException {
    if (x86) {
      x86Piece(entry.first(), entry.last(), 0);
    } else if ((entry.raw() & RV_V) != 0 && (entry.raw() & RV_RWX) != 0) {
      // A leaf by QEMU's test (valid, with R, W or X), whatever else is wrong with it.
      riscvLeaf(entry);
    }
  }

  @Override
  public void end(boolean complete) throws IOException {
    if (x86) {
      if (active && prot != 0) {
        x86Line(start, next, prot);
      }
    } else {
      // QEMU's "don't forget the last one".
      riscvLine(vbase, pbase, lastPaddr + lastSize - pbase, lastAttr);
    }
    active = false;
  }

  /** QEMU's mem_print: a run ends only where the protection changes. */
  private void x86Piece(long first, long last, long p) throws IOException {
    long linear = first & linearMask;
    if (!active) {
      active = true;
      start = linear;
      prot = p;
    } else if (p != prot) {
      if (prot != 0) {
        x86Line(start, linear, prot);
      }
      start = linear;
      prot = p;
    }
    // Past the top this is 2^vaBits, the end QEMU prints there.
    next = (last & linearMask) + 1;
  }

  private void x86Line(long from, long to, long p) throws IOException {
    DumpText.hex16(out, canonical(from)).append('-');
    DumpText.hex16(out, canonical(to)).append(' ');
    DumpText.hex16(out, canonical(to - from)).append(' ');
    out.append((p & X86_US) != 0 ? 'u' : '-').append('r').append((p & X86_RW) != 0 ? 'w' : '-').append('\n');
  }

  /** One leaf as walk_pte takes it: a new run unless attributes, physical and virtual addresses continue. */
  private void riscvLeaf(EntryCursor entry) throws IOException {
    long raw = entry.raw();
    long startVa = entry.first() & linearMask;
    long paddr = (raw >>> 10) << 12;
    long attr = raw & 0xff;
    long pgsize = entry.level().entrySpan();
    int depth = entry.level().depth();
    if (lastAttr != attr || lastPaddr + lastSize != paddr || lastStart[depth] + lastSize != startVa) {
      riscvLine(vbase, pbase, lastPaddr + lastSize - pbase, lastAttr);
      vbase = startVa;
      pbase = paddr;
      lastAttr = attr;
    }
    lastStart[depth] = startVa;
    lastPaddr = paddr;
    lastSize = pgsize;
  }

  /** QEMU's print_pte: nothing for an empty run (the first call) or an address past the top. */
  private void riscvLine(long vaddr, long paddr, long size, long attr) throws IOException {
    if (Long.compareUnsigned(vaddr, 1L << vaBits) >= 0 || size == 0) {
      return;
    }
    DumpText.hex16(out, canonical(vaddr)).append(' ');
    DumpText.hex16(out, paddr).append(' ');
    DumpText.hex16(out, size).append(' ');
    String letters = "-rwxugad";
    for (int bit = 1; bit <= 7; bit++) {
      out.append((attr & (1L << bit)) != 0 ? letters.charAt(bit) : '-');
    }
    out.append('\n');
  }

  /** QEMU's addr_canonical: sign-extends when the top implemented bit is set, in long mode. */
  private long canonical(long address) {
    return signExtends && (address & (1L << (vaBits - 1))) != 0 ? address | -(1L << vaBits) : address;
  }
}
