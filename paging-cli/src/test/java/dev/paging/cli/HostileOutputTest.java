package dev.paging.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 24 KiB image whose four tables link the next one from all 512 entries: 2^36 pages through
 * 2^27 entries of fan-out, so every dump would print for as long as its entry budget lasts, a
 * line or more per entry. The output budget ends the dump in proportion to the image, still
 * well formed.
 */
class HostileOutputTest {
  private static final int FRAME = 4096;

  @TempDir
  Path dir;

  private Path image;

  @BeforeEach
  void saveFanOutImage() throws IOException {
    ByteBuffer bytes = ByteBuffer.allocate(6 * FRAME).order(ByteOrder.LITTLE_ENDIAN);
    for (int table = 1; table <= 4; table++) {
      // Tables at 0x1000..0x4000; each entry links the next (present, writable, user), and the
      // last table's entries map the frame at 0x5000.
      long entry = (long) (table + 1) * FRAME | 0x7;
      for (int i = 0; i < 512; i++) {
        bytes.putLong(table * FRAME + 8 * i, entry);
      }
    }
    image = Files.write(dir.resolve("fan-out.img"), bytes.array());
  }

  private CliRun inspect(String... rest) {
    String[] args = new String[7 + rest.length];
    System.arraycopy(new String[] {"inspect", "--image", image.toString(), "--format", "x86-64", "--root", "0x1000"},
        0, args, 0, 7);
    System.arraycopy(rest, 0, args, 7, rest.length);
    return CliRun.of(args);
  }

  @Test
  void theDefaultBudgetIsSixteenCharactersPerImageByteButAtLeastSixteenMi() {
    assertThat(OutputBudget.defaultFor(24 * 1024)).isEqualTo(16L << 20);
    assertThat(OutputBudget.defaultFor(4L << 30)).isEqualTo(64L << 30);
    assertThat(OutputBudget.defaultFor(Long.MAX_VALUE / 2)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aJsonDumpStopsAtItsDefaultBudgetAndStaysWellFormed() throws IOException {
    CliRun r = inspect("--view", "json");

    assertThat(r.status).isEqualTo(1);
    assertThat(r.err).isEqualTo("paging inspect: the dump passed its output budget of 16777216 characters and stopped; "
        + "it is incomplete (raise --output-budget to see the rest)\n");
    // Past the budget by at most a writer's buffer (jackson holds 8000 characters) and the closing.
    assertThat((long) r.out.length()).isBetween(16L << 20, (16L << 20) + 16_384);
    assertWellFormed(r.out);
    assertThat(r.out).contains("\"complete\": false");
  }

  @Test
  void everyViewEndsAtWhicheverBudgetRunsOutFirst() throws IOException {
    // Views that print an entry at a time pass the output budget; ptdump, info-mem and dot fold
    // runs of like entries into a line (dot: one edge "x512") and read their entry budget first.
    for (String view : new String[] {"ptdump", "info-mem", "info-tlb", "vmprint", "json", "dot"}) {
      CliRun r = inspect("--view", view, "--output-budget", "100_000", "--entry-budget", "1_000_000");
      assertThat(r.status).as(view).isEqualTo(1);
      boolean folds = view.equals("ptdump") || view.equals("info-mem") || view.equals("dot");
      assertThat(r.err).as(view).isEqualTo(folds
          ? "paging inspect: the walk read its entry budget of 1000000 entries and stopped; the dump is incomplete "
              + "(raise --entry-budget to see the rest)\n"
          : "paging inspect: the dump passed its output budget of 100000 characters and stopped; it is incomplete "
              + "(raise --output-budget to see the rest)\n");
      assertThat((long) r.out.length()).as(view).isLessThanOrEqualTo(116_384L);
      if (!folds) {
        assertThat((long) r.out.length()).as(view).isGreaterThan(100_000L);
      }
      if (view.equals("json")) {
        assertWellFormed(r.out);
      }
    }
  }

  @Test
  void anAuditEntersATableThroughItsFirst1024LinksAndSaysSo() {
    CliRun r = CliRun.of("audit", "--image", image.toString(), "--format", "x86-64", "--root", "0x1000");

    // The PT is linked from every entry of the PD, which every PDPT entry links, and so on:
    // 2^27 links in all. Its 1025th link is entry 0 of the PD's third visit, at 2 GiB (two
    // visits of 512 entries of 2 MiB each before it); the PD's own 1025th is entry 0 of the
    // PDPT's third visit, at 2 x 512 GiB. Past that, neither is entered again, so the audit
    // finishes without its entry budget.
    assertThat(r.out).contains(""
        + "WARNING links-not-walked       [0x0000000080000000, 0x00000000801fffff] PD   table 0x0000000000003000: "
        + "PD entry 0 0x0000000000004007 links table 0x0000000000004000, already entered through 1024 other entries; "
        + "this link and the later ones to it were not walked\n");
    assertThat(r.out).contains(""
        + "WARNING links-not-walked       [0x0000010000000000, 0x000001003fffffff] PDPT table 0x0000000000002000: "
        + "PDPT entry 0 0x0000000000003007 links table 0x0000000000003000, already entered through 1024 other entries; "
        + "this link and the later ones to it were not walked\n");
    assertThat(r.out).doesNotContain("incomplete-walk");
    assertThat(r.out.lines().count()).isLessThan(20);
    assertThat(r.err).isEmpty();
    assertThat(r.status).isZero();
  }

  @Test
  void aBudgetMustBePositive() {
    CliRun r = inspect("--output-budget", "0");
    assertThat(r.status).isEqualTo(2);
    assertThat(r.err).isEqualTo("paging inspect: --output-budget 0 is not positive (see 'paging inspect --help')\n");
  }

  private static void assertWellFormed(String json) throws IOException {
    try (JsonParser p = new JsonFactory().createParser(json)) {
      int depth = 0;
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          depth++;
        } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
          depth--;
        }
      }
      assertThat(depth).isZero();
    }
  }
}
