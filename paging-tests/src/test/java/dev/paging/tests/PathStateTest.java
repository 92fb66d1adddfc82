package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.Level;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import dev.paging.api.TableCursor;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.core.SharedTables;
import dev.paging.core.Walker;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the cursor knows about the path: each entry's effective attributes (the MMU's rule, applied
 * down the levels) and whether the current table is shared.
 */
class PathStateTest {
  /** The leaves' effective attributes as a walk sees them, as "address writable user executable". */
  private static List<String> effectiveLeaves(Walker walker, long root, VirtualRange range) {
    List<String> seen = new ArrayList<>();
    walker.walk(root, range, new PageTableVisitor() {
      @Override
      public Control onEntry(EntryCursor entry) {
        if (entry.kind() == EntryKind.LEAF) {
          Attributes a = entry.effectiveAttributes();
          seen.add(Long.toHexString(entry.first()) + (a.writable() ? " w" : " -") + (a.user() ? "u" : "-")
              + (a.executable() ? "x" : "-"));
        }
        return Control.CONTINUE;
      }
    });
    return seen;
  }

  @Test
  void onX86WritableAndUserAreAndedAndExecuteDisableIsOredDownThePath() {
    PagingFormat format = Formats.x86_64();
    Trees t = Trees.of(format);
    Attributes all = Attributes.readWrite().withUser(true).withExecutable(true);
    t.leaf(0x1000, 3, 0x10_0000, all);
    t.leaf(0x4000_0000L, 3, 0x11_0000, all);
    t.leaf(0x8000_0000L, 3, 0x12_0000, all);
    // Above the second leaf a PD entry that is read-only and supervisor; above the third a PDPT
    // entry that forbids execution.
    Level pd = t.level(2);
    Level pdpt = t.level(1);
    t.raw(0x4000_0000L, 2, format.encodeTable(pd, t.table(0x4000_0000L, 3), Attributes.readOnly().withExecutable(true)));
    t.raw(0x8000_0000L, 1, format.encodeTable(pdpt, t.table(0x8000_0000L, 2),
        Attributes.readWrite().withUser(true).withExecutable(false)));
    assertThat(effectiveLeaves(t.space.walker(), t.root(), VirtualRange.all()))
        .containsExactly("1000 wux", "40000000 --x", "80000000 wu-");
  }

  @Test
  void onRiscVLeavesDecideAlone() {
    PagingFormat format = Formats.sv39();
    Trees t = Trees.of(format);
    t.leaf(0x1000, 2, 0x10_0000, Attributes.readOnly().withUser(true));
    t.leaf(0x20_0000, 1, 0x20_0000, Attributes.readWrite().withExecutable(true));
    assertThat(effectiveLeaves(t.space.walker(), t.root(), VirtualRange.all()))
        .containsExactly("1000 -u-", "200000 w-x");
  }

  @Test
  void aParentRewrittenThroughItsCursorIsWhatTheEntriesBelowItSee() {
    PagingFormat format = Formats.x86_64();
    Trees t = Trees.of(format);
    t.leaf(0x20_1000, 3, 0x10_0000, Attributes.readWrite());
    t.leaf(0x20_2000, 3, 0x11_0000, Attributes.readWrite());
    Level pd = t.level(2);
    List<String> seen = new ArrayList<>();
    // After the first leaf, makes the PD entry above both read-only, in the middle of its table.
    Walker walker = t.space.walker();
    walker.walk(t.root(), VirtualRange.all(), new PageTableVisitor() {
      @Override
      public Control onEntry(EntryCursor entry) {
        if (entry.kind() == EntryKind.LEAF) {
          seen.add(Long.toHexString(entry.first()) + (entry.effectiveAttributes().writable() ? " w" : " -"));
          EntryCursor parent = entry.table().parent();
          parent.write(format.encodeTable(pd, parent.target(), Attributes.readOnly()));
        }
        return Control.CONTINUE;
      }
    });
    assertThat(seen).containsExactly("201000 w", "202000 -");
  }

  @Test
  void aTableIsSharedWhenItOrATableAboveItIsRecorded() {
    Trees t = Trees.of(Formats.x86_64());
    t.leaf(0x1000, 3, 0x10_0000);
    t.leaf(0xffff_8000_0000_1000L, 3, 0x11_0000);
    long kernelPdpt = t.table(0xffff_8000_0000_1000L, 1);
    SharedTables registry = SharedTables.create();
    registry.share(kernelPdpt);
    List<String> shared = new ArrayList<>();
    PageTableVisitor recorder = new PageTableVisitor() {
      @Override
      public Control beforeTable(TableCursor table) {
        shared.add(table.level() + (table.shared() ? " shared" : ""));
        return Control.CONTINUE;
      }
    };
    Walker.of(t.format, t.memory).sharedTables(registry).walk(t.root(), VirtualRange.all(), recorder);
    assertThat(shared).containsExactly("PML4", "PDPT", "PD", "PT", "PDPT shared", "PD shared", "PT shared");
    shared.clear();
    Walker.of(t.format, t.memory).walk(t.root(), VirtualRange.all(), recorder);
    assertThat(shared).containsExactly("PML4", "PDPT", "PD", "PT", "PDPT", "PD", "PT");
  }
}
