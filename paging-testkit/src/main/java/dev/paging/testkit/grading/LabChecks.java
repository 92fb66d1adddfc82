package dev.paging.testkit.grading;

import static dev.paging.api.Addresses.hex;

import com.google.common.collect.Range;
import com.google.common.collect.RangeSet;
import com.google.common.collect.TreeRangeSet;
import com.google.common.primitives.UnsignedLong;

import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.Level;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.core.VirtualRanges;
import dev.paging.core.Walker;
import dev.paging.fakes.MemorySnapshot;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.ops.ConflictPolicy;
import dev.paging.ops.LeafRun;
import dev.paging.ops.Leaves;
import dev.paging.testkit.PagingFixture;
import dev.paging.testkit.TlbModel;
import dev.paging.testkit.stateful.Generators;
import dev.paging.testkit.stateful.StatefulRunner;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The checks of the lab batteries {@link Batteries#vmprint()} and {@link Batteries#accessed()}:
 * spaces the library builds (random scenarios, shrunk on failure, and fixed ones), each compared
 * with the library's own answer on the same tables.
 */
final class LabChecks {
  private static final long MIB2 = 1L << 21;
  private static final long GIB = 1L << 30;

  private LabChecks() {}

  /** The library's spaces for a scenario of {@code mix}, with {@code check} after every step. */
  static StatefulRunner<PagingSystem> runner(PagingFormat f, PagingScenarios.Mix mix,
      Consumer<PagingSystem> check) {
    return StatefulRunner.of(() -> PagingSystem.create(f, PagingSubmission.library(), mix.sharedKernelHalf()),
        (random, system) -> PagingScenarios.next(random, system, mix), system -> {
          system.check();
          check.accept(system);
        });
  }

  /** A space of the library's with one malformed entry or unfollowable pointer, the address it concerns, and what it is. */
  /**
   * The first address of root entry {@code k}, or of the last root entry when the root has no
   * entry {@code k} (a PAE PDPT has 4).
   */
  static long rootEntry(PagingFormat f, int k) {
    Level root = f.root();
    return f.canonicalAddress((long) Math.min(k, root.entries() - 1) << root.shift());
  }

  /**
   * The format's smallest page: 4 KiB, or an AArch64 granule of 16 or 64 KiB. The checks place
   * their pages in multiples of it, so that one scenario reads alike on every format.
   */
  static long page(PagingFormat f) {
    return Generators.smallestPage(f);
  }

  /** The next page size up: 2 MiB, 4 MiB in 32-bit paging, 32 or 512 MiB with AArch64's larger granules. */
  static long largePage(PagingFormat f) {
    return f.levels().get(f.levels().size() - 2).entrySpan();
  }

  static final class Malformed {
    final PagingSystem system;
    final long va;
    final String what;

    Malformed(PagingSystem system, long va, String what) {
      this.system = system;
      this.va = va;
      this.what = what;
    }
  }

  /**
   * Spaces the MMU must not trust, each with a page mapped: a root entry pointing outside memory,
   * a reserved bit set in the entry at each level on the path to a page, and a table pointer at
   * the last level.
   */
  static List<Malformed> malformedSpaces(PagingFormat f) {
    List<Malformed> out = new ArrayList<>();
    List<Level> levels = f.levels();
    int n = levels.size();
    Attributes permissive = Attributes.readWrite().withExecutable(true).withUser(true);
    Level root = levels.get(0);

    long page = page(f);
    PagingSystem s = PagingSystem.create(f, PagingSubmission.library(), false);
    s.submission().map(VirtualRange.ofLength(rootEntry(f, 5) | 7 * page, page), 9 * page, permissive,
        ConflictPolicy.FAIL);
    long outside = PagingFixture.MEMORY_SIZE + 16 * page;
    root.writeEntry(s.memory(), s.space().root(), 2, f.encodeTable(root, outside, f.tableAttributesFor(permissive)));
    out.add(new Malformed(s, rootEntry(f, 2), "root entry 2 points to a table at " + hex(outside) + ", outside memory"));

    for (int depth = 0; depth < n; depth++) {
      PagingSystem m = PagingSystem.create(f, PagingSubmission.library(), false);
      long va = rootEntry(f, 3) | 5 * page;
      m.submission().map(VirtualRange.ofLength(va, page), 7 * page, permissive, ConflictPolicy.FAIL);
      long table = tableOnPath(m.space(), va, depth);
      Level level = levels.get(depth);
      int index = level.index(va);
      long raw = level.readEntry(m.memory(), table, index);
      for (int bit = level.entryBytes() * 8 - 2; bit >= 0; bit--) {
        long bad = raw | 1L << bit;
        if (bad != raw && f.kind(level, bad) == EntryKind.MALFORMED && f.address(level, bad) == f.address(level, raw)) {
          level.writeEntry(m.memory(), table, index, bad);
          out.add(new Malformed(m, va + 0x123, "the " + level.name() + " entry on the path has reserved bit " + bit
              + " set (" + hex(bad) + ")"));
          break;
        }
      }
    }

    PagingSystem p = PagingSystem.create(f, PagingSubmission.library(), false);
    long va = rootEntry(f, 4);
    p.submission().map(VirtualRange.ofLength(va, page), 9 * page, permissive, ConflictPolicy.FAIL);
    Level last = levels.get(n - 1);
    try {
      long pointer = f.encodeTable(last, p.space().root(), f.tableAttributesFor(permissive));
      if (f.kind(last, pointer) != EntryKind.LEAF) {
        last.writeEntry(p.memory(), tableOnPath(p.space(), va, n - 1), last.index(va), pointer);
        out.add(new Malformed(p, va, "the last-level entry is a table pointer"));
      }
    } catch (IllegalArgumentException e) {
      // The format cannot even encode a pointer at its last level: nothing to check there.
    }
    return out;
  }

  /** The table at {@code depth} on the path to {@code va}, which must exist. */
  static long tableOnPath(AddressSpace space, long va, int depth) {
    PagingFormat f = space.format();
    long table = space.rootFor(va);
    for (int d = 0; d < depth; d++) {
      Level level = f.levels(va).get(d);
      table = f.address(level, level.readEntry(space.memory(), table, level.index(va)));
    }
    return table;
  }

  /** Replays each of {@code scenarios} on a runner's fresh system; the first failure, with its scenario. */
  static void replay(PagingFormat f, StatefulRunner<PagingSystem> runner, List<List<PagingStep>> scenarios) {
    for (List<PagingStep> scenario : scenarios) {
      Optional<Throwable> failed = runner.replay(new ArrayList<>(scenario));
      if (failed.isPresent()) {
        Throwable failure = failed.get();
        List<String> lines = new ArrayList<>();
        scenario.forEach(s -> lines.add(s.toString()));
        throw CheckFailure.of("on " + f.name() + ": " + failure.getMessage(), lines, failure);
      }
    }
  }

  /** Pages at the ends of both halves, of every size that fits there: what {@code edges} checks map. */
  static List<List<PagingStep>> edgeScenarios(PagingFormat f) {
    long lowerTop = f.lowerHalf().last() + 1;
    long upperBottom = f.upperHalf().first();
    long top = f.upperHalf().last();
    Attributes rw = Generators.executableWhereNeeded(f, Attributes.readWrite());
    long large = largePage(f);
    long page = page(f);
    return List.of(
        List.of(PagingStep.map(VirtualRange.ofLength(0, page), 5 * page, rw, ConflictPolicy.FAIL),
            PagingStep.map(VirtualRange.ofLength(lowerTop - page, page), 6 * page, rw, ConflictPolicy.FAIL),
            PagingStep.map(VirtualRange.ofLength(upperBottom, page), 7 * page, rw, ConflictPolicy.FAIL),
            PagingStep.map(VirtualRange.closed(top - page + 1, top), 8 * page, rw, ConflictPolicy.FAIL)),
        List.of(PagingStep.map(VirtualRange.ofLength(lowerTop - large, large), 2 * large, rw, ConflictPolicy.FAIL),
            PagingStep.map(VirtualRange.closed(top - large + 1, top), 3 * large, rw, ConflictPolicy.FAIL)),
        List.of(PagingStep.map(VirtualRange.ofLength(upperBottom, GIB), GIB, rw, ConflictPolicy.FAIL),
            PagingStep.map(VirtualRange.closed(top - GIB + 1, top), 2 * GIB, rw, ConflictPolicy.FAIL)));
  }

  // ---- vmprint

  /** What {@code v} prints of {@code space}, walked over all of it with cursors checked. */
  static String vmprint(VmprintSubmission v, AddressSpace space, boolean byAddress) {
    StringBuilder out = new StringBuilder();
    PageTableVisitor visitor = v.visitor(space.format(), out, byAddress);
    if (visitor == null) {
      throw new AssertionError("visitor(" + space.format().name() + ", out, " + byAddress + ") returned null");
    }
    space.walker().checked(true).walk(space.root(), space.upperRoot(), VirtualRange.all(), visitor);
    return out.toString();
  }

  /**
   * Fails unless {@code v} prints {@code space} as the library's renderer does, naming the first
   * line that differs: exactly, or with {@code entriesOnly} only which entries are printed (each
   * line from its {@code : pte}), so that a check of which entries print does not judge the
   * indentation.
   */
  static void assertPrints(VmprintSubmission v, AddressSpace space, boolean byAddress, boolean entriesOnly,
      String where) {
    String want = vmprint(VmprintSubmission.library(), space, byAddress);
    String got;
    try {
      got = vmprint(v, space, byAddress);
    } catch (RuntimeException e) {
      throw new AssertionError(where + ": the visitor threw " + e, e);
    }
    if (entriesOnly) {
      want = entries(want);
      got = entries(got);
    }
    if (got.equals(want)) {
      return;
    }
    String[] w = want.split("\n", -1);
    String[] g = got.split("\n", -1);
    int line = 0;
    while (line < w.length && line < g.length && w[line].equals(g[line])) {
      line++;
    }
    String expected = line < w.length ? "'" + w[line] + "'" : "the end";
    String printed = line < g.length ? "'" + g[line] + "'" : "the end";
    throw new AssertionError(where + ", " + (byAddress ? "by address" : "by index") + ": line " + (line + 1)
        + " should be " + expected + " but is " + printed + " (" + (w.length - 1) + " lines expected, "
        + (g.length - 1) + " printed)");
  }

  /** Each line of {@code text} from its {@code : pte}, so without the place of its entry. */
  private static String entries(String text) {
    StringBuilder out = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      int pte = line.indexOf(": pte ");
      out.append(pte < 0 ? line : line.substring(pte)).append('\n');
    }
    return out.toString();
  }

  static void vmprintScenarios(List<PagingFormat> formats, VmprintSubmission v, PagingScenarios.Mix mix,
      boolean byAddress) {
    Batteries.scenarios(formats, f -> runner(f, mix,
        s -> assertPrints(v, s.space(), byAddress, false, "after the last step")), mix);
  }

  static void vmprintMalformed(List<PagingFormat> formats, VmprintSubmission v) {
    for (PagingFormat f : formats) {
      for (Malformed m : malformedSpaces(f)) {
        for (boolean byAddress : new boolean[] {false, true}) {
          assertPrints(v, m.system.space(), byAddress, true, "on " + f.name() + ", where " + m.what);
        }
      }
    }
  }

  static void vmprintEdges(List<PagingFormat> formats, VmprintSubmission v) {
    for (PagingFormat f : formats) {
      StatefulRunner<PagingSystem> runner = runner(f, PagingScenarios.Mix.of(PagingScenarios.Operation.MAP_FAIL),
          s -> assertPrints(v, s.space(), true, false, "after the last step"));
      replay(f, runner, edgeScenarios(f));
    }
  }

  // ---- accessed bits

  /** Which aspect of a scan a check judges. */
  enum Aspect {
    REPORT, MEMORY, INVALIDATIONS
  }

  /**
   * The range a check scans after a step: mostly the range the step touched, every third step
   * the whole lower half (deterministic, so that a shrunk scenario scans alike).
   */
  static VirtualRange scanRange(PagingSystem s) {
    List<VirtualRange> recent = s.recent();
    if (recent.isEmpty() || recent.size() % 3 == 0) {
      return s.format().lowerHalf();
    }
    VirtualRange r = recent.get(recent.size() - 1);
    long page = page(s.format());
    return VirtualRange.closed(r.first() & -page, r.last() | (page - 1));
  }

  /**
   * Scans {@code range} of {@code s} with {@code a} and with the library on a copy, judges
   * {@code aspects}, then leaves the tables as the library's scan leaves them (and tells the
   * model), so that one wrong scan does not spoil the steps after it.
   */
  static void assertScans(AccessedSubmission a, PagingSystem s, VirtualRange range, List<Aspect> aspects,
      String where) {
    SimulatedMemory memory = s.memory();
    MemorySnapshot before = memory.snapshot();
    List<VirtualRange> wholeLeaves = accessedLeaves(s.space(), range);
    PagingSystem.Copy copy = s.copyAt(before, s.allocator().state());
    AccessedSubmission.Report want = AccessedSubmission.library().clearAccessed(copy.space, range);
    MemorySnapshot wantAfter = copy.memory.snapshot();
    TlbModel tlb = TlbModel.of(s.space());
    tlb.flushAll();
    tlb.accessAll(range);
    AccessedSubmission.Report got;
    try {
      got = a.clearAccessed(s.space(), range);
    } catch (RuntimeException e) {
      throw new AssertionError(where + ": clearAccessed(" + range + ") threw " + e, e);
    }
    if (got == null) {
      throw new AssertionError(where + ": clearAccessed(" + range + ") returned null");
    }
    if (aspects.contains(Aspect.REPORT)) {
      List<VirtualRange> wanted = union(want.accessed());
      List<VirtualRange> reported = union(got.accessed());
      if (!reported.equals(wanted)) {
        throw new AssertionError(where + ": clearAccessed(" + range + ") reported the pages " + reported
            + " as accessed, but the accessed pages are " + wanted);
      }
    }
    if (aspects.contains(Aspect.MEMORY)) {
      String difference = wantAfter.diff(memory.snapshot());
      if (!difference.isEmpty()) {
        throw new AssertionError(where + ": clearAccessed(" + range + ") left the tables other than clearing the "
            + "accessed bits of the leaves overlapping the range does (expected -> actual): " + difference);
      }
    }
    if (aspects.contains(Aspect.INVALIDATIONS)) {
      for (VirtualRange r : got.invalidations()) {
        tlb.invalidate(r);
      }
      List<String> stale = tlb.staleEntries();
      if (!stale.isEmpty()) {
        throw new AssertionError(where + ": clearAccessed(" + range + ") asked to invalidate " + got.invalidations()
            + ", which leaves " + stale.size() + " stale TLB " + (stale.size() == 1 ? "entry" : "entries")
            + " (a missing invalidation):\n  " + String.join("\n  ", stale));
      }
    }
    restore(memory, wantAfter);
    for (VirtualRange leaf : wholeLeaves) {
      s.model().protect(leaf, x -> x.withAccessed(false));
    }
  }

  /** The whole span of every leaf overlapping {@code range} whose accessed bit is set. */
  private static List<VirtualRange> accessedLeaves(AddressSpace space, VirtualRange range) {
    List<VirtualRange> out = new ArrayList<>();
    Walker.walk(space, range, new PageTableVisitor() {
      @Override
      public Control onEntry(EntryCursor entry) {
        if (entry.kind() == EntryKind.LEAF && entry.attributes().accessed()) {
          out.add(VirtualRange.closed(entry.first(), entry.last()));
        }
        return Control.CONTINUE;
      }
    });
    return out;
  }

  /** Writes {@code memory} back to what {@code wanted} holds, word by word where they differ. */
  private static void restore(SimulatedMemory memory, MemorySnapshot wanted) {
    MemorySnapshot now = memory.snapshot();
    for (long address : now.addresses()) {
      if (now.word(address) != wanted.word(address)) {
        memory.write(address, wanted.word(address));
      }
    }
    for (long address : wanted.addresses()) {
      if (now.word(address) != wanted.word(address)) {
        memory.write(address, wanted.word(address));
      }
    }
  }

  /** {@code ranges} as sorted, disjoint, coalesced ranges. */
  static List<VirtualRange> union(List<VirtualRange> ranges) {
    // Half-open ranges coalesce where closed ones only touch; the top page has no end to open.
    RangeSet<UnsignedLong> set = TreeRangeSet.create();
    for (VirtualRange r : ranges) {
      UnsignedLong first = UnsignedLong.fromLongBits(r.first());
      set.add(r.last() == -1L ? Range.atLeast(first) : Range.closedOpen(first, UnsignedLong.fromLongBits(r.last() + 1)));
    }
    List<VirtualRange> out = new ArrayList<>();
    for (Range<UnsignedLong> r : set.asRanges()) {
      out.add(VirtualRanges.fromGuava(r));
    }
    return out;
  }

  static void accessedScenarios(List<PagingFormat> formats, AccessedSubmission a, PagingScenarios.Mix mix,
      Aspect aspect) {
    Batteries.scenarios(formats, f -> runner(f, mix,
        s -> assertScans(a, s, scanRange(s), List.of(aspect), "after the last step")), mix);
  }

  /**
   * Huge pages cut by the scanned range: a 2 MiB page and, where the format has them, a 1 GiB
   * page, accessed, scanned over two of their smallest pages, and on a fresh space over all of them.
   */
  static void accessedHuge(List<PagingFormat> formats, AccessedSubmission a) {
    for (PagingFormat f : formats) {
      Attributes accessed = Generators.executableWhereNeeded(f, Attributes.readWrite().withAccessed(true));
      long large = largePage(f);
      List<long[]> pages = new ArrayList<>();
      pages.add(new long[] {3 * GIB + 4 * large, large, 6 * large});
      if (Generators.pageSizes(f, 5 * GIB).contains(GIB)) {
        pages.add(new long[] {5 * GIB, GIB, 2 * GIB});
      }
      for (long[] p : pages) {
        VirtualRange leaf = VirtualRange.ofLength(p[0], p[1]);
        long page = page(f);
        for (VirtualRange scanned : List.of(VirtualRange.ofLength(p[0] + 3 * page, 2 * page), leaf)) {
          PagingSystem s = PagingSystem.create(f, PagingSubmission.library(), false);
          s.submission().map(leaf, p[2], accessed, ConflictPolicy.FAIL);
          s.model().map(leaf, p[2], accessed);
          assertScans(a, s, scanned, List.of(Aspect.REPORT, Aspect.MEMORY), "on " + f.name() + ", with a "
              + (p[1] >>> 20) + " MiB page at " + hex(p[0]) + " accessed, scanning " + scanned);
          s.check();
        }
      }
    }
  }

  // ---- map

  /**
   * After a map: if the range the step touched is mapped whole with one offset (so by one map),
   * every leaf in it is the largest page that fits there: no larger page size has its block
   * around the leaf inside the range with the virtual and physical addresses both aligned to it.
   */
  static void assertLargestPages(PagingSystem s) {
    List<VirtualRange> recent = s.recent();
    if (recent.isEmpty()) {
      return;
    }
    VirtualRange r = recent.get(recent.size() - 1);
    List<LeafRun> runs = Leaves.of(s.space(), r);
    if (runs.isEmpty()) {
      return;
    }
    long offset = runs.get(0).physicalAddressOf(runs.get(0).range().first()) - runs.get(0).range().first();
    long next = r.first();
    for (LeafRun run : runs) {
      // Leaves are listed clipped to the range: one reaching outside it is no leaf of a map of it.
      boolean whole = (run.range().first() & (run.pageSize() - 1)) == 0
          && ((run.range().last() + 1) & (run.pageSize() - 1)) == 0;
      if (!whole || run.range().first() != next || run.physicalAddressOf(next) - next != offset) {
        return;
      }
      next = run.range().last() + 1;
    }
    if (Long.compareUnsigned(next - 1, r.last()) < 0) {
      return;
    }
    for (LeafRun run : runs) {
      // The sizes of the run's own half: where the halves' geometries differ, a 2 MiB block of the
      // 4 KiB half is no page of the 64 KiB one.
      List<Long> sizes = Generators.pageSizes(s.format(), run.range().first());
      long size = run.pageSize();
      for (long va = run.range().first(); ; va += size) {
        for (long bigger : sizes) {
          long block = va & -bigger;
          if (bigger > size && Long.compareUnsigned(block, r.first()) >= 0
              && Long.compareUnsigned(block + bigger - 1, r.last()) <= 0 && (offset & (bigger - 1)) == 0) {
            throw new AssertionError("after mapping " + r + ": " + hex(va) + " is mapped by a " + sizeName(size)
                + " page, but a " + sizeName(bigger) + " page fits at " + hex(block) + " (virtual and physical "
                + "addresses aligned, inside the range)");
          }
        }
        if (va + size - 1 == run.range().last()) {
          break;
        }
      }
    }
  }

  private static String sizeName(long size) {
    return size >= GIB ? (size / GIB) + " GiB" : size >= MIB2 / 2 ? (size >> 20) + " MiB" : (size >> 10) + " KiB";
  }

  static void mapScenarios(List<PagingFormat> formats, MapSubmission m, PagingScenarios.Mix mix,
      Set<MapAdapter.Part> parts, boolean largest) {
    PagingSubmission.Factory factory = MapAdapter.of(m, parts);
    Batteries.scenarios(formats, f -> largest ? StatefulRunner.of(
        () -> PagingSystem.create(f, factory, false),
        (random, system) -> PagingScenarios.next(random, system, mix), system -> {
          system.check();
          assertLargestPages(system);
        }) : PagingScenarios.runner(f, factory, mix), mix);
  }

  static void mapEdges(List<PagingFormat> formats, MapSubmission m) {
    for (PagingFormat f : formats) {
      PagingSubmission.Factory factory = MapAdapter.of(m, EnumSet.allOf(MapAdapter.Part.class));
      PagingScenarios.Mix newMaps = PagingScenarios.Mix.of(PagingScenarios.Operation.MAP_FAIL);
      StatefulRunner<PagingSystem> runner = StatefulRunner.of(() -> PagingSystem.create(f, factory, false),
          (random, system) -> PagingScenarios.next(random, system, newMaps), PagingSystem::check);
      List<List<PagingStep>> scenarios = new ArrayList<>();
      for (List<PagingStep> maps : edgeScenarios(f)) {
        // Each edge mapped, then unmapped again.
        List<PagingStep> both = new ArrayList<>(maps);
        for (PagingStep step : maps) {
          both.add(PagingStep.unmap(step.touched()));
        }
        scenarios.add(both);
      }
      replay(f, runner, scenarios);
    }
  }
}
