package dev.paging.cli;

import dev.paging.testkit.grading.Batteries;
import dev.paging.testkit.grading.Battery;
import dev.paging.testkit.grading.IsolatedGrader;
import dev.paging.testkit.grading.Rubric;
import dev.paging.testkit.grading.ScoreCard;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code paging grade}: grades a student's jar against one of the testkit's batteries, each check
 * in its own child JVM ({@link IsolatedGrader}), into Gradescope's {@code results.json}, the
 * score card's JSON or Markdown, or JUnit XML.
 */
@Command(
    name = "grade",
    description = {
        "Grades a submission jar against a battery of checks, each in its own JVM with a heap limit and a time "
            + "budget, and writes the score card.",
    },
    footer = {
        "",
        "Batteries, and the interface a submission's class implements (a public class",
        "with a public no-argument constructor, named by --class or listed in the",
        "jar's META-INF/services/INTERFACE):",
        "  translate  dev.paging.testkit.grading.TranslateSubmission",
        "  reclaim    dev.paging.testkit.grading.ReclaimSubmission",
        "  paging     dev.paging.testkit.grading.PagingSubmission$Factory",
        "  map        dev.paging.testkit.grading.MapSubmission (mmu_map, mmu_unmap)",
        "  vmprint    dev.paging.testkit.grading.VmprintSubmission (xv6's vmprint lab)",
        "  accessed   dev.paging.testkit.grading.AccessedSubmission (xv6's pgaccess lab)",
        "Compile a submission against the jar 'paging grade --classpath' prints.",
        "",
        "A check whose JVM calls System.exit, runs out of heap, overflows its stack or",
        "runs past its budget scores 0 with a message saying so, and threads left",
        "running end with it; every other check is still graded. What a submission",
        "prints is kept up to the rubric's output-limit and marked as its own.",
        "",
        "Rubric (--rubric FILE), one setting a line, # for comments:",
        "  battery = translate    heap = 256m    output-limit = 4000",
        "  formats = sv39         (default x86-64, x86-64-5level, sv39, sv48, sv57; also",
        "                         x86-32, x86-pae, aarch64-4k, aarch64-16k, aarch64-64k,",
        "                         aarch64-4k/64k: TTBR0 4 KiB/48-bit, TTBR1 64 KiB/42-bit)",
        "then per check graded (none: every check, as the battery defines it):",
        "  [check name]",
        "  points = 3",
        "  budget = 10s           (ms, s or m)",
        "  visibility = visible   (hidden, after_due_date, after_published)",
        "Errors name the line.",
        "",
        "Exit status: 0 when grading completed, whatever the score; 2 on bad input (no",
        "such jar or class, a class that does not implement the battery's interface, a",
        "rubric error), and then nothing is graded.",
    })
final class GradeCommand implements Callable<Integer> {
  /** How the score card is written. */
  enum Format {
    GRADESCOPE, JSON, MARKDOWN, JUNIT
  }

  /** Reads a format by its lowercase name. */
  static final class FormatConverter implements ITypeConverter<Format> {
    @Override
    public Format convert(String text) {
      for (Format f : Format.values()) {
        if (f.name().equalsIgnoreCase(text)) {
          return f;
        }
      }
      throw new TypeConversionException("unknown format '" + text + "' (expected gradescope, json, markdown or junit)");
    }
  }

  @Spec
  private CommandSpec spec;

  @Option(names = "--battery", paramLabel = "NAME",
      description = "translate, reclaim, paging, map, vmprint or accessed; may come from the rubric.")
  private @Nullable String battery;

  @Option(names = "--submission", paramLabel = "JAR", description = "The student's jar.")
  private @Nullable Path submission;

  @Option(names = "--class", paramLabel = "FQCN",
      description = "The submission's class; by default the one its META-INF/services file for the interface lists.")
  private @Nullable String className;

  @Option(names = "--rubric", paramLabel = "FILE", description = "Checks, points, budgets, visibility, limits (below).")
  private @Nullable Path rubric;

  @Option(names = "--out", paramLabel = "FILE", description = "Write the card there instead of to standard output.")
  private @Nullable Path out;

  @Option(names = "--format", paramLabel = "FORMAT", converter = FormatConverter.class, defaultValue = "gradescope",
      description = "gradescope (results.json), json, markdown or junit. Default: ${DEFAULT-VALUE}.")
  private Format format;

  @Option(names = "--classpath",
      description = "Print the class path a submission compiles against (this command's own jar) and exit.")
  private boolean classpath;

  @Override
  public Integer call() throws IOException {
    PrintWriter stdout = spec.commandLine().getOut();
    if (classpath) {
      stdout.println(IsolatedGrader.thisClassPath());
      stdout.flush();
      return 0;
    }
    Rubric chosen = rubric == null ? Rubric.defaults() : Rubric.read(rubric);
    String name = battery != null ? battery : chosen.battery();
    if (name == null) {
      List<String> names = new ArrayList<>();
      for (Battery<?> b : Batteries.all()) {
        names.add(b.name());
      }
      throw new ParameterException(spec.commandLine(), "--battery is required (" + String.join(", ", names)
          + ") unless the rubric names one");
    }
    if (submission == null) {
      throw new ParameterException(spec.commandLine(), "--submission is required: the jar to grade");
    }
    Battery<?> graded;
    try {
      graded = Batteries.named(name);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--battery: " + e.getMessage());
    }
    IsolatedGrader grader = IsolatedGrader.of(graded, chosen);
    long start = System.nanoTime();
    ScoreCard card = grader.grade(submission, className);
    double seconds = (System.nanoTime() - start) / 1e9;
    if (out == null) {
      write(card, seconds, stdout);
      stdout.flush();
    } else {
      try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
        write(card, seconds, w);
      }
    }
    return 0;
  }

  private void write(ScoreCard card, double seconds, Writer w) throws IOException {
    switch (format) {
      case GRADESCOPE:
        card.writeGradescope(w, seconds);
        break;
      case JSON:
        card.writeJson(w);
        w.write('\n');
        break;
      case MARKDOWN:
        w.write(card.toMarkdown());
        break;
      case JUNIT:
        card.writeJunitXml(w);
        break;
      default:
        throw new AssertionError(format);
    }
  }
}
