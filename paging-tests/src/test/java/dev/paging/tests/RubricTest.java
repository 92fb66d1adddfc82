package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.PagingFormat;
import dev.paging.core.Formats;
import dev.paging.testkit.grading.Batteries;
import dev.paging.testkit.grading.Battery;
import dev.paging.testkit.grading.GradingInputException;
import dev.paging.testkit.grading.Rubric;
import dev.paging.testkit.grading.Visibility;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rubric format: what each line means, the defaults, and an exact error naming the line for each mistake. */
class RubricTest {
  private static final Battery<?> TRANSLATE = Batteries.named("translate");

  @TempDir
  Path dir;

  @Test
  void withoutSectionsEveryCheckIsGradedAsTheBatteryDefinesIt() {
    Rubric rubric = Rubric.parse("r", "# nothing but a comment\n\nbattery = translate\n");

    assertThat(rubric.checks(TRANSLATE)).extracting(Rubric.Check::toString).containsExactly(
        "pages of every size in both halves (3 points, 10000 ms, visible)",
        "after unmap, protect, smash and collapse (3 points, 10000 ms, visible)",
        "canonical edges and the top page (1 points, 5000 ms, visible)",
        "non-canonical addresses are rejected (1 points, 5000 ms, visible)",
        "recursive entries are followed, malformed ones not (2 points, 5000 ms, visible)");
    assertThat(rubric.heapMiB()).isEqualTo(256);
    assertThat(rubric.outputLimit()).isEqualTo(4000);
    assertThat(rubric.formats()).extracting(PagingFormat::name)
        .containsExactly("x86-64", "x86-64-5level", "sv39", "sv48", "sv57");
    assertThat(Rubric.defaults().checks(TRANSLATE)).extracting(Rubric.Check::toString)
        .isEqualTo(rubric.checks(TRANSLATE).stream().map(Rubric.Check::toString).toList());
  }

  @Test
  void sectionsChooseTheChecksTheirOrderPointsBudgetsAndVisibility() {
    Rubric rubric = Rubric.parse("r", String.join("\r\n",
        "heap = 1g",
        "output-limit = 100",
        "formats = sv48, X86-64",
        "  [ non-canonical addresses are rejected ]  ",
        "points = 4",
        "budget = 1500ms",
        "visibility = AFTER_DUE_DATE",
        "[pages of every size in both halves]",
        "budget = 2m",
        "visibility = hidden"));

    assertThat(rubric.battery()).isNull();
    assertThat(rubric.heapMiB()).isEqualTo(1024);
    assertThat(rubric.outputLimit()).isEqualTo(100);
    assertThat(rubric.formats()).containsExactly(Formats.sv48(), Formats.x86_64());
    assertThat(rubric.checks(TRANSLATE)).extracting(Rubric.Check::name, Rubric.Check::points, Rubric.Check::budget,
        Rubric.Check::visibility).containsExactly(
        org.assertj.core.groups.Tuple.tuple("non-canonical addresses are rejected", 4, Duration.ofMillis(1500),
            Visibility.AFTER_DUE_DATE),
        org.assertj.core.groups.Tuple.tuple("pages of every size in both halves", 3, Duration.ofMinutes(2),
            Visibility.HIDDEN));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      heap = lots                    | r line 2: heap 'lots' is not a size such as 256m or 1g
      heap = 8m                      | r line 2: heap '8m' is outside 16m to 64g
      output-limit = 0               | r line 2: output-limit '0' is not a whole number from 1 to 10000000
      hep = 1g                       | r line 2: unknown setting 'hep' (before the first [check]: battery, heap, \
      output-limit, formats; in a check: points, budget, visibility)
      formats = sv39, sv40           | r line 2: format 'sv40' is not one of x86-64, x86-64-5level, sv39, sv48, sv57, x86-32, x86-pae, aarch64-4k, aarch64-16k, aarch64-64k, aarch64-4k/64k
      formats = sv39,,sv48           | r line 2: format '' is not one of x86-64, x86-64-5level, sv39, sv48, sv57, x86-32, x86-pae, aarch64-4k, aarch64-16k, aarch64-64k, aarch64-4k/64k
      formats = SV39, sv39           | r line 2: format sv39 is listed twice
      just words                     | r line 2: expected 'key = value', '[check name]' or a # comment, not 'just words'
      []                             | r line 2: a check section needs the check's name between the brackets
      battery =                      | r line 2: battery needs a name
      [x]\\npoints = -1              | r line 3: points '-1' is not a whole number from 1 to 1000000
      [x]\\nbudget = 10              | r line 3: budget '10' is not a time such as 500ms, 10s or 2m
      [x]\\nbudget = 0s              | r line 3: budget '0s' is outside 1ms to 60m
      [x]\\nbudget = 61m             | r line 3: budget '61m' is outside 1ms to 60m
      [x]\\nvisibility = secret      | r line 3: visibility 'secret' is not one of visible, hidden, after_due_date, \
      after_published
      [x]\\nheap = 1g                | r line 3: unknown setting 'heap' in check 'x' (points, budget, visibility; \
      battery, heap, output-limit and formats go before the first [check])
      [x]\\n\\n[x]                   | r line 4: check 'x' is listed twice (first on line 2)
      """)
  void eachMistakeIsAnErrorNamingItsLine(String lines, String message) {
    String text = "# lab 3\n" + lines.replace("\\n", "\n") + "\n";

    assertThatThrownBy(() -> Rubric.parse("r", text)).isInstanceOf(GradingInputException.class).hasMessage(message);
  }

  @Test
  void aCheckTheBatteryLacksIsNamedWithItsLineAndTheChecksThereAre() {
    Rubric rubric = Rubric.parse("r", "battery = translate\n\n[pages of every size]\npoints = 2\n");

    assertThatThrownBy(() -> rubric.checks(TRANSLATE)).isInstanceOf(GradingInputException.class).hasMessage(
        "r line 3: battery translate has no check 'pages of every size' (its checks: 'pages of every size in both "
            + "halves', 'after unmap, protect, smash and collapse', 'canonical edges and the top page', "
            + "'non-canonical addresses are rejected', 'recursive entries are followed, malformed ones not')");
  }

  @Test
  void aFileIsReadAsUtf8AndAMissingOneIsNamed() throws Exception {
    Path file = Files.writeString(dir.resolve("rubric.txt"), "battery = translate\n[non-canonical addresses are "
        + "rejected]\npoints = 7\n");

    assertThat(Rubric.read(file).checks(TRANSLATE)).singleElement().extracting(Rubric.Check::points).isEqualTo(7);
    assertThatThrownBy(() -> Rubric.read(dir.resolve("none.txt"))).isInstanceOf(GradingInputException.class)
        .hasMessage("rubric " + dir.resolve("none.txt") + ": no such file");
    assertThatThrownBy(() -> Rubric.read(file).checks(Batteries.named("paging")))
        .hasMessage(file + " is a rubric for battery 'translate', not 'paging'");
  }
}
