package dev.paging.ops;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryProblem;
import dev.paging.api.HoleCursor;
import dev.paging.api.Level;
import dev.paging.api.MalformedTableException;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PhysicalMemory;
import dev.paging.core.AddressSpace;

/**
 * Creates address spaces that share the kernel half of a template: the root entries of the
 * upper canonical half (x86-64 PML4 or PML5 entries 256-511, the upper half of a RISC-V root)
 * point to the template's tables, so whatever is mapped below them, through any of the spaces, is
 * seen by all.
 *
 * <p>Sharing works below the root only: a root entry is a copy in each space. So that a later
 * kernel mapping never needs a new root entry (which the other spaces' roots would lack, the
 * forum thread's "page fault might happen in kernel range"), every kernel-half root entry of the
 * template is given a table the first time a space shares it, as real kernels do (Linux on
 * x86-64 preallocates the second-level tables of its vmalloc area for this reason,
 * preallocate_vmalloc_pages; here it is the whole kernel half: 256 tables, 1 MiB). New root
 * entries are made permissive (read, write, execute, user on x86) so that the leaves below always
 * govern and the entries never need widening, which could not reach the other roots.
 *
 * <p>Where each half has its own root (AArch64), the new space gets an empty TTBR0 root and the
 * template's TTBR1 root itself, recorded as shared, as Linux points every process's TTBR1_EL1 at
 * one table (swapper_pg_dir). Nothing is preallocated then, which matters there: a 64 KiB
 * granule with a 42-bit upper half has 8,192 root entries, and copying them would cost 512 MiB of
 * tables. Any root entry may be shared so, a block or a marker as well as a table, and a kernel
 * mapping made later through any space writes the one root all of them use.
 */
final class KernelHalf {
  private KernelHalf() {}

  static AddressSpace share(AddressSpace template) {
    if (template.format().rootPerHalf()) {
      return shareUpperRoot(template);
    }
    // The kernel half's levels: the upper half's, where the halves' geometries differ.
    FormatLayout g = new FormatLayout(template).half(-1L);
    Level rootLevel = g.levels[0];
    int from = rootLevel.index(g.format.upperHalf().first());
    int count = rootLevel.entries() - from;
    long[] tables = new long[count];
    int[] missing = new int[count];
    int[] missingCount = new int[1];
    PageTableVisitor reader = new PageTableVisitor() {
      @Override
      public Control onEntry(EntryCursor e) {
        if (e.kind() != EntryKind.TABLE) {
          throw new IllegalArgumentException("cannot share the kernel half of " + template + ": root entry "
              + e.index() + " for " + hex(e.first()) + " is " + (e.kind() == EntryKind.LEAF ? "a leaf " : "a not-present marker ")
              + hex(e.raw()) + ", and only tables can be shared; smash or unmap it first");
        }
        tables[e.index() - from] = e.target();
        return Control.SKIP_SUBTREE;
      }

      @Override
      public Control onHole(HoleCursor h) {
        for (int i = h.firstIndex(); i <= h.lastIndex(); i++) {
          missing[missingCount[0]++] = i;
        }
        return Control.CONTINUE;
      }

      @Override
      public Control onMalformed(EntryCursor e, EntryProblem problem) {
        throw new MalformedTableException("cannot share the kernel half of " + template + ": root entry "
            + e.index() + " " + hex(e.raw()) + " is malformed (" + problem + ")");
      }
    };
    template.walker().walk(template.root(), template.upperRoot(), g.format.upperHalf(), reader);
    int n = missingCount[0];
    Attributes permissive = g.format.tableAttributesFor(
        Attributes.readWrite().withExecutable(true).withUser(true));
    g.format.encodeTable(rootLevel, 0, permissive);
    PhysicalMemory memory = g.memory;
    FrameRules rules = new FrameRules(g);
    for (long table : tables) {
      if (table != 0) {
        rules.table(table);
      }
    }
    FramePool pool = FramePool.allocate(template.allocator(), memory, 1L + n, rules);
    Journal journal = new Journal(memory);
    journal.start();
    long root;
    long templateRoot = template.root();
    try {
      root = pool.take();
      for (int k = 0; k < n; k++) {
        long table = pool.take();
        g.levels[1].clearTable(memory, table);
        int i = missing[k];
        journal.write(rootLevel, templateRoot, i, 0, g.format.encodeTable(rootLevel, table, permissive));
        tables[i - from] = table;
      }
      rootLevel.clearTable(memory, root);
      for (int i = from; i < rootLevel.entries(); i++) {
        rootLevel.writeEntry(memory, root, i, rootLevel.readEntry(memory, templateRoot, i));
      }
      pool.finish();
    } catch (RuntimeException | Error e) {
      throw journal.abort(e, "sharing the kernel half of " + template, pool, g.format.upperHalf().first(),
          g.format.upperHalf().last(), true);
    }
    for (long table : tables) {
      template.sharedTables().share(table);
    }
    return AddressSpace.of(g.format, memory, template.allocator(), root, template.sharedTables());
  }

  /** The new space's TTBR1 is the template's: one root table, recorded as shared. */
  private static AddressSpace shareUpperRoot(AddressSpace template) {
    long upperRoot = template.upperRoot();
    if (upperRoot == AddressSpace.NO_ROOT) {
      throw new IllegalArgumentException("cannot share the kernel half of " + template
          + ": it has no root for the upper half");
    }
    FormatLayout g = new FormatLayout(template).half(0);
    FramePool pool = FramePool.allocate(template.allocator(), g.memory, 1, new FrameRules(g));
    long root;
    try {
      root = pool.take();
      g.levels[0].clearTable(g.memory, root);
      pool.finish();
    } catch (RuntimeException | Error e) {
      // Only the new root was written: the frame goes back and the template is as it was.
      pool.giveBackAll(e);
      throw e;
    }
    template.sharedTables().share(upperRoot);
    return AddressSpace.of(g.format, g.memory, template.allocator(), root, upperRoot, template.sharedTables());
  }
}
