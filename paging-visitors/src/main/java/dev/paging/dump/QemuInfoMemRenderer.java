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
 * an address, which shows only for runs of half the address space.
 *
 * <p>RISC-V: the header {@code vaddr            paddr            size             attr} and a
 * dashed line, then {@code <vaddr> <paddr> <size> <rwxugad>} for each run of leaves with the same
 * low eight bits whose virtual and physical addresses both continue the run. QEMU restarts its
 * contiguity check in every table it enters, so it splits runs at table boundaries; this
 * renderer merges them, as the contiguity rule says.
 */
final class QemuInfoMemRenderer implements DumpRenderer {
  private static final long X86_P = 1, X86_RW = 2, X86_US = 4;

  private final Appendable out;
  private boolean x86;
  private int vaBits;
  private long linearMask;

  private boolean active;
  /** Linear start and exclusive end of the pending run. */
  private long start;
  private long next;
  private long prot;
  private long pa;
  private long paNext;

  QemuInfoMemRenderer(Appendable out) {
    this.out = Objects.requireNonNull(out, "out");
  }

  @Override
  public void begin(PagingFormat format, TableCursor root) throws IOException {
    x86 = format.architecture() == Architecture.X86_64;
    if (!x86 && format.architecture() != Architecture.RISC_V) {
      throw new IllegalArgumentException("QEMU's info mem exists for x86 and RISC-V; format "
          + format.name() + " is neither");
    }
    vaBits = format.virtualAddressBits();
    linearMask = (1L << vaBits) - 1;
    active = false;
    if (!x86) {
      out.append("vaddr            paddr            size             attr\n");
      out.append("---------------- ---------------- ---------------- -------\n");
    }
  }

  @Override
  public void entry(EntryCursor entry, @Nullable Attributes effective) throws IOException {
    if (entry.kind() == EntryKind.LEAF) {
      if (x86) {
        long p = X86_P | (effective.user() ? X86_US : 0) | (effective.writable() ? X86_RW : 0);
        x86Piece(entry.first(), entry.last(), p);
      } else {
        riscvLeaf(entry.first() & linearMask, entry.level().entrySpan(), entry.target(), entry.raw() & 0xff);
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
    }
  }

  @Override
  public void end(boolean complete) throws IOException {
    if (active && (!x86 || prot != 0)) {
      if (x86) {
        x86Line(start, next, prot);
      } else {
        riscvLine();
      }
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

  private void riscvLeaf(long linear, long size, long address, long attr) throws IOException {
    if (active && attr == prot && address == paNext && linear == next) {
      next += size;
      paNext += size;
      return;
    }
    if (active) {
      riscvLine();
    }
    active = true;
    start = linear;
    next = linear + size;
    pa = address;
    paNext = address + size;
    prot = attr;
  }

  private void riscvLine() throws IOException {
    DumpText.hex16(out, canonical(start)).append(' ');
    DumpText.hex16(out, pa).append(' ');
    DumpText.hex16(out, paNext - pa).append(' ');
    String letters = "-rwxugad";
    for (int bit = 1; bit <= 7; bit++) {
      out.append((prot & (1L << bit)) != 0 ? letters.charAt(bit) : '-');
    }
    out.append('\n');
  }

  /** QEMU's addr_canonical: sign-extends when the top implemented bit is set. */
  private long canonical(long address) {
    return (address & (1L << (vaBits - 1))) != 0 ? address | -(1L << vaBits) : address;
  }
}
