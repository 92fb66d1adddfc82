package dev.paging.dump;

import dev.paging.api.Architecture;
import dev.paging.api.Attributes;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.PagingFormat;
import dev.paging.api.TableCursor;
import java.io.IOException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * QEMU's {@code info tlb} for x86 (target/i386/monitor.c): one line per present leaf, in walk
 * order, {@code <vaddr>: <paddr> XGPDACTUW}. The letters are the leaf's own bits, never combined
 * with the levels above. Entries the walker finds malformed are not leaves and are not printed
 * (QEMU would follow a PML4 entry with the reserved PS bit as a table; this renderer does not).
 *
 * <p>The physical address column is QEMU 7.2's {@code pte & mask}, which is not always the page's
 * address, and is kept so that the lines compare with QEMU's byte for byte:
 *
 * <ul>
 *   <li>long mode: the page's address;
 *   <li>32-bit paging: {@code pte & 0xfffff000}, and for a 4 MiB page {@code pde & ~0x1fffff}, so
 *       PSE-36's address bits 32-39 do not show; addresses are printed in 16 digits all the same;
 *   <li>PAE: {@code pte & ~0xfff} and, for a 2 MiB page, {@code pde & ~0xfffff}: bit 63 stays, so
 *       a no-execute page prints as {@code 80000000xxxxx000}.
 * </ul>
 */
final class QemuInfoTlbRenderer implements DumpRenderer {
  private final Appendable out;
  private int lastDepth;
  /** 0 for long mode, else the mask QEMU prints a 4 KiB leaf's entry with; see the class comment. */
  private long smallMask;
  private long largeMask;

  QemuInfoTlbRenderer(Appendable out) {
    this.out = Objects.requireNonNull(out, "out");
  }

  @Override
  public void begin(PagingFormat format, TableCursor root) {
    if (!format.architecture().isX86()) {
      throw new IllegalArgumentException("QEMU's info tlb exists for x86 only; format "
          + format.name() + " has no such listing (use info mem for RISC-V)");
    }
    lastDepth = format.levels().size() - 1;
    if (format.architecture() == Architecture.X86_64) {
      smallMask = 0;
      largeMask = 0;
    } else if (format.root().entryBytes() == 4) {
      smallMask = 0xffff_f000L;
      largeMask = ~0x1f_ffffL;
    } else {
      smallMask = ~0xfffL;
      largeMask = ~0xf_ffffL;
    }
  }

  @Override
  public void entry(EntryCursor entry, @Nullable Attributes effective) throws IOException {
    if (entry.kind() != EntryKind.LEAF) {
      return;
    }
    long raw = entry.raw();
    // QEMU clears PS before printing a 4 KiB leaf, where bit 7 is PAT.
    boolean ps = entry.level().depth() != lastDepth && (raw & 0x80) != 0;
    DumpText.hex16(out, entry.first()).append(": ");
    long printed = smallMask == 0 ? entry.target() : raw & (entry.level().depth() == lastDepth ? smallMask : largeMask);
    DumpText.hex16(out, printed).append(' ');
    out.append(raw < 0 ? 'X' : '-')
        .append((raw & 0x100) != 0 ? 'G' : '-')
        .append(ps ? 'P' : '-')
        .append((raw & 0x40) != 0 ? 'D' : '-')
        .append((raw & 0x20) != 0 ? 'A' : '-')
        .append((raw & 0x10) != 0 ? 'C' : '-')
        .append((raw & 0x08) != 0 ? 'T' : '-')
        .append((raw & 0x04) != 0 ? 'U' : '-')
        .append((raw & 0x02) != 0 ? 'W' : '-')
        .append('\n');
  }

  @Override
  public void end(boolean complete) {
    // Every line is written as its leaf is met.
  }
}
