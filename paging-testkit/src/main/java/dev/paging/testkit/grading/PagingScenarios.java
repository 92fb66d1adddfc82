package dev.paging.testkit.grading;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Addresses;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.Aarch64Options;
import dev.paging.core.Formats;
import dev.paging.ops.ConflictPolicy;
import dev.paging.ops.ReclaimMode;
import dev.paging.ops.Translator;
import dev.paging.testkit.ReferenceModel;
import dev.paging.testkit.stateful.Generators;
import dev.paging.testkit.stateful.StatefulRunner;
import dev.paging.testkit.stateful.Step;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * Random paging scenarios for the {@link StatefulRunner}: sequences of {@link PagingStep}s
 * against a {@link PagingSystem}, drawn from a {@link Mix} of operations, in any format.
 *
 * <p>Steps aim where bugs live. Four in ten ranges are cut from a mapping the model holds (the
 * whole of it, one page of it, a range across one of its ends or aligned inside it), so that
 * replacing, unmapping and protecting split huge pages; three in ten come from a range a recent
 * step touched (the same, its first page, shifted, or widened to the span of a table, which is
 * what reclaim and collapse need); two in ten start at an {@link Generators#address edge
 * address} (the canonical boundaries, the top page, a level's boundary); the rest are fresh
 * {@link Generators#range ranges} anywhere, aligned or not to every page size. Physical addresses
 * mostly share the virtual address's offset in a 1 GiB block, so that huge pages fit; smashes aim
 * at mapped pages; reclaims at the spans of tables that earlier steps built.
 *
 * <pre>{@code
 * StatefulRunner<PagingSystem> runner =
 *     PagingScenarios.runner(Formats.sv39(), PagingSubmission.library(), PagingScenarios.Mix.everything());
 * runner.runMany(1, 100, 25).assertPassed();   // a failure prints its seed and minimal scenario
 * }</pre>
 *
 * <p>A printed scenario replays with {@code runner.replay(PagingScenarios.parse(lines))}, on a
 * runner of the same format, whose mix shares the kernel half if the failure says so (the other
 * parts of a mix only shape new scenarios).
 */
public final class PagingScenarios {
  private static final long PAGE = 4096;
  private static final long GIB = 1L << 30;
  /** The longest range a generated map covers. */
  private static final long MAP_LIMIT = 64 * GIB;
  private static final List<PagingFormat> FORMATS =
      List.of(Formats.x86_64(), Formats.x86_64FiveLevel(), Formats.sv39(), Formats.sv48(), Formats.sv57());
  private static final List<PagingFormat> SUPPORTED = List.of(Formats.x86_64(), Formats.x86_64FiveLevel(),
      Formats.sv39(), Formats.sv48(), Formats.sv57(), Formats.x86_32(), Formats.x86Pae(), Formats.aarch64(),
      Formats.aarch64(Aarch64Options.defaults().withGranule(16 * 1024)),
      Formats.aarch64(Aarch64Options.defaults().withGranule(64 * 1024)),
      Formats.aarch64(Aarch64Options.defaults().withGranules(4 * 1024, 64 * 1024).withVirtualAddressBits(48, 42)));

  private PagingScenarios() {}

  /** The operations a scenario draws from, each with its weight in a {@link Mix}. */
  public enum Operation {
    MAP_FAIL(3), MAP_REPLACE(2), UNMAP(2), PROTECT(2), SMASH(2), COLLAPSE(1), RECLAIM_COLLECT(2), RECLAIM_STRICT(1);

    private final int weight;

    Operation(int weight) {
      this.weight = weight;
    }

    /** True when the operation may need new tables, so that an injected allocation failure matters. */
    boolean allocates() {
      return this != COLLAPSE && this != RECLAIM_COLLECT && this != RECLAIM_STRICT;
    }
  }

  /**
   * Where a mix's reclaims reach. A check about one concept keeps the others out of its
   * scenarios: a check of cascading needs no partly covered table, a check of partly covered
   * tables no cascade.
   */
  public enum ReclaimRanges {
    /** Anywhere: table spans, widened or not, and ranges as they are. */
    ANY("reclaims anywhere"),
    /**
     * Whole entries of the root table: every table below the root lies wholly inside the range or
     * wholly outside it, so none is partly covered.
     */
    WHOLE_ROOT_ENTRIES("reclaims of whole root entries"),
    /**
     * Shorter than a table of the next-to-last level spans: only last-level tables can lie wholly
     * inside, so freeing one never empties a candidate parent, and nothing cascades.
     */
    WITHIN_ONE_TABLE("reclaims within one table");

    private final String description;

    ReclaimRanges(String description) {
      this.description = description;
    }
  }

  /** What a mix's reclaims are judged on, so that a check fails for its own concept only. */
  public enum ReclaimJudging {
    /** Every reclaim must do exactly what the library's reclaimer does on a copy of the tables. */
    EXACTLY(""),
    /**
     * A strict reclaim must fail when the library's fails and change nothing whenever it fails;
     * one the library completes may still fail, unchanged (that is the emptied-tables check's
     * concern). A reclaim that completes must match the library's.
     */
    STRICT_FAILURES(", judged on strict failures"),
    /**
     * A reclaim must never free a table recorded as shared nor unlink one from the root; what
     * else it frees is other checks' concern.
     */
    SHARED_TABLES_KEPT(", judged on shared tables kept");

    private final String description;

    ReclaimJudging(String description) {
      this.description = description;
    }
  }

  /**
   * Which operations a scenario draws (each with its weight), whether some steps get an
   * injected allocation failure, whether the space is a process sharing a kernel's upper half,
   * whether maps use 4 KiB pages only, where reclaims reach and how they are judged. An
   * immutable value.
   */
  public static final class Mix {
    private final Set<Operation> operations;
    private final int failureOneIn;
    private final boolean sharedKernelHalf;
    private final boolean smallPagesOnly;
    private final ReclaimRanges reclaimRanges;
    private final ReclaimJudging reclaimJudging;
    private final long mapLimit;

    private Mix(Set<Operation> operations, int failureOneIn, boolean sharedKernelHalf, boolean smallPagesOnly,
        ReclaimRanges reclaimRanges, ReclaimJudging reclaimJudging, long mapLimit) {
      this.operations = Collections.unmodifiableSet(EnumSet.copyOf(operations));
      this.failureOneIn = failureOneIn;
      this.sharedKernelHalf = sharedKernelHalf;
      this.smallPagesOnly = smallPagesOnly;
      this.reclaimRanges = reclaimRanges;
      this.reclaimJudging = reclaimJudging;
      this.mapLimit = mapLimit;
    }

    /** Every operation, one step in five of those that allocate with an allocation failure. */
    public static Mix everything() {
      return new Mix(EnumSet.allOf(Operation.class), 5, false, false, ReclaimRanges.ANY, ReclaimJudging.EXACTLY, MAP_LIMIT);
    }

    /** These operations only, no allocation failures, a space of its own. */
    public static Mix of(Operation first, Operation... more) {
      return new Mix(EnumSet.of(Objects.requireNonNull(first, "first"), Objects.requireNonNull(more, "more")), 0, false,
          false, ReclaimRanges.ANY, ReclaimJudging.EXACTLY, MAP_LIMIT);
    }

    /** This mix with an allocation failure injected in one step in {@code oneIn} of those that may allocate. */
    public Mix withAllocationFailures(int oneIn) {
      if (oneIn < 1) {
        throw new IllegalArgumentException("allocation failures in one step in " + oneIn + ": the rate must be 1 or more");
      }
      return new Mix(operations, oneIn, sharedKernelHalf, smallPagesOnly, reclaimRanges, reclaimJudging, mapLimit);
    }

    /** This mix over a process space sharing the kernel half of a template. */
    public Mix withSharedKernelHalf() {
      return new Mix(operations, failureOneIn, true, smallPagesOnly, reclaimRanges, reclaimJudging, mapLimit);
    }

    /**
     * This mix with maps whose physical address is never aligned with the virtual one beyond
     * 4 KiB, so that every leaf is a 4 KiB page (and maps at most {@value #SMALL_MAP_LIMIT_MIB}
     * MiB).
     */
    public Mix withSmallPagesOnly() {
      return new Mix(operations, failureOneIn, sharedKernelHalf, true, reclaimRanges, reclaimJudging, mapLimit);
    }

    /** This mix with reclaims reaching {@code ranges}. */
    public Mix withReclaimRanges(ReclaimRanges ranges) {
      return new Mix(operations, failureOneIn, sharedKernelHalf, smallPagesOnly,
          Objects.requireNonNull(ranges, "ranges"), reclaimJudging, mapLimit);
    }

    /** This mix with reclaims judged by {@code judging}. */
    public Mix withReclaimJudging(ReclaimJudging judging) {
      return new Mix(operations, failureOneIn, sharedKernelHalf, smallPagesOnly, reclaimRanges,
          Objects.requireNonNull(judging, "judging"), mapLimit);
    }

    /**
     * This mix with maps of at most {@code bytes} (a multiple of 4 KiB), so that a submission
     * that maps with small pages only does not run out of frames in a check about something else.
     */
    public Mix withMapsUpTo(long bytes) {
      if (bytes < PAGE || bytes % PAGE != 0 || bytes > MAP_LIMIT) {
        throw new IllegalArgumentException("maps of at most " + bytes + " bytes: the limit must be a multiple of 4 KiB "
            + "from 4 KiB to " + MAP_LIMIT);
      }
      return new Mix(operations, failureOneIn, sharedKernelHalf, smallPagesOnly, reclaimRanges, reclaimJudging, bytes);
    }

    /** The most a map of this mix covers, in bytes. */
    public long mapLimit() {
      return smallPagesOnly ? Math.min(mapLimit, (long) SMALL_MAP_LIMIT_MIB << 20) : mapLimit;
    }

    /** How much a map covers at most when every leaf is 4 KiB, in MiB. */
    static final int SMALL_MAP_LIMIT_MIB = 8;

    public boolean smallPagesOnly() {
      return smallPagesOnly;
    }

    public ReclaimRanges reclaimRanges() {
      return reclaimRanges;
    }

    public ReclaimJudging reclaimJudging() {
      return reclaimJudging;
    }

    /** The operations drawn, in their declared order. */
    public Set<Operation> operations() {
      return operations;
    }

    /** One step in this many gets an allocation failure; 0 for none. */
    public int allocationFailureOneIn() {
      return failureOneIn;
    }

    /** True when scenarios run on a process sharing a kernel's upper half. */
    public boolean sharedKernelHalf() {
      return sharedKernelHalf;
    }

    Operation pick(SplittableRandom random) {
      int total = 0;
      for (Operation o : operations) {
        total += o.weight;
      }
      int at = random.nextInt(total);
      for (Operation o : operations) {
        at -= o.weight;
        if (at < 0) {
          return o;
        }
      }
      throw new IllegalStateException("weights do not add up");
    }

    @Override
    public boolean equals(@Nullable Object o) {
      if (!(o instanceof Mix)) {
        return false;
      }
      Mix m = (Mix) o;
      return m.operations.equals(operations) && m.failureOneIn == failureOneIn && m.sharedKernelHalf == sharedKernelHalf
          && m.smallPagesOnly == smallPagesOnly && m.reclaimRanges == reclaimRanges && m.reclaimJudging == reclaimJudging
          && m.mapLimit == mapLimit;
    }

    @Override
    public int hashCode() {
      return Objects.hash(operations, failureOneIn, sharedKernelHalf, smallPagesOnly, reclaimRanges, reclaimJudging,
          mapLimit);
    }

    /**
     * {@code [MAP_FAIL, UNMAP], allocation failures 1 in 5, kernel half shared, 4 KiB pages only,
     * reclaims of whole root entries, judged on strict failures}: the parts that are not the
     * default.
     */
    @Override
    public String toString() {
      return operations + (failureOneIn > 0 ? ", allocation failures 1 in " + failureOneIn : "")
          + (sharedKernelHalf ? ", kernel half shared" : "") + (smallPagesOnly ? ", 4 KiB pages only" : "")
          + (reclaimRanges != ReclaimRanges.ANY ? ", " + reclaimRanges.description : "") + reclaimJudging.description
          + (mapLimit != MAP_LIMIT ? ", maps of at most " + Addresses.sizeName(mapLimit) : "");
    }
  }

  /** The five formats a battery runs on by default: x86-64 4- and 5-level, Sv39, Sv48, Sv57. */
  public static List<PagingFormat> formats() {
    return FORMATS;
  }

  /**
   * Every format a battery or a rubric may name: the defaults, 32-bit x86 (with CR4.PSE) and PAE
   * (with EFER.NXE), which a course teaching xv6-x86 or PintOS asks for by name, and AArch64 with
   * 48-bit halves and each granule: 4 KiB ({@code aarch64-4k}, Linux's usual), 16 KiB ({@code
   * aarch64-16k}, Apple silicon's) and 64 KiB ({@code aarch64-64k}), and with halves of geometries
   * of their own ({@code aarch64-4k/64k}: TTBR0 4 KiB and 48 bits, four levels; TTBR1 64 KiB and
   * 42 bits, two levels from an 8,192-entry root).
   */
  public static List<PagingFormat> supportedFormats() {
    return SUPPORTED;
  }

  /**
   * A runner of scenarios drawn from {@code mix} against fresh systems of {@code format} built by
   * {@code factory}, with {@link PagingSystem#check()} after every step.
   */
  public static StatefulRunner<PagingSystem> runner(PagingFormat format, PagingSubmission.Factory factory, Mix mix) {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(factory, "factory");
    Objects.requireNonNull(mix, "mix");
    return StatefulRunner.of(
        () -> PagingSystem.create(format, factory, mix.sharedKernelHalf()).judgingReclaims(mix.reclaimJudging()),
        (random, system) -> next(random, system, mix), PagingSystem::check);
  }

  /**
   * A runner that builds spaces with the library's operations and, after every step, also asks
   * {@code translate} where the interesting addresses go (see {@link #probes}) and compares with
   * the library's {@link Translator}.
   */
  public static StatefulRunner<PagingSystem> translateRunner(PagingFormat format, TranslateSubmission translate,
      Mix mix) {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(translate, "translate");
    Objects.requireNonNull(mix, "mix");
    return StatefulRunner.of(() -> PagingSystem.create(format, PagingSubmission.library(), mix.sharedKernelHalf()),
        (random, system) -> next(random, system, mix), system -> {
          system.check();
          assertTranslates(system, translate);
        });
  }

  /** The steps of a printed scenario, one a line (see {@link PagingStep#parse}). */
  public static List<Step<PagingSystem>> parse(List<String> lines) {
    Objects.requireNonNull(lines, "lines");
    List<Step<PagingSystem>> steps = new ArrayList<>();
    for (String line : lines) {
      steps.add(PagingStep.parse(line));
    }
    return steps;
  }

  /**
   * Checks {@code translate} against the library at every probe address of {@code system}.
   *
   * @throws AssertionError naming the first address where they differ, or what it threw
   */
  public static void assertTranslates(PagingSystem system, TranslateSubmission translate) {
    Objects.requireNonNull(system, "system");
    Objects.requireNonNull(translate, "translate");
    Translator reference = Translator.of(system.space());
    for (long va : probes(system)) {
      long want = reference.physicalAddressOrElse(va, Translator.NOT_MAPPED);
      long got;
      try {
        got = translate.translate(system.space(), va);
      } catch (RuntimeException e) {
        throw new AssertionError("translate(" + hex(va) + ") threw " + e + "; it maps to " + name(want), e);
      }
      if (got != want) {
        throw new AssertionError("translate(" + hex(va) + ") returned " + name(got) + ", but the tables map it to "
            + name(want) + (want == Translator.NOT_MAPPED ? "" : " (" + reference.translate(va) + ")"));
      }
    }
  }

  private static String name(long physical) {
    return physical == Translator.NOT_MAPPED ? "NOT_MAPPED" : hex(physical);
  }

  /**
   * Where a translation is worth checking, in a fixed order: the canonical edges (0, the top of
   * the lower half, the bottom of the upper half, the top page and byte), and for each mapping
   * its first and last byte, a byte at an offset, its middle, and the bytes just outside it.
   */
  public static List<Long> probes(PagingSystem system) {
    Objects.requireNonNull(system, "system");
    PagingFormat f = system.format();
    Set<Long> probes = new LinkedHashSet<>();
    long lowerTop = f.lowerHalf().last();
    long upperBottom = f.upperHalf().first();
    long top = f.upperHalf().last();
    for (long va : new long[] {0, 0xfff, lowerTop & -page(f), lowerTop, upperBottom, upperBottom + 0x7ff, top & -page(f), top}) {
      probes.add(va);
    }
    for (ReferenceModel.Mapping m : system.model().mappings()) {
      long length = m.last() - m.first() + 1;
      probes.add(m.first());
      probes.add(m.first() + Math.min(0x123, length - 1));
      probes.add(m.first() + (length / 2 & -page(f)) + 8);
      probes.add(m.last() & -page(f));
      probes.add(m.last());
      if (f.isCanonical(m.first() - 1)) {
        probes.add(m.first() - 1);
      }
      if (m.last() != top && f.isCanonical(m.last() + 1)) {
        probes.add(m.last() + 1);
      }
    }
    return new ArrayList<>(probes);
  }

  /** The next step of a scenario drawn from {@code mix}, aimed at what {@code system} holds now. */
  public static PagingStep next(SplittableRandom random, PagingSystem system, Mix mix) {
    Objects.requireNonNull(random, "random");
    Objects.requireNonNull(system, "system");
    Objects.requireNonNull(mix, "mix");
    Operation op = mix.pick(random);
    PagingFormat f = system.format();
    PagingStep step;
    switch (op) {
      case MAP_FAIL:
      case MAP_REPLACE: {
        VirtualRange range = range(random, system);
        long limit = mix.mapLimit();
        if (Long.compareUnsigned(range.last() - range.first(), limit - 1) > 0) {
          // A range widened to a root entry's span would need hundreds of thousands of leaves.
          range = VirtualRange.ofLength(range.first(), limit);
        }
        long physical = mix.smallPagesOnly ? smallPagesOnly(random, f, range) : physical(random, f, range);
        step = PagingStep.map(range, physical, Generators.attributes(random, f),
            op == Operation.MAP_FAIL ? ConflictPolicy.FAIL : ConflictPolicy.REPLACE);
        break;
      }
      case UNMAP: {
        // Unmapping whole mappings empties tables, which reclaim then frees.
        List<ReferenceModel.Mapping> mapped = system.model().mappings();
        if (!mapped.isEmpty() && random.nextInt(3) == 0) {
          ReferenceModel.Mapping m = mapped.get(random.nextInt(mapped.size()));
          step = PagingStep.unmap(VirtualRange.closed(m.first(), m.last()));
        } else {
          step = PagingStep.unmap(range(random, system));
        }
        break;
      }
      case PROTECT:
        step = PagingStep.protect(range(random, system), Generators.attributes(random, f));
        break;
      case SMASH:
        step = smash(random, system);
        break;
      case COLLAPSE:
        step = PagingStep.collapse(tableRange(random, system, false));
        break;
      default:
        step = PagingStep.reclaim(reaching(f, mix.reclaimRanges, tableRange(random, system, true)),
            op == Operation.RECLAIM_STRICT ? ReclaimMode.STRICT : ReclaimMode.COLLECT);
        break;
    }
    if (mix.failureOneIn > 0 && op.allocates() && random.nextInt(mix.failureOneIn) == 0) {
      // Operations that smash at the ends of their range need one or two tables: fail early often.
      step = step.withAllocationFailure(random.nextBoolean() ? 1 : 2 + random.nextInt(3));
    }
    return step;
  }

  /** A range of whole pages: cut from a mapping, near a recent range, or fresh. */
  private static VirtualRange range(SplittableRandom random, PagingSystem system) {
    PagingFormat f = system.format();
    List<ReferenceModel.Mapping> mapped = system.model().mappings();
    List<VirtualRange> recent = system.recent();
    int choice = random.nextInt(10);
    if (choice < 4 && !mapped.isEmpty()) {
      return cut(random, f, mapped.get(random.nextInt(mapped.size())));
    }
    if (choice < 7 && !recent.isEmpty()) {
      VirtualRange r = recent.get(random.nextInt(recent.size()));
      if (!r.isAll()) {
        return near(random, f, r);
      }
    }
    List<Long> sizes = Generators.pageSizes(f);
    long size = sizes.get(random.nextInt(sizes.size()));
    if (choice < 9) {
      // At an edge: the canonical boundaries, the top page, the boundary of some level's span.
      long first = Generators.address(random, f) & -size;
      long last = first + size * (1 + random.nextInt(4)) - 1;
      if (random.nextBoolean() && size > page(f)) {
        first += page(f) * (1 + random.nextLong(size / page(f) - 1));
      }
      return clamp(f, first, last);
    }
    return Generators.range(random, f, size, random.nextBoolean());
  }

  /** Part of mapping {@code m}: all of it, one page, a range across its start or end, or aligned inside it. */
  private static VirtualRange cut(SplittableRandom random, PagingFormat f, ReferenceModel.Mapping m) {
    long pages = (m.last() - m.first()) / page(f) + 1;
    List<Long> sizes = Generators.pageSizes(f);
    long size = sizes.get(random.nextInt(sizes.size()));
    long inside = m.first() + page(f) * random.nextLong(pages);
    switch (random.nextInt(6)) {
      case 0:
        return VirtualRange.closed(m.first(), m.last());
      case 1:
        return VirtualRange.ofLength(inside, page(f));
      case 2:
        return clamp(f, inside, inside + size - 1);
      case 3: {
        long first = m.first() - page(f) * (1 + random.nextInt(4));
        return f.isCanonical(first) && sameHalf(f, first, m.first())
            ? clamp(f, first, m.first() + page(f) * (1 + random.nextInt(4)) - 1) : VirtualRange.ofLength(m.first(), page(f));
      }
      case 4:
        return clamp(f, m.last() + 1 - page(f) * (1 + random.nextInt(4)), m.last() + page(f) * (1 + random.nextInt(4)));
      default: {
        long aligned = (m.first() + size - 1) & -size;
        return Long.compareUnsigned(aligned, m.last()) < 0 && sameHalf(f, aligned, m.first())
            ? clamp(f, aligned, aligned + size - 1) : VirtualRange.ofLength(inside, page(f));
      }
    }
  }

  /** Near recent range {@code r}: itself, its first page, shifted by a page size, or widened to a table's span. */
  private static VirtualRange near(SplittableRandom random, PagingFormat f, VirtualRange r) {
    long first = r.first() & -page(f);
    long last = r.last() | (page(f) - 1);
    switch (random.nextInt(4)) {
      case 0:
        return clamp(f, first, last);
      case 1:
        return VirtualRange.ofLength(first, page(f));
      case 2: {
        List<Long> sizes = Generators.pageSizes(f);
        long shift = sizes.get(random.nextInt(sizes.size()));
        long moved = first + shift;
        return sameHalf(f, moved, first) && f.isCanonical(moved) ? clamp(f, moved, last + shift) : clamp(f, first, last);
      }
      default:
        return widened(random, f, first, last);
    }
  }

  /** {@code [first, last]} widened to whole tables of a random level below the root. */
  private static VirtualRange widened(SplittableRandom random, PagingFormat f, long first, long last) {
    List<Level> levels = f.levels();
    long span = levels.get(random.nextInt(levels.size() - 1)).entrySpan();
    return clamp(f, first & -span, (last & -span) + span - 1);
  }

  /**
   * A range for reclaim and collapse, which act on whole tables: mostly a recent range or a
   * mapping widened to the span of a table, sometimes exactly as it is (the tables partly
   * outside stay), now and then a whole half or everything. A third of reclaims go where the
   * latest unmap left nothing, widened as far as nothing is mapped.
   */
  private static VirtualRange tableRange(SplittableRandom random, PagingSystem system, boolean reclaim) {
    PagingFormat f = system.format();
    List<VirtualRange> recent = system.recent();
    List<ReferenceModel.Mapping> mapped = system.model().mappings();
    if (reclaim && random.nextInt(3) == 0) {
      // Where the latest unmap left nothing mapped: the largest span of tables around it that
      // maps nothing, so that a whole subtree can go and freeing cascades.
      for (int i = recent.size() - 1; i >= 0; i--) {
        VirtualRange r = recent.get(i);
        if (!r.isAll() && !system.model().anyMapped(r)) {
          return emptiestWidening(f, system.model(), r.first() & -page(f), r.last() | (page(f) - 1));
        }
      }
    }
    int choice = random.nextInt(20);
    if (choice == 0) {
      return VirtualRange.all();
    }
    if (choice == 1) {
      return random.nextBoolean() ? f.lowerHalf() : f.upperHalf();
    }
    VirtualRange base = null;
    if (choice < 8 && !recent.isEmpty()) {
      // What the previous step touched: an unmap or a smash just before makes tables to free or collapse.
      base = recent.get(recent.size() - 1);
    } else if (choice < 12 && !recent.isEmpty()) {
      base = recent.get(random.nextInt(recent.size()));
    } else if (choice < 16 && !mapped.isEmpty()) {
      ReferenceModel.Mapping m = mapped.get(random.nextInt(mapped.size()));
      base = VirtualRange.closed(m.first(), m.last());
    }
    if (base == null || base.isAll()) {
      return range(random, system);
    }
    long first = base.first() & -page(f);
    long last = base.last() | (page(f) - 1);
    return random.nextInt(3) == 0 ? clamp(f, first, last) : widened(random, f, first, last);
  }

  /** {@code range} made to reach as {@code ranges} says: widened to whole root entries, or cut short of a table. */
  static VirtualRange reaching(PagingFormat f, ReclaimRanges ranges, VirtualRange range) {
    List<Level> levels = f.levels();
    switch (ranges) {
      case WHOLE_ROOT_ENTRIES: {
        long span = levels.get(0).entrySpan();
        return clamp(f, range.first() & -span, (range.last() & -span) + span - 1);
      }
      case WITHIN_ONE_TABLE: {
        long limit = levels.get(Math.max(0, levels.size() - 3)).entrySpan() - page(f);
        return Long.compareUnsigned(range.last() - range.first(), limit - 1) > 0
            ? VirtualRange.ofLength(range.first(), limit) : range;
      }
      default:
        return range;
    }
  }

  /** {@code [first, last]} widened to the largest table span whose range maps nothing, or as it is. */
  private static VirtualRange emptiestWidening(PagingFormat f, ReferenceModel model, long first, long last) {
    List<Level> levels = f.levels();
    for (int d = 0; d < levels.size() - 1; d++) {
      long span = levels.get(d).entrySpan();
      VirtualRange widened = clamp(f, first & -span, (last & -span) + span - 1);
      if (!model.anyMapped(widened)) {
        return widened;
      }
    }
    return clamp(f, first, last);
  }

  private static PagingStep smash(SplittableRandom random, PagingSystem system) {
    PagingFormat f = system.format();
    List<Long> sizes = Generators.pageSizes(f);
    int pick = random.nextInt(Math.max(1, sizes.size() - 1));
    List<ReferenceModel.Mapping> mapped = system.model().mappings();
    if (mapped.isEmpty() || random.nextInt(6) == 0) {
      long va = Generators.address(random, f);
      return PagingStep.smash(va, sizeIn(f, va, sizes.get(pick), pick));
    }
    ReferenceModel.Mapping m = mapped.get(random.nextInt(mapped.size()));
    long size = sizeIn(f, m.first(), sizes.get(pick), pick);
    long pages = (m.last() - m.first()) / page(f) + 1;
    switch (random.nextInt(3)) {
      case 0:
        return PagingStep.smash(m.first(), size);
      case 1:
        return PagingStep.smash(m.last() & -page(f), size);
      default:
        return PagingStep.smash(m.first() + page(f) * random.nextLong(pages), size);
    }
  }

  /**
   * {@code size}, or where the halves' geometries differ, the {@code pick}-th of the page sizes
   * of {@code va}'s half (a smash to a size the half has not is no smash).
   */
  private static long sizeIn(PagingFormat f, long va, long size, int pick) {
    if (f.oneGeometry()) {
      return size;
    }
    List<Long> own = Generators.pageSizes(f, va);
    return own.get(Math.min(pick, Math.max(0, own.size() - 2)));
  }

  /**
   * A physical start for {@code range}: mostly with the same offset into a 1 GiB block as the
   * virtual start, so the largest pages fit (and a large range needs few leaves); for small
   * ranges now and then only 4 KiB aligned, so that only small pages do. The whole range fits
   * below what every leaf can hold (4 GiB in 32-bit paging), from 0 when a random block would not.
   */
  private static long physical(SplittableRandom random, PagingFormat f, VirtualRange range) {
    if (Long.compareUnsigned(range.last() - range.first(), 2L << 20) < 0 && random.nextInt(4) == 0) {
      return Generators.physical(random, f, page(f));
    }
    long offset = range.first() & (GIB - 1);
    long pa = Generators.physical(random, f, GIB) + offset;
    return fits(f, pa, range) ? pa : offset;
  }

  /** Whether {@code range} mapped from {@code pa} stays below the narrowest leaf's physical width. */
  private static boolean fits(PagingFormat f, long pa, VirtualRange range) {
    int bits = 64;
    for (Level level : f.levels()) {
      if (level.leafAllowed()) {
        bits = Math.min(bits, f.physicalAddressBits(level));
      }
    }
    long last = pa + (range.last() - range.first());
    return Long.compareUnsigned(last, pa) >= 0 && (last >>> bits) == 0;
  }

  /**
   * A physical start for {@code range} one 4 KiB page off the virtual start's alignment to 2 MiB,
   * so that no page larger than 4 KiB fits anywhere in it.
   */
  private static long smallPagesOnly(SplittableRandom random, PagingFormat f, VirtualRange range) {
    return Generators.physical(random, f, GIB) + ((range.first() + page(f)) & ((2L << 20) - 1));
  }

  /** {@code [first, last]} cut to the canonical half of {@code first}. */
  private static VirtualRange clamp(PagingFormat f, long first, long last) {
    if (!f.isCanonical(first)) {
      // In the hole: the nearest canonical page.
      first = first < 0 ? f.upperHalf().first() : f.lowerHalf().last() & -page(f);
    }
    VirtualRange half = inUpperHalf(f, first) ? f.upperHalf() : f.lowerHalf();
    if (Long.compareUnsigned(last, half.last()) > 0 || Long.compareUnsigned(last, first) < 0) {
      last = half.last();
    }
    return VirtualRange.closed(first, last);
  }

  private static boolean sameHalf(PagingFormat f, long a, long b) {
    return inUpperHalf(f, a) == inUpperHalf(f, b);
  }

  /** Whether canonical {@code a} is in the upper half: negative for x86-64, from 2 GiB for 32-bit x86. */
  private static boolean inUpperHalf(PagingFormat f, long a) {
    return Long.compareUnsigned(a, f.upperHalf().first()) >= 0;
  }

  /** The smallest page of {@code f}: 4 KiB, or an AArch64 granule. */
  private static long page(PagingFormat f) {
    return Generators.smallestPage(f);
  }
}
