package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.testkit.grading.CheckFailure;
import dev.paging.testkit.grading.Grader;
import dev.paging.testkit.grading.ScoreCard;
import dev.paging.testkit.stateful.StatefulRunner;
import dev.paging.testkit.stateful.Step;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The runner and the grader on a toy system, so their own behaviour is pinned down exactly. */
class StatefulRunnerTest {
  /** A set whose remove(x) wrongly removes x + 1 too, next to a correct model. */
  static final class Sets {
    final boolean buggy;
    final TreeSet<Integer> impl = new TreeSet<>();
    final TreeSet<Integer> model = new TreeSet<>();

    Sets(boolean buggy) {
      this.buggy = buggy;
    }
  }

  static final class Add implements Step<Sets> {
    final int value;

    Add(int value) {
      this.value = value;
    }

    @Override
    public void apply(Sets s) {
      s.impl.add(value);
      s.model.add(value);
    }

    @Override
    public List<Step<Sets>> shrinks() {
      return value == 0 ? List.of() : List.of(new Add(value - 1));
    }

    @Override
    public String toString() {
      return "add(" + value + ")";
    }
  }

  static final class Remove implements Step<Sets> {
    final int value;

    Remove(int value) {
      this.value = value;
    }

    @Override
    public void apply(Sets s) {
      s.impl.remove(value);
      if (s.buggy) {
        s.impl.remove(value + 1);
      }
      s.model.remove(value);
    }

    @Override
    public List<Step<Sets>> shrinks() {
      return value == 0 ? List.of() : List.of(new Remove(value - 1));
    }

    @Override
    public String toString() {
      return "remove(" + value + ")";
    }
  }

  /**
   * A remove for a set that takes even values only (as a 64 KiB space takes no 4 KiB range):
   * an odd one throws, and does not fit.
   */
  static final class EvenRemove implements Step<Sets> {
    final int value;

    EvenRemove(int value) {
      this.value = value;
    }

    @Override
    public void apply(Sets s) {
      if (value % 2 != 0) {
        throw new IllegalArgumentException("remove(" + value + "): odd values are not taken");
      }
      new Remove(value).apply(s);
    }

    @Override
    public boolean fits(Sets s) {
      return value % 2 == 0;
    }

    @Override
    public List<Step<Sets>> shrinks() {
      return value <= 1 ? List.of() : List.of(new EvenRemove(value - 1), new EvenRemove(value - 2));
    }

    @Override
    public String toString() {
      return "remove(" + value + ")";
    }
  }

  /**
   * Shrinking never trades the real failure for a variant that fails only because the system
   * cannot take it: the odd removes offered first are skipped, so the minimal scenario still
   * fails on the bug, with even removes only.
   */
  @Test
  void aShrinkThatDoesNotFitTheSystemIsNotTaken() {
    StatefulRunner<Sets> runner = StatefulRunner.of(() -> new Sets(true),
        (random, s) -> random.nextBoolean() ? new Add(random.nextInt(10)) : new EvenRemove(2 * random.nextInt(5)),
        s -> {
          if (!s.impl.equals(s.model)) {
            throw new AssertionError("implementation " + s.impl + " but model " + s.model);
          }
        });
    StatefulRunner.Result<Sets> result = runner.runMany(1, 50, 40);
    assertThat(result.passed()).isFalse();
    // The bug's shape, add(k + 1) then remove(k), with k even: the shrinker moves one step at a
    // time, and each single move from there either fixes the pair or does not fit.
    assertThat(result.scenario()).hasSize(2);
    int k = ((EvenRemove) result.minimal().get(1)).value;
    assertThat(k % 2).isZero();
    assertThat(result.scenario()).containsExactly("add(" + (k + 1) + ")", "remove(" + k + ")");
    assertThat(result.failure().orElseThrow()).isInstanceOf(AssertionError.class)
        .hasMessage("implementation [] but model [" + (k + 1) + "]");
    // Given as it is, an ill-fitting step is applied and fails with its own error.
    assertThat(runner.replay(List.of(new EvenRemove(3))).orElseThrow())
        .hasMessage("remove(3): odd values are not taken");
  }

  private static StatefulRunner<Sets> runner(boolean buggy) {
    return StatefulRunner.of(() -> new Sets(buggy),
        (random, s) -> random.nextBoolean() ? new Add(random.nextInt(10)) : new Remove(random.nextInt(10)),
        s -> {
          if (!s.impl.equals(s.model)) {
            throw new AssertionError("implementation " + s.impl + " but model " + s.model);
          }
        });
  }

  @Test
  void aFailingSequenceShrinksToTheTwoStepsThatMatter() {
    StatefulRunner.Result<Sets> result = runner(true).runMany(1, 50, 40);
    assertThat(result.passed()).isFalse();
    assertThat(result.scenario()).containsExactly("add(1)", "remove(0)");
    assertThat(result.failure().orElseThrow()).hasMessage("implementation [] but model [1]");
    assertThat(runner(true).replay(result.minimal())).isPresent();
    assertThat(result.toString()).startsWith("seed " + result.seed() + ": " + result.original().size()
        + " steps fail; shrunk to 2:\n  add(1)\n  remove(0)\n  -> java.lang.AssertionError: implementation [] but model [1]");
    // The same seed replays the same failure and the same shrinking.
    assertThat(runner(true).run(result.seed(), 40).scenario()).isEqualTo(result.scenario());
  }

  @Test
  void aCorrectSystemPassesEverySeed() {
    StatefulRunner.Result<Sets> result = runner(false).runMany(1, 200, 40);
    assertThat(result.passed()).isTrue();
    assertThat(result.original()).hasSize(40);
  }

  @Test
  void theGraderScoresChecksAndWritesTheCard() {
    Grader<Boolean> battery = Grader.<Boolean>battery("toy sets")
        .check("sets agree", 5, Duration.ofSeconds(20), buggy -> {
          StatefulRunner.Result<Sets> r = runner(buggy).runMany(1, 50, 40);
          if (!r.passed()) {
            throw CheckFailure.of(r);
          }
        })
        .check("terminates", 2, Duration.ofMillis(300), buggy -> {
          while (buggy) {
            Thread.onSpinWait();
          }
        })
        .check("no exception", 1, Duration.ofSeconds(5), buggy -> {
          if (buggy) {
            throw new IllegalStateException("boom");
          }
        });
    ScoreCard good = battery.grade("correct", () -> false);
    assertThat(good.score()).isEqualTo(8);
    assertThat(good.maxScore()).isEqualTo(8);
    ScoreCard bad = battery.grade("buggy", () -> true);
    assertThat(bad.score()).isZero();
    long seed = bad.entry("sets agree").seed().orElseThrow();
    assertThat(bad.toJson()).isEqualTo("{\n"
        + "  \"battery\" : \"toy sets\",\n"
        + "  \"submission\" : \"buggy\",\n"
        + "  \"score\" : 0,\n"
        + "  \"maxScore\" : 8,\n"
        + "  \"checks\" : [ {\n"
        + "    \"name\" : \"sets agree\",\n"
        + "    \"points\" : 0,\n"
        + "    \"maxPoints\" : 5,\n"
        + "    \"status\" : \"FAILED\",\n"
        + "    \"visibility\" : \"visible\",\n"
        + "    \"message\" : \"implementation [] but model [1]\",\n"
        + "    \"seed\" : " + seed + ",\n"
        + "    \"scenario\" : [ \"add(1)\", \"remove(0)\" ]\n"
        + "  }, {\n"
        + "    \"name\" : \"terminates\",\n"
        + "    \"points\" : 0,\n"
        + "    \"maxPoints\" : 2,\n"
        + "    \"status\" : \"TIMED_OUT\",\n"
        + "    \"visibility\" : \"visible\",\n"
        + "    \"message\" : \"did not finish within 300 ms\"\n"
        + "  }, {\n"
        + "    \"name\" : \"no exception\",\n"
        + "    \"points\" : 0,\n"
        + "    \"maxPoints\" : 1,\n"
        + "    \"status\" : \"ERROR\",\n"
        + "    \"visibility\" : \"visible\",\n"
        + "    \"message\" : \"IllegalStateException: boom\"\n"
        + "  } ]\n"
        + "}");
    assertThat(bad.toMarkdown()).isEqualTo("# toy sets: buggy\n\n"
        + "Score: **0 / 8**\n\n"
        + "| check | points | status |\n|---|---:|---|\n"
        + "| sets agree | 0 / 5 | FAILED |\n"
        + "| terminates | 0 / 2 | TIMED_OUT |\n"
        + "| no exception | 0 / 1 | ERROR |\n"
        + "\n## sets agree — FAILED\n\n    implementation [] but model [1]\n"
        + "\nReplay seed: `" + seed + "`\n"
        + "\nMinimal scenario:\n\n```\nadd(1)\nremove(0)\n```\n"
        + "\n## terminates — TIMED_OUT\n\n    did not finish within 300 ms\n"
        + "\n## no exception — ERROR\n\n    IllegalStateException: boom\n");
    // Deterministic: grading again gives the same card.
    assertThat(battery.grade("buggy", () -> true).toJson()).isEqualTo(bad.toJson());
  }
}
