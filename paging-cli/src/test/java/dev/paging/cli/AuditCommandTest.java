package dev.paging.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Attributes;
import dev.paging.api.PagingFormat;
import dev.paging.core.Formats;
import dev.paging.tests.golden.GoldenSpaces;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code paging audit} end to end: images written by the test, audited by the command's entry
 * point; the exact text and JSON of the reports and the exit status for every {@code --fail-on}
 * on clean, information-only, warning and error images; corrupt and hostile images that must
 * audit to the end (or to the budget) with findings and no stack trace.
 */
class AuditCommandTest {
  static final long KIB_4 = 4L << 10;
  private static final String HELP = " (see 'paging audit --help')\n";

  @TempDir
  Path dir;

  private static CliRun audit(Path image, String... rest) {
    List<String> args = new ArrayList<>(List.of("audit", "--image", image.toString()));
    args.addAll(List.of(rest));
    return CliRun.of(args.toArray(new String[0]));
  }

  private Path save(ImageBuilder b, String name) throws IOException {
    return b.save(dir.resolve(name), 0, 1 << 20);
  }

  /**
   * An x86-64 space in a 1 MiB image, root at 0x1000, that audits clean: user code and data,
   * kernel text and data, every page inside the image. {@code kind} adds one finding's cause:
   * "info" an empty table, "warning" a W+X kernel page, "error" a PML4 entry with PS set.
   */
  static ImageBuilder space(String kind) {
    PagingFormat x86 = Formats.x86_64();
    ImageBuilder b = ImageBuilder.of(x86, 1 << 20, 0x1000);
    b.map(0x40_0000L, KIB_4, 0x8_0000L, Attributes.readExecute().withUser(true));
    b.map(0x40_1000L, KIB_4, 0x8_1000L, Attributes.readWrite().withUser(true).withAccessed(true).withDirty(true));
    b.map(0xffff_ffff_8100_0000L, KIB_4, 0x9_0000L, Attributes.readExecute().withGlobal(true));
    b.map(0xffff_ffff_8100_1000L, KIB_4, 0x9_1000L, Attributes.readWrite().withGlobal(true));
    switch (kind) {
      case "info":
        b.table(0x60_0000L, 3, x86.tableAttributesFor(Attributes.readWrite().withUser(true)));
        break;
      case "warning":
        b.map(0xffff_ffff_8100_2000L, KIB_4, 0x9_2000L,
            Attributes.readWrite().withExecutable(true).withGlobal(true));
        break;
      case "error":
        b.entry(0x0000_0080_0000_0000L, 0, x86.encodeTable(b.level(0), 0x2000, Attributes.readWrite()) | 0x80);
        break;
      default:
        break;
    }
    return b;
  }

  /** Words whose present bit is set and whose address is a frame of a 1 MiB image: tables that link anywhere. */
  static byte[] hostileBytes(long seed, int size) {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] bytes = new byte[size];
    for (int i = 0; i < size; i += 8) {
      long word = (random.nextLong(size >>> 12) << 12) | random.nextLong(0x200) | 1;
      for (int b = 0; b < 8; b++) {
        bytes[i + b] = (byte) (word >>> (8 * b));
      }
    }
    return bytes;
  }

  @Test
  void aCleanImageAuditsToAnEmptyReport() throws IOException {
    Path image = save(space("clean"), "clean.img");

    CliRun text = audit(image, "--format", "x86-64", "--root", "0x1000");
    CliRun json = audit(image, "--format", "x86-64", "--root", "0x1000", "--json");

    assertThat(text.err).isEmpty();
    assertThat(text.out).isEqualTo("summary: 0 findings: 0 errors, 0 warnings, 0 information\n");
    assertThat(text.status).isZero();
    assertThat(json.out).isEqualTo("""
        {
          "schema": "paging-audit/1",
          "format": "x86-64",
          "root": "0x0000000000001000",
          "range": { "first": "0x0000000000000000", "last": "0xffffffffffffffff" },
          "complete": true,
          "findings": [ ],
          "summary": { "findings": 0, "error": 0, "warning": 0, "info": 0, "byRule": { } }
        }
        """);
    assertThat(json.status).isZero();
  }

  @Test
  void eachKindOfImageReportsItsOneFinding() throws IOException {
    assertThat(audit(save(space("info"), "info.img"), "--format", "x86-64", "--root", "0x1000").out).isEqualTo(""
        + "INFO    empty-table            [0x0000000000600000, 0x00000000007fffff] PT   table 0x0000000000008000:"
        + " PT table 0x0000000000008000 has no entries; reclamation could free it\n"
        + "summary: 1 finding: 0 errors, 0 warnings, 1 information\n"
        + "  empty-table            1\n");
    assertThat(audit(save(space("warning"), "warning.img"), "--format", "x86-64", "--root", "0x1000").out).isEqualTo(""
        + "WARNING wx                     [0xffffffff81002000, 0xffffffff81002fff] PT   table 0x0000000000007000:"
        + " writable and executable\n"
        + "summary: 1 finding: 0 errors, 1 warning, 0 information\n"
        + "  wx                     1\n");
    assertThat(audit(save(space("error"), "error.img"), "--format", "x86-64", "--root", "0x1000").out).isEqualTo(""
        + "ERROR   reserved-bits          [0x0000008000000000, 0x000000ffffffffff] PML4 table 0x0000000000001000:"
        + " PML4 entry 1 0x8000000000002083: PS is reserved in a PML4 entry\n"
        + "summary: 1 finding: 1 error, 0 warnings, 0 information\n"
        + "  reserved-bits          1\n");
  }

  @ParameterizedTest(name = "{0} image, --fail-on {1}: exit {2}")
  @CsvSource({
      "clean, , 0", "clean, error, 0", "clean, warning, 0", "clean, info, 0",
      "info, , 0", "info, error, 0", "info, warning, 0", "info, info, 1",
      "warning, , 0", "warning, error, 0", "warning, warning, 1", "warning, info, 1",
      "error, , 1", "error, error, 1", "error, warning, 1", "error, info, 1",
  })
  void theExitStatusSaysWhetherAFindingIsAtOrAboveFailOn(String kind, String failOn, int status) throws IOException {
    Path image = save(space(kind), kind + ".img");
    List<String> args = new ArrayList<>(List.of("--format", "x86-64", "--root", "0x1000"));
    if (failOn != null) {
      args.addAll(List.of("--fail-on", failOn));
    }

    CliRun text = audit(image, args.toArray(new String[0]));
    args.add("--stream");
    CliRun streamed = audit(image, args.toArray(new String[0]));
    args.add("--json");
    CliRun streamedJson = audit(image, args.toArray(new String[0]));
    args.remove("--stream");
    CliRun json = audit(image, args.toArray(new String[0]));

    for (CliRun r : List.of(text, json, streamed, streamedJson)) {
      assertThat(r.err).isEmpty();
      assertThat(r.status).isEqualTo(status);
    }
  }

  @Test
  void tablesOutsideTheImageReservedBitsAndPagesOutsideTheImage() throws IOException {
    Path image = TranslateCommandTest.x86Space().save(dir.resolve("x86.img"), 0, TranslateCommandTest.IMAGE_SIZE);

    CliRun r = audit(image, "--format", "x86-64", "--root", "0x1000");

    assertThat(r.err).isEmpty();
    // The rwx user page at 0x1_0000_0000 is no W+X finding: the tables above it are read-only and NX.
    assertThat(r.out).isEqualTo("""
        INFO    outside-image          [0x0000000000401000, 0x0000000000401fff] PT   table 0x0000000000004000: \
        maps physical [0x0000000000203000, 0x0000000000203fff], outside the image
        INFO    outside-image          [0x0000000000403000, 0x0000000000403fff] PT   table 0x0000000000004000: \
        maps physical [0x0000000000204000, 0x0000000000204fff], outside the image
        ERROR   table-outside-memory   [0x0000000080000000, 0x00000000bfffffff] PDPT table 0x0000000000002000: \
        PDPT entry 2 0x0000000040000007: points to a table at 0x0000000040000000, outside physical memory
        INFO    outside-image          [0x0000000100000000, 0x0000000100000fff] PT   table 0x000000000000b000: \
        maps physical [0x0000000000300000, 0x0000000000300fff], outside the image
        ERROR   reserved-bits          [0x0000008000000000, 0x000000ffffffffff] PML4 table 0x0000000000001000: \
        PML4 entry 1 0x0000000000002087: PS is reserved in a PML4 entry
        INFO    outside-image          [0xffff888000000000, 0xffff8880001fffff] PD   table 0x0000000000006000: \
        maps physical [0x0000000000000000, 0x00000000001fffff], partly outside the image
        INFO    outside-image          [0xffff888040000000, 0xffff88807fffffff] PDPT table 0x0000000000005000: \
        maps physical [0x0000000040000000, 0x000000007fffffff], outside the image
        INFO    outside-image          [0xfffffffffffff000, 0xffffffffffffffff] PT   table 0x0000000000009000: \
        maps physical [0x00000000fee00000, 0x00000000fee00fff], outside the image
        summary: 8 findings: 2 errors, 0 warnings, 6 information
          outside-image          6
          reserved-bits          1
          table-outside-memory   1
        """);
    assertThat(r.status).isEqualTo(AuditCommand.FINDINGS);
  }

  @Test
  void anImageCutInsideATableHasItsTablesOutsideTheImage() throws IOException {
    // Only 0x3800 bytes were saved: the root and the PDPT are whole, the PD at 0x3000 is cut in half.
    Path image = TranslateCommandTest.x86Space().save(dir.resolve("cut.img"), 0, 0x3800);

    CliRun r = audit(image, "--format", "x86-64", "--root", "0x1000", "--range", "0-0x7fff_ffff_ffff");

    assertThat(r.err).isEmpty();
    assertThat(r.out).isEqualTo("""
        ERROR   table-outside-memory   [0x0000000000000000, 0x000000003fffffff] PDPT table 0x0000000000002000: \
        PDPT entry 0 0x0000000000003007: points to a table at 0x0000000000003000, outside physical memory
        ERROR   table-outside-memory   [0x0000000080000000, 0x00000000bfffffff] PDPT table 0x0000000000002000: \
        PDPT entry 2 0x0000000040000007: points to a table at 0x0000000040000000, outside physical memory
        ERROR   table-outside-memory   [0x0000000100000000, 0x000000013fffffff] PDPT table 0x0000000000002000: \
        PDPT entry 4 0x800000000000a005: points to a table at 0x000000000000a000, outside physical memory
        ERROR   reserved-bits          [0x0000008000000000, 0x000000ffffffffff] PML4 table 0x0000000000001000: \
        PML4 entry 1 0x0000000000002087: PS is reserved in a PML4 entry
        summary: 4 findings: 4 errors, 0 warnings, 0 information
          reserved-bits          1
          table-outside-memory   3
        """);
    assertThat(r.status).isEqualTo(1);
  }

  @Test
  void theJsonReportFollowsItsSchema() throws IOException {
    Path image = TranslateCommandTest.x86Space().save(dir.resolve("x86.img"), 0, TranslateCommandTest.IMAGE_SIZE);

    CliRun r = audit(image, "--format", "x86-64", "--root", "0x1000", "--range", "0x0-0x0000_00ff_ffff_ffff", "--json");

    assertThat(r.err).isEmpty();
    assertThat(r.out).isEqualTo("""
        {
          "schema": "paging-audit/1",
          "format": "x86-64",
          "root": "0x0000000000001000",
          "range": { "first": "0x0000000000000000", "last": "0x000000ffffffffff" },
          "complete": true,
          "findings": [
            { "rule": "outside-image", "severity": "info", "first": "0x0000000000401000", "last": "0x0000000000401fff", \
        "level": "PT", "table": "0x0000000000004000", "message": "maps physical [0x0000000000203000, 0x0000000000203fff], \
        outside the image" },
            { "rule": "outside-image", "severity": "info", "first": "0x0000000000403000", "last": "0x0000000000403fff", \
        "level": "PT", "table": "0x0000000000004000", "message": "maps physical [0x0000000000204000, 0x0000000000204fff], \
        outside the image" },
            { "rule": "table-outside-memory", "severity": "error", "first": "0x0000000080000000", \
        "last": "0x00000000bfffffff", "level": "PDPT", "table": "0x0000000000002000", "message": "PDPT entry 2 \
        0x0000000040000007: points to a table at 0x0000000040000000, outside physical memory" },
            { "rule": "outside-image", "severity": "info", "first": "0x0000000100000000", "last": "0x0000000100000fff", \
        "level": "PT", "table": "0x000000000000b000", "message": "maps physical [0x0000000000300000, 0x0000000000300fff], \
        outside the image" },
            { "rule": "reserved-bits", "severity": "error", "first": "0x0000008000000000", "last": "0x000000ffffffffff", \
        "level": "PML4", "table": "0x0000000000001000", "message": "PML4 entry 1 0x0000000000002087: PS is reserved in \
        a PML4 entry" }
          ],
          "summary": { "findings": 5, "error": 2, "warning": 0, "info": 3, "byRule": { \
        "outside-image": 3, "reserved-bits": 1, "table-outside-memory": 1 } }
        }
        """);
    assertThat(r.status).isEqualTo(1);
  }

  @Test
  void aRangeAuditsOnlyWhatItCovers() throws IOException {
    Path image = TranslateCommandTest.x86Space().save(dir.resolve("x86.img"), 0, TranslateCommandTest.IMAGE_SIZE);

    CliRun r = audit(image, "--format", "x86-64", "--root", "0x1000", "--from", "0x40_0000", "--to", "0x40_1fff");

    assertThat(r.out).isEqualTo(""
        + "INFO    outside-image          [0x0000000000401000, 0x0000000000401fff] PT   table 0x0000000000004000:"
        + " maps physical [0x0000000000203000, 0x0000000000203fff], outside the image\n"
        + "summary: 1 finding: 0 errors, 0 warnings, 1 information\n"
        + "  outside-image          1\n");
    assertThat(r.status).isZero();
  }

  @Test
  void sv39AtABaseAddress() throws IOException {
    long base = 0x8000_0000L;
    ImageBuilder b = TranslateCommandTest.sv39Space(base + TranslateCommandTest.IMAGE_SIZE, base + 0x1000);
    b.entry(0x0000_0000_6000_0000L, 1, ((base - 0x1000) >>> 12) << 10 | 1);
    Path image = b.save(dir.resolve("ram.img"), base, TranslateCommandTest.IMAGE_SIZE);
    String satp = "0x" + Long.toHexString(TranslateCommandTest.sv39Satp(base + 0x1000));

    CliRun r = audit(image, "--satp", satp, "--base", "0x8000_0000");

    assertThat(r.err).isEmpty();
    // The image holds physical 0x8000_0000..0x800f_ffff: the gigapage at 0x8000_0000 is partly in it.
    assertThat(r.out).isEqualTo("""
        INFO    outside-image          [0x0000000010000000, 0x0000000010000fff] L0   table 0x0000000080003000: \
        maps physical [0x0000000080200000, 0x0000000080200fff], outside the image
        ERROR   reserved-encoding      [0x0000000010001000, 0x0000000010001fff] L0   table 0x0000000080003000: \
        L0 entry 1 0x00000000200c0005: W without R is reserved
        INFO    outside-image          [0x0000000040000000, 0x00000000401fffff] L1   table 0x0000000080004000: \
        maps physical [0x0000000080400000, 0x00000000805fffff], outside the image
        ERROR   table-outside-memory   [0x0000000060000000, 0x00000000601fffff] L1   table 0x0000000080004000: \
        L1 entry 256 0x000000001ffffc01: points to a table at 0x000000007ffff000, outside physical memory
        INFO    outside-image          [0xffffffffc0000000, 0xffffffffffffffff] L2   table 0x0000000080001000: \
        maps physical [0x0000000080000000, 0x00000000bfffffff], partly outside the image
        WARNING wx                     [0xffffffffc0000000, 0xffffffffffffffff] L2   table 0x0000000080001000: \
        writable and executable
        INFO    writable-alias         [0xffffffffc0400000, 0xffffffffc05fffff] L2   table 0x0000000080001000: \
        physical [0x0000000080400000, 0x00000000805fffff] is also mapped writable at 0x0000000040000000
        summary: 7 findings: 2 errors, 1 warning, 4 information
          outside-image          3
          reserved-encoding      1
          table-outside-memory   1
          writable-alias         1
          wx                     1
        """);
    assertThat(r.status).isEqualTo(1);
  }

  @Test
  void fiveLevelPaging() {
    Path image = GoldenSpaces.x86FiveLevel().saveImage(dir.resolve("la57.img"));

    CliRun r = audit(image, "--format", "x86-64-5level", "--root", "0x10_0000", "--fail-on", "warning");

    assertThat(r.out).isEqualTo("""
        INFO    outside-image          [0x0001000040000000, 0x000100007fffffff] PDPT table 0x0000000000106000: \
        maps physical [0x0000000040000000, 0x000000007fffffff], outside the image
        INFO    outside-image          [0xff00000000000000, 0xff000000001fffff] PD   table 0x0000000000109000: \
        maps physical [0x0000000000200000, 0x00000000003fffff], outside the image
        summary: 2 findings: 0 errors, 0 warnings, 2 information
          outside-image          2
        """);
    assertThat(r.status).isZero();
  }

  @Test
  void anExhaustedBudgetIsAnIncompleteWalkWarning() throws IOException {
    Path image = InspectCommandTest.fanOutImage(dir.resolve("fan.img"));

    CliRun text = audit(image, "--format", "x86-64", "--root", "0x1000", "--entry-budget", "5000");
    CliRun failOnWarning = audit(image, "--format", "x86-64", "--root", "0x1000", "--entry-budget", "5000", "--fail-on", "warning");
    CliRun json = audit(image, "--format", "x86-64", "--root", "0x1000", "--entry-budget", "5000", "--json");

    assertThat(text.err).isEmpty();
    // One PT, linked from every PD entry, maps physical 0..0x1ff000; the 0x5000-byte image holds its first five pages.
    // 5000 reads, one per entry: 3 pointers down to the first PT, its 512 entries, then 513 per
    // next PD entry and its PT, so PD entries 0-8 are walked whole and entry 9 up to PT entry 379:
    // the walk stops at 9 x 2 MiB + 380 x 4 KiB.
    StringBuilder outside = new StringBuilder();
    for (int k = 1; k <= 8; k++) {
      long at = k * 0x20_0000L;
      outside.append(String.format("INFO    outside-image          [0x%016x, 0x%016x] PT   table 0x0000000000004000: "
          + "maps physical [0x0000000000005000, 0x00000000001fffff], outside the image%n", at + 0x5000, at + 0x1f_ffff));
    }
    assertThat(text.out).isEqualTo("""
        INFO    shared-table           [0x0000000000000000, 0x00000000001fffff] PT   table 0x0000000000004000: \
        PT table 0x0000000000004000 is linked from 10 parent entries
        INFO    outside-image          [0x0000000000005000, 0x00000000001fffff] PT   table 0x0000000000004000: \
        maps physical [0x0000000000005000, 0x00000000001fffff], outside the image
        INFO    writable-alias         [0x0000000000200000, 0x00000000011fffff] PT   table 0x0000000000004000: \
        physical [0x0000000000000000, 0x00000000001fffff] is also mapped writable at 0x0000000000000000
        """ + outside + """
        INFO    writable-alias         [0x0000000001200000, 0x000000000137bfff] PT   table 0x0000000000004000: \
        physical [0x0000000000000000, 0x000000000017bfff] is also mapped writable at 0x0000000000000000
        INFO    outside-image          [0x0000000001205000, 0x000000000137bfff] PT   table 0x0000000000004000: \
        maps physical [0x0000000000005000, 0x000000000017bfff], outside the image
        WARNING incomplete-walk        [0x000000000137c000, 0xffffffffffffffff] PML4 table 0x0000000000001000: \
        the walk read its budget of 5000 entries and stopped; [0x000000000137c000, 0xffffffffffffffff] was not audited
        summary: 14 findings: 0 errors, 1 warning, 13 information; walk incomplete
          incomplete-walk        1
          outside-image          10
          shared-table           1
          writable-alias         2
        """);
    assertThat(text.status).isZero();
    assertThat(failOnWarning.status).isEqualTo(1);
    assertThat(json.out)
        .contains("\n  \"complete\": false,\n")
        .contains("\n    { \"rule\": \"incomplete-walk\", \"severity\": \"warning\", \"first\": \"0x000000000137c000\", "
            + "\"last\": \"0xffffffffffffffff\", \"level\": \"PML4\", \"table\": \"0x0000000000001000\", "
            + "\"message\": \"the walk read its budget of 5000 entries and stopped; "
            + "[0x000000000137c000, 0xffffffffffffffff] was not audited\" }\n  ],\n");
    assertThat(json.status).isZero();
  }

  @Test
  void streamedFindingsAreWrittenInWalkOrderAndCountedAlike() throws IOException {
    Path image = InspectCommandTest.fanOutImage(dir.resolve("fan.img"));
    String[] args = {"--format", "x86-64", "--root", "0x1000", "--entry-budget", "5000"};

    CliRun held = audit(image, args);
    CliRun streamed = audit(image, concat(args, "--stream"));

    // The walk as in anExhaustedBudgetIsAnIncompleteWalkWarning. Each visit of the PT makes an
    // outside-image run, which the rule reports when it meets the next visit's run, and which
    // leaves the audit when the rule reports that one: so visit k's finding leaves during visit
    // k + 2. The rest leave when the walk stops, rule by rule in the CLI's order: the table shared,
    // which only the end can tell, the two writable aliases (the first continued over nine
    // visits), the last two outside-image runs, then what was not audited.
    StringBuilder outside = new StringBuilder();
    for (int k = 0; k <= 7; k++) {
      long at = k * 0x20_0000L;
      outside.append(String.format("INFO    outside-image          [0x%016x, 0x%016x] PT   table 0x0000000000004000: "
          + "maps physical [0x0000000000005000, 0x00000000001fffff], outside the image%n", at + 0x5000, at + 0x1f_ffff));
    }
    assertThat(streamed.err).isEmpty();
    assertThat(streamed.out).isEqualTo(outside + """
        INFO    shared-table           [0x0000000000000000, 0x00000000001fffff] PT   table 0x0000000000004000: \
        PT table 0x0000000000004000 is linked from 10 parent entries
        INFO    writable-alias         [0x0000000000200000, 0x00000000011fffff] PT   table 0x0000000000004000: \
        physical [0x0000000000000000, 0x00000000001fffff] is also mapped writable at 0x0000000000000000
        INFO    writable-alias         [0x0000000001200000, 0x000000000137bfff] PT   table 0x0000000000004000: \
        physical [0x0000000000000000, 0x000000000017bfff] is also mapped writable at 0x0000000000000000
        INFO    outside-image          [0x0000000001005000, 0x00000000011fffff] PT   table 0x0000000000004000: \
        maps physical [0x0000000000005000, 0x00000000001fffff], outside the image
        INFO    outside-image          [0x0000000001205000, 0x000000000137bfff] PT   table 0x0000000000004000: \
        maps physical [0x0000000000005000, 0x000000000017bfff], outside the image
        WARNING incomplete-walk        [0x000000000137c000, 0xffffffffffffffff] PML4 table 0x0000000000001000: \
        the walk read its budget of 5000 entries and stopped; [0x000000000137c000, 0xffffffffffffffff] was not audited
        summary: 14 findings: 0 errors, 1 warning, 13 information; walk incomplete
          incomplete-walk        1
          outside-image          10
          shared-table           1
          writable-alias         2
        """);
    // The same lines as the sorted report, in another order.
    assertThat(streamed.out.split("\n")).containsExactlyInAnyOrder(held.out.split("\n"));
    assertThat(streamed.out).isNotEqualTo(held.out);
    assertThat(streamed.status).isEqualTo(held.status).isZero();
  }

  @Test
  void theStreamedJsonReportHasTheSameSchemaWithCompleteAfterTheFindings() throws IOException {
    Path image = save(space("error"), "error.img");

    CliRun r = audit(image, "--format", "x86-64", "--root", "0x1000", "--stream", "--json");

    assertThat(r.err).isEmpty();
    assertThat(r.out).isEqualTo("""
        {
          "schema": "paging-audit/1",
          "format": "x86-64",
          "root": "0x0000000000001000",
          "range": { "first": "0x0000000000000000", "last": "0xffffffffffffffff" },
          "order": "walk",
          "findings": [
            { "rule": "reserved-bits", "severity": "error", "first": "0x0000008000000000", "last": "0x000000ffffffffff", \
        "level": "PML4", "table": "0x0000000000001000", "message": "PML4 entry 1 0x8000000000002083: PS is reserved in \
        a PML4 entry" }
          ],
          "complete": true,
          "summary": { "findings": 1, "error": 1, "warning": 0, "info": 0, "byRule": { "reserved-bits": 1 } }
        }
        """);
    assertThat(r.status).isEqualTo(1);
  }

  @Test
  void aStreamedAuditToAClosedStandardOutputEndsQuietlyAsSigpipeWould() throws IOException {
    Path image = Files.write(dir.resolve("random.img"), InspectCommandTest.randomBytes(42, 1 << 20));
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int status = Main.run(new String[] {"audit", "--image", image.toString(), "--format", "x86-64", "--root", "0x3000",
        "--stream"}, new PrintStream(new InspectCommandTest.ClosedPipe(), false, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(status).isEqualTo(128 + 13);
  }

  private static String[] concat(String[] args, String... more) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of(more));
    return all.toArray(new String[0]);
  }

  @Test
  void randomBytesAuditToTheEnd() throws IOException {
    Path image = Files.write(dir.resolve("random.img"), InspectCommandTest.randomBytes(42, 1 << 20));

    CliRun r = audit(image, "--format", "x86-64", "--root", "0x3000");

    assertThat(r.err).isEmpty();
    // 271 malformed root entries, as many as the JSON dump of the same image counts: the first 16
    // of each rule are listed, and one more finding each folds the other 107 and 132.
    assertThat(r.out)
        .startsWith("ERROR   table-outside-memory   [0x0000000000000000, 0x0000007fffffffff] PML4 table 0x0000000000003000:"
            + " PML4 entry 0 0xd16c17652592f705: points to a table at 0x000c17652592f000, outside physical memory\n")
        .contains("table 0x0000000000003000: 132 more findings of this rule about this table in this span were folded "
            + "into this one (16 are listed); the first: PML4 entry 49 0x10a598d8dc932d41: points to a table at "
            + "0x000598d8dc932000, outside physical memory\n")
        .contains("table 0x0000000000003000: 107 more findings of this rule about this table in this span were folded "
            + "into this one (16 are listed); the first: PML4 entry 80 0x7931e298b1643bd7: PS is reserved in a PML4 entry\n")
        .endsWith("""
            summary: 34 findings: 34 errors, 0 warnings, 0 information
              reserved-bits          17
              table-outside-memory   17
            """);
    assertThat(r.status).isEqualTo(1);
  }

  @Test
  void hostileTablesThatLinkAnywhereAuditToTheBudget() throws IOException {
    Path image = Files.write(dir.resolve("hostile.img"), hostileBytes(7, 1 << 20));

    CliRun r = audit(image, "--format", "x86-64", "--root", "0x3000", "--entry-budget", "100_000");

    assertThat(r.err).isEmpty();
    // Whatever the budget, the walk meets the same first bad entry first...
    assertThat(r.out)
        .startsWith("ERROR   misaligned-leaf        [0x0000000000000000, 0x00000000001fffff] PD   table 0x0000000000052000:"
            + " PD entry 0 0x00000000000750c9: the 2M page's address 0x0000000000074000 is not aligned to its size\n");
    // ...and, cut by the budget, says so once, naming the budget and what was left out.
    List<String> lines = List.of(r.out.split("\n"));
    List<String> incomplete = lines.stream().filter(l -> l.startsWith("WARNING incomplete-walk")).collect(Collectors.toList());
    assertThat(incomplete).hasSize(1);
    assertThat(incomplete.get(0)).contains(" the walk read its budget of 100000 entries and stopped; [0x")
        .endsWith(", 0xffffffffffffffff] was not audited");
    // The summary counts exactly the findings listed above it.
    int summary = lines.indexOf(lines.stream().filter(l -> l.startsWith("summary: ")).findFirst().orElseThrow());
    assertThat(lines.get(summary)).startsWith("summary: " + summary + " findings: ").endsWith("; walk incomplete");
    assertThat(r.status).isEqualTo(1);
  }

  @Test
  void progressIsErasedBeforeTheReport() throws IOException {
    Path image = InspectCommandTest.fanOutImage(dir.resolve("fan.img"));
    String[] args = {"audit", "--image", image.toString(), "--format", "x86-64", "--root", "0x1000", "--entry-budget", "5000"};

    String terminal = InspectCommandTest.onOneTerminal(args);

    assertThat(terminal).containsPattern("\raudit: \\d+ entries, \\d+ tables");
    assertThat(InspectCommandTest.screen(terminal)).isEqualTo(CliRun.of(args).out);
  }

  @Test
  void badInputIsOneLine() throws IOException {
    Path image = save(space("clean"), "clean.img");

    CliRun failOn = audit(image, "--format", "x86-64", "--root", "0x1000", "--fail-on", "fatal");
    CliRun range = audit(image, "--format", "x86-64", "--root", "0x1000", "--range", "0x2000-0x1000");
    CliRun missing = audit(dir.resolve("none.img"), "--format", "x86-64", "--root", "0x1000");

    assertThat(failOn.err).isEqualTo("paging audit: Invalid value for option '--fail-on': unknown severity 'fatal'"
        + " (expected error, warning or info)" + HELP);
    assertThat(range.err).isEqualTo("paging audit: the range [0x0000000000002000, 0x0000000000001000] is reversed:"
        + " its start is above its end" + HELP);
    assertThat(missing.err).isEqualTo("paging audit: --image " + dir.resolve("none.img") + ": no such file\n");
    for (CliRun r : List.of(failOn, range, missing)) {
      assertThat(r.out).isEmpty();
      assertThat(r.status).isEqualTo(2);
    }
  }

  @Test
  void severityNamesIgnoreCase() throws IOException {
    Path image = save(space("warning"), "warning.img");

    assertThat(audit(image, "--format", "x86-64", "--root", "0x1000", "--fail-on", "WARNING").status).isEqualTo(1);
  }
}
