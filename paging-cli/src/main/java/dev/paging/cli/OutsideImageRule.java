package dev.paging.cli;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Attributes;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.Level;
import dev.paging.audit.AuditRule;
import dev.paging.audit.Severity;
import dev.paging.images.MemoryImage;

/**
 * {@value #ID}, information: leaves that map physical memory the image does not hold. On a
 * machine that is usual for device memory (a local APIC, a frame buffer), and on a saved image it
 * also shows a dump that stopped short of the RAM the tables use. Table pointers outside the
 * image are the walker's business ({@code table-outside-memory}, an error): this rule is about
 * the pages the tables map, which the walk never reads.
 *
 * <p>Leaves that continue each other, virtually and physically, at the same level and equally
 * outside, form one finding naming the whole physical range.
 */
final class OutsideImageRule implements AuditRule {
  static final String ID = "outside-image";

  private final MemoryImage memory;
  private boolean pending;
  private long vaFirst;
  private long vaLast;
  private long paFirst;
  private long paLast;
  private boolean partly;
  private Level level;
  private long tableFrame;

  OutsideImageRule(MemoryImage memory) {
    this.memory = memory;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public void begin(Context context) {
    pending = false;
  }

  @Override
  public void onEntry(EntryCursor entry, Attributes effective, Context context) {
    if (entry.kind() != EntryKind.LEAF) {
      return;
    }
    long size = entry.level().entrySpan();
    long pa = entry.target();
    if (memory.contains(pa, size)) {
      return;
    }
    boolean part = memory.overlaps(pa, size);
    if (pending && entry.first() == vaLast + 1 && pa == paLast + 1 && entry.level().depth() == level.depth()
        && part == partly) {
      vaLast = entry.last();
      paLast = pa + size - 1;
      return;
    }
    flush(context);
    pending = true;
    vaFirst = entry.first();
    vaLast = entry.last();
    paFirst = pa;
    paLast = pa + size - 1;
    partly = part;
    level = entry.level();
    tableFrame = entry.table().frame();
  }

  @Override
  public void end(Context context) {
    flush(context);
  }

  private void flush(Context context) {
    if (pending) {
      pending = false;
      context.report(Severity.INFO, vaFirst, vaLast, level, tableFrame, "maps physical [" + hex(paFirst) + ", "
          + hex(paLast) + "], " + (partly ? "partly " : "") + "outside the image");
    }
  }
}
