package dev.paging.testkit.grading;

import dev.paging.api.PagingFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What course staff choose for a grading run: which checks of the battery, their points, time
 * budgets and visibility, and the child JVM's limits. An immutable value, read from a small text
 * format:
 *
 * <pre>
 * # Lab 3: page-table walks.
 * battery = translate           optional; must match the battery graded
 * heap = 256m                   the child JVM's heap limit (k, m or g); default 256m
 * output-limit = 4000           characters of the submission's own text kept per check; default 4000
 * formats = sv39                the formats every check runs on, comma-separated; default these five:
 *                               x86-64, x86-64-5level, sv39, sv48, sv57; also x86-32, x86-pae,
 *                               aarch64-4k, aarch64-16k, aarch64-64k, aarch64-4k/64k
 *
 * [pages of every size in both halves]
 * points = 4                    default: the battery's
 * budget = 20s                  ms, s or m; default: the battery's
 * visibility = visible          visible, hidden, after_due_date or after_published; default visible
 *
 * [non-canonical addresses are rejected]
 * visibility = hidden
 * </pre>
 *
 * A rubric with no {@code [check]} section grades every check of the battery as the battery
 * defines it; one with sections grades exactly those, in the rubric's order. Blank lines and
 * lines starting with {@code #} are ignored; spaces around {@code =} and a check's name do not
 * count. Every error names its line.
 */
public final class Rubric {
  /** The default heap limit of a check's child JVM, in MiB. */
  public static final int DEFAULT_HEAP_MIB = 256;
  /** The default number of characters of a submission's own text kept per check. */
  public static final int DEFAULT_OUTPUT_LIMIT = 4000;

  private static final Pattern SECTION = Pattern.compile("\\[(.*)\\]");
  private static final Pattern SETTING = Pattern.compile("([A-Za-z-]+)\\s*=\\s*(.*)");
  private static final Pattern SIZE = Pattern.compile("(\\d{1,9})([kmg])", Pattern.CASE_INSENSITIVE);
  private static final Pattern TIME = Pattern.compile("(\\d{1,9})(ms|s|m)");

  /** One {@code [check]} section as written. */
  private static final class Section {
    final String name;
    final int line;
    @Nullable Integer points;
    @Nullable Duration budget;
    Visibility visibility = Visibility.VISIBLE;

    Section(String name, int line) {
      this.name = name;
      this.line = line;
    }
  }

  /** A check as a run grades it: its name, points, budget and visibility. */
  public static final class Check {
    private final String name;
    private final int points;
    private final Duration budget;
    private final Visibility visibility;

    Check(String name, int points, Duration budget, Visibility visibility) {
      this.name = name;
      this.points = points;
      this.budget = budget;
      this.visibility = visibility;
    }

    public String name() {
      return name;
    }

    public int points() {
      return points;
    }

    public Duration budget() {
      return budget;
    }

    public Visibility visibility() {
      return visibility;
    }

    @Override
    public String toString() {
      return name + " (" + points + " points, " + budget.toMillis() + " ms, " + visibility.key() + ")";
    }
  }

  private final String source;
  private final @Nullable String battery;
  private final int heapMiB;
  private final int outputLimit;
  private final List<PagingFormat> formats;
  private final List<Section> sections;

  private Rubric(String source, @Nullable String battery, int heapMiB, int outputLimit, List<PagingFormat> formats,
      List<Section> sections) {
    this.source = source;
    this.battery = battery;
    this.heapMiB = heapMiB;
    this.outputLimit = outputLimit;
    this.formats = formats;
    this.sections = sections;
  }

  /** Every check of the battery as it defines them, the default heap and output limit. */
  public static Rubric defaults() {
    return new Rubric("the default rubric", null, DEFAULT_HEAP_MIB, DEFAULT_OUTPUT_LIMIT, PagingScenarios.formats(),
        List.of());
  }

  /**
   * Reads the rubric in {@code file} (UTF-8).
   *
   * @throws GradingInputException if it cannot be read or a line is wrong, naming the line
   */
  public static Rubric read(Path file) {
    Objects.requireNonNull(file, "file");
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new GradingInputException("rubric " + file + ": no such file");
    } catch (IOException e) {
      throw new GradingInputException("rubric " + file + ": cannot be read (" + e.getMessage() + ")", e);
    }
    return parse(file.toString(), text);
  }

  /**
   * The rubric {@code text}; {@code source} names it in errors ({@code rubric.txt line 4: ...}).
   *
   * @throws GradingInputException if a line is wrong, naming it
   */
  public static Rubric parse(String source, String text) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(text, "text");
    String battery = null;
    int heap = DEFAULT_HEAP_MIB;
    int outputLimit = DEFAULT_OUTPUT_LIMIT;
    List<PagingFormat> formats = PagingScenarios.formats();
    Map<String, Section> sections = new LinkedHashMap<>();
    Section current = null;
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int n = i + 1;
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher section = SECTION.matcher(line);
      if (section.matches()) {
        String name = section.group(1).strip();
        if (name.isEmpty()) {
          throw error(source, n, "a check section needs the check's name between the brackets");
        }
        Section first = sections.get(name);
        if (first != null) {
          throw error(source, n, "check '" + name + "' is listed twice (first on line " + first.line + ")");
        }
        current = new Section(name, n);
        sections.put(name, current);
        continue;
      }
      Matcher setting = SETTING.matcher(line);
      if (!setting.matches()) {
        throw error(source, n, "expected 'key = value', '[check name]' or a # comment, not '" + line + "'");
      }
      String key = setting.group(1).toLowerCase(Locale.ROOT);
      String value = setting.group(2).strip();
      if (current == null) {
        switch (key) {
          case "battery":
            if (value.isEmpty()) {
              throw error(source, n, "battery needs a name");
            }
            battery = value;
            break;
          case "heap":
            heap = heapMiB(source, n, value);
            break;
          case "output-limit":
            outputLimit = positive(source, n, key, value, 10_000_000);
            break;
          case "formats":
            formats = formats(source, n, value);
            break;
          default:
            throw error(source, n, "unknown setting '" + setting.group(1) + "' (before the first [check]: battery, heap, "
                + "output-limit, formats; in a check: points, budget, visibility)");
        }
      } else {
        switch (key) {
          case "points":
            current.points = positive(source, n, key, value, 1_000_000);
            break;
          case "budget":
            current.budget = budget(source, n, value);
            break;
          case "visibility":
            Visibility v = Visibility.ofKey(value.toLowerCase(Locale.ROOT));
            if (v == null) {
              throw error(source, n, "visibility '" + value + "' is not one of visible, hidden, after_due_date, "
                  + "after_published");
            }
            current.visibility = v;
            break;
          default:
            throw error(source, n, "unknown setting '" + setting.group(1) + "' in check '" + current.name
                + "' (points, budget, visibility; battery, heap, output-limit and formats go before the first "
                + "[check])");
        }
      }
    }
    return new Rubric(source, battery, heap, outputLimit, formats, List.copyOf(sections.values()));
  }

  private static List<PagingFormat> formats(String source, int line, String value) {
    List<PagingFormat> formats = new ArrayList<>();
    List<String> known = new ArrayList<>();
    for (PagingFormat f : PagingScenarios.supportedFormats()) {
      known.add(f.name());
    }
    for (String name : value.split(",", -1)) {
      String wanted = name.strip();
      PagingFormat found = null;
      for (PagingFormat f : PagingScenarios.supportedFormats()) {
        if (f.name().equalsIgnoreCase(wanted)) {
          found = f;
        }
      }
      if (found == null) {
        throw error(source, line, "format '" + wanted + "' is not one of " + String.join(", ", known));
      }
      if (formats.contains(found)) {
        throw error(source, line, "format " + found.name() + " is listed twice");
      }
      formats.add(found);
    }
    return List.copyOf(formats);
  }

  private static int heapMiB(String source, int line, String value) {
    Matcher m = SIZE.matcher(value);
    if (!m.matches()) {
      throw error(source, line, "heap '" + value + "' is not a size such as 256m or 1g");
    }
    long n = Long.parseLong(m.group(1));
    char unit = Character.toLowerCase(m.group(2).charAt(0));
    long mib = unit == 'k' ? n / 1024 : unit == 'm' ? n : n * 1024;
    if (mib < 16 || mib > 64 * 1024) {
      throw error(source, line, "heap '" + value + "' is outside 16m to 64g");
    }
    return (int) mib;
  }

  private static Duration budget(String source, int line, String value) {
    Matcher m = TIME.matcher(value);
    if (!m.matches()) {
      throw error(source, line, "budget '" + value + "' is not a time such as 500ms, 10s or 2m");
    }
    long n = Long.parseLong(m.group(1));
    Duration d = m.group(2).equals("ms") ? Duration.ofMillis(n) : m.group(2).equals("s") ? Duration.ofSeconds(n)
        : Duration.ofMinutes(n);
    if (d.isZero() || d.compareTo(Duration.ofHours(1)) > 0) {
      throw error(source, line, "budget '" + value + "' is outside 1ms to 60m");
    }
    return d;
  }

  private static int positive(String source, int line, String key, String value, int max) {
    if (!value.matches("\\d{1,9}") || Integer.parseInt(value) == 0 || Integer.parseInt(value) > max) {
      throw error(source, line, key + " '" + value + "' is not a whole number from 1 to " + max);
    }
    return Integer.parseInt(value);
  }

  private static GradingInputException error(String source, int line, String message) {
    return new GradingInputException(source + " line " + line + ": " + message);
  }

  /** The battery the rubric names, if it names one. */
  public @Nullable String battery() {
    return battery;
  }

  /** The child JVM's heap limit, in MiB. */
  public int heapMiB() {
    return heapMiB;
  }

  /** The formats every check runs on, in order. */
  public List<PagingFormat> formats() {
    return formats;
  }

  /** How many characters of a submission's own text (its output, its exceptions' messages) a check keeps. */
  public int outputLimit() {
    return outputLimit;
  }

  /**
   * The checks a run of {@code battery} grades under this rubric, in order.
   *
   * @throws GradingInputException if the rubric names another battery or a check {@code battery}
   *     does not have, naming the line
   */
  public List<Check> checks(Battery<?> battery) {
    Objects.requireNonNull(battery, "battery");
    Grader<?> grader = battery.grader();
    if (this.battery != null && !this.battery.equals(battery.name())) {
      throw new GradingInputException(source + " is a rubric for battery '" + this.battery + "', not '"
          + battery.name() + "'");
    }
    List<Check> checks = new ArrayList<>();
    if (sections.isEmpty()) {
      for (String name : grader.checks()) {
        checks.add(new Check(name, grader.points(name), grader.budget(name), Visibility.VISIBLE));
      }
      return List.copyOf(checks);
    }
    for (Section s : sections) {
      if (!grader.checks().contains(s.name)) {
        throw error(source, s.line, "battery " + battery.name() + " has no check '" + s.name + "' (its checks: '"
            + String.join("', '", grader.checks()) + "')");
      }
      checks.add(new Check(s.name, s.points != null ? s.points : grader.points(s.name),
          s.budget != null ? s.budget : grader.budget(s.name), s.visibility));
    }
    return List.copyOf(checks);
  }

  @Override
  public String toString() {
    return source;
  }
}
