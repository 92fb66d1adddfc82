package dev.paging.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.PagingException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Runs the command line in-process, as a user would from a shell, and checks every byte it prints. */
class MainTest {
  /** What one run printed and returned. */
  private static final class Run {
    final int status;
    final String out;
    final String err;

    Run(int status, ByteArrayOutputStream out, ByteArrayOutputStream err) {
      this.status = status;
      this.out = normalize(out);
      this.err = normalize(err);
    }

    private static String normalize(ByteArrayOutputStream bytes) {
      return bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }
  }

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(status, out, err);
  }

  @Test
  void demoPrintsTheSameTextEveryTime() {
    assertThat(run("demo").out).isEqualTo(run("demo").out);
  }

  @Test
  void noSubcommandIsAOneLineUsageError() {
    Run r = run();

    assertThat(r.status).isEqualTo(2);
    assertThat(r.out).isEmpty();
    assertThat(r.err).isEqualTo("paging: Missing required subcommand (see 'paging --help')\n");
  }

  @Test
  void anUnknownSubcommandIsOneLineWithASuggestion() {
    Run r = run("demoo");

    assertThat(r.status).isEqualTo(2);
    assertThat(r.out).isEmpty();
    assertThat(r.err).isEqualTo("paging: unknown command 'demoo'; did you mean demo? (see 'paging --help')\n");
    assertThat(run("translat", "0x0").err)
        .isEqualTo("paging: unknown command 'translat'; did you mean translate? (see 'paging --help')\n");
  }

  @Test
  void aMisspeltOptionSuggestsTheOneItMeant() {
    // picocli's own guess, by common prefix, would be --version.
    Run swapped = run("inspect", "--image", "x.img", "--veiw", "json");
    Run doubled = run("inspect", "--image", "x.img", "--fromm=0x0");
    Run far = run("inspect", "--image", "x.img", "--colour");

    assertThat(swapped.status).isEqualTo(2);
    assertThat(swapped.out).isEmpty();
    assertThat(swapped.err).isEqualTo(
        "paging inspect: unknown option '--veiw'; did you mean --view? (see 'paging inspect --help')\n");
    assertThat(doubled.err).isEqualTo(
        "paging inspect: unknown option '--fromm'; did you mean --from? (see 'paging inspect --help')\n");
    assertThat(far.err).isEqualTo("paging inspect: Unknown option: '--colour' (see 'paging inspect --help')\n");
  }

  @Test
  void anUnknownOptionIsOneLineNamingTheCommand() {
    Run top = run("--bogus");
    Run sub = run("demo", "--x");

    assertThat(top.status).isEqualTo(2);
    assertThat(top.err).isEqualTo("paging: Unknown option: '--bogus' (see 'paging --help')\n");
    assertThat(sub.status).isEqualTo(2);
    assertThat(sub.out).isEmpty();
    assertThat(sub.err).isEqualTo("paging demo: Unknown option: '--x' (see 'paging demo --help')\n");
  }

  @Test
  void helpListsTheSubcommandsOnStandardOutput() {
    Run r = run("--help");

    assertThat(r.status).isZero();
    assertThat(r.err).isEmpty();
    assertThat(r.out).startsWith("Usage: paging [-hV] [COMMAND]\n")
        .contains("\n  demo        Builds, in simulated memory, an x86-64 kernel")
        .contains("\n  inspect     Dumps the page tables in a memory image as Linux ptdump, QEMU\n")
        .contains("\n  translate   Translates virtual addresses through the page tables in a memory\n")
        .contains("\n  audit       Audits the page tables in a memory image; the exit status says\n")
        .contains("\n  image-info  Shows what a memory image's headers say: its kind, its segments\n")
        .contains("\n  help        Display help information");
    // In the order a user meets them: look, look closer, judge.
    assertThat(r.out.indexOf("\n  demo ")).isLessThan(r.out.indexOf("\n  inspect "));
    assertThat(r.out.indexOf("\n  inspect ")).isLessThan(r.out.indexOf("\n  translate "));
    assertThat(r.out.indexOf("\n  translate ")).isLessThan(r.out.indexOf("\n  audit "));
    assertThat(r.out.indexOf("\n  audit ")).isLessThan(r.out.indexOf("\n  image-info "));
    assertThat(r.out.indexOf("\n  image-info ")).isLessThan(r.out.indexOf("\n  help "));
  }

  @Test
  void subcommandsInheritHelpAndVersion() {
    Run help = run("demo", "--help");
    Run version = run("demo", "-V");

    assertThat(help.status).isZero();
    assertThat(help.out).startsWith("Usage: paging demo [-hV] [--save=FILE] [--save-format=KIND]\n");
    assertThat(version.status).isZero();
    assertThat(version.out).isEqualTo(run("--version").out);
  }

  @Test
  void versionIsTheBuiltProjectVersion() {
    Run r = run("--version");

    assertThat(r.status).isZero();
    assertThat(r.err).isEmpty();
    // Maven filtered the version in: no placeholder is left.
    assertThat(r.out).matches("paging \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\n");
  }

  @Command(name = "boom")
  static final class Boom implements Callable<Integer> {
    private final RuntimeException failure;

    Boom(RuntimeException failure) {
      this.failure = failure;
    }

    @Override
    public Integer call() {
      throw failure;
    }
  }

  private static Run runWithFailingSubcommand(RuntimeException failure) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintWriter o = new PrintWriter(out, true, StandardCharsets.UTF_8);
    PrintWriter e = new PrintWriter(err, true, StandardCharsets.UTF_8);
    CommandLine cl = Main.commandLine(o, e);
    cl.addSubcommand("boom", new CommandLine(new Boom(failure)));
    int status = cl.execute("boom");
    o.flush();
    e.flush();
    return new Run(status, out, err);
  }

  @Test
  void aFailureWhileRunningIsOneLineWithoutAStackTrace() {
    Run r = runWithFailingSubcommand(
        new PagingException("table 0x0000000000105000 is outside physical memory\n  while walking"));

    assertThat(r.status).isEqualTo(2);
    assertThat(r.out).isEmpty();
    assertThat(r.err).isEqualTo(
        "paging boom: table 0x0000000000105000 is outside physical memory while walking\n");
  }

  @Test
  void aFailureWithoutAMessageIsNamedByItsType() {
    Run r = runWithFailingSubcommand(new IllegalStateException());

    assertThat(r.status).isEqualTo(2);
    assertThat(r.err).isEqualTo("paging boom: IllegalStateException\n");
  }
}
