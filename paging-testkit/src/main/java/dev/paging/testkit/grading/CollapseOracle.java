package dev.paging.testkit.grading;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryKind;
import dev.paging.api.Level;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import dev.paging.api.TableCursor;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.core.Walker;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the tables a collapse of a range should have replaced and did not: tables wholly inside
 * the range, neither the root nor shared, under a level that may hold a leaf, whose entries are
 * all leaves mapping one block aligned to the table's span with identical attributes, and whose
 * huge leaf the format can encode. After a correct collapse there are none.
 */
final class CollapseOracle {
  private CollapseOracle() {}

  /** One line per table that is still collapsible. */
  static List<String> collapsible(AddressSpace space, VirtualRange range) {
    PagingFormat format = space.format();
    List<String> found = new ArrayList<>();
    Walker.walk(space, range, new PageTableVisitor() {
      @Override
      public Control afterTable(TableCursor t) {
        int d = t.level().depth();
        if (d == 0 || !t.fullyInRange() || space.sharedTables().isShared(t.frame())) {
          return Control.CONTINUE;
        }
        Level up = t.parent().level();
        Level level = t.level();
        if (!up.leafAllowed()) {
          return Control.CONTINUE;
        }
        long first = t.read(0);
        if (format.kind(level, first) != EntryKind.LEAF) {
          return Control.CONTINUE;
        }
        long base = format.address(level, first);
        Attributes attributes = format.attributes(level, first);
        if ((base & (up.entrySpan() - 1)) != 0) {
          return Control.CONTINUE;
        }
        for (int i = 1; i < level.entries(); i++) {
          long raw = t.read(i);
          if (format.kind(level, raw) != EntryKind.LEAF || format.address(level, raw) != base + i * level.entrySpan()
              || !format.attributes(level, raw).equals(attributes)) {
            return Control.CONTINUE;
          }
        }
        try {
          format.encodeLeaf(up, base, format.effective(format.attributes(up, t.parent().raw()), attributes));
        } catch (IllegalArgumentException e) {
          return Control.CONTINUE;
        }
        found.add(level.name() + " table " + hex(t.frame()) + " for [" + hex(t.first()) + ", " + hex(t.last())
            + "] maps " + hex(base) + " alike in all its entries (" + attributes + ") and could be one leaf");
        return Control.CONTINUE;
      }
    });
    return found;
  }
}
