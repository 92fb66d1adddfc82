package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Attributes;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.Aarch64Options;
import dev.paging.core.Formats;
import dev.paging.ops.ConflictPolicy;
import dev.paging.ops.ReclaimMode;
import dev.paging.ops.Translator;
import dev.paging.testkit.ReferenceModel;
import dev.paging.testkit.grading.PagingScenarios.Mix;
import dev.paging.testkit.grading.PagingScenarios;
import dev.paging.testkit.grading.PagingStep;
import dev.paging.testkit.grading.PagingSubmission;
import dev.paging.testkit.grading.PagingSystem;
import dev.paging.testkit.stateful.StatefulRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The paging steps and scenarios: our own operations under thousands of random sequences, and the steps' own words. */
class PagingScenariosTest {
  private static final int SEQUENCES_PER_FORMAT = 400;
  private static final int STEPS = 25;
  private static final int LEGACY_SEQUENCES_PER_FORMAT = 100;
  /** How often each path must be reached in all the sequences. */
  private static final int MIN_PATH_COUNT = 25;

  /** What one thread ran: how the steps ended, and the first failure. */
  private static final class Tally {
    final Map<String, Integer> outcomes = new TreeMap<>();
    int sequences;
    int steps;
    StatefulRunner.Result<PagingSystem> failure;
  }

  /**
   * 2,000 seeded sequences of 25 steps, 400 on each format, every fortieth with the kernel half
   * shared, with allocation failures injected: zero failures, and every path the steps aim at
   * is reached many times. Two threads, one per core.
   */
  @Test
  void theLibraryPassesThousandsOfRandomSequences() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    Tally all = new Tally();
    try {
      List<Future<Tally>> parts = new ArrayList<>();
      for (int part = 0; part < 2; part++) {
        int first = part * SEQUENCES_PER_FORMAT / 2;
        parts.add(pool.submit(() -> run(first, first + SEQUENCES_PER_FORMAT / 2)));
      }
      for (Future<Tally> part : parts) {
        Tally t = part.get();
        all.sequences += t.sequences;
        all.steps += t.steps;
        t.outcomes.forEach((k, v) -> all.outcomes.merge(k, v, Integer::sum));
        if (all.failure == null) {
          all.failure = t.failure;
        }
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(all.failure).as("%s", all.failure).isNull();
    assertThat(all.sequences).isEqualTo(5 * SEQUENCES_PER_FORMAT);
    assertThat(all.steps).isEqualTo(5 * SEQUENCES_PER_FORMAT * STEPS);
    System.out.println(all.sequences + " sequences, " + all.steps + " steps: " + all.outcomes);
    for (String path : List.of("map FAIL succeeded", "map FAIL threw MappingConflictException",
        "map FAIL threw OutOfFramesException", "map REPLACE invalidated", "map REPLACE freed tables",
        "map REPLACE threw OutOfFramesException", "unmap invalidated", "unmap threw OutOfFramesException",
        "protect invalidated", "protect threw OutOfFramesException", "smash invalidated",
        "smash threw IllegalArgumentException", "smash threw OutOfFramesException", "collapse freed tables",
        "reclaim COLLECT freed tables", "reclaim STRICT freed tables", "reclaim STRICT threw TableNotEmptyException")) {
      assertThat(all.outcomes.getOrDefault(path, 0)).as(path + " in " + all.outcomes).isGreaterThanOrEqualTo(MIN_PATH_COUNT);
    }
  }

  /**
   * The same on 32-bit x86 with and without CR4.PSE and on PAE with and without EFER.NXE, 100
   * sequences each: 4-byte entries, a 4-entry root, no canonical hole and (without NX) no way to
   * deny execute. Zero failures, and the paths that exist there are reached.
   */
  @Test
  void theLibraryPassesRandomSequencesOnThirtyTwoBitX86() {
    List<PagingFormat> formats = List.of(Formats.x86_32(), Formats.x86_32(false), Formats.x86Pae(),
        Formats.x86Pae(false));
    Tally all = run(formats, 0, LEGACY_SEQUENCES_PER_FORMAT);
    assertThat(all.failure).as("%s", all.failure).isNull();
    assertThat(all.sequences).isEqualTo(4 * LEGACY_SEQUENCES_PER_FORMAT);
    assertEveryPathReachedFiveTimes(all);
  }

  /**
   * The same on AArch64, 100 sequences each: a 4 KiB granule with 48-bit (four levels) and
   * 39-bit (three levels) halves, a 16 KiB granule (a 2-entry L0, 16 KiB tables and pages, 32
   * MiB blocks) and a 64 KiB granule (a 64-entry L1, 64 KiB tables and pages, 512 MiB blocks):
   * two roots, TTBR0's half and TTBR1's, each with an end at the gap, and frames as large as
   * the tables. Zero failures, and the paths that exist there are reached.
   */
  @Test
  void theLibraryPassesRandomSequencesOnAarch64() {
    List<PagingFormat> formats = List.of(Formats.aarch64(),
        Formats.aarch64(Aarch64Options.defaults().withVirtualAddressBits(39)),
        Formats.aarch64(Aarch64Options.defaults().withGranule(16384)),
        Formats.aarch64(Aarch64Options.defaults().withGranule(65536)));
    Tally all = run(formats, 0, LEGACY_SEQUENCES_PER_FORMAT);
    assertThat(all.failure).as("%s", all.failure).isNull();
    assertThat(all.sequences).isEqualTo(4 * LEGACY_SEQUENCES_PER_FORMAT);
    assertEveryPathReachedFiveTimes(all);
  }

  /**
   * Halves with geometries of their own, 100 sequences each: TTBR0 with 4 KiB pages and 39 bits
   * beside TTBR1 with 64 KiB and 48 (a 64-entry root: sharing the kernel half preallocates a
   * table per root entry), and TTBR0 with 16 KiB and 47 beside TTBR1 with 4 KiB and 48.
   * Operations across the gap edit both halves' levels in one call.
   */
  @Test
  void theLibraryPassesRandomSequencesOnHalvesWithGeometriesOfTheirOwn() {
    List<PagingFormat> formats = List.of(
        Formats.aarch64(Aarch64Options.defaults().withGranules(4096, 65536).withVirtualAddressBits(39, 48)),
        Formats.aarch64(Aarch64Options.defaults().withGranules(16384, 4096).withVirtualAddressBits(47, 48)));
    Tally all = run(formats, 0, LEGACY_SEQUENCES_PER_FORMAT);
    assertThat(all.failure).as("%s", all.failure).isNull();
    assertThat(all.sequences).isEqualTo(2 * LEGACY_SEQUENCES_PER_FORMAT);
    assertEveryPathReachedFiveTimes(all);
  }

  /** Every outcome of every operation, met at least five times: the run exercised each path. */
  private static void assertEveryPathReachedFiveTimes(Tally all) {
    for (String path : List.of("map FAIL succeeded", "map FAIL threw MappingConflictException",
        "map FAIL threw OutOfFramesException", "map REPLACE freed tables", "unmap invalidated",
        "protect invalidated", "smash invalidated", "collapse freed tables", "reclaim COLLECT freed tables",
        "reclaim STRICT freed tables", "reclaim STRICT threw TableNotEmptyException")) {
      assertThat(all.outcomes.getOrDefault(path, 0)).as(path + " in " + all.outcomes).isGreaterThanOrEqualTo(5);
    }
  }

  private static Tally run(int firstSeed, int endSeed) {
    return run(PagingScenarios.formats(), firstSeed, endSeed);
  }

  private static Tally run(List<PagingFormat> formats, int firstSeed, int endSeed) {
    Tally tally = new Tally();
    for (PagingFormat f : formats) {
      for (int seed = firstSeed; seed < endSeed; seed++) {
        Mix mix = seed % 40 == 39 ? Mix.everything().withSharedKernelHalf() : Mix.everything();
        List<PagingSystem> systems = new ArrayList<>();
        StatefulRunner<PagingSystem> runner = StatefulRunner.of(() -> {
          PagingSystem s = PagingSystem.create(f, PagingSubmission.library(), mix.sharedKernelHalf());
          systems.add(s);
          return s;
        }, (random, s) -> PagingScenarios.next(random, s, mix), PagingSystem::check);
        StatefulRunner.Result<PagingSystem> r = runner.run(seed, STEPS);
        tally.sequences++;
        tally.steps += r.original().size();
        systems.get(0).outcomes().forEach((k, v) -> tally.outcomes.merge(k, v, Integer::sum));
        if (!r.passed() && tally.failure == null) {
          tally.failure = r;
        }
      }
    }
    return tally;
  }

  @Test
  void everyStepPrintsAsOneLineThatParsesBack() {
    Attributes kernelData = Attributes.readWrite().withGlobal(true).withDirty(true).withSoftwareBits(2).withMemoryType(3);
    List<PagingStep> steps = List.of(
        PagingStep.map(VirtualRange.closed(0xffff_8000_0000_0000L, 0xffff_8000_001f_ffffL), 0x4020_0000L, kernelData,
            ConflictPolicy.REPLACE).withAllocationFailure(2),
        PagingStep.map(VirtualRange.page(0), 0x5000, Attributes.readExecute().withUser(true), ConflictPolicy.FAIL),
        PagingStep.unmap(VirtualRange.closed(-0x1000L, -1L)),
        PagingStep.protect(VirtualRange.halfOpen(0x20_0000L, 0x40_0000L), Attributes.readOnly()).withAllocationFailure(1),
        PagingStep.smash(0x4000_0000L, 0x1000),
        PagingStep.collapse(VirtualRange.all()),
        PagingStep.reclaim(Formats.sv39().upperHalf(), ReclaimMode.STRICT));
    List<String> lines = new ArrayList<>();
    steps.forEach(s -> lines.add(s.toString()));
    assertThat(lines).containsExactly(
        "map [0xffff800000000000, 0xffff8000001fffff] to 0x0000000040200000 rw--g-d type=3 sw=0x2 REPLACE, allocation 2 fails",
        "map [0x0000000000000000, 0x0000000000000fff] to 0x0000000000005000 r-xu--- FAIL",
        "unmap [0xfffffffffffff000, 0xffffffffffffffff]",
        "protect [0x0000000000200000, 0x00000000003fffff] r------, allocation 1 fails",
        "smash 0x0000000040000000 to 0x0000000000001000",
        "collapse [0x0000000000000000, 0xffffffffffffffff]",
        "reclaim [0xffffffc000000000, 0xffffffffffffffff] STRICT");
    assertThat(PagingScenarios.parse(lines)).isEqualTo(steps);
    assertThat(PagingStep.parse("  unmap [0xfffffffffffff000, 0xffffffffffffffff]  ")).isEqualTo(steps.get(2));
  }

  @Test
  void aMixSaysWhatItDraws() {
    Mix mix = Mix.of(PagingScenarios.Operation.UNMAP, PagingScenarios.Operation.MAP_FAIL)
        .withAllocationFailures(2).withSharedKernelHalf();
    assertThat(mix).hasToString("[MAP_FAIL, UNMAP], allocation failures 1 in 2, kernel half shared");
    assertThat(Mix.everything().allocationFailureOneIn()).isEqualTo(5);
    assertThat(Mix.everything().operations()).hasSize(8);
    assertThatThrownBy(() -> Mix.everything().withAllocationFailures(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("allocation failures in one step in 0: the rate must be 1 or more");
  }

  @Test
  void aMixCanKeepMapsSmallAndReclaimsToWholeRootEntriesOrWithinOneTable() {
    Mix whole = Mix.of(PagingScenarios.Operation.MAP_FAIL, PagingScenarios.Operation.RECLAIM_COLLECT)
        .withSmallPagesOnly().withReclaimRanges(PagingScenarios.ReclaimRanges.WHOLE_ROOT_ENTRIES)
        .withReclaimJudging(PagingScenarios.ReclaimJudging.STRICT_FAILURES);
    Mix within = Mix.of(PagingScenarios.Operation.MAP_REPLACE, PagingScenarios.Operation.RECLAIM_COLLECT)
        .withReclaimRanges(PagingScenarios.ReclaimRanges.WITHIN_ONE_TABLE);
    assertThat(whole).hasToString("[MAP_FAIL, RECLAIM_COLLECT], 4 KiB pages only, reclaims of whole root entries, "
        + "judged on strict failures");
    assertThat(within).hasToString("[MAP_REPLACE, RECLAIM_COLLECT], reclaims within one table");
    assertThat(within.withMapsUpTo(64L << 20)).hasToString(
        "[MAP_REPLACE, RECLAIM_COLLECT], reclaims within one table, maps of at most 64M");
    assertThat(within.withMapsUpTo(64L << 20).mapLimit()).isEqualTo(64L << 20);
    assertThat(whole.mapLimit()).isEqualTo(8L << 20);
    assertThatThrownBy(() -> within.withMapsUpTo(4097)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("maps of at most 4097 bytes: the limit must be a multiple of 4 KiB");
    for (PagingFormat f : PagingScenarios.formats()) {
      long rootSpan = f.levels().get(0).entrySpan();
      // A table of the next-to-last level: 1 GiB on every format here.
      long table = f.levels().get(f.levels().size() - 3).entrySpan();
      for (long seed = 1; seed <= 30; seed++) {
        for (Mix mix : List.of(whole, within)) {
          SplittableRandom random = new SplittableRandom(seed);
          PagingSystem system = PagingSystem.create(f, PagingSubmission.library(), false);
          for (int i = 0; i < 12; i++) {
            PagingStep step = PagingScenarios.next(random, system, mix);
            VirtualRange r = step.touched();
            if (step.kind() == PagingStep.Kind.MAP && mix == whole) {
              assertThat(r.size()).as("%s", step).isLessThanOrEqualTo(8L << 20);
            }
            if (step.kind() == PagingStep.Kind.RECLAIM && mix == whole) {
              assertThat(r.first() % rootSpan).as("%s on %s", step, f).isZero();
              assertThat((r.last() + 1) % rootSpan).as("%s on %s", step, f).isZero();
            }
            if (step.kind() == PagingStep.Kind.RECLAIM && mix == within) {
              assertThat(Long.compareUnsigned(r.last() - r.first(), table - 1)).as("%s on %s", step, f).isNegative();
            }
            step.apply(system);
            system.check();
          }
          if (mix == whole) {
            // Every page a 4 KiB-only mix mapped is a 4 KiB page.
            for (ReferenceModel.Mapping m : system.model().mappings()) {
              assertThat(Translator.of(system.space()).translate(m.first()).pageSize()).as("%s on %s", m, f)
                  .isEqualTo(4096);
            }
          }
        }
      }
    }
  }

  @Test
  void aFailingLargeMapShrinksToThePageThatShowsTheBug() {
    long bug = 0x4000_0000L + 0x25_8000L;
    // Maps right, then quietly drops the page at one address: only a map covering it fails.
    PagingSubmission.Factory dropsOnePage = space -> new BrokenSubmissions.Wrapper(space) {
      @Override
      Outcome wrap(Supplier<Outcome> operation) {
        return operation.get();
      }

      @Override
      public Outcome map(VirtualRange range, long physicalStart, Attributes attributes, ConflictPolicy policy) {
        Outcome o = library.map(range, physicalStart, attributes, policy);
        if (range.contains(bug)) {
          library.unmap(VirtualRange.ofLength(bug, 4096));
        }
        return o;
      }
    };
    // 3.3 MiB from 1 GiB: 845 pages, the bug in the 601st.
    PagingStep big = PagingStep.map(VirtualRange.ofLength(0x4000_0000L, 845 * 4096L), 0x8000_0000L,
        Attributes.readWrite(), ConflictPolicy.FAIL);
    StatefulRunner<PagingSystem> runner = StatefulRunner.of(
        () -> PagingSystem.create(Formats.x86_64(), dropsOnePage, false), (random, system) -> big, PagingSystem::check);

    StatefulRunner.Result<PagingSystem> r = runner.run(1, 1);

    assertThat(r.passed()).isFalse();
    // Halved down to the one page, whose frame moved along, then to the plainest physical start
    // (the page's own offset in a 1 GiB block).
    assertThat(r.scenario()).containsExactly(
        "map [0x0000000040258000, 0x0000000040258fff] to 0x0000000000258000 rw----- FAIL");
  }

  @Test
  void whatIsNotAStepIsRefusedByName() {
    assertThatThrownBy(() -> PagingStep.parse("unmap 0x1000"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("not a paging step: 'unmap 0x1000'");
    assertThatThrownBy(() -> PagingStep.unmap(VirtualRange.closed(0x1000, 0x1ffe)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("range [0x0000000000001000, 0x0000000000001ffe] is not whole 4 KiB pages");
    assertThatThrownBy(() -> PagingStep.smash(0x1234, 0x1000))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("address 0x0000000000001234 is not 4 KiB aligned");
    assertThatThrownBy(() -> PagingStep.smash(0x1000, 0x3000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("page size 0x0000000000003000 is not a power of two of at least 4 KiB");
  }
}
