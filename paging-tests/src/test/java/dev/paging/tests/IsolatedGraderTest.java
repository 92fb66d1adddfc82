package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.testkit.grading.Batteries;
import dev.paging.testkit.grading.Battery;
import dev.paging.testkit.grading.GradingInputException;
import dev.paging.testkit.grading.IsolatedGrader;
import dev.paging.testkit.grading.Rubric;
import dev.paging.testkit.grading.ScoreCard;
import dev.paging.testkit.grading.ScoreCard.Status;
import dev.paging.testkit.grading.TranslateSubmission;
import dev.paging.tests.submissions.SubmissionJars;
import dev.paging.tests.submissions.Submissions;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Grading in child JVMs: whatever a submission does in one check (exit, run out of heap, overflow
 * its stack, ignore interrupts, leave a thread running, print 50 MB), that check scores 0 with
 * its reason, the other is graded, and the run ends within its budgets.
 */
class IsolatedGraderTest {
  private static final String EDGES = "canonical edges and the top page";
  private static final String NON_CANONICAL = "non-canonical addresses are rejected";
  /** Two checks of the translate battery: the hostile submissions misbehave in the second only. */
  private static final String RUBRIC = String.join("\n",
      "battery = translate",
      "heap = 128m",
      "output-limit = 300",
      "[" + EDGES + "]",
      "budget = 20s",
      "[" + NON_CANONICAL + "]",
      "budget = 2s",
      "");
  private static final Battery<?> TRANSLATE = Batteries.named("translate");

  @TempDir
  static Path dir;
  private static Path jar;

  @BeforeAll
  static void packTheSubmissions() {
    jar = SubmissionJars.jar(dir.resolve("submissions.jar"), Submissions.class, TranslateSubmission.class,
        Submissions.Correct.class);
  }

  private static IsolatedGrader grader(String rubric) {
    return IsolatedGrader.of(TRANSLATE, Rubric.parse("rubric.txt", rubric));
  }

  private static ScoreCard grade(String simpleName) {
    return grader(RUBRIC).grade(jar, Submissions.class.getName() + "$" + simpleName);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      Exits             | ERROR     | the check's JVM ended with exit status 42 before the check finished: the submission \
      called System.exit(42) or Runtime.halt, or the JVM crashed
      RunsOutOfMemory   | ERROR     | ran out of memory: the check's JVM has a heap of 128 MiB (java.lang.OutOfMemoryError)
      OverflowsItsStack | ERROR     | java.lang.StackOverflowError
      IgnoresInterrupts | TIMED_OUT | did not finish within 2000 ms
      """)
  void aHostileCheckScoresZeroWithItsReasonAndTheOtherIsGraded(String submission, Status status, String message) {
    long start = System.nanoTime();
    ScoreCard card = grade(submission);
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(card.entry(EDGES).status()).as(card.toMarkdown()).isEqualTo(Status.PASSED);
    assertThat(card.entry(EDGES).points()).isEqualTo(1);
    ScoreCard.Entry hostile = card.entry(NON_CANONICAL);
    assertThat(hostile.status()).as(card.toMarkdown()).isEqualTo(status);
    assertThat(hostile.message()).isEqualTo(message);
    assertThat(hostile.points()).isZero();
    assertThat(card.score()).isEqualTo(1);
    assertThat(card.maxScore()).isEqualTo(2);
    // Each check ends within its budget and the child's grace to start and report.
    assertThat(millis).isLessThan(20_000 + 2_000 + 2 * IsolatedGrader.GRACE_MILLIS);
  }

  @Test
  void aThreadLeftRunningDoesNotKeepTheCheckAlive() {
    long start = System.nanoTime();
    ScoreCard card = grade("LeavesAThreadRunning");
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(card.score()).as(card.toMarkdown()).isEqualTo(2);
    assertThat(millis).isLessThan(20_000 + 2_000 + 2 * IsolatedGrader.GRACE_MILLIS);
  }

  @Test
  void fiftyMegabytesOfOutputAreCutToTheRubricsLimitAndMarked() {
    ScoreCard card = grade("PrintsFiftyMegabytes");

    // Each check has a JVM of its own, so the submission prints its 50 MB in both.
    assertThat(card.score()).as(card.toMarkdown()).isEqualTo(2);
    String marked = "--- the submission's output (its first 300 characters; it printed more) ---\n"
        + "x".repeat(300) + "\n--- end of the submission's output ---";
    assertThat(card.entry(EDGES).submissionOutput()).isEqualTo(marked);
    assertThat(card.entry(NON_CANONICAL).submissionOutput()).isEqualTo(marked);
  }

  @Test
  void aWrongSubmissionFailsWithTheBatterysMessageAndItsOwnOutputMarked() {
    ScoreCard card = grade("AcceptsNonCanonical");

    ScoreCard.Entry failed = card.entry(NON_CANONICAL);
    assertThat(failed.status()).isEqualTo(Status.FAILED);
    assertThat(failed.message()).isEqualTo("on x86-64: translate(0x0000800000000000) returned NOT_MAPPED instead of "
        + "throwing IllegalArgumentException: the address is not canonical");
    assertThat(failed.submissionOutput()).isEqualTo("--- the submission's output ---\n"
        + "student debug: 800000000000 is not mapped, I think\n--- end of the submission's output ---");
    assertThat(card.entry(EDGES).status()).isEqualTo(Status.PASSED);
  }

  @Test
  void theRubricsFormatsAreTheOnesEveryCheckRunsOn() {
    ScoreCard card = grader(RUBRIC.replace("output-limit = 300", "output-limit = 300\nformats = sv39"))
        .grade(jar, Submissions.class.getName() + "$AcceptsNonCanonical");

    assertThat(card.entry(NON_CANONICAL).message()).isEqualTo("on sv39: translate(0x0000004000000000) returned "
        + "NOT_MAPPED instead of throwing IllegalArgumentException: the address is not canonical");
  }

  @Test
  void gradingTheSameJarTwiceGivesTheSameCard() throws IOException {
    ScoreCard first = grade("AcceptsNonCanonical");
    ScoreCard second = grade("AcceptsNonCanonical");

    assertThat(second.toJson()).isEqualTo(first.toJson());
    assertThat(gradescope(second)).isEqualTo(gradescope(first));
  }

  @Test
  void withoutAClassNameTheServiceFileNamesIt() {
    ScoreCard card = grader(RUBRIC).grade(jar, null);

    assertThat(card.score()).as(card.toMarkdown()).isEqualTo(2);
    assertThat(card.submission()).isEqualTo("submissions.jar");
  }

  @Test
  void badSubmissionsAreRefusedBeforeAnythingRuns() throws IOException {
    IsolatedGrader grader = grader(RUBRIC);
    Path notAJar = Files.writeString(dir.resolve("notes.jar"), "not a zip");
    Path bare = SubmissionJars.jar(dir.resolve("bare.jar"), Submissions.class, null, null);
    String type = Submissions.class.getName();

    assertThatThrownBy(() -> grader.grade(dir.resolve("none.jar"), null)).isInstanceOf(GradingInputException.class)
        .hasMessage("submission " + dir.resolve("none.jar") + ": no such file");
    assertThatThrownBy(() -> grader.grade(notAJar, null)).isInstanceOf(GradingInputException.class)
        .hasMessageStartingWith("submission " + notAJar + " is not a jar (");
    assertThatThrownBy(() -> grader.grade(bare, null)).isInstanceOf(GradingInputException.class)
        .hasMessage("submission " + bare + " names no class: give --class, or list the class in "
            + "META-INF/services/dev.paging.testkit.grading.TranslateSubmission inside the jar");
    assertThatThrownBy(() -> grader.grade(bare, "org.example.Missing")).isInstanceOf(GradingInputException.class)
        .hasMessage("submission " + bare + " has no class org.example.Missing");
    assertThatThrownBy(() -> grader.grade(bare, type + "$ImplementsNothing")).isInstanceOf(GradingInputException.class)
        .hasMessage("class " + type + "$ImplementsNothing does not implement "
            + "dev.paging.testkit.grading.TranslateSubmission, the contract of battery translate: implement it, with a "
            + "public no-argument constructor");
    assertThatThrownBy(() -> grader.grade(bare, type + "$Hostile")).isInstanceOf(GradingInputException.class)
        .hasMessage("class " + type + "$Hostile must be a public, concrete class to be graded");
  }

  @Test
  void aRubricForAnotherBatteryIsRefused() {
    assertThatThrownBy(() -> IsolatedGrader.of(Batteries.named("reclaim"), Rubric.parse("rubric.txt", RUBRIC)))
        .isInstanceOf(GradingInputException.class)
        .hasMessage("rubric.txt is a rubric for battery 'translate', not 'reclaim'");
  }

  private static String gradescope(ScoreCard card) throws IOException {
    StringWriter out = new StringWriter();
    card.writeGradescope(out, 1.5);
    return out.toString();
  }
}
