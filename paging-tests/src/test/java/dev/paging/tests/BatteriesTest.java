package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.EntryKind;
import dev.paging.api.Level;
import dev.paging.core.AddressSpace;
import dev.paging.core.Formats;
import dev.paging.testkit.grading.Batteries;
import dev.paging.testkit.grading.Grader;
import dev.paging.testkit.grading.PagingSubmission;
import dev.paging.testkit.grading.ReclaimSubmission;
import dev.paging.testkit.grading.ScoreCard;
import dev.paging.testkit.grading.TranslateSubmission;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The three batteries grade correct submissions full, broken ones lower with a scenario, loops as timed out, and always alike. */
class BatteriesTest {
  @Test
  void correctImplementationsScoreFullMarks() {
    assertFull(Batteries.translate().grade("library", TranslateSubmission::library));
    assertFull(Batteries.reclaim().grade("library", ReclaimSubmission::library));
    assertFull(Batteries.reclaim().grade("student", StudentReclaimer::new));
    assertFull(Batteries.paging().grade("library", PagingSubmission::library));
  }

  @Test
  void eachReclaimBugFromTheSeedPullRequestScoresLowerWithAScenario() {
    int full = Batteries.reclaim().grade("student", StudentReclaimer::new).maxScore();
    List<Supplier<ReclaimSubmission>> broken = List.of(StudentReclaimer.StopsAfterHugePage::new,
        StudentReclaimer.FreesPartlyCoveredTables::new, StudentReclaimer.NoCascade::new,
        StudentReclaimer.FreesSharedTables::new);
    ScoreCard card = null;
    for (Supplier<ReclaimSubmission> submission : broken) {
      card = Batteries.reclaim().grade(submission.get().toString(), submission);
      assertLowerWithScenario(card, full);
    }
    // The last one frees shared tables, and only the check of shared tables sees it.
    assertThat(card.submission()).isEqualTo("FreesSharedTables");
    assertThat(card.score()).as(card.toMarkdown()).isEqualTo(8);
    assertThat(card.entry("shared kernel tables are never freed").status()).as(card.toMarkdown())
        .isEqualTo(ScoreCard.Status.FAILED);
  }

  @ParameterizedTest(name = "{0} loses: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      NoCascade                | emptied tables are freed, cascading up
      StopsAfterHugePage       | huge pages and partly covered tables stay
      FreesPartlyCoveredTables | huge pages and partly covered tables stay
      UnlinksBeforeFailing     | STRICT fails without changing anything
      FreesSharedTables        | shared kernel tables are never freed
      """)
  void eachPlantedReclaimBugLosesOnlyTheCheckNamedForIt(String bug, String check) throws Exception {
    Class<?> type = Class.forName(StudentReclaimer.class.getName() + "$" + bug);
    ScoreCard card = Batteries.reclaim().grade(bug, () -> {
      try {
        return (ReclaimSubmission) type.getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
    });

    // The check of random sequences of every operation mixes every concept: any bug may lose it.
    List<String> lost = card.entries().stream().filter(e -> e.status() != ScoreCard.Status.PASSED)
        .map(ScoreCard.Entry::check).filter(c -> !c.equals("random sequences of every operation")).toList();
    assertThat(lost).as(card.toMarkdown()).containsExactly(check);
    assertThat(card.entry(check).scenario()).as(card.toMarkdown()).isNotEmpty();
  }

  @ParameterizedTest(name = "{0} loses: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      UnmapWithoutInvalidations   | unmap
      ProtectWithoutInvalidations | protect
      """)
  void aBugInOneOperationCostsItsCheckAndNoOtherOperationsCheck(String bug, String check) throws Exception {
    Class<?> type = Class.forName(BrokenSubmissions.class.getName() + "$" + bug);
    PagingSubmission.Factory factory = space -> {
      try {
        return (PagingSubmission) type.getDeclaredConstructor(AddressSpace.class).newInstance(space);
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
    };
    ScoreCard card = Batteries.paging().grade(bug, () -> factory);

    // The last three checks exercise every operation together: any bug may cost them too.
    List<String> together = List.of("shared kernel half", "all or nothing when the allocator fails",
        "random sequences of every operation");
    List<String> lost = card.entries().stream().filter(e -> e.status() != ScoreCard.Status.PASSED)
        .map(ScoreCard.Entry::check).filter(c -> !together.contains(c)).toList();
    assertThat(lost).as(card.toMarkdown()).containsExactly(check);
  }

  @Test
  void brokenWholeImplementationsScoreLowerAndTheirCardsSayWhy() {
    ScoreCard invalidations = Batteries.paging().grade("drops invalidations", () -> BrokenSubmissions.DropsInvalidations::new);
    assertLowerWithScenario(invalidations, 10);
    ScoreCard.Entry unmap = invalidations.entry("unmap");
    assertThat(unmap.status()).as(invalidations.toMarkdown()).isEqualTo(ScoreCard.Status.FAILED);
    assertThat(unmap.message()).as(invalidations.toMarkdown()).contains("a missing invalidation");

    ScoreCard leaks = Batteries.paging().grade("leaks on failure", () -> BrokenSubmissions.LeaksFrameOnAllocationFailure::new);
    assertLowerWithScenario(leaks, 10);
    ScoreCard.Entry failures = leaks.entry("all or nothing when the allocator fails");
    assertThat(failures.status()).as(leaks.toMarkdown()).isEqualTo(ScoreCard.Status.FAILED);
    assertThat(failures.message()).as(leaks.toMarkdown()).contains("did not leave everything as it was")
        .contains("frames allocated since: ");
    assertThat(failures.scenario()).as(leaks.toMarkdown()).hasSize(1);
    assertThat(leaks.toMarkdown()).contains("## all or nothing when the allocator fails — FAILED")
        .contains("Replay seed: `" + failures.seed().orElseThrow() + "`").contains("Minimal scenario:\n\n```\n" + failures.scenario().get(0));
  }

  @Test
  void aBatteryRunsOnTheFormatsItIsGiven() {
    ScoreCard onSv39 = Batteries.translate(List.of(Formats.sv39()))
        .grade("sv39 only", () -> (space, va) -> {
          if (space.format() != Formats.sv39()) {
            throw new AssertionError("asked about " + space.format().name());
          }
          return TranslateSubmission.library().translate(space, va);
        });

    assertFull(onSv39);
    assertThatThrownBy(() -> Batteries.reclaim(List.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a battery needs at least one format");
  }

  @Test
  void gradingTwiceGivesTheSameCard() {
    Supplier<PagingSubmission.Factory> broken = () -> BrokenSubmissions.DropsInvalidations::new;
    assertThat(Batteries.paging().grade("again", broken).toJson())
        .isEqualTo(Batteries.paging().grade("again", broken).toJson());
    assertThat(Batteries.reclaim().grade("again", StudentReclaimer.NoCascade::new).toJson())
        .isEqualTo(Batteries.reclaim().grade("again", StudentReclaimer.NoCascade::new).toJson());
  }

  /**
   * A translation that follows recursive entries, guards against tables outside memory and
   * handles absent, table and leaf entries, but not malformed ones, and so re-reads the same malformed entry forever:
   * only the check with malformed tables runs into it.
   */
  static long loopsOnMalformed(AddressSpace space, long va) {
    if (!space.format().isCanonical(va)) {
      throw new IllegalArgumentException("not canonical");
    }
    List<Level> levels = space.format().levels();
    long table = space.root();
    int d = 0;
    while (true) {
      Level level = levels.get(d);
      long raw = space.memory().read(table + 8L * level.index(va));
      EntryKind kind = space.format().kind(level, raw);
      if (kind == EntryKind.EMPTY || kind == EntryKind.NOT_PRESENT) {
        return TranslateSubmission.NOT_MAPPED;
      }
      if (kind == EntryKind.LEAF) {
        return space.format().address(level, raw) | (va & (level.entrySpan() - 1));
      }
      if (kind == EntryKind.TABLE) {
        if (d == levels.size() - 1) {
          return TranslateSubmission.NOT_MAPPED;
        }
        long next = space.format().address(level, raw);
        if (!space.memory().contains(next, 4096)) {
          return TranslateSubmission.NOT_MAPPED;
        }
        table = next;
        d++;
      }
    }
  }

  @Test
  void aSubmissionThatLoopsForeverTimesOutAndIsStopped() throws Exception {
    Grader<TranslateSubmission> quick = Batteries.translate().withBudgetsScaled(0.3);
    long started = System.nanoTime();
    ScoreCard card = quick.grade("loops on malformed entries", () -> BatteriesTest::loopsOnMalformed);
    long elapsed = System.nanoTime() - started;
    ScoreCard.Entry hostile = card.entry("recursive entries are followed, malformed ones not");
    assertThat(hostile.status()).as(card.toMarkdown()).isEqualTo(ScoreCard.Status.TIMED_OUT);
    assertThat(hostile.message()).isEqualTo("did not finish within 1500 ms");
    assertThat(card.score()).as(card.toMarkdown()).isEqualTo(card.maxScore() - hostile.maxPoints());
    assertThat(Duration.ofNanos(elapsed)).isLessThan(Duration.ofSeconds(20));
    // The abandoned check's next memory access threw, so its thread is gone rather than spinning.
    String thread = "grader: translate / recursive entries are followed, malformed ones not";
    for (int i = 0; i < 100 && threadAlive(thread); i++) {
      Thread.sleep(10);
    }
    assertThat(threadAlive(thread)).isFalse();
  }

  private static boolean threadAlive(String name) {
    return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
  }

  @Test
  void budgetsScaleForSlowerOrFasterMachines() {
    Grader<Integer> g = Grader.<Integer>battery("toy").check("sleeps", 1, Duration.ofMillis(400), ms -> Thread.sleep(ms));
    assertThat(g.grade("fast", () -> 10).entry("sleeps").status()).isEqualTo(ScoreCard.Status.PASSED);
    assertThat(g.withBudgetsScaled(0.1).grade("slow", () -> 200).entry("sleeps").message())
        .isEqualTo("did not finish within 40 ms");
    assertThat(g.withBudgetsScaled(2.0).grade("slow", () -> 200).entry("sleeps").status())
        .isEqualTo(ScoreCard.Status.PASSED);
    assertThatThrownBy(() -> g.withBudgetsScaled(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("budget factor 0.0 is not a positive number");
  }

  private static void assertFull(ScoreCard card) {
    assertThat(card.score()).as(card.toMarkdown()).isEqualTo(card.maxScore()).isEqualTo(10);
  }

  /** Strictly below {@code full}, and every failed check names a seed and a short minimal scenario. */
  private static void assertLowerWithScenario(ScoreCard card, int full) {
    String markdown = card.toMarkdown();
    System.out.println(markdown);
    assertThat(card.score()).as(markdown).isLessThan(full);
    List<ScoreCard.Entry> failed = card.entries().stream().filter(e -> e.status() != ScoreCard.Status.PASSED).toList();
    assertThat(failed).as(markdown).isNotEmpty();
    for (ScoreCard.Entry e : failed) {
      assertThat(e.status()).as(markdown).isEqualTo(ScoreCard.Status.FAILED);
      assertThat(e.scenario()).as(markdown).isNotEmpty().hasSizeLessThanOrEqualTo(4);
      assertThat(e.message()).as(markdown).startsWith("on ");
      // A random scenario names its seed; a fixed one of the check's own has none to name.
      if (e.seed().isPresent()) {
        assertThat(e.message()).as(markdown).contains(", seed " + e.seed().getAsLong() + " of 16 steps from [");
      }
      assertThat(markdown).contains("## " + e.check() + " — FAILED").contains(String.join("\n", e.scenario()));
    }
  }
}
