package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every Java example in the README is code a test runs: a block marked {@code <!-- snippet:
 * FileTest#name -->} shows exactly the lines between {@code // readme:name} and {@code //
 * readme:end} in that test file of this module, so the README cannot drift from what runs.
 */
class ReadmeSnippetsTest {
  private static final Pattern MARKER = Pattern.compile("<!-- snippet: (\\w+)#([\\w-]+) -->\n```java\n");
  private static final Path TESTS = Path.of("src", "test", "java", "dev", "paging", "tests");

  @Test
  void everyMarkedReadmeBlockIsTheRegionATestRuns() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    Matcher m = MARKER.matcher(readme);
    Map<String, String> shown = new LinkedHashMap<>();
    while (m.find()) {
      String block = readme.substring(m.end(), readme.indexOf("```", m.end()));
      shown.put(m.group(1) + "#" + m.group(2), block);
    }
    assertThat(shown.keySet()).containsExactly("ThirtyTwoBitX86PagingTest#xv6-x86", "Aarch64PagingTest#aarch64",
        "ComposedOperationsTest#accessed-bit-scanner", "ComposedOperationsTest#compose-with-reclaim",
        "OsProjectExampleTest#os-day", "OsProjectExampleTest#apply", "OsProjectExampleTest#reclaim",
        "ReadmeDemoTest#dump-and-audit", "GradingExampleTest#grading");
    for (Map.Entry<String, String> e : shown.entrySet()) {
      String[] where = e.getKey().split("#");
      assertThat(e.getValue()).as("README block %s", e.getKey()).isEqualTo(region(where[0], where[1]));
    }
  }

  @Test
  void aJavaBlockWithoutAMarkerIsOnlyTheOneReadmeExampleTestChecks() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    List<String> unmarked = new ArrayList<>();
    int at = 0;
    while ((at = readme.indexOf("```java\n", at)) >= 0) {
      String before = readme.substring(Math.max(0, readme.lastIndexOf('\n', at - 2) + 1), at);
      if (!before.startsWith("<!-- snippet: ") && !before.startsWith("<!-- readme-example -->")) {
        unmarked.add(readme.substring(at, Math.min(readme.length(), at + 80)));
      }
      at += 8;
    }
    assertThat(unmarked).as("Java blocks in README.md that no test checks").isEmpty();
  }

  /** The dedented lines between {@code // readme:name} and the next {@code // readme:end}. */
  private static String region(String file, String name) throws IOException {
    List<String> lines = Files.readAllLines(TESTS.resolve(file + ".java"), StandardCharsets.UTF_8);
    int start = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals("// readme:" + name)) {
        start = i + 1;
        break;
      }
    }
    assertThat(start).as("%s has the marker // readme:%s", file, name).isPositive();
    int end = start;
    while (!lines.get(end).strip().equals("// readme:end")) {
      end++;
    }
    return dedent(lines.subList(start, end));
  }

  private static String dedent(List<String> lines) {
    int indent = lines.stream().filter(l -> !l.isBlank())
        .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
    return lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).collect(Collectors.joining("\n")) + "\n";
  }

}
