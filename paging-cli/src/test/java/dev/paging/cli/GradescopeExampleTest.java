package dev.paging.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.testkit.grading.TranslateSubmission;
import dev.paging.tests.submissions.SubmissionJars;
import dev.paging.tests.submissions.Submissions;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code examples/gradescope} run as Gradescope runs it: its {@code run_autograder} in a temporary
 * directory laid out like {@code /autograder}, with {@code source/} holding the example's rubric
 * and a {@code paging.jar} (here a jar whose manifest points at this build's classes), and the
 * student's files in {@code submission/}.
 */
class GradescopeExampleTest {
  private static final Path EXAMPLE = Path.of("..", "examples", "gradescope");

  @TempDir
  Path root;

  @BeforeEach
  void layOutAutograder() throws IOException {
    Path source = Files.createDirectories(root.resolve("source"));
    Files.createDirectories(root.resolve("submission"));
    for (String file : List.of("run_autograder", "setup.sh", "rubric.txt", "README.md")) {
      Files.copy(EXAMPLE.resolve(file), source.resolve(file), StandardCopyOption.COPY_ATTRIBUTES);
    }
    launcherJar(source.resolve("paging.jar"));
  }

  /** A jar that runs the command line from this build's class path, as the shaded paging.jar does. */
  private static void launcherJar(Path file) throws IOException {
    List<String> urls = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      urls.add(Path.of(e).toAbsolutePath().toUri().toString());
    }
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
    manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", urls));
    try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, manifest)) {
      jar.flush();
    }
  }

  private String runAutograder() throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder("bash", root.resolve("source/run_autograder").toString())
        .redirectErrorStream(true);
    builder.environment().put("AUTOGRADER_ROOT", root.toString());
    builder.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + File.pathSeparator
        + System.getenv("PATH"));
    Process p = builder.start();
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(printed).isZero();
    return Files.readString(root.resolve("results/results.json"));
  }

  private void submit(Class<?> provider) {
    SubmissionJars.jar(root.resolve("submission/student.jar"), Submissions.class, TranslateSubmission.class, provider);
  }

  @Test
  @SuppressWarnings("unchecked")
  void aCorrectSubmissionScoresFullMarks() throws Exception {
    submit(Submissions.Correct.class);

    Map<String, Object> results = (Map<String, Object>) GradeCommandTest.Json.read(runAutograder());

    assertThat(results.get("score")).isEqualTo(10L);
    assertThat(results.get("output")).isEqualTo("translate for student.jar: 10 / 10");
    List<Map<String, Object>> tests = (List<Map<String, Object>>) results.get("tests");
    assertThat(tests).extracting(t -> t.get("status")).containsOnly("passed");
    assertThat(tests).extracting(t -> t.get("visibility")).containsExactly("visible", "visible", "visible", "visible",
        "after_published");
  }

  @Test
  @SuppressWarnings("unchecked")
  void aBrokenSubmissionLosesTheCheckOfItsBug() throws Exception {
    submit(Submissions.AcceptsNonCanonical.class);

    Map<String, Object> results = (Map<String, Object>) GradeCommandTest.Json.read(runAutograder());

    assertThat(results.get("score")).isEqualTo(9L);
    List<Map<String, Object>> tests = (List<Map<String, Object>>) results.get("tests");
    assertThat(tests).filteredOn(t -> t.get("status").equals("failed")).extracting(t -> t.get("name"))
        .containsExactly("non-canonical addresses are rejected");
  }

  @Test
  void noJarOrAnUnusableOneScoresZeroAndSaysWhy() throws Exception {
    String none = runAutograder();
    SubmissionJars.jar(root.resolve("submission/student.jar"), Submissions.class, null, null);
    String unusable = runAutograder();

    assertThat(none).isEqualTo("{\n  \"score\": 0,\n  \"output\": \"Submit exactly one .jar file (found 0). Build it "
        + "against the jar that 'paging grade --classpath' prints, with your class listed in META-INF/services/ under "
        + "the interface it implements.\"\n}\n");
    assertThat(GradeCommandTest.Json.read(unusable)).isEqualTo(Map.of("score", 0L, "output", "Your submission could "
        + "not be graded: submission " + root.resolve("submission/student.jar") + " names no class: give --class, or "
        + "list the class in META-INF/services/dev.paging.testkit.grading.TranslateSubmission inside the jar"));
  }
}
