package dev.paging.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.paging.testkit.grading.TranslateSubmission;
import dev.paging.tests.submissions.SubmissionJars;
import dev.paging.tests.submissions.Submissions;
import java.io.File;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * {@code paging grade} end to end: a jar graded in child JVMs into each format, read back field by
 * field; bad input as one line and exit status 2; the same jar graded twice alike.
 */
class GradeCommandTest {
  private static final String EDGES = "canonical edges and the top page";
  private static final String NON_CANONICAL = "non-canonical addresses are rejected";
  private static final String WRONG = Submissions.class.getName() + "$AcceptsNonCanonical";

  @TempDir
  static Path dir;
  private static Path jar;
  private static Path rubric;

  @BeforeAll
  static void prepare() throws IOException {
    jar = SubmissionJars.jar(dir.resolve("student.jar"), Submissions.class, TranslateSubmission.class,
        Submissions.Correct.class);
    rubric = Files.writeString(dir.resolve("rubric.txt"), String.join("\n",
        "battery = translate",
        "[" + EDGES + "]",
        "points = 2",
        "[" + NON_CANONICAL + "]",
        "points = 3",
        "visibility = after_published",
        ""));
  }

  private static CliRun grade(String... more) {
    List<String> args = new ArrayList<>(List.of("grade", "--submission", jar.toString(), "--rubric", rubric.toString()));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(new String[0]));
  }

  @Test
  @SuppressWarnings("unchecked")
  void resultsJsonHasEveryFieldGradescopeReads() throws IOException {
    CliRun r = grade("--class", WRONG);

    assertThat(r.err).isEmpty();
    assertThat(r.status).isZero();
    Map<String, Object> results = (Map<String, Object>) Json.read(r.out);
    assertThat(results.keySet()).containsExactly("score", "execution_time", "output", "tests");
    assertThat(results.get("score")).isEqualTo(2L);
    assertThat((Double) results.get("execution_time")).isPositive();
    assertThat(results.get("output")).isEqualTo("translate for student.jar: 2 / 5");
    List<Map<String, Object>> tests = (List<Map<String, Object>>) results.get("tests");
    assertThat(tests).hasSize(2);
    assertThat(tests.get(0)).containsExactly(Map.entry("name", EDGES), Map.entry("score", 2L),
        Map.entry("max_score", 2L), Map.entry("status", "passed"), Map.entry("visibility", "visible"),
        Map.entry("output", "passed"));
    assertThat(tests.get(1)).containsExactly(Map.entry("name", NON_CANONICAL), Map.entry("score", 0L),
        Map.entry("max_score", 3L), Map.entry("status", "failed"), Map.entry("visibility", "after_published"),
        Map.entry("output", "failed\n\non x86-64: translate(0x0000800000000000) returned NOT_MAPPED instead of "
            + "throwing IllegalArgumentException: the address is not canonical\n\n"
            + "--- the submission's output ---\nstudent debug: 800000000000 is not mapped, I think\n"
            + "--- end of the submission's output ---"));
  }

  @Test
  void aHiddenCheckShowsNoTextOfTheSubmissions() throws IOException {
    Path hidden = Files.writeString(dir.resolve("hidden.txt"), "[" + NON_CANONICAL + "]\nvisibility = hidden\n");

    CliRun r = CliRun.of("grade", "--battery", "translate", "--submission", jar.toString(), "--class", WRONG,
        "--rubric", hidden.toString());
    CliRun markdown = CliRun.of("grade", "--battery", "translate", "--submission", jar.toString(), "--class", WRONG,
        "--rubric", hidden.toString(), "--format", "markdown");

    assertThat(r.out).contains("\"output\" : \"failed (a hidden check: its details are for staff)\"")
        .doesNotContain("student debug").doesNotContain("NOT_MAPPED");
    assertThat(markdown.out).contains("A hidden check: its details are for staff.").doesNotContain("student debug");
  }

  @Test
  void junitXmlParsesBackWithATestcasePerCheck() throws Exception {
    CliRun r = grade("--class", WRONG, "--format", "junit");

    assertThat(r.status).isZero();
    Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new InputSource(new StringReader(r.out)));
    Element suite = xml.getDocumentElement();
    assertThat(suite.getTagName()).isEqualTo("testsuite");
    assertThat(suite.getAttribute("name")).isEqualTo("translate");
    assertThat(suite.getAttribute("tests")).isEqualTo("2");
    assertThat(suite.getAttribute("failures")).isEqualTo("1");
    assertThat(suite.getAttribute("errors")).isEqualTo("0");
    NodeList properties = suite.getElementsByTagName("property");
    Map<String, String> props = new LinkedHashMap<>();
    for (int i = 0; i < properties.getLength(); i++) {
      Element p = (Element) properties.item(i);
      props.put(p.getAttribute("name"), p.getAttribute("value"));
    }
    assertThat(props).containsExactly(Map.entry("submission", "student.jar"), Map.entry("score", "2"),
        Map.entry("max_score", "5"));
    NodeList cases = suite.getElementsByTagName("testcase");
    assertThat(cases.getLength()).isEqualTo(2);
    Element passed = (Element) cases.item(0);
    Element failed = (Element) cases.item(1);
    assertThat(passed.getAttribute("name")).isEqualTo(EDGES);
    assertThat(passed.getAttribute("classname")).isEqualTo("paging.translate");
    assertThat(passed.getElementsByTagName("failure").getLength()).isZero();
    assertThat(failed.getAttribute("name")).isEqualTo(NON_CANONICAL);
    Element failure = (Element) failed.getElementsByTagName("failure").item(0);
    assertThat(failure.getAttribute("type")).isEqualTo("FAILED");
    assertThat(failure.getAttribute("message")).isEqualTo("on x86-64: translate(0x0000800000000000) returned "
        + "NOT_MAPPED instead of throwing IllegalArgumentException: the address is not canonical");
    assertThat(failure.getTextContent()).startsWith("failed\n\non x86-64: translate(")
        .endsWith("student debug: 800000000000 is not mapped, I think\n--- end of the submission's output ---");
  }

  @Test
  void theScoreCardsJsonAndMarkdownAndAFileForOut() throws IOException {
    Path out = dir.resolve("card.json");

    CliRun json = grade("--format", "json", "--out", out.toString());
    CliRun markdown = grade("--format", "markdown");

    assertThat(json.out).isEmpty();
    assertThat(json.status).isZero();
    assertThat(Files.readString(out)).startsWith("{\n  \"battery\" : \"translate\",\n  \"submission\" : "
        + "\"student.jar\",\n  \"score\" : 5,\n  \"maxScore\" : 5,");
    assertThat(markdown.out).startsWith("# translate: student.jar\n\nScore: **5 / 5**\n");
  }

  @Test
  void gradingTwiceGivesTheSameResultsApartFromTheTime() {
    String first = grade("--class", WRONG).out;
    String second = grade("--class", WRONG).out;

    assertThat(withoutTime(second)).isEqualTo(withoutTime(first)).contains("\"execution_time\" : T,");
  }

  private static String withoutTime(String results) {
    return results.replaceFirst("\"execution_time\" : [0-9.E-]+,", "\"execution_time\" : T,");
  }

  @Test
  void theClassPathToCompileAgainstIsThisJvmsOwn() {
    CliRun r = CliRun.of("grade", "--classpath");

    assertThat(r.status).isZero();
    assertThat(r.out.strip().split(File.pathSeparator)).allSatisfy(e -> assertThat(Path.of(e)).isAbsolute());
    assertThat(r.out.strip().split(File.pathSeparator)).hasSameSizeAs(
        System.getProperty("java.class.path").split(File.pathSeparator));
  }

  @Test
  void badInputIsOneLineAndExitStatusTwo() throws IOException {
    Path typo = Files.writeString(dir.resolve("typo.txt"), "battery = translate\n[edges]\n");
    String help = " (see 'paging grade --help')\n";

    CliRun noBattery = CliRun.of("grade", "--submission", jar.toString());
    CliRun unknown = CliRun.of("grade", "--battery", "pagewalk", "--submission", jar.toString());
    CliRun noJar = CliRun.of("grade", "--battery", "translate", "--submission", dir.resolve("none.jar").toString());
    CliRun notImplementing = CliRun.of("grade", "--battery", "reclaim", "--submission", jar.toString(),
        "--class", Submissions.class.getName() + "$Correct");
    CliRun badRubric = CliRun.of("grade", "--submission", jar.toString(), "--rubric", typo.toString());
    CliRun format = grade("--format", "html");

    assertThat(noBattery.err).isEqualTo("paging grade: --battery is required (translate, reclaim, paging, map, "
        + "vmprint, accessed) unless the rubric names one" + help);
    assertThat(unknown.err).isEqualTo("paging grade: --battery: no battery named 'pagewalk' (there are translate, "
        + "reclaim, paging, map, vmprint, accessed)" + help);
    assertThat(noJar.err).isEqualTo("paging grade: submission " + dir.resolve("none.jar") + ": no such file\n");
    assertThat(notImplementing.err).isEqualTo("paging grade: class " + Submissions.class.getName() + "$Correct does "
        + "not implement dev.paging.testkit.grading.ReclaimSubmission, the contract of battery reclaim: implement it, "
        + "with a public no-argument constructor\n");
    assertThat(badRubric.err).startsWith("paging grade: " + typo + " line 2: battery translate has no check 'edges' "
        + "(its checks: 'pages of every size in both halves', ");
    assertThat(format.err).isEqualTo("paging grade: Invalid value for option '--format': unknown format 'html' "
        + "(expected gradescope, json, markdown or junit)" + help);
    for (CliRun r : List.of(noBattery, unknown, noJar, notImplementing, badRubric, format)) {
      assertThat(r.out).as(r.toString()).isEmpty();
      assertThat(r.status).as(r.toString()).isEqualTo(2);
    }
  }

  /** Just enough JSON reading for the test: objects (keys in order), arrays, strings, numbers, booleans. */
  static final class Json {
    static Object read(String text) throws IOException {
      try (JsonParser p = new JsonFactory().createParser(text)) {
        p.nextToken();
        Object value = value(p);
        assertThat(p.nextToken()).as("nothing after the document").isNull();
        return value;
      }
    }

    private static Object value(JsonParser p) throws IOException {
      JsonToken t = p.currentToken();
      switch (t) {
        case START_OBJECT:
          Map<String, Object> object = new LinkedHashMap<>();
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            p.nextToken();
            assertThat(object.put(key, value(p))).as("key %s once", key).isNull();
          }
          return object;
        case START_ARRAY:
          List<Object> array = new ArrayList<>();
          while (p.nextToken() != JsonToken.END_ARRAY) {
            array.add(value(p));
          }
          return array;
        case VALUE_STRING:
          return p.getText();
        case VALUE_NUMBER_INT:
          return p.getLongValue();
        case VALUE_NUMBER_FLOAT:
          return p.getDoubleValue();
        case VALUE_TRUE:
        case VALUE_FALSE:
          return p.getBooleanValue();
        default:
          throw new AssertionError("unexpected " + t);
      }
    }
  }
}
