package dev.paging.testkit;

import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.core.Walker;

/** Walks the leaves of a space with their effective attributes: what the hardware would use. */
final class Leaves {
  interface Sink {
    void leaf(long first, long last, long physical, Attributes effective);
  }

  private Leaves() {}

  static void forEach(AddressSpace space, VirtualRange range, Sink sink) {
    PagingFormat format = space.format();
    Attributes[] above = new Attributes[format.levels().size()];
    Walker.walk(space, range, new PageTableVisitor() {
      @Override
      public Control onEntry(EntryCursor e) {
        int d = e.level().depth();
        if (e.kind() == EntryKind.TABLE || e.kind() == EntryKind.LEAF) {
          Attributes a = d == 0 ? e.attributes() : format.effective(above[d - 1], e.attributes());
          if (e.kind() == EntryKind.TABLE) {
            above[d] = a;
          } else {
            sink.leaf(e.first(), e.last(), e.target(), a);
          }
        }
        return Control.CONTINUE;
      }
    });
  }
}
