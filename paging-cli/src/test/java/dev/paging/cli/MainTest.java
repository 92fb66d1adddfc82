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
  void demoPrintsTheTreeItWalkedAndWhatItCounted() {
    Run r = run("demo");

    assertThat(r.err).isEmpty();
    assertThat(r.status).isZero();
    assertThat(r.out).isEqualTo("""
        A tiny x86-64 kernel and one process, written entry by entry into 4 GiB of simulated memory
        with table frames from a tracking allocator. One walk over [0x0000000000000000, 0xffffffffffffffff],
        root 0x0000000000100000, with a tree printer and a page census composed into one visitor:

        0x0000000000000000..0xffffffffffffffff  PML4 table 0x0000000000100000
        0x0000000000000000..0x0000007fffffffff    PDPT table 0x0000000000101000  via PML4[0] rwxu---
        0x0000000000000000..0x000000003fffffff      PD table 0x0000000000102000  via PDPT[0] rwxu---
        0x0000000000000000..0x00000000003fffff        PD[0..1] hole, 2 x 2 MiB
        0x0000000000400000..0x00000000005fffff        PT table 0x0000000000103000  via PD[2] rwxu---
        0x0000000000400000..0x0000000000400fff          PT[0] 4 KiB page -> 0x0000000002000000  r-xu---
        0x0000000000401000..0x0000000000401fff          PT[1] 4 KiB page -> 0x0000000002001000  r-xu---
        0x0000000000402000..0x0000000000402fff          PT[2] hole, 1 x 4 KiB
        0x0000000000403000..0x0000000000403fff          PT[3] 4 KiB page -> 0x0000000002002000  rw-u---
        0x0000000000404000..0x00000000005fffff          PT[4..511] hole, 508 x 4 KiB
        0x0000000000600000..0x000000003fffffff        PD[3..511] hole, 509 x 2 MiB
        0x0000000040000000..0x0000007fffffffff      PDPT[1..511] hole, 511 x 1 GiB
        0x0000008000000000..0x00007f7fffffffff    PML4[1..254] hole, 254 x 512 GiB
        0x00007f8000000000..0x00007fffffffffff    PDPT table 0x0000000000104000  via PML4[255] rwxu---
        0x00007f8000000000..0x00007fffbfffffff      PDPT[0..510] hole, 511 x 1 GiB
        0x00007fffc0000000..0x00007fffffffffff      PD table 0x0000000000105000  via PDPT[511] rwxu---
        0x00007fffc0000000..0x00007fffffdfffff        PD[0..510] hole, 511 x 2 MiB
        0x00007fffffe00000..0x00007fffffffffff        PT table 0x0000000000106000  via PD[511] rwxu---
        0x00007fffffe00000..0x00007fffffffdfff          PT[0..509] hole, 510 x 4 KiB
        0x00007fffffffe000..0x00007fffffffefff          PT[510] 4 KiB page -> 0x0000000002004000  rw-u---
        0x00007ffffffff000..0x00007fffffffffff          PT[511] 4 KiB page -> 0x0000000002005000  rw-u---
        0xffff800000000000..0xffff887fffffffff    PML4[256..272] hole, 17 x 512 GiB
        0xffff888000000000..0xffff88ffffffffff    PDPT table 0x0000000000107000  via PML4[273] rwx----
        0xffff888000000000..0xffff88803fffffff      PD table 0x0000000000108000  via PDPT[0] rwx----
        0xffff888000000000..0xffff8880001fffff        PD[0] 2 MiB page -> 0x0000000000000000  rw--g--
        0xffff888000200000..0xffff8880003fffff        PD[1] 2 MiB page -> 0x0000000000200000  rw--g--
        0xffff888000400000..0xffff88803fffffff        PD[2..511] hole, 510 x 2 MiB
        0xffff888040000000..0xffff88807fffffff      PDPT[1] 1 GiB page -> 0x0000000040000000  rw--g--
        0xffff888080000000..0xffff88ffffffffff      PDPT[2..511] hole, 510 x 1 GiB
        0xffff890000000000..0xffffff7fffffffff    PML4[274..510] hole, 237 x 512 GiB
        0xffffff8000000000..0xffffffffffffffff    PDPT table 0x0000000000109000  via PML4[511] rwx----
        0xffffff8000000000..0xffffffff7fffffff      PDPT[0..509] hole, 510 x 1 GiB
        0xffffffff80000000..0xffffffffbfffffff      PD table 0x000000000010a000  via PDPT[510] rwx----
        0xffffffff80000000..0xffffffff80ffffff        PD[0..7] hole, 8 x 2 MiB
        0xffffffff81000000..0xffffffff811fffff        PD[8] 2 MiB page -> 0x0000000001000000  r-x-g--
        0xffffffff81200000..0xffffffff813fffff        PD[9] 2 MiB page -> 0x0000000001200000  rw--g--
        0xffffffff81400000..0xffffffffbfffffff        PD[10..511] hole, 502 x 2 MiB
        0xffffffffc0000000..0xffffffffffffffff      PD table 0x000000000010b000  via PDPT[511] rwx----
        0xffffffffc0000000..0xffffffffffdfffff        PD[0..510] hole, 511 x 2 MiB
        0xffffffffffe00000..0xffffffffffffffff        PT table 0x000000000010c000  via PD[511] rwx----
        0xffffffffffe00000..0xffffffffffffefff          PT[0..510] hole, 511 x 4 KiB
        0xfffffffffffff000..0xffffffffffffffff          PT[511] 4 KiB page -> 0x00000000fee00000  rw--g-- type=3

        walk:           COMPLETED
        tables visited: 13 (13 frames allocated)
        entries read:   6679 (SimulatedMemory.reads(): each entry of each table, each non-empty one again after onEntry)
        leaves:         6 x 4 KiB, 4 x 2 MiB, 1 x 1 GiB (1082155008 bytes)
        user-reachable: 5 x 4 KiB (20480 bytes)
        translate:      0x0000000000401234 -> 0x0000000002001234, 4 KiB page at PT, effective r-xu---, 8 entries read
        """);
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
    assertThat(r.err).isEqualTo(
        "paging: Unmatched argument at index 0: 'demoo'; did you mean demo? (see 'paging --help')\n");
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
        .contains("\n  demo       Builds a tiny x86-64 kernel")
        .contains("\n  inspect    Dumps the page tables in a memory image as Linux ptdump, QEMU info\n")
        .contains("\n  translate  Translates virtual addresses through the page tables in a memory\n")
        .contains("\n  audit      Audits the page tables in a memory image; the exit status says\n")
        .contains("\n  help       Display help information");
    // In the order a user meets them: look, look closer, judge.
    assertThat(r.out.indexOf("\n  demo ")).isLessThan(r.out.indexOf("\n  inspect "));
    assertThat(r.out.indexOf("\n  inspect ")).isLessThan(r.out.indexOf("\n  translate "));
    assertThat(r.out.indexOf("\n  translate ")).isLessThan(r.out.indexOf("\n  audit "));
    assertThat(r.out.indexOf("\n  audit ")).isLessThan(r.out.indexOf("\n  help "));
  }

  @Test
  void subcommandsInheritHelpAndVersion() {
    Run help = run("demo", "--help");
    Run version = run("demo", "-V");

    assertThat(help.status).isZero();
    assertThat(help.out).startsWith("Usage: paging demo [-hV]\n");
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
