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
 */
final class QemuInfoTlbRenderer implements DumpRenderer {
  private final Appendable out;
  private int lastDepth;

  QemuInfoTlbRenderer(Appendable out) {
    this.out = Objects.requireNonNull(out, "out");
  }

  @Override
  public void begin(PagingFormat format, TableCursor root) {
    if (format.architecture() != Architecture.X86_64) {
      throw new IllegalArgumentException("QEMU's info tlb exists for x86 only; format "
          + format.name() + " has no such listing (use info mem for RISC-V)");
    }
    lastDepth = format.levels().size() - 1;
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
    DumpText.hex16(out, entry.target()).append(' ');
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
