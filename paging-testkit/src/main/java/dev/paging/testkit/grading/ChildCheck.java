package dev.paging.testkit.grading;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.paging.api.PagingFormat;
import java.io.IOException;
import java.io.Writer;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The main class of the child JVM an {@link IsolatedGrader} starts for one check: loads the
 * submission's class, runs the check through the battery's {@link Grader} (which abandons it at
 * its budget), writes the result to the file the parent named, and halts, so that threads the
 * submission left running cannot keep the JVM alive. Whatever ends the JVM before that (the
 * submission's {@code System.exit}, running out of heap) leaves no result, and the parent says
 * what happened.
 *
 * <p>Arguments: battery, formats (names, comma-separated), class name, check name, points, budget
 * in milliseconds, result file.
 */
final class ChildCheck {
  /** The exit status when the child could not even start the check (bad arguments). */
  static final int BROKEN = 70;

  private ChildCheck() {}

  public static void main(String[] args) {
    if (args.length != 7) {
      System.err.println("paging grading child: expected 7 arguments, got " + args.length);
      Runtime.getRuntime().halt(BROKEN);
    }
    Battery<?> battery = Batteries.named(args[0]);
    List<PagingFormat> formats = new ArrayList<>();
    for (String name : args[1].split(",")) {
      for (PagingFormat f : PagingScenarios.formats()) {
        if (f.name().equals(name)) {
          formats.add(f);
        }
      }
    }
    ScoreCard.Entry entry = run(battery, formats, args[2], args[3], Integer.parseInt(args[4]),
        Duration.ofMillis(Long.parseLong(args[5])));
    try {
      write(entry, Path.of(args[6]));
    } catch (IOException e) {
      System.err.println("paging grading child: cannot write the result: " + e);
      Runtime.getRuntime().halt(BROKEN);
    }
    Runtime.getRuntime().halt(0);
  }

  private static <S> ScoreCard.Entry run(Battery<S> battery, List<PagingFormat> formats, String className,
      String check, int points, Duration budget) {
    return battery.grader(formats).runOne(check, points, budget, () -> create(battery, className));
  }

  /** A new submission; runs its class's static initializer the first time, inside the check's budget. */
  private static <S> S create(Battery<S> battery, String className) {
    try {
      return battery.instantiate(Class.forName(className, true, ClassLoader.getSystemClassLoader()));
    } catch (InvocationTargetException e) {
      throw rethrown(e.getCause(), "the constructor of " + className);
    } catch (ExceptionInInitializerError e) {
      throw rethrown(e.getCause(), "the static initializer of " + className);
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new IllegalStateException("cannot create a " + className + ": " + e, e);
    }
  }

  private static RuntimeException rethrown(Throwable cause, String where) {
    if (cause instanceof RuntimeException) {
      throw (RuntimeException) cause;
    }
    if (cause instanceof Error) {
      throw (Error) cause;
    }
    return new IllegalStateException(where + " threw " + cause, cause);
  }

  /** The entry as one JSON object, written beside the file and moved onto it, so the parent never reads half of one. */
  private static void write(ScoreCard.Entry entry, Path file) throws IOException {
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    try (Writer out = Files.newBufferedWriter(partial, StandardCharsets.UTF_8);
        JsonGenerator g = new JsonFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("status", entry.status().name());
      g.writeStringField("message", entry.message());
      if (entry.seed().isPresent()) {
        g.writeNumberField("seed", entry.seed().getAsLong());
      }
      g.writeArrayFieldStart("scenario");
      for (String line : entry.scenario()) {
        g.writeString(line);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
  }
}
