package dev.paging.testkit.grading;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Attributes;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.ops.ConflictPolicy;
import dev.paging.ops.ReclaimMode;
import dev.paging.ops.Translator;
import dev.paging.testkit.Invariants;
import dev.paging.testkit.ReferenceModel;
import dev.paging.testkit.TlbModel;
import dev.paging.testkit.stateful.Generators;
import dev.paging.testkit.stateful.StatefulRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The graders' batteries for the submission contracts: {@link #translate()}, {@link #reclaim()}
 * and {@link #paging()}, and the labs {@link #map()}, {@link #vmprint()} and {@link #accessed()}. Every check runs on all five formats (or the ones given) with
 * fixed seeds, so a submission always gets the same card; a check built on scenarios reports its first failure
 * with the format, the replay seed and the shrunk scenario, one {@link PagingStep} a line.
 *
 * <pre>{@code
 * ScoreCard card = Batteries.reclaim().grade("alice", () -> new AliceReclaimer());
 * System.out.println(card.toMarkdown());
 * }</pre>
 *
 * <p>A scenario that fails replays with {@code PagingScenarios.runner(format, factory,
 * mix).run(seed, steps)}, or step by step with {@code runner.replay(PagingScenarios.parse(lines))};
 * the failure message names the format, the mix and the number of steps.
 */
public final class Batteries {
  /** Seeds per format in a scenario check. */
  static final int SEEDS = 4;
  /** Steps per scenario. */
  static final int STEPS = 16;
  private static final Duration BUDGET = Duration.ofSeconds(10);
  private static final Duration SHORT = Duration.ofSeconds(5);
  private static final long GIB = 1L << 30;

  private Batteries() {}

  /**
   * The shipped batteries, each with the contract its submissions implement: translate, reclaim,
   * paging, map, vmprint, accessed.
   */
  public static List<Battery<?>> all() {
    return List.of(Battery.of(TranslateSubmission.class, Batteries::translate),
        Battery.of(ReclaimSubmission.class, Batteries::reclaim),
        Battery.of(PagingSubmission.Factory.class, Batteries::paging),
        Battery.of(MapSubmission.class, Batteries::map),
        Battery.of(VmprintSubmission.class, Batteries::vmprint),
        Battery.of(AccessedSubmission.class, Batteries::accessed));
  }

  /**
   * The shipped battery called {@code name}.
   *
   * @throws IllegalArgumentException naming the batteries there are, if none is called so
   */
  public static Battery<?> named(String name) {
    Objects.requireNonNull(name, "name");
    List<String> names = new ArrayList<>();
    for (Battery<?> b : all()) {
      if (b.name().equals(name)) {
        return b;
      }
      names.add(b.name());
    }
    throw new IllegalArgumentException("no battery named '" + name + "' (there are " + String.join(", ", names) + ")");
  }

  /**
   * Checks a {@link TranslateSubmission} against the library's {@link Translator} on spaces the
   * library builds (10 points): pages of every size, spaces changed by every operation, the
   * canonical edges and the top page, non-canonical addresses, recursive entries (followed, as the
   * MMU follows them) and malformed tables.
   */
  public static Grader<TranslateSubmission> translate() {
    return translate(PagingScenarios.formats());
  }

  /** {@link #translate()} on {@code formats} only (xv6 labs are Sv39). */
  public static Grader<TranslateSubmission> translate(List<PagingFormat> formats) {
    List<PagingFormat> on = checked(formats);
    return Grader.<TranslateSubmission>battery("translate")
        .check("pages of every size in both halves", 3, BUDGET, t ->
            scenarios(on, f -> PagingScenarios.translateRunner(f, t, MAPS), MAPS))
        .check("after unmap, protect, smash and collapse", 3, BUDGET, t ->
            scenarios(on, f -> PagingScenarios.translateRunner(f, t, CHANGES), CHANGES))
        .check("canonical edges and the top page", 1, SHORT, t -> edges(on, t))
        .check("non-canonical addresses are rejected", 1, SHORT, t -> nonCanonical(on, t))
        .check("recursive entries are followed, malformed ones not", 2, SHORT, t -> hostile(on, t));
  }

  /** {@code formats}, checked: not empty, each one {@link PagingScenarios#supportedFormats()} has. */
  private static List<PagingFormat> checked(List<PagingFormat> formats) {
    Objects.requireNonNull(formats, "formats");
    if (formats.isEmpty()) {
      throw new IllegalArgumentException("a battery needs at least one format");
    }
    for (PagingFormat f : formats) {
      if (!PagingScenarios.supportedFormats().contains(Objects.requireNonNull(f, "format"))) {
        throw new IllegalArgumentException("the batteries have no scenarios for format " + f.name());
      }
    }
    return List.copyOf(formats);
  }

  /**
   * Checks a {@link ReclaimSubmission} (10 points) inside the library's other operations, each
   * reclaim compared with the library's {@link dev.paging.ops.Reclaimer} on an identical copy
   * of the tables: emptied tables freed with the cascade upwards, huge pages and tables partly
   * outside the range left alone, strict failures that change nothing, shared kernel tables never
   * freed, and random sequences of every operation.
   */
  public static Grader<ReclaimSubmission> reclaim() {
    return reclaim(PagingScenarios.formats());
  }

  /** {@link #reclaim()} on {@code formats} only. */
  public static Grader<ReclaimSubmission> reclaim(List<PagingFormat> formats) {
    List<PagingFormat> on = checked(formats);
    Grader<ReclaimSubmission> g = Grader.battery("reclaim");
    return g
        .check("emptied tables are freed, cascading up", 3, BUDGET, r -> {
          reclaimFixed(on, r, RECLAIM_EMPTIED, Batteries::cascade);
          reclaimScenarios(on, r, RECLAIM_EMPTIED);
        })
        .check("huge pages and partly covered tables stay", 2, BUDGET, r -> {
          reclaimFixed(on, r, RECLAIM_HUGE, Batteries::pastHugePagesAndPartlyCovered);
          reclaimScenarios(on, r, RECLAIM_HUGE);
        })
        .check("STRICT fails without changing anything", 2, BUDGET, r -> {
          reclaimFixed(on, r, RECLAIM_STRICT, Batteries::strictOverAMapping);
          reclaimScenarios(on, r, RECLAIM_STRICT);
        })
        .check("shared kernel tables are never freed", 2, BUDGET, r -> {
          reclaimFixed(on, r, RECLAIM_SHARED, Batteries::wholeUpperHalf);
          reclaimScenarios(on, r, RECLAIM_SHARED);
        })
        .check("random sequences of every operation", 1, BUDGET,
            r -> reclaimScenarios(on, r, PagingScenarios.Mix.everything()));
  }

  /**
   * Checks a whole {@link PagingSubmission} (10 points) against the {@link ReferenceModel}, the
   * {@link TlbModel}, the {@link Invariants} and, for reclaim, the library on a copy: map with
   * both policies, unmap, protect, smash and collapse, reclaim, a shared kernel half, allocation
   * failures at every point, and random sequences of everything. The checks of unmap, protect,
   * smash and collapse, and reclaim leave the other operations of their scenarios to the library,
   * so a bug in one operation costs its own check and the last three, which exercise every
   * operation together.
   */
  public static Grader<PagingSubmission.Factory> paging() {
    return paging(PagingScenarios.formats());
  }

  /** {@link #paging()} on {@code formats} only. */
  public static Grader<PagingSubmission.Factory> paging(List<PagingFormat> formats) {
    List<PagingFormat> on = checked(formats);
    Grader<PagingSubmission.Factory> g = Grader.battery("paging");
    return g
        .check("map, with conflicts and replacement", 2, BUDGET, p -> pagingScenarios(on, p, PAGING_MAP))
        .check("unmap", 1, BUDGET,
            p -> pagingScenarios(on, JudgedOperations.of(p, PagingStep.Kind.UNMAP), PAGING_UNMAP))
        .check("protect", 1, BUDGET,
            p -> pagingScenarios(on, JudgedOperations.of(p, PagingStep.Kind.PROTECT), PAGING_PROTECT))
        .check("smash and collapse", 1, BUDGET, p -> pagingScenarios(on,
            JudgedOperations.of(p, PagingStep.Kind.SMASH, PagingStep.Kind.COLLAPSE), PAGING_SMASH))
        .check("reclaim", 1, BUDGET,
            p -> pagingScenarios(on, JudgedOperations.of(p, PagingStep.Kind.RECLAIM), PAGING_RECLAIM))
        .check("shared kernel half", 1, BUDGET, p -> pagingScenarios(on, p, PAGING_SHARED))
        .check("all or nothing when the allocator fails", 2, BUDGET, p -> pagingScenarios(on, p, PAGING_FAILURES))
        .check("random sequences of every operation", 1, BUDGET,
            p -> pagingScenarios(on, p, PagingScenarios.Mix.everything()));
  }

  /**
   * Checks a {@link MapSubmission}, the forum's {@code mmu_map} and {@code mmu_unmap} (10 points),
   * each check with the library doing what it does not judge: largest pages when mapping into
   * empty space, replacing what is mapped (smashing a huge page the range cuts), unmapping
   * (smashing likewise), and the edges of both halves.
   */
  public static Grader<MapSubmission> map() {
    return map(PagingScenarios.formats());
  }

  /** {@link #map()} on {@code formats} only. */
  public static Grader<MapSubmission> map(List<PagingFormat> formats) {
    List<PagingFormat> on = checked(formats);
    return Grader.<MapSubmission>battery("map")
        .check("the largest pages that fit", 3, BUDGET,
            m -> LabChecks.mapScenarios(on, m, MAPS, Set.of(MapAdapter.Part.NEW_MAPS), true))
        .check("replaces what is mapped, smashing a huge page the range cuts", 3, BUDGET,
            m -> LabChecks.mapScenarios(on, m, REPLACING, Set.of(MapAdapter.Part.REPLACING_MAPS), false))
        .check("unmaps, smashing a huge page the range cuts", 2, BUDGET,
            m -> LabChecks.mapScenarios(on, m, UNMAPPING, Set.of(MapAdapter.Part.UNMAPS), false))
        .check("the edges of both halves and the top page", 2, SHORT, m -> LabChecks.mapEdges(on, m));
  }

  /**
   * Checks a {@link VmprintSubmission}, xv6's {@code vmprint} lab (10 points), against the
   * library's renderers, one concept a check: the index variant on spaces built by map, the
   * address variant after every other operation, which entries print when tables are malformed
   * (both variants, the places of the lines not judged), and the addresses at the edges of both
   * halves (by address).
   */
  public static Grader<VmprintSubmission> vmprint() {
    return vmprint(PagingScenarios.formats());
  }

  /** {@link #vmprint()} on {@code formats} only (xv6 labs are Sv39). */
  public static Grader<VmprintSubmission> vmprint(List<PagingFormat> formats) {
    List<PagingFormat> on = checked(formats);
    return Grader.<VmprintSubmission>battery("vmprint")
        .check("by index, on spaces built by map", 3, BUDGET, v -> LabChecks.vmprintScenarios(on, v, MAPS, false))
        .check("by address, after unmap, protect, smash and collapse", 3, BUDGET,
            v -> LabChecks.vmprintScenarios(on, v, CHANGES, true))
        .check("malformed entries are printed, not followed", 2, SHORT, v -> LabChecks.vmprintMalformed(on, v))
        .check("addresses at the edges of both halves", 2, SHORT, v -> LabChecks.vmprintEdges(on, v));
  }

  /**
   * Checks an {@link AccessedSubmission}, xv6's {@code pgaccess} lab (10 points), against the
   * library's scan on a copy of the same tables, one concept a check: the pages reported, the
   * bits cleared and nothing else changed, the invalidations the cleared bits need (each on spaces
   * of 4 KiB pages), and huge pages cut by the range.
   */
  public static Grader<AccessedSubmission> accessed() {
    return accessed(PagingScenarios.formats());
  }

  /** {@link #accessed()} on {@code formats} only. */
  public static Grader<AccessedSubmission> accessed(List<PagingFormat> formats) {
    List<PagingFormat> on = checked(formats);
    return Grader.<AccessedSubmission>battery("accessed")
        .check("reports exactly the accessed pages", 3, BUDGET,
            a -> LabChecks.accessedScenarios(on, a, ACCESSED, LabChecks.Aspect.REPORT))
        .check("clears the accessed bits and changes nothing else", 3, BUDGET,
            a -> LabChecks.accessedScenarios(on, a, ACCESSED, LabChecks.Aspect.MEMORY))
        .check("asks for the invalidations the cleared bits need", 2, BUDGET,
            a -> LabChecks.accessedScenarios(on, a, ACCESSED, LabChecks.Aspect.INVALIDATIONS))
        .check("huge pages: reported by their part in the range, cleared whole", 2, SHORT,
            a -> LabChecks.accessedHuge(on, a));
  }

  private static final PagingScenarios.Mix MAPS = PagingScenarios.Mix.of(PagingScenarios.Operation.MAP_FAIL);
  // The library maps into empty space (huge pages to cut) and the submission replaces, in maps of
  // 64 MiB at most, so that one mapping with 4 KiB pages only does not run out of frames here.
  private static final PagingScenarios.Mix REPLACING = PagingScenarios.Mix.of(PagingScenarios.Operation.MAP_FAIL,
      PagingScenarios.Operation.MAP_REPLACE, PagingScenarios.Operation.SMASH, PagingScenarios.Operation.PROTECT)
      .withMapsUpTo(64L << 20);
  private static final PagingScenarios.Mix UNMAPPING = PagingScenarios.Mix.of(PagingScenarios.Operation.MAP_FAIL,
      PagingScenarios.Operation.MAP_REPLACE, PagingScenarios.Operation.UNMAP);
  // Maps and protects of 4 KiB pages with random attributes, accessed or not; unmaps between.
  private static final PagingScenarios.Mix ACCESSED = PagingScenarios.Mix.of(PagingScenarios.Operation.MAP_FAIL,
      PagingScenarios.Operation.UNMAP, PagingScenarios.Operation.PROTECT).withSmallPagesOnly();
  private static final PagingScenarios.Mix CHANGES = PagingScenarios.Mix.of(PagingScenarios.Operation.MAP_FAIL,
      PagingScenarios.Operation.MAP_REPLACE, PagingScenarios.Operation.UNMAP, PagingScenarios.Operation.PROTECT,
      PagingScenarios.Operation.SMASH, PagingScenarios.Operation.COLLAPSE);
  // Each reclaim check keeps the other checks' concepts out of its scenarios, so that one bug
  // costs the checks named for it: cascading is checked with 4 KiB pages only (no huge page to
  // stop at) over whole root entries (no partly covered table); huge pages and partly covered
  // tables within one table (nothing cascades); strict failures and shared tables over whole
  // root entries with 4 KiB pages, each judged on its own concept.
  private static final PagingScenarios.Mix RECLAIM_EMPTIED = PagingScenarios.Mix.of(PagingScenarios.Operation.MAP_FAIL,
      PagingScenarios.Operation.UNMAP, PagingScenarios.Operation.RECLAIM_COLLECT).withSmallPagesOnly()
      .withReclaimRanges(PagingScenarios.ReclaimRanges.WHOLE_ROOT_ENTRIES);
  private static final PagingScenarios.Mix RECLAIM_HUGE = PagingScenarios.Mix.of(PagingScenarios.Operation.MAP_REPLACE,
      PagingScenarios.Operation.SMASH, PagingScenarios.Operation.UNMAP, PagingScenarios.Operation.RECLAIM_COLLECT)
      .withReclaimRanges(PagingScenarios.ReclaimRanges.WITHIN_ONE_TABLE);
  private static final PagingScenarios.Mix RECLAIM_STRICT = PagingScenarios.Mix.of(PagingScenarios.Operation.MAP_FAIL,
      PagingScenarios.Operation.UNMAP, PagingScenarios.Operation.RECLAIM_STRICT).withSmallPagesOnly()
      .withReclaimRanges(PagingScenarios.ReclaimRanges.WHOLE_ROOT_ENTRIES)
      .withReclaimJudging(PagingScenarios.ReclaimJudging.STRICT_FAILURES);
  private static final PagingScenarios.Mix RECLAIM_SHARED = PagingScenarios.Mix.of(PagingScenarios.Operation.MAP_FAIL,
      PagingScenarios.Operation.UNMAP, PagingScenarios.Operation.RECLAIM_COLLECT).withSharedKernelHalf()
      .withSmallPagesOnly().withReclaimRanges(PagingScenarios.ReclaimRanges.WHOLE_ROOT_ENTRIES)
      .withReclaimJudging(PagingScenarios.ReclaimJudging.SHARED_TABLES_KEPT);
  private static final PagingScenarios.Mix PAGING_MAP = PagingScenarios.Mix.of(PagingScenarios.Operation.MAP_FAIL,
      PagingScenarios.Operation.MAP_REPLACE);
  private static final PagingScenarios.Mix PAGING_UNMAP = PagingScenarios.Mix.of(PagingScenarios.Operation.MAP_FAIL,
      PagingScenarios.Operation.UNMAP);
  private static final PagingScenarios.Mix PAGING_PROTECT = PagingScenarios.Mix.of(PagingScenarios.Operation.MAP_FAIL,
      PagingScenarios.Operation.PROTECT, PagingScenarios.Operation.UNMAP);
  private static final PagingScenarios.Mix PAGING_SMASH = PagingScenarios.Mix.of(PagingScenarios.Operation.MAP_FAIL,
      PagingScenarios.Operation.SMASH, PagingScenarios.Operation.COLLAPSE, PagingScenarios.Operation.PROTECT);
  private static final PagingScenarios.Mix PAGING_RECLAIM = PagingScenarios.Mix.of(PagingScenarios.Operation.MAP_FAIL,
      PagingScenarios.Operation.UNMAP, PagingScenarios.Operation.RECLAIM_COLLECT,
      PagingScenarios.Operation.RECLAIM_STRICT);
  private static final PagingScenarios.Mix PAGING_SHARED = PagingScenarios.Mix.of(PagingScenarios.Operation.MAP_FAIL,
      PagingScenarios.Operation.MAP_REPLACE, PagingScenarios.Operation.UNMAP, PagingScenarios.Operation.PROTECT,
      PagingScenarios.Operation.RECLAIM_COLLECT).withSharedKernelHalf();
  private static final PagingScenarios.Mix PAGING_FAILURES = PagingScenarios.Mix.of(PagingScenarios.Operation.MAP_FAIL,
      PagingScenarios.Operation.MAP_REPLACE, PagingScenarios.Operation.UNMAP, PagingScenarios.Operation.PROTECT,
      PagingScenarios.Operation.SMASH).withAllocationFailures(2);

  private static void reclaimScenarios(List<PagingFormat> formats, ReclaimSubmission r, PagingScenarios.Mix mix) {
    PagingSubmission.Factory factory = PagingSubmission.libraryWith(r);
    scenarios(formats, f -> PagingScenarios.runner(f, factory, mix), mix);
  }

  private static void pagingScenarios(List<PagingFormat> formats, PagingSubmission.Factory p, PagingScenarios.Mix mix) {
    scenarios(formats, f -> PagingScenarios.runner(f, p, mix), mix);
  }

  /** The fixed scenarios {@code scenarios} gives per format, each on a fresh system of {@code mix}. */
  private static void reclaimFixed(List<PagingFormat> formats, ReclaimSubmission r, PagingScenarios.Mix mix,
      Function<PagingFormat, List<List<PagingStep>>> scenarios) {
    PagingSubmission.Factory factory = PagingSubmission.libraryWith(r);
    for (PagingFormat f : formats) {
      LabChecks.replay(f, PagingScenarios.runner(f, factory, mix), scenarios.apply(f));
    }
  }

  /**
   * A smallest page 3 GiB up, unmapped: reclaiming its root entry frees its tables, each emptied
   * by the one below.
   */
  private static List<List<PagingStep>> cascade(PagingFormat f) {
    long va = 3 * GIB;
    VirtualRange page = VirtualRange.ofLength(va, LabChecks.page(f));
    return List.of(List.of(PagingStep.map(page, 5 * LabChecks.page(f), Generators.executableWhereNeeded(f, Attributes.readWrite()),
        ConflictPolicy.FAIL), PagingStep.unmap(page),
        PagingStep.reclaim(PagingScenarios.reaching(f, PagingScenarios.ReclaimRanges.WHOLE_ROOT_ENTRIES, page),
            ReclaimMode.COLLECT)));
  }

  /**
   * A 2 MiB page beside an emptied last-level table, reclaimed together: the walk must go on past
   * the huge page and free the empty table. Then one emptied page, reclaimed alone: its table
   * lies partly outside the range and stays.
   */
  private static List<List<PagingStep>> pastHugePagesAndPartlyCovered(PagingFormat f) {
    Attributes rw = Generators.executableWhereNeeded(f, Attributes.readWrite());
    long large = LabChecks.largePage(f);
    long page = LabChecks.page(f);
    long huge = 3 * GIB;
    VirtualRange beside = VirtualRange.ofLength(huge + large, page);
    // Another root entry's range: 5 GiB, or 1 GiB in a 32-bit space.
    long other = f.isCanonical(5 * GIB) ? 5 * GIB : GIB;
    VirtualRange alone = VirtualRange.ofLength(other + 7 * page, page);
    return List.of(
        List.of(PagingStep.map(VirtualRange.ofLength(huge, large), 4 * large, rw, ConflictPolicy.FAIL),
            PagingStep.map(beside, 5 * page, rw, ConflictPolicy.FAIL), PagingStep.unmap(beside),
            PagingStep.reclaim(VirtualRange.ofLength(huge, 2 * large), ReclaimMode.COLLECT)),
        List.of(PagingStep.map(alone, 6 * page, rw, ConflictPolicy.FAIL), PagingStep.unmap(alone),
            PagingStep.reclaim(alone, ReclaimMode.COLLECT)));
  }

  /** A strict reclaim of a whole root entry that still maps a page: it fails, changing nothing. */
  private static List<List<PagingStep>> strictOverAMapping(PagingFormat f) {
    long size = LabChecks.page(f);
    VirtualRange page = VirtualRange.ofLength(3 * GIB + 4 * size, size);
    return List.of(List.of(PagingStep.map(page, 5 * size, Generators.executableWhereNeeded(f, Attributes.readWrite()),
        ConflictPolicy.FAIL), PagingStep.reclaim(PagingScenarios.reaching(f,
            PagingScenarios.ReclaimRanges.WHOLE_ROOT_ENTRIES, page), ReclaimMode.STRICT)));
  }

  /** A process's whole upper half, where the kernel's shared tables hang, reclaimed. */
  private static List<List<PagingStep>> wholeUpperHalf(PagingFormat f) {
    return List.of(List.of(PagingStep.reclaim(f.upperHalf(), ReclaimMode.COLLECT)));
  }

  /** {@link #SEEDS} scenarios of {@link #STEPS} steps per format; the first failure, shrunk. */
  static void scenarios(List<PagingFormat> formats, Function<PagingFormat, StatefulRunner<PagingSystem>> runners,
      PagingScenarios.Mix mix) {
    for (PagingFormat f : formats) {
      StatefulRunner.Result<PagingSystem> r = runners.apply(f).runMany(1, SEEDS, STEPS);
      Optional<Throwable> failed = r.failure();
      if (failed.isPresent()) {
        Throwable cause = failed.get();
        throw CheckFailure.of("on " + f.name() + ", seed " + r.seed() + " of " + STEPS + " steps from " + mix + ": "
            + (cause.getMessage() == null ? cause.toString() : cause.getMessage()), r.seed(), r.scenario(), cause);
      }
    }
  }

  /** Pages at the ends of both halves, of every size that fits there. */
  private static void edges(List<PagingFormat> formats, TranslateSubmission t) {
    for (PagingFormat f : formats) {
      LabChecks.replay(f, PagingScenarios.translateRunner(f, t, MAPS), LabChecks.edgeScenarios(f));
    }
  }

  /** The first addresses outside each canonical half, and the middle of the hole. */
  private static void nonCanonical(List<PagingFormat> formats, TranslateSubmission t) {
    for (PagingFormat f : formats) {
      PagingSystem s = PagingSystem.create(f, PagingSubmission.library(), false);
      long lowerEnd = f.lowerHalf().last() + 1;
      long top = f.upperHalf().last();
      // Both sides of the hole; a 32-bit space has none, and everything above it is outside.
      long page = LabChecks.page(f);
      long[] outside = lowerEnd == f.upperHalf().first() ? new long[] {top + 1, top + 1 + page, 1L << 62, -1L}
          : new long[] {lowerEnd, f.upperHalf().first() - 1, 1L << 62, lowerEnd + page};
      for (long va : outside) {
        long got;
        try {
          got = t.translate(s.space(), va);
        } catch (IllegalArgumentException expected) {
          continue;
        } catch (RuntimeException e) {
          throw new AssertionError("on " + f.name() + ": translate(" + hex(va) + ") threw " + e
              + " instead of IllegalArgumentException: the address is not canonical", e);
        }
        throw new AssertionError("on " + f.name() + ": translate(" + hex(va) + ") returned " + name(got)
            + " instead of throwing IllegalArgumentException: the address is not canonical");
      }
    }
  }

  /**
   * Tables a walk must read as the MMU does: an entry that points back to the root (a recursive
   * mapping, which the MMU follows for as many levels as the format has: on x86 the address whose
   * every index is that entry's maps the root itself, and the window shows a mapped page's last
   * table), then what a walk must not trust: a table outside memory, an entry with a reserved bit
   * set at each level on the path to a mapped page, and a table pointer at the last level.
   */
  private static void hostile(List<PagingFormat> formats, TranslateSubmission t) {
    for (PagingFormat f : formats) {
      List<Level> levels = f.levels();
      int n = levels.size();
      Attributes permissive = Attributes.readWrite().withExecutable(true).withUser(true);
      Level root = levels.get(0);

      PagingSystem s = PagingSystem.create(f, PagingSubmission.library(), false);
      long rootFrame = s.space().root();
      long self = 0;
      for (Level level : levels) {
        self |= 1L << level.shift();
      }
      long page = LabChecks.page(f);
      long mapped = LabChecks.rootEntry(f, 5) | 7 * page;
      s.submission().map(VirtualRange.ofLength(mapped, page), 9 * page, permissive, ConflictPolicy.FAIL);
      root.writeEntry(s.memory(), rootFrame, 1, f.encodeTable(root, rootFrame, f.tableAttributesFor(permissive)));
      expectSame(t, s, self | 0x123, "root entry 1 points back to the root (a recursive mapping)");
      long window = 1L << root.shift();
      for (int d = 0; d + 1 < n; d++) {
        window |= (long) levels.get(d).index(mapped) << levels.get(d + 1).shift();
      }
      expectSame(t, s, window | 0x48, "root entry 1 points back to the root, and " + hex(window)
          + " reads the last table of the page at " + hex(mapped) + " through it");

      for (LabChecks.Malformed m : LabChecks.malformedSpaces(f)) {
        expectSame(t, m.system, m.va, m.what);
      }
    }
  }

  private static void expectSame(TranslateSubmission t, PagingSystem s, long va, String what) {
    long want = Translator.of(s.space()).physicalAddressOrElse(va, Translator.NOT_MAPPED);
    long got;
    try {
      got = t.translate(s.space(), va);
    } catch (RuntimeException e) {
      throw new AssertionError("on " + s.format().name() + ", where " + what + ": translate(" + hex(va) + ") threw "
          + e + " instead of returning " + name(want), e);
    }
    if (got != want) {
      throw new AssertionError("on " + s.format().name() + ", where " + what + ": translate(" + hex(va)
          + ") returned " + name(got) + " instead of " + name(want));
    }
  }

  private static String name(long physical) {
    return physical == Translator.NOT_MAPPED ? "NOT_MAPPED" : hex(physical);
  }
}
