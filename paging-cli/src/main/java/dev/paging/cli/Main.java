package dev.paging.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.LongSupplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code paging} command line. Every failure, a bad argument or an error while running, is
 * one line on standard error and exit status {@value #USAGE_ERROR}; a stack trace never reaches
 * the user.
 */
@Command(
    name = "paging",
    // Subcommands inherit the help and version options and the version provider.
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Read and edit hardware page tables: one walking engine, every operation a visitor.",
    subcommands = {
        DemoCommand.class,
        InspectCommand.class,
        TranslateCommand.class,
        AuditCommand.class,
        ImageInfoCommand.class,
        RootsCommand.class,
        ReverseCommand.class,
        GradeCommand.class,
        HelpCommand.class,
    })
public final class Main {
  /** The exit status of every failure, as picocli uses it for usage errors. */
  public static final int USAGE_ERROR = 2;

  /** The clock of progress reports on standard error; null when long work reports none. */
  private final LongSupplier progressClock;

  private Main(LongSupplier progressClock) {
    this.progressClock = progressClock;
  }

  /** Runs the command line as a process: progress appears on standard error when a terminal is attached. */
  public static void main(String[] args) {
    // The file descriptor itself, not System.out: a PrintStream would swallow why a write failed.
    OutputStream out = new FileOutputStream(FileDescriptor.out);
    System.exit(run(args, out, System.err, Progress.terminalAttached() ? System::nanoTime : null));
  }

  /**
   * Runs the command line {@code args}, printing to {@code out} and {@code err}, and returns the
   * exit status: 0 on success, {@value #USAGE_ERROR} on any failure, and what a command documents
   * otherwise (1 when {@code translate} meets an unmapped address, when {@code inspect} runs out of
   * its entry budget, when {@code audit} finds something at or above its {@code --fail-on}
   * severity), and {@value OutputWatch#CLOSED_PIPE_STATUS}, with nothing printed, when the reader
   * of standard output went away (a closed pipe), as for a tool SIGPIPE ended. Progress reports
   * are only for a person at a terminal, so this entry point, which embedders and tests call,
   * prints none.
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, out, err, null);
  }

  /**
   * {@link #run(String[], PrintStream, PrintStream)} with progress reports on {@code err} timed by
   * {@code progressClock} in nanoseconds (none when it is null): tests drive the clock.
   */
  static int run(String[] args, OutputStream out, PrintStream err, LongSupplier progressClock) {
    OutputWatch watch = new OutputWatch(out);
    PrintWriter o = new PrintWriter(new OutputStreamWriter(watch, StandardCharsets.UTF_8), true);
    PrintWriter e = new PrintWriter(err, true, StandardCharsets.UTF_8);
    int status;
    try {
      status = commandLine(o, e, progressClock).execute(args);
      // Flushes what the command left, which may be what fails.
      o.checkError();
    } finally {
      e.flush();
    }
    // A command that wrote to a reader that has gone ends as SIGPIPE would have ended it: quietly.
    // A command whose output failed otherwise says so once, whatever it reported before.
    if (watch.failed()) {
      if (watch.readerGone()) {
        return OutputWatch.CLOSED_PIPE_STATUS;
      }
      e.println("paging: cannot write to standard output: " + watch.describe());
      e.flush();
      return USAGE_ERROR;
    }
    return status;
  }

  /** The configured command line, without progress reports, for tests that add a subcommand. */
  static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    return commandLine(out, err, null);
  }

  private static CommandLine commandLine(PrintWriter out, PrintWriter err, LongSupplier progressClock) {
    return new CommandLine(new Main(progressClock))
        .setOut(out)
        .setErr(err)
        .setParameterExceptionHandler((ex, args) -> badArguments(ex, err))
        .setExecutionExceptionHandler((ex, cmd, parsed) -> failed(ex, cmd, err));
  }

  // Both handlers print to the top-level err, which a subcommand added later does not inherit.
  private static int badArguments(ParameterException ex, PrintWriter err) {
    CommandLine cmd = ex.getCommandLine();
    String name = cmd.getCommandSpec().qualifiedName();
    StringBuilder line = new StringBuilder(name).append(": ");
    String typo = ex instanceof UnmatchedArgumentException ? typo((UnmatchedArgumentException) ex) : null;
    if (typo != null) {
      line.append(typo);
    } else {
      line.append(oneLine(ex.getMessage()));
      if (ex instanceof UnmatchedArgumentException) {
        List<String> suggestions = ((UnmatchedArgumentException) ex).getSuggestions();
        if (!suggestions.isEmpty()) {
          line.append("; did you mean ").append(String.join(" or ", suggestions)).append('?');
        }
      }
    }
    line.append(" (see '").append(name).append(" --help')");
    err.println(line);
    return USAGE_ERROR;
  }

  /**
   * For a misspelt option or command, the one name it most likely meant ({@code --veiw} is
   * {@code --view}: picocli's own guess, by common prefix, says {@code --version}), or null.
   */
  private static @Nullable String typo(UnmatchedArgumentException ex) {
    List<String> unmatched = ex.getUnmatched();
    if (unmatched.isEmpty()) {
      return null;
    }
    CommandSpec spec = ex.getCommandLine().getCommandSpec();
    String given = unmatched.get(0);
    boolean option = given.startsWith("-");
    if (option) {
      int equals = given.indexOf('=');
      given = equals > 0 ? given.substring(0, equals) : given;
    }
    List<String> names = new ArrayList<>();
    if (option) {
      for (OptionSpec o : spec.options()) {
        names.addAll(List.of(o.names()));
      }
    } else {
      names.addAll(spec.subcommands().keySet());
    }
    String best = Suggestions.closest(given, names);
    if (best == null) {
      return null;
    }
    return "unknown " + (option ? "option" : "command") + " '" + given + "'; did you mean " + best + "?";
  }

  private static int failed(Exception ex, CommandLine cmd, PrintWriter err) {
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (t instanceof StreamingOutput.OutputFailedException) {
        // Decided in run(), which knows why standard output failed.
        return USAGE_ERROR;
      }
    }
    String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : oneLine(ex.getMessage());
    err.println(cmd.getCommandSpec().qualifiedName() + ": " + message);
    return USAGE_ERROR;
  }

  /**
   * A progress report on {@code err} for a subcommand's long work, or one that prints nothing when
   * no person is watching.
   */
  Progress progress(PrintWriter err, String label, String unit, long total) {
    return progressClock != null ? Progress.on(err, label, unit, total, progressClock) : Progress.disabled();
  }

  private static String oneLine(String message) {
    return message.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  /** The version Maven filtered into {@code version.properties} when it built this module. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      Properties p = new Properties();
      try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
        if (in == null) {
          throw new IllegalStateException("version.properties is missing from the paging-cli build");
        }
        p.load(in);
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
      return new String[] {"paging " + p.getProperty("version")};
    }
  }
}
