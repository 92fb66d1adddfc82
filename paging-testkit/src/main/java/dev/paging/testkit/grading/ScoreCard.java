package dev.paging.testkit.grading;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.List;
import java.util.OptionalLong;

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

    Entry(String check, int points, int maxPoints, Status status, String message, OptionalLong seed, List<String> scenario) {
      this.check = check;
      this.points = points;
      this.maxPoints = maxPoints;
      this.status = status;
      this.message = message;
      this.seed = seed;
      this.scenario = List.copyOf(scenario);
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
   * "points", "maxPoints", "status", "message"?, "seed"?, "scenario"?}]}}, keys in that order.
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
        if (e.status != Status.PASSED) {
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

  /** The card as Markdown: a table of checks, then each failure with its seed and scenario. */
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
    }
    return s.toString();
  }

  @Override
  public String toString() {
    return battery + " for " + submission + ": " + score() + " / " + maxScore();
  }
}
