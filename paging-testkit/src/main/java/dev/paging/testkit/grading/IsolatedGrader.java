package dev.paging.testkit.grading;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.paging.api.PagingFormat;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipException;
import org.jspecify.annotations.Nullable;

/**
 * Grades a submission jar against a {@link Battery} under a {@link Rubric}, each check in its own
 * child JVM, so that nothing a submission does ends or stalls the grading run.
 *
 * <ul>
 *   <li>Before anything runs, the jar's class is found (the one named, or the one its {@code
 *       META-INF/services/CONTRACT} file lists) and checked without running any of its code (no
 *       static initializer): it must be a public class implementing the battery's contract with
 *       a public no-argument constructor. Otherwise a {@link GradingInputException} says which.
 *   <li>Each check runs in a JVM with the rubric's heap limit (running out ends it at once), an
 *       empty temporary working directory, an empty environment and, on its class path, the
 *       library's class path then the jar. The check's budget is enforced inside the child (the
 *       check is abandoned and the child halts, whatever threads are left); the parent kills a
 *       child still alive {@value #GRACE_MILLIS} ms past the budget.
 *   <li>A check whose JVM ended early ({@code System.exit}, out of memory, a crash) or was killed
 *       scores 0 with a message that says so; every other check is still graded.
 *   <li>What the submission prints (standard output and error) is kept up to the rubric's output
 *       limit and marked as the submission's; so are messages longer than the limit.
 * </ul>
 *
 * <p>What a child JVM cannot prevent: the submission runs with the grader's file-system rights,
 * so it can read any file the grading user can (keep the reference solution and hidden tests
 * out of reach, see the staff README), and, since the result travels through a file the child
 * writes, a submission that goes looking for that file can forge its own result. Run grading in
 * a container that holds nothing else of value, as Gradescope does.
 */
public final class IsolatedGrader {
  /** How long past a check's budget a child JVM may take to start, report and halt before it is killed. */
  public static final long GRACE_MILLIS = 5_000;

  private final Battery<?> battery;
  private final Rubric rubric;
  private final List<Rubric.Check> checks;
  private final Path java;
  private final String libraryClassPath;

  private IsolatedGrader(Battery<?> battery, Rubric rubric, Path java, String libraryClassPath) {
    this.battery = battery;
    this.rubric = rubric;
    this.checks = rubric.checks(battery);
    this.java = java;
    this.libraryClassPath = libraryClassPath;
  }

  /**
   * A grader of {@code battery} under {@code rubric}, starting children with this JVM's {@code
   * java} and class path.
   *
   * @throws GradingInputException if the rubric names another battery or a check it lacks
   */
  public static IsolatedGrader of(Battery<?> battery, Rubric rubric) {
    Objects.requireNonNull(battery, "battery");
    Objects.requireNonNull(rubric, "rubric");
    return new IsolatedGrader(battery, rubric, Path.of(System.getProperty("java.home"), "bin", "java"),
        thisClassPath());
  }

  /**
   * This JVM's class path with every entry made absolute: what a child gets by default before the
   * submission, and, run as {@code java -jar paging.jar}, the one jar a submission compiles against.
   */
  public static String thisClassPath() {
    return absolute(System.getProperty("java.class.path"));
  }

  /**
   * This grader with {@code classPath} (entries separated by {@link File#pathSeparator}) as the
   * library's part of a child's class path: the jars of the library and the testkit.
   */
  public IsolatedGrader withLibraryClassPath(String classPath) {
    return new IsolatedGrader(battery, rubric, java, absolute(Objects.requireNonNull(classPath, "classPath")));
  }

  /** The checks a run grades, in order. */
  public List<Rubric.Check> checks() {
    return checks;
  }

  /**
   * Grades the submission in {@code jar}: the class {@code className}, or when null the one its
   * service file names.
   *
   * @throws GradingInputException if the jar or its class is not usable (nothing is graded)
   */
  public ScoreCard grade(Path jar, @Nullable String className) {
    Objects.requireNonNull(jar, "jar");
    String type = submissionClass(jar, className, battery);
    List<ScoreCard.Entry> entries = new ArrayList<>();
    for (Rubric.Check check : checks) {
      entries.add(run(jar, type, check));
    }
    return new ScoreCard(battery.name(), jar.getFileName().toString(), entries);
  }

  /**
   * The submission's class in {@code jar}, found and checked without running any of its code.
   *
   * @throws GradingInputException naming what is wrong
   */
  static String submissionClass(Path jar, @Nullable String className, Battery<?> battery) {
    if (!Files.exists(jar)) {
      throw new GradingInputException("submission " + jar + ": no such file");
    }
    if (!Files.isRegularFile(jar)) {
      throw new GradingInputException("submission " + jar + ": not a regular file");
    }
    Class<?> contract = battery.contract();
    String name = className;
    try (JarFile file = new JarFile(jar.toFile())) {
      if (name == null) {
        name = serviceProvider(file, contract.getName());
        if (name == null) {
          throw new GradingInputException("submission " + jar + " names no class: give --class, or list the class "
              + "in META-INF/services/" + contract.getName() + " inside the jar");
        }
      }
      JarEntry entry = file.getJarEntry(name.replace('.', '/') + ".class");
      if (entry == null) {
        throw new GradingInputException("submission " + jar + " has no class " + name);
      }
    } catch (ZipException e) {
      throw new GradingInputException("submission " + jar + " is not a jar (" + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw new GradingInputException("submission " + jar + " cannot be read (" + e.getMessage() + ")", e);
    }
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
        IsolatedGrader.class.getClassLoader())) {
      Class<?> type = Class.forName(name, false, loader);
      if (!contract.isAssignableFrom(type)) {
        throw new GradingInputException("class " + name + " does not implement " + contract.getName()
            + ", the contract of battery " + battery.name() + ": implement it, with a public no-argument constructor");
      }
      if (!Modifier.isPublic(type.getModifiers()) || type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
        throw new GradingInputException("class " + name + " must be a public, concrete class to be graded");
      }
      type.getConstructor();
      return name;
    } catch (NoSuchMethodException e) {
      throw new GradingInputException("class " + name + " has no public no-argument constructor");
    } catch (ClassNotFoundException | LinkageError e) {
      throw new GradingInputException("class " + name + " in " + jar + " cannot be loaded: " + e, e);
    } catch (IOException e) {
      throw new GradingInputException("submission " + jar + " cannot be read (" + e.getMessage() + ")", e);
    }
  }

  /** The first class a service file lists, as {@link java.util.ServiceLoader} reads it. */
  private static @Nullable String serviceProvider(JarFile file, String service) throws IOException {
    JarEntry entry = file.getJarEntry("META-INF/services/" + service);
    if (entry == null) {
      return null;
    }
    try (InputStream in = file.getInputStream(entry)) {
      for (String line : new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8).split("\n")) {
        int comment = line.indexOf('#');
        String name = (comment < 0 ? line : line.substring(0, comment)).strip();
        if (!name.isEmpty()) {
          return name;
        }
      }
    }
    return null;
  }

  private ScoreCard.Entry run(Path jar, String type, Rubric.Check check) {
    Path work = null;
    Path results = null;
    try {
      work = Files.createTempDirectory("paging-grade-");
      results = Files.createTempDirectory("paging-grade-result-");
      Path result = results.resolve("result.json");
      long budget = check.budget().toMillis();
      List<String> command = List.of(java.toString(), "-Xmx" + rubric.heapMiB() + "m", "-XX:+ExitOnOutOfMemoryError",
          "-XX:+UseSerialGC", "-Xshare:auto", "-Dfile.encoding=UTF-8", "-Dsun.stdout.encoding=UTF-8",
          "-Dsun.stderr.encoding=UTF-8", "-Djava.io.tmpdir=" + work, "-cp",
          libraryClassPath + File.pathSeparator + jar.toAbsolutePath(), ChildCheck.class.getName(),
          battery.name(), formatNames(), type, check.name(), Integer.toString(check.points()), Long.toString(budget), result.toString());
      ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile());
      builder.environment().clear();
      Process child = builder.start();
      child.getOutputStream().close();
      Capture output = new Capture(rubric.outputLimit());
      Thread out = output.drain(child.getInputStream(), "stdout of " + check.name());
      Thread err = output.drain(child.getErrorStream(), "stderr of " + check.name());
      boolean ended = child.waitFor(budget + GRACE_MILLIS, TimeUnit.MILLISECONDS);
      // Processes the submission started would keep the pipes open: they go with the child.
      child.descendants().forEach(ProcessHandle::destroyForcibly);
      if (!ended) {
        child.destroyForcibly();
        child.waitFor();
      }
      out.join(1000);
      err.join(1000);
      String printed = output.marked();
      if (!ended) {
        return entry(check, ScoreCard.Status.TIMED_OUT, "did not finish within " + budget + " ms; its JVM was killed",
            OptionalLong.empty(), List.of(), printed);
      }
      if (Files.exists(result)) {
        return fromResult(check, result, printed);
      }
      int status = child.exitValue();
      if (status == 3 && output.mentions("java.lang.OutOfMemoryError")) {
        return entry(check, ScoreCard.Status.ERROR, "ran out of memory: the check's JVM has a heap of "
            + rubric.heapMiB() + " MiB (java.lang.OutOfMemoryError)", OptionalLong.empty(), List.of(), printed);
      }
      return entry(check, ScoreCard.Status.ERROR, "the check's JVM ended with exit status " + status
          + " before the check finished: the submission called System.exit(" + status + ") or Runtime.halt, or "
          + "the JVM crashed", OptionalLong.empty(), List.of(), printed);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run check '" + check.name() + "' in a child JVM: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("grading was interrupted during check '" + check.name() + "'", e);
    } finally {
      deleteQuietly(work);
      deleteQuietly(results);
    }
  }

  private ScoreCard.Entry fromResult(Rubric.Check check, Path result, String printed) throws IOException {
    ScoreCard.Status status = null;
    String message = "";
    OptionalLong seed = OptionalLong.empty();
    List<String> scenario = new ArrayList<>();
    try (Reader in = Files.newBufferedReader(result, StandardCharsets.UTF_8);
        JsonParser p = new JsonFactory().createParser(in)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("the result is not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.getCurrentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "status":
            status = ScoreCard.Status.valueOf(p.getText());
            break;
          case "message":
            message = p.getText();
            break;
          case "seed":
            seed = OptionalLong.of(p.getLongValue());
            break;
          case "scenario":
            while (p.nextToken() == JsonToken.VALUE_STRING) {
              scenario.add(p.getText());
            }
            break;
          default:
            if (value.isStructStart()) {
              p.skipChildren();
            }
        }
      }
    } catch (IllegalArgumentException e) {
      throw new IOException("the result has a bad status: " + e.getMessage(), e);
    }
    if (status == null) {
      throw new IOException("the result has no status");
    }
    return entry(check, status, message, seed, scenario, printed);
  }

  private ScoreCard.Entry entry(Rubric.Check check, ScoreCard.Status status, String message, OptionalLong seed,
      List<String> scenario, String printed) {
    int points = status == ScoreCard.Status.PASSED ? check.points() : 0;
    return new ScoreCard.Entry(check.name(), points, check.points(), status, truncated(message, rubric.outputLimit()),
        seed, scenario, check.visibility(), printed);
  }

  private String formatNames() {
    List<String> names = new ArrayList<>();
    for (PagingFormat f : rubric.formats()) {
      names.add(f.name());
    }
    return String.join(",", names);
  }

  /** {@code text} cut to {@code limit} characters, saying so. */
  static String truncated(String text, int limit) {
    if (text.length() <= limit) {
      return text;
    }
    return text.substring(0, limit) + " [... truncated: " + text.length() + " characters in all]";
  }

  private static String absolute(String classPath) {
    List<String> entries = new ArrayList<>();
    for (String e : classPath.split(File.pathSeparator)) {
      if (!e.isEmpty()) {
        entries.add(Path.of(e).toAbsolutePath().toString());
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  private static void deleteQuietly(@Nullable Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // A file the submission left behind in a temporary directory is not worth failing the run for.
    }
  }

  /** The first characters a child printed on either stream, and how many it printed in all. */
  private static final class Capture {
    private final int limit;
    private final StringBuilder kept = new StringBuilder();
    private long total;

    Capture(int limit) {
      this.limit = limit;
    }

    Thread drain(InputStream stream, String name) {
      Thread t = new Thread(() -> {
        char[] buffer = new char[8192];
        try (Reader in = new InputStreamReader(stream, StandardCharsets.UTF_8)) {
          for (int n; (n = in.read(buffer)) >= 0; ) {
            add(buffer, n);
          }
        } catch (IOException e) {
          // The child is gone; what it printed so far is kept.
        }
      }, "paging grade: " + name);
      t.setDaemon(true);
      t.start();
      return t;
    }

    private synchronized void add(char[] chars, int n) {
      total += n;
      int room = limit - kept.length();
      if (room > 0) {
        kept.append(chars, 0, Math.min(room, n));
      }
    }

    synchronized boolean mentions(String text) {
      return kept.indexOf(text) >= 0;
    }

    /**
     * What was kept between two lines that say it is the submission's output, and whether it was
     * cut (not by how much: a submission printing when its time runs out prints a different
     * amount each run, and two gradings must read alike); empty for none.
     */
    synchronized String marked() {
      if (total == 0) {
        return "";
      }
      String head = total > kept.length()
          ? "--- the submission's output (its first " + kept.length() + " characters; it printed more) ---\n"
          : "--- the submission's output ---\n";
      return head + kept + (kept.length() > 0 && kept.charAt(kept.length() - 1) == '\n' ? "" : "\n")
          + "--- end of the submission's output ---";
    }
  }
}
