package dev.paging.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressTest {
  private static final long MS = 1_000_000;

  private final StringWriter text = new StringWriter();
  private final PrintWriter err = new PrintWriter(text);
  private long now = 1_000 * MS;

  private Progress progress(long total) {
    return Progress.on(err, "translate", "addresses", total, () -> now);
  }

  @Test
  void nothingIsDrawnBeforeTheDelay() {
    Progress p = progress(10);
    now += Progress.DELAY_NANOS - 1;
    p.update(9);
    p.clear();

    assertThat(text.toString()).isEmpty();
  }

  @Test
  void drawsInPlaceAtMostOncePerIntervalAndClearsTheLine() {
    Progress p = progress(8);
    now += Progress.DELAY_NANOS;
    p.update(3);
    now += Progress.INTERVAL_NANOS - 1;
    p.update(4); // too soon after the last draw
    now += 1;
    p.update(8);
    p.clear();
    p.clear(); // nothing left to erase

    assertThat(text.toString()).isEqualTo(""
        + "\rtranslate: 3 of 8 addresses (37%)"
        + "\rtranslate: 8 of 8 addresses (100%)"
        + "\r" + " ".repeat("translate: 8 of 8 addresses (100%)".length()) + "\r");
  }

  @Test
  void afterAClearTheLineComesBackOnlyAfterTheInterval() {
    Progress p = progress(1000);
    now += Progress.DELAY_NANOS;
    p.update(1);
    p.clear();
    p.update(2); // same instant: a caller that clears often must not redraw every time
    now += Progress.INTERVAL_NANOS;
    p.update(3);

    assertThat(text.toString()).isEqualTo(""
        + "\rtranslate: 1 of 1000 addresses (0%)"
        + "\r" + " ".repeat(35) + "\r"
        + "\rtranslate: 3 of 1000 addresses (0%)");
  }

  @Test
  void anUnknownTotalShowsTheCountAlone() {
    Progress p = Progress.on(err, "audit", "tables", 0, () -> now);
    now += Progress.DELAY_NANOS;
    p.update(1234);

    assertThat(text.toString()).isEqualTo("\raudit: 1234 tables");
  }

  @Test
  void aDisabledReportPrintsNothing() {
    Progress p = Progress.disabled();
    p.update(1);
    p.clear();

    assertThat(text.toString()).isEmpty();
  }

  @Test
  void aSecondCountFollowsTheFirst() {
    Progress known = progress(400);
    Progress unknown = Progress.on(err, "inspect", "entries", 0, () -> now);
    now += Progress.DELAY_NANOS;
    known.update(100, 3, "tables");
    known.clear();
    unknown.update(5120, 12, "tables");

    assertThat(text.toString()).isEqualTo(""
        + "\rtranslate: 100 of 400 addresses (25%), 3 tables"
        + "\r" + " ".repeat("translate: 100 of 400 addresses (25%), 3 tables".length()) + "\r"
        + "\rinspect: 5120 entries, 12 tables");
  }

  @Test
  void theActionBeforeEachDrawRunsOnlyWhenTheLineIsDrawn() {
    StringBuilder log = new StringBuilder();
    Progress p = progress(10).beforeEachDraw(() -> log.append("flush;"));
    p.update(1); // before the delay: no draw
    now += Progress.DELAY_NANOS;
    p.update(2);
    p.update(3); // too soon
    now += Progress.INTERVAL_NANOS;
    p.update(4);

    assertThat(log).hasToString("flush;flush;");
    assertThat(Progress.disabled().beforeEachDraw(() -> log.append("never;")).isEnabled()).isFalse();
    Progress.disabled().update(5);
    assertThat(log).hasToString("flush;flush;");
    assertThat(p.isEnabled()).isTrue();
  }
}
