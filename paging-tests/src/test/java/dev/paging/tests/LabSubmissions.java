package dev.paging.tests;

import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryProblem;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import dev.paging.api.TableCursor;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.core.Walker;
import dev.paging.ops.ConflictPolicy;
import dev.paging.ops.MapOptions;
import dev.paging.ops.MapResult;
import dev.paging.ops.PageTables;
import dev.paging.testkit.grading.AccessedSubmission;
import dev.paging.testkit.grading.MapSubmission;
import dev.paging.testkit.grading.PagingSubmission;
import dev.paging.testkit.grading.VmprintSubmission;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The labs as students write them: a vmprint visitor and an accessed-bit scanner written
 * independently of the library, mmu_map and mmu_unmap over its operations, each correct, and
 * subclasses that each carry one typical bug.
 */
final class LabSubmissions {
  private LabSubmissions() {}

  /** vmprint as a student writes it: a line per present entry, indented by depth. */
  static class Vmprint implements VmprintSubmission {
    /** The place of an entry at the start of its line. */
    String place(EntryCursor e, boolean byAddress) {
      StringBuilder s = new StringBuilder();
      int depth = e.level().depth();
      if (byAddress) {
        s.append(" ..".repeat(depth + 1)).append(String.format("0x%016x", e.first()));
      } else {
        s.append("..").append(" ..".repeat(depth)).append(e.index());
      }
      return s.toString();
    }

    /** Whether an entry the walker will not follow is printed. */
    boolean printsMalformed() {
      return true;
    }

    @Override
    public PageTableVisitor visitor(PagingFormat format, Appendable out, boolean byAddress) {
      return new PageTableVisitor() {
        @Override
        public Control beforeTable(TableCursor table) {
          if (table.level().depth() == 0) {
            print(String.format("page table 0x%016x", table.frame()));
          }
          return Control.CONTINUE;
        }

        @Override
        public Control onEntry(EntryCursor entry) {
          if (entry.kind() != EntryKind.NOT_PRESENT) {
            line(entry);
          }
          return Control.CONTINUE;
        }

        @Override
        public Control onMalformed(EntryCursor entry, EntryProblem problem) {
          if (printsMalformed()) {
            line(entry);
          }
          return Control.CONTINUE;
        }

        private void line(EntryCursor e) {
          print(String.format("%s: pte 0x%016x pa 0x%016x", place(e, byAddress), e.raw(),
              format.address(e.level(), e.raw())));
        }

        private void print(String line) {
          try {
            out.append(line).append('\n');
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };
    }
  }

  /** Indents a root entry like the others: " ..0:" where xv6 prints "..0:". */
  static final class VmprintIndentedOneDeeper extends Vmprint {
    @Override
    String place(EntryCursor e, boolean byAddress) {
      return byAddress ? super.place(e, true) : " .." + super.place(e, false).substring(2);
    }
  }

  /** Prints an upper-half address without its sign extension: the low 48 bits only. */
  static final class VmprintAddressWithoutSignExtension extends Vmprint {
    @Override
    String place(EntryCursor e, boolean byAddress) {
      return byAddress ? " ..".repeat(e.level().depth() + 1) + String.format("0x%016x", e.first() & 0xffff_ffff_ffffL)
          : super.place(e, false);
    }
  }

  /** Prints in onEntry only, so malformed entries vanish from the dump. */
  static final class VmprintSkipsMalformed extends Vmprint {
    @Override
    boolean printsMalformed() {
      return false;
    }
  }

  /** pgaccess as a student writes it: walk, clear each accessed leaf's bit, report and invalidate it. */
  static class Accessed implements AccessedSubmission {
    /** The attributes a scanned leaf is left with. */
    Attributes cleared(Attributes a) {
      return a.withAccessed(false);
    }

    /** Whether a leaf of this entry is scanned at all. */
    boolean scans(EntryCursor leaf) {
      return true;
    }

    /** Whether the changed leaves are reported for invalidation. */
    boolean invalidates() {
      return true;
    }

    @Override
    public Report clearAccessed(AddressSpace space, VirtualRange range) {
      PagingFormat f = space.format();
      List<VirtualRange> accessed = new ArrayList<>();
      Walker.walk(space, range, new PageTableVisitor() {
        @Override
        public Control onEntry(EntryCursor e) {
          if (e.kind() == EntryKind.LEAF && scans(e) && e.attributes().accessed()) {
            e.write(f.encodeLeaf(e.level(), e.target(), cleared(e.attributes())));
            accessed.add(range.clip(VirtualRange.closed(e.first(), e.last())).orElseThrow());
          }
          return Control.CONTINUE;
        }
      });
      return Report.of(accessed, invalidates() ? accessed : List.of());
    }
  }

  /** Reports the accessed pages but never clears a bit. */
  static final class AccessedKeepsBits extends Accessed {
    @Override
    Attributes cleared(Attributes a) {
      return a;
    }
  }

  /** Clears the bits and forgets that cached translations keep them set. */
  static final class AccessedWithoutInvalidations extends Accessed {
    @Override
    boolean invalidates() {
      return false;
    }
  }

  /** Clears the dirty bit too: the page's changes would never be written back. */
  static final class AccessedClearsDirtyToo extends Accessed {
    @Override
    Attributes cleared(Attributes a) {
      return a.withAccessed(false).withDirty(false);
    }
  }

  /** Scans only last-level leaves, as xv6's 4 KiB-only pgaccess does. */
  static final class AccessedSmallPagesOnly extends Accessed {
    @Override
    boolean scans(EntryCursor leaf) {
      return leaf.level().entrySpan() == 4096;
    }
  }

  /** mmu_map and mmu_unmap over the library's operations: correct. Each subclass adds one bug. */
  static class Map implements MapSubmission {
    MapOptions options() {
      return MapOptions.defaults().withConflictPolicy(ConflictPolicy.REPLACE);
    }

    @Override
    public PagingSubmission.Outcome map(AddressSpace space, VirtualRange range, long physicalStart,
        Attributes attributes) {
      MapResult r = PageTables.of(space).map(range, physicalStart, attributes, options());
      return PagingSubmission.Outcome.of(r.plan(), r.pendingFrees());
    }

    @Override
    public PagingSubmission.Outcome unmap(AddressSpace space, VirtualRange range) {
      return PagingSubmission.Outcome.of(PageTables.of(space).unmap(range).plan());
    }

    /** {@code range} widened to the whole of every leaf it overlaps. */
    static VirtualRange wholeLeaves(AddressSpace space, VirtualRange range) {
      long[] ends = {range.first(), range.last()};
      Walker.walk(space, range, new PageTableVisitor() {
        @Override
        public Control onEntry(EntryCursor e) {
          if (e.kind() == EntryKind.LEAF) {
            ends[0] = Long.compareUnsigned(e.first(), ends[0]) < 0 ? e.first() : ends[0];
            ends[1] = Long.compareUnsigned(e.last(), ends[1]) > 0 ? e.last() : ends[1];
          }
          return Control.CONTINUE;
        }
      });
      return VirtualRange.closed(ends[0], ends[1]);
    }
  }

  /** Maps everything with 4 KiB pages. */
  static final class MapSmallPagesOnly extends Map {
    @Override
    MapOptions options() {
      return super.options().withPageSize(4096);
    }
  }

  /** Replacing part of a huge page, unmaps all of it first: the rest of it is lost. */
  static final class MapLosesTheRestOfAHugePage extends Map {
    @Override
    public PagingSubmission.Outcome map(AddressSpace space, VirtualRange range, long physicalStart,
        Attributes attributes) {
      VirtualRange whole = wholeLeaves(space, range);
      List<VirtualRange> stale = new ArrayList<>(PageTables.of(space).unmap(whole).plan().ranges());
      PagingSubmission.Outcome mapped = super.map(space, range, physicalStart, attributes);
      stale.addAll(mapped.invalidations());
      return PagingSubmission.Outcome.of(stale, mapped.pendingFrees());
    }
  }

  /** Unmaps the whole of every huge page the range touches. */
  static final class UnmapWholeHugePages extends Map {
    @Override
    public PagingSubmission.Outcome unmap(AddressSpace space, VirtualRange range) {
      return super.unmap(space, wholeLeaves(space, range));
    }
  }

  /** Replaces mappings and tells the caller to invalidate nothing. */
  static final class MapWithoutInvalidations extends Map {
    @Override
    public PagingSubmission.Outcome map(AddressSpace space, VirtualRange range, long physicalStart,
        Attributes attributes) {
      return PagingSubmission.Outcome.of(List.of(), super.map(space, range, physicalStart, attributes).pendingFrees());
    }
  }
}
