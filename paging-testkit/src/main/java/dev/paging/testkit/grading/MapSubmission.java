package dev.paging.testkit.grading;

import dev.paging.api.Attributes;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.ops.ConflictPolicy;
import dev.paging.ops.MapOptions;
import dev.paging.ops.MapResult;
import dev.paging.ops.PageTables;

/**
 * The contract of the OS-dev forum's {@code mmu_map} and {@code mmu_unmap}, as a student writes
 * them: map a range to physical memory and unmap it, in any format. {@link Batteries#map()}
 * grades an implementation; every other operation its scenarios need is the library's.
 *
 * <p>What a correct implementation does, as {@link PageTables} documents:
 *
 * <ul>
 *   <li>{@code map} maps every page of {@code range} (4 KiB aligned) to {@code physicalStart}
 *       plus its offset, with {@code attributes}, using at each address the largest page the
 *       format allows there whose virtual and physical addresses are both aligned to it and which
 *       lies inside the range; what the range mapped before is replaced, and a huge page the
 *       range covers only in part is smashed first, so that the rest of it keeps its mapping;
 *       tables it needs come from {@code space.allocator()}, tables the replacement unlinks are
 *       returned to be freed after the invalidations;
 *   <li>{@code unmap} unmaps every page of {@code range}, smashing a huge page it covers only in
 *       part; the tables it empties may stay;
 *   <li>both return the ranges whose cached translations they made stale, and are all-or-nothing
 *       when the allocator runs out.
 * </ul>
 */
public interface MapSubmission {
  /** Maps {@code range} to {@code physicalStart} with {@code attributes}, replacing what it maps now. */
  PagingSubmission.Outcome map(AddressSpace space, VirtualRange range, long physicalStart, Attributes attributes);

  /** Unmaps {@code range}. */
  PagingSubmission.Outcome unmap(AddressSpace space, VirtualRange range);

  /** The library's {@link PageTables#map} (replacing) and {@link PageTables#unmap}: the reference. */
  static MapSubmission library() {
    return new MapSubmission() {
      @Override
      public PagingSubmission.Outcome map(AddressSpace space, VirtualRange range, long physicalStart,
          Attributes attributes) {
        MapResult r = PageTables.of(space).map(range, physicalStart, attributes,
            MapOptions.defaults().withConflictPolicy(ConflictPolicy.REPLACE));
        return PagingSubmission.Outcome.of(r.plan(), r.pendingFrees());
      }

      @Override
      public PagingSubmission.Outcome unmap(AddressSpace space, VirtualRange range) {
        return PagingSubmission.Outcome.of(PageTables.of(space).unmap(range).plan());
      }

      @Override
      public String toString() {
        return "the library's map and unmap";
      }
    };
  }
}
