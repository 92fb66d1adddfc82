package dev.paging.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paging.api.Attributes;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.core.Formats;
import dev.paging.ops.PageTables;
import dev.paging.testkit.InvariantReport;
import dev.paging.testkit.PagingFixture;
import dev.paging.testkit.grading.Batteries;
import dev.paging.testkit.grading.ScoreCard;
import dev.paging.testkit.grading.TranslateSubmission;
import dev.paging.testkit.junit.PagingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The student's translation graded by the testkit's battery, and tested with its extension. */
@ExtendWith(PagingExtension.class)
class StudentTranslatorTest {
  @Test
  void runsOnTheModulePath() {
    assertEquals("dev.paging.example", getClass().getModule().getName());
    assertEquals("dev.paging.example", StudentTranslator.class.getModule().getName());
    assertEquals("dev.paging.testkit", Batteries.class.getModule().getName());
    assertTrue(getClass().getModule().canRead(Batteries.class.getModule()));
  }

  @Test
  void theBatteryGivesFullMarks() {
    ScoreCard card = Batteries.translate().grade("student", StudentTranslator::new);
    assertEquals(10, card.maxScore());
    assertEquals(10, card.score(), card::toMarkdown);
    for (ScoreCard.Entry entry : card.entries()) {
      assertEquals(ScoreCard.Status.PASSED, entry.status(), entry::check);
    }
  }

  @Test
  void aWalkThatAcceptsNonCanonicalAddressesLosesThatPoint() {
    TranslateSubmission lenient = (space, va) ->
        space.format().isCanonical(va) ? new StudentTranslator().translate(space, va) : TranslateSubmission.NOT_MAPPED;
    ScoreCard card = Batteries.translate().grade("lenient", () -> lenient);
    assertEquals(9, card.score(), card::toMarkdown);
    ScoreCard.Entry check = card.entry("non-canonical addresses are rejected");
    assertEquals(ScoreCard.Status.FAILED, check.status());
    assertEquals(0, check.points());
    assertTrue(check.message().endsWith("instead of throwing IllegalArgumentException: the address is not canonical"),
        check::message);
  }

  @Test
  void translatesWhatTheLibraryMapped(PagingFixture fixture) {
    AddressSpace space = fixture.newSpace(Formats.x86_64());
    PageTables tables = PageTables.of(space);
    tables.map(VirtualRange.ofLength(0x40_0000, 0x1000), 0x80_0000, Attributes.readOnly());
    tables.map(VirtualRange.ofLength(0x60_0000, 0x20_0000), 0xa0_0000, Attributes.readWrite());
    StudentTranslator student = new StudentTranslator();

    assertEquals(0x80_0123L, student.translate(space, 0x40_0123));
    assertEquals(0xa1_2345L, student.translate(space, 0x61_2345));
    assertEquals(0x20_0000L, tables.translate(0x61_2345).pageSize());
    assertEquals(TranslateSubmission.NOT_MAPPED, student.translate(space, 0x40_1000));
    assertEquals(TranslateSubmission.NOT_MAPPED, student.translate(space, 0xffff_8000_0000_0000L));

    // The root, one PDPT, one PD (holding the 2 MiB leaf) and one PT: nothing else, nothing
    // malformed. The extension checks the same after the test, leaks included.
    InvariantReport report = fixture.check();
    assertTrue(report.isClean(), report::toString);
    assertEquals(4, report.tables());
  }
}
