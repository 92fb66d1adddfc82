package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.PagingFormat;
import dev.paging.testkit.grading.PagingScenarios;
import dev.paging.testkit.grading.PagingScenarios.Mix;
import dev.paging.testkit.grading.PagingScenarios.Operation;
import dev.paging.testkit.grading.PagingSubmission;
import dev.paging.testkit.grading.PagingSystem;
import dev.paging.testkit.stateful.StatefulRunner;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The testkit catches what it claims to: each deliberately broken implementation fails a seeded
 * scenario on every format, the runner shrinks it to a few steps, the printed steps replay the
 * failure, and the library passes them. (That the correct student-style reclaimer passes is shown
 * by its full marks in {@link BatteriesTest}.)
 */
class BrokenImplementationsTest {
  private static final Mix RECLAIM = Mix.of(Operation.MAP_FAIL, Operation.MAP_REPLACE, Operation.UNMAP,
      Operation.RECLAIM_COLLECT, Operation.RECLAIM_STRICT);
  private static final Mix SHARED = Mix.of(Operation.MAP_FAIL, Operation.UNMAP, Operation.RECLAIM_COLLECT)
      .withSharedKernelHalf();
  private static final int MAX_STEPS = 4;
  private static final int SEEDS = 40;
  private static final int STEPS = 20;

  @Test
  void stoppingTheWalkAfterAHugePageIsCaught() {
    caught(PagingSubmission.libraryWith(new StudentReclaimer.StopsAfterHugePage()), RECLAIM,
        "reclaim [");
  }

  @Test
  void freeingAPartlyCoveredTableIsCaught() {
    caught(PagingSubmission.libraryWith(new StudentReclaimer.FreesPartlyCoveredTables()), RECLAIM,
        "reclaim [");
  }

  @Test
  void reclaimWithoutCascadeIsCaught() {
    caught(PagingSubmission.libraryWith(new StudentReclaimer.NoCascade()), RECLAIM,
        "reclaim [");
  }

  @Test
  void freeingASharedTableIsCaught() {
    caught(PagingSubmission.libraryWith(new StudentReclaimer.FreesSharedTables()), SHARED,
        "reclaim [");
  }

  @Test
  void aMissingInvalidationIsCaught() {
    caught(BrokenSubmissions.DropsInvalidations::new, Mix.everything(), "stale TLB");
  }

  @Test
  void aFrameLeakedOnAllocationFailureIsCaught() {
    // Only allocation failures make these operations throw, so every catch is the leak on one.
    Mix failures = Mix.of(Operation.MAP_REPLACE, Operation.UNMAP, Operation.PROTECT).withAllocationFailures(2);
    caught(BrokenSubmissions.LeaksFrameOnAllocationFailure::new, failures,
        "threw OutOfFramesException but did not leave everything as it was: frames allocated since: ");
  }

  private static StatefulRunner<PagingSystem> runner(PagingFormat f, PagingSubmission.Factory factory, Mix mix) {
    return PagingScenarios.runner(f, factory, mix);
  }

  /**
   * On every format: a failure within {@link #SEEDS} seeds, shrunk to a few steps, whose printed
   * steps fail again with the same message and pass on the library. {@code symptom} is in the
   * minimal scenario's failure (a reclaim bug fails at a reclaim step: its result differs from
   * the library's, or it throws or does not throw TableNotEmptyException where the library does).
   */
  private static void caught(PagingSubmission.Factory broken, Mix mix, String symptom) {
    for (PagingFormat f : PagingScenarios.formats()) {
      StatefulRunner.Result<PagingSystem> r = runner(f, broken, mix).runMany(1, SEEDS, STEPS);
      assertThat(r.passed()).as("%s: no seed caught the bug", f.name()).isFalse();
      String report = f.name() + " " + r;
      System.out.println(report);
      assertThat(r.minimal()).as(report).hasSizeLessThanOrEqualTo(MAX_STEPS);
      assertThat(r.failure().orElseThrow().getMessage()).as(report).contains(symptom);
      Optional<Throwable> replayed = runner(f, broken, mix).replay(PagingScenarios.parse(r.scenario()));
      assertThat(replayed).as(report).isPresent();
      assertThat(replayed.get().getMessage()).as(report).isEqualTo(r.failure().orElseThrow().getMessage());
      assertThat(runner(f, PagingSubmission.library(), mix).replay(PagingScenarios.parse(r.scenario())))
          .as("the library on " + report).isEmpty();
    }
  }
}
