package dev.paging.testkit.grading;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.List;
import java.util.OptionalLong;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The result of grading one submission against one battery: per check, the points earned, the
 * status and, for a failure, the message, the replay seed and the minimal failing scenario.
 * Immutable, and free of timings, so the same submission always gets the same card.
 */
public final class ScoreCard {
  /** How a check ended. */
  public enum Status {
    PASSED, FAILED, ERROR, TIMED_OUT
  }

  /** One check's line of the card. */
  public static final class Entry {
    private final String check;
    private final int points;
    private final int maxPoints;
    private final Status status;
    private final String message;
    private final OptionalLong seed;
    private final List<String> scenario;
    private final Visibility visibility;
    private final String submissionOutput;

    Entry(String check, int points, int maxPoints, Status status, String message, OptionalLong seed, List<String> scenario) {
      this(check, points, maxPoints, status, message, seed, scenario, Visibility.VISIBLE, "");
    }

    Entry(String check, int points, int maxPoints, Status status, String message, OptionalLong seed, List<String> scenario,
        Visibility visibility, String submissionOutput) {
      this.check = check;
      this.points = points;
      this.maxPoints = maxPoints;
      this.status = status;
      this.message = message;
      this.seed = seed;
      this.scenario = List.copyOf(scenario);
      this.visibility = visibility;
      this.submissionOutput = submissionOutput;
    }

    /** Who sees this check's result (a rubric's choice; {@link Visibility#VISIBLE} by default). */
    public Visibility visibility() {
      return visibility;
    }

    /**
     * What the submission printed during the check, truncated and marked as the submission's
     * (a grading run in a child JVM captures it); empty when it printed nothing or ran in-process.
     */
    public String submissionOutput() {
      return submissionOutput;
    }

    public String check() {
      return check;
    }

    public int points() {
      return points;
    }

    public int maxPoints() {
      return maxPoints;
    }

    public Status status() {
      return status;
    }

    /** Why it did not pass; empty when it passed. */
    public String message() {
      return message;
    }

    /** The seed that replays the failing scenario; empty when none does (a time-out, a fixed scenario). */
    public OptionalLong seed() {
      return seed;
    }

    /** The minimal failing scenario, one step a line; empty when none applies. */
    public List<String> scenario() {
      return scenario;
    }
  }

  private final String battery;
  private final String submission;
  private final List<Entry> entries;

  ScoreCard(String battery, String submission, List<Entry> entries) {
    this.battery = battery;
    this.submission = submission;
    this.entries = List.copyOf(entries);
  }

  public String battery() {
    return battery;
  }

  public String submission() {
    return submission;
  }

  public List<Entry> entries() {
    return entries;
  }

  public int score() {
    return entries.stream().mapToInt(Entry::points).sum();
  }

  public int maxScore() {
    return entries.stream().mapToInt(Entry::maxPoints).sum();
  }

  /** The entry of the check named {@code check}. */
  public Entry entry(String check) {
    return entries.stream().filter(e -> e.check.equals(check)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no check named '" + check + "' in battery " + battery));
  }

  /**
   * The card as JSON: {@code {"battery", "submission", "score", "maxScore", "checks": [{"name",
   * "points", "maxPoints", "status", "visibility", "message"?, "seed"?, "scenario"?, "output"?}]}},
   * keys in that order; {@code output} is what the submission printed, marked as its own, and a
   * {@link Visibility#HIDDEN} check has neither message nor output.
   */
  public void writeJson(Writer out) throws IOException {
    try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      g.writeStringField("battery", battery);
      g.writeStringField("submission", submission);
      g.writeNumberField("score", score());
      g.writeNumberField("maxScore", maxScore());
      g.writeArrayFieldStart("checks");
      for (Entry e : entries) {
        g.writeStartObject();
        g.writeStringField("name", e.check);
        g.writeNumberField("points", e.points);
        g.writeNumberField("maxPoints", e.maxPoints);
        g.writeStringField("status", e.status.name());
        g.writeStringField("visibility", e.visibility.key());
        boolean hidden = e.visibility == Visibility.HIDDEN;
        if (e.status != Status.PASSED && !hidden) {
          g.writeStringField("message", e.message);
        }
        if (e.seed.isPresent()) {
          g.writeNumberField("seed", e.seed.getAsLong());
        }
        if (!e.scenario.isEmpty()) {
          g.writeArrayFieldStart("scenario");
          for (String line : e.scenario) {
            g.writeString(line);
          }
          g.writeEndArray();
        }
        if (!e.submissionOutput.isEmpty() && !hidden) {
          g.writeStringField("output", e.submissionOutput);
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
  }

  public String toJson() {
    StringWriter w = new StringWriter();
    try {
      writeJson(w);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  /**
   * The card as Markdown: a table of checks, then each failure with its seed, scenario and what
   * the submission printed; a {@link Visibility#HIDDEN} check's failure says only how it ended.
   */
  public String toMarkdown() {
    StringBuilder s = new StringBuilder();
    s.append("# ").append(battery).append(": ").append(submission).append("\n\n");
    s.append("Score: **").append(score()).append(" / ").append(maxScore()).append("**\n\n");
    s.append("| check | points | status |\n|---|---:|---|\n");
    for (Entry e : entries) {
      s.append("| ").append(e.check).append(" | ").append(e.points).append(" / ").append(e.maxPoints)
          .append(" | ").append(e.status).append(" |\n");
    }
    for (Entry e : entries) {
      if (e.status == Status.PASSED) {
        continue;
      }
      s.append("\n## ").append(e.check).append(" — ").append(e.status).append("\n\n");
      if (e.visibility == Visibility.HIDDEN) {
        s.append("A hidden check: its details are for staff.\n");
        continue;
      }
      if (!e.message.isEmpty()) {
        s.append("    ").append(e.message.replace("\n", "\n    ")).append('\n');
      }
      if (e.seed.isPresent()) {
        s.append("\nReplay seed: `").append(e.seed.getAsLong()).append("`\n");
      }
      if (!e.scenario.isEmpty()) {
        s.append("\nMinimal scenario:\n\n```\n");
        for (String line : e.scenario) {
          s.append(line).append('\n');
        }
        s.append("```\n");
      }
      if (!e.submissionOutput.isEmpty()) {
        s.append("\n    ").append(e.submissionOutput.replace("\n", "\n    ")).append('\n');
      }
    }
    return s.toString();
  }

  /**
   * The card as Gradescope's {@code results.json}: {@code score}, {@code execution_time} (the
   * only field that changes between two gradings of one submission), {@code output} (the score
   * line), and per check a test with {@code name}, {@code score}, {@code max_score}, {@code
   * status} ({@code passed} or {@code failed}), {@code visibility} and {@code output}. A check that
   * did not pass explains itself in its output: how it ended, the message, the replay seed and
   * how to replay it, the minimal scenario, then what the submission printed, marked as the
   * submission's. A {@link Visibility#HIDDEN} check's output says only how it ended: a hidden
   * check shows no text of the submission's.
   */
  public void writeGradescope(Writer out, double executionSeconds) throws IOException {
    try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      g.writeNumberField("score", score());
      g.writeNumberField("execution_time", Math.round(executionSeconds * 1000) / 1000.0);
      g.writeStringField("output", toString());
      g.writeArrayFieldStart("tests");
      for (Entry e : entries) {
        g.writeStartObject();
        g.writeStringField("name", e.check);
        g.writeNumberField("score", e.points);
        g.writeNumberField("max_score", e.maxPoints);
        g.writeStringField("status", e.status == Status.PASSED ? "passed" : "failed");
        g.writeStringField("visibility", e.visibility.key());
        g.writeStringField("output", details(e));
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    out.write('\n');
  }

  /**
   * The card as a JUnit XML report, for CI systems that score from one: a {@code testsuite}
   * named by the battery, with {@code score} and {@code max_score} properties, and per check a
   * {@code testcase} (class name {@code paging.BATTERY}) holding a {@code failure} (failed, timed
   * out) or an {@code error} whose body is the check's {@linkplain #writeGradescope explanation}.
   * No timings: the same submission gives the same report.
   */
  public void writeJunitXml(Writer out) throws IOException {
    try {
      XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
      x.writeStartDocument("UTF-8", "1.0");
      x.writeCharacters("\n");
      x.writeStartElement("testsuite");
      x.writeAttribute("name", battery);
      x.writeAttribute("tests", Integer.toString(entries.size()));
      x.writeAttribute("failures", Long.toString(entries.stream()
          .filter(e -> e.status == Status.FAILED || e.status == Status.TIMED_OUT).count()));
      x.writeAttribute("errors", Long.toString(entries.stream().filter(e -> e.status == Status.ERROR).count()));
      x.writeAttribute("skipped", "0");
      x.writeCharacters("\n  ");
      x.writeStartElement("properties");
      property(x, "submission", submission);
      property(x, "score", Integer.toString(score()));
      property(x, "max_score", Integer.toString(maxScore()));
      x.writeCharacters("\n  ");
      x.writeEndElement();
      for (Entry e : entries) {
        x.writeCharacters("\n  ");
        x.writeStartElement("testcase");
        x.writeAttribute("classname", "paging." + battery);
        x.writeAttribute("name", e.check);
        if (e.status != Status.PASSED) {
          x.writeCharacters("\n    ");
          x.writeStartElement(e.status == Status.ERROR ? "error" : "failure");
          x.writeAttribute("type", e.status.name());
          x.writeAttribute("message", e.visibility == Visibility.HIDDEN ? e.status.name() : firstLine(e.message));
          x.writeCharacters(details(e));
          x.writeEndElement();
          x.writeCharacters("\n  ");
        }
        x.writeEndElement();
      }
      x.writeCharacters("\n");
      x.writeEndElement();
      x.writeCharacters("\n");
      x.writeEndDocument();
      x.flush();
    } catch (XMLStreamException e) {
      throw new IOException("cannot write the JUnit report: " + e.getMessage(), e);
    }
  }

  private static void property(XMLStreamWriter x, String name, String value) throws XMLStreamException {
    x.writeCharacters("\n    ");
    x.writeEmptyElement("property");
    x.writeAttribute("name", name);
    x.writeAttribute("value", value);
  }

  private static String firstLine(String message) {
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /** How a check ended, in words: the output of its Gradescope test and the body of its JUnit failure. */
  static String details(Entry e) {
    StringBuilder s = new StringBuilder();
    switch (e.status) {
      case PASSED:
        s.append("passed");
        break;
      case FAILED:
        s.append("failed");
        break;
      case ERROR:
        s.append("failed: the submission threw");
        break;
      case TIMED_OUT:
        s.append("failed: out of time");
        break;
      default:
        throw new AssertionError(e.status);
    }
    if (e.visibility == Visibility.HIDDEN) {
      return s.append(e.status == Status.PASSED ? "" : " (a hidden check: its details are for staff)").toString();
    }
    if (!e.message.isEmpty()) {
      s.append("\n\n").append(e.message);
    }
    if (e.seed.isPresent()) {
      s.append("\n\nReplay seed: ").append(e.seed.getAsLong()).append(" (PagingScenarios.runner(format, submission, mix)"
          + ".run(seed, steps) with the format, mix and steps named above)");
    }
    if (!e.scenario.isEmpty()) {
      s.append("\n\nMinimal scenario (replay it with runner.replay(PagingScenarios.parse(lines))):\n");
      for (String line : e.scenario) {
        s.append("  ").append(line).append('\n');
      }
    }
    if (!e.submissionOutput.isEmpty()) {
      s.append(s.charAt(s.length() - 1) == '\n' ? "\n" : "\n\n").append(e.submissionOutput);
    }
    return s.toString();
  }

  @Override
  public String toString() {
    return battery + " for " + submission + ": " + score() + " / " + maxScore();
  }
}
