package dev.paging.example;

import dev.paging.api.EntryKind;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import dev.paging.core.AddressSpace;
import dev.paging.testkit.grading.TranslateSubmission;
import java.util.List;

/**
 * A student's translation, written the way a lab asks for it: read one entry per level from the
 * root down, stop at the first leaf, and trust nothing on the way (a malformed entry, a table
 * outside memory, or a table pointer at the last level all mean the address is not mapped). An
 * entry pointing back to a table above is followed like any other, as the MMU does: the loop
 * ends after the format's levels whatever the tables hold.
 */
public final class StudentTranslator implements TranslateSubmission {
  private static final long TABLE_SIZE = 4096;

  @Override
  public long translate(AddressSpace space, long virtualAddress) {
    PagingFormat format = space.format();
    if (!format.isCanonical(virtualAddress)) {
      throw new IllegalArgumentException("not a canonical address: 0x" + Long.toHexString(virtualAddress));
    }
    List<Level> levels = format.levels();
    long table = space.root();
    for (int depth = 0; depth < levels.size(); depth++) {
      if (!space.memory().contains(table, TABLE_SIZE)) {
        return NOT_MAPPED;
      }
      Level level = levels.get(depth);
      long raw = space.memory().read(table + 8L * level.index(virtualAddress));
      EntryKind kind = format.kind(level, raw);
      if (kind == EntryKind.LEAF) {
        return format.address(level, raw) | (virtualAddress & (level.entrySpan() - 1));
      }
      if (kind != EntryKind.TABLE) {
        return NOT_MAPPED; // empty, not present or malformed
      }
      table = format.address(level, raw);
    }
    return NOT_MAPPED; // a table pointer at the last level
  }
}
