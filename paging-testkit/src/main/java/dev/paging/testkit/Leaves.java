package dev.paging.testkit;

import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.Level;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.core.Walker;
import java.util.List;

/** Walks the leaves of a space with their effective attributes: what the hardware would use. */
final class Leaves {
  interface Sink {
    void leaf(long first, long last, long physical, Attributes effective);
  }

  private Leaves() {}

  static void forEach(AddressSpace space, VirtualRange range, Sink sink) {
    Walker.walk(space, range, visitor(space.format(), sink));
  }

  /** A visitor, for one walk of a space of {@code format}, that hands each leaf to {@code sink}. */
  static PageTableVisitor visitor(PagingFormat format, Sink sink) {
    List<Level> levels = format.levels();
    List<Level> upperLevels = format.levels(-1L);
    int n = Math.max(levels.size(), upperLevels.size());
    Attributes[] above = new Attributes[n];
    // Neighbouring entries differ only in their address bits, so decoding is done once per run
    // of entries of one kind whose other bits agree (and whose parents' effective attributes are
    // the same). Leaves and tables have masks of their own: x86 bit 12 is an address bit in a
    // table entry but PAT in a huge leaf.
    // Per half (where the halves' geometries differ, the upper half's levels are others) and depth.
    long[][] leafBits = new long[2][n];
    long[][] tableBits = new long[2][n];
    long[] lastKey = new long[n];
    EntryKind[] lastKind = new EntryKind[n];
    Attributes[] lastAbove = new Attributes[n];
    Attributes[] lastEffective = new Attributes[n];
    int[] lastHalf = new int[n];
    for (int h = 0; h < 2; h++) {
      List<Level> half = h == 0 ? levels : upperLevels;
      for (int d = 0; d < half.size(); d++) {
        leafBits[h][d] = leafAddressBits(format, half.get(d));
        tableBits[h][d] = tableAddressBits(format, half.get(d));
      }
    }
    boolean oneGeometry = upperLevels == levels;
    return new PageTableVisitor() {
      @Override
      public Control onEntry(EntryCursor e) {
        EntryKind kind = e.kind();
        if (kind != EntryKind.TABLE && kind != EntryKind.LEAF) {
          return Control.CONTINUE;
        }
        int d = e.level().depth();
        int h = oneGeometry || format.levels(e.first()) == levels ? 0 : 1;
        Attributes up = d == 0 ? null : above[d - 1];
        long key = e.raw() & ~(kind == EntryKind.LEAF ? leafBits[h][d] : tableBits[h][d]);
        Attributes a;
        if (lastEffective[d] != null && key == lastKey[d] && kind == lastKind[d] && lastAbove[d] == up
            && lastHalf[d] == h) {
          a = lastEffective[d];
        } else {
          a = d == 0 ? e.attributes() : format.effective(up, e.attributes());
          lastKey[d] = key;
          lastKind[d] = kind;
          lastAbove[d] = up;
          lastHalf[d] = h;
          lastEffective[d] = a;
        }
        if (kind == EntryKind.TABLE) {
          above[d] = a;
        } else {
          sink.leaf(e.first(), e.last(), e.target(), a);
        }
        return Control.CONTINUE;
      }
    };
  }

  /**
   * The bits of a leaf at {@code level} that hold its physical address, found by encoding the
   * lowest and the highest address; 0 (no caching) if the format refuses the probe.
   */
  private static long leafAddressBits(PagingFormat format, Level level) {
    if (!level.leafAllowed()) {
      return 0;
    }
    long highest = (1L << format.physicalAddressBits(level)) - 1;
    Attributes probe = Attributes.readExecute();
    try {
      return format.encodeLeaf(level, 0, probe) ^ format.encodeLeaf(level, highest & -level.entrySpan(), probe);
    } catch (IllegalArgumentException e) {
      return 0;
    }
  }

  /** The bits of a table entry at {@code level} that hold the table's address; 0 if none. */
  private static long tableAddressBits(PagingFormat format, Level level) {
    // No table address is wider than its entry (32-bit paging: 32 bits, whatever PSE-36 allows leaves).
    long highest = (1L << Math.min(format.physicalAddressBits(), 8 * level.entryBytes() - 1)) - 1;
    Attributes probe = Attributes.readExecute();
    try {
      return format.encodeTable(level, 0, probe) ^ format.encodeTable(level, highest & -4096L, probe);
    } catch (IllegalArgumentException e) {
      return 0;
    }
  }
}
