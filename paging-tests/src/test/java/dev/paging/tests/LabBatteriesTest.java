package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.PagingFormat;
import dev.paging.core.Aarch64Options;
import dev.paging.core.Formats;
import dev.paging.testkit.grading.AccessedSubmission;
import dev.paging.testkit.grading.Batteries;
import dev.paging.testkit.grading.Grader;
import dev.paging.testkit.grading.MapSubmission;
import dev.paging.testkit.grading.PagingSubmission;
import dev.paging.testkit.grading.ReclaimSubmission;
import dev.paging.testkit.grading.ScoreCard;
import dev.paging.testkit.grading.TranslateSubmission;
import dev.paging.testkit.grading.VmprintSubmission;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The lab batteries: the library and a student's correct code score full marks, and each typical
 * wrong submission loses exactly the checks of its bug, with a scenario that shows it.
 */
class LabBatteriesTest {
  @Test
  void correctSubmissionsScoreFullMarks() {
    for (ScoreCard card : List.of(Batteries.vmprint().grade("library", VmprintSubmission::library),
        Batteries.vmprint().grade("student", LabSubmissions.Vmprint::new),
        Batteries.accessed().grade("library", AccessedSubmission::library),
        Batteries.accessed().grade("student", LabSubmissions.Accessed::new),
        Batteries.map().grade("library", MapSubmission::library),
        Batteries.map().grade("student", LabSubmissions.Map::new))) {
      assertThat(card.score()).as(card.toMarkdown()).isEqualTo(card.maxScore()).isEqualTo(10);
    }
  }

  /** Every battery accepts 32-bit x86 and PAE, and the library's own operations score full marks there. */
  @Test
  void everyBatteryGradesThirtyTwoBitX86AndPae() {
    List<PagingFormat> formats = List.of(Formats.x86_32(), Formats.x86Pae(), Formats.aarch64());
    for (ScoreCard card : List.of(Batteries.translate(formats).grade("library", TranslateSubmission::library),
        Batteries.reclaim(formats).grade("library", ReclaimSubmission::library),
        Batteries.paging(formats).grade("library", PagingSubmission::library),
        Batteries.vmprint(formats).grade("library", VmprintSubmission::library),
        Batteries.accessed(formats).grade("library", AccessedSubmission::library),
        Batteries.map(formats).grade("library", MapSubmission::library))) {
      assertThat(card.score()).as(card.toMarkdown()).isEqualTo(card.maxScore()).isEqualTo(10);
    }
  }

  /**
   * The larger AArch64 granules too: each check's pages, huge pages and edges are the granule's
   * (64 KiB pages and 512 MiB blocks with 64 KiB), so a battery that quietly assumed 4 KiB pages
   * would fail the library itself here.
   */
  @Test
  void everyBatteryGradesTheSixteenAndSixtyFourKibGranulesAndHalvesOfTheirOwn() {
    List<PagingFormat> formats = List.of(Formats.aarch64(Aarch64Options.defaults().withGranule(16 * 1024)),
        Formats.aarch64(Aarch64Options.defaults().withGranule(64 * 1024)),
        Formats.aarch64(Aarch64Options.defaults().withGranules(4096, 65536).withVirtualAddressBits(48, 42)));
    for (ScoreCard card : List.of(Batteries.translate(formats).grade("library", TranslateSubmission::library),
        Batteries.reclaim(formats).grade("library", ReclaimSubmission::library),
        Batteries.paging(formats).grade("library", PagingSubmission::library),
        Batteries.vmprint(formats).grade("library", VmprintSubmission::library),
        Batteries.accessed(formats).grade("library", AccessedSubmission::library),
        Batteries.map(formats).grade("library", MapSubmission::library))) {
      assertThat(card.score()).as(card.toMarkdown()).isEqualTo(card.maxScore()).isEqualTo(10);
    }
  }

  @ParameterizedTest(name = "{0} loses: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      VmprintIndentedOneDeeper           | by index, on spaces built by map
      VmprintAddressWithoutSignExtension | by address, after unmap, protect, smash and collapse; addresses at the edges of both halves
      VmprintSkipsMalformed              | malformed entries are printed, not followed
      AccessedKeepsBits                  | clears the accessed bits and changes nothing else; huge pages: reported by their part in the range, cleared whole
      AccessedWithoutInvalidations       | asks for the invalidations the cleared bits need
      AccessedClearsDirtyToo             | clears the accessed bits and changes nothing else
      AccessedSmallPagesOnly             | huge pages: reported by their part in the range, cleared whole
      MapSmallPagesOnly                  | the largest pages that fit
      MapLosesTheRestOfAHugePage         | replaces what is mapped, smashing a huge page the range cuts
      UnmapWholeHugePages                | unmaps, smashing a huge page the range cuts
      MapWithoutInvalidations            | replaces what is mapped, smashing a huge page the range cuts
      """)
  void eachTypicalBugLosesTheChecksOfItsConcept(String bug, String checks) throws Exception {
    Class<?> type = Class.forName(LabSubmissions.class.getName() + "$" + bug);
    Supplier<Object> fresh = () -> {
      try {
        return type.getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
    };
    ScoreCard card = bug.startsWith("Vmprint") ? grade(Batteries.vmprint(), bug, () -> (VmprintSubmission) fresh.get())
        : bug.startsWith("Accessed") ? grade(Batteries.accessed(), bug, () -> (AccessedSubmission) fresh.get())
        : grade(Batteries.map(), bug, () -> (MapSubmission) fresh.get());

    List<ScoreCard.Entry> lost = card.entries().stream().filter(e -> e.status() != ScoreCard.Status.PASSED).toList();
    assertThat(lost).extracting(ScoreCard.Entry::check).as(card.toMarkdown())
        .containsExactly(checks.split("; "));
    for (ScoreCard.Entry e : lost) {
      assertThat(e.status()).as(card.toMarkdown()).isEqualTo(ScoreCard.Status.FAILED);
      assertThat(e.message()).as(card.toMarkdown()).startsWith("on ");
      assertThat(e.scenario().size()).as(card.toMarkdown()).isLessThanOrEqualTo(4);
    }
  }

  private static <S> ScoreCard grade(Grader<S> battery, String name, Supplier<S> fresh) {
    return battery.grade(name, fresh);
  }
}
