package dev.paging.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to a command that reads an image: each case is exactly one line on standard error,
 * naming the offending value, exit status 2, and nothing on standard output.
 */
class ImageOptionsTest {
  private static final String HELP = " (see 'paging translate --help')\n";

  @TempDir
  Path dir;

  private Path image;

  @BeforeEach
  void saveImage() throws IOException {
    image = TranslateCommandTest.x86Space().save(dir.resolve("x86.img"), 0, TranslateCommandTest.IMAGE_SIZE);
  }

  /** Runs {@code paging translate ARGS} and checks that it failed with exactly {@code message}. */
  private static void assertRejected(String message, String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "translate";
    System.arraycopy(args, 0, all, 1, args.length);

    CliRun r = CliRun.of(all);

    assertThat(r.err).as("%s", r).isEqualTo(message);
    assertThat(r.out).as("%s", r).isEmpty();
    assertThat(r.status).as("%s", r).isEqualTo(2);
  }

  private String img() {
    return image.toString();
  }

  @Test
  void theImageIsRequired() {
    assertRejected("paging translate: Missing required option: '--image=FILE'" + HELP, "--format", "x86-64", "--root", "0x1000", "0x1000");
  }

  @Test
  void aMissingImageFile() {
    Path missing = dir.resolve("missing.img");
    assertRejected("paging translate: --image " + missing + ": no such file\n",
        "--image", missing.toString(), "--format", "x86-64", "--root", "0x1000", "0x1000");
  }

  @Test
  void aDirectoryIsNotAnImage() {
    assertRejected("paging translate: --image " + dir + ": is a directory\n",
        "--image", dir.toString(), "--format", "x86-64", "--root", "0x1000", "0x1000");
  }

  @Test
  void aPipeIsRefusedRatherThanReadForever() throws Exception {
    Path fifo = dir.resolve("image.fifo");
    Process mkfifo;
    try {
      mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    } catch (IOException e) {
      Assumptions.abort("no mkfifo here: " + e.getMessage());
      return;
    }
    Assumptions.assumeTrue(mkfifo.waitFor() == 0, "mkfifo failed");
    assertRejected("paging translate: --image " + fifo + ": is not a regular file (a pipe, socket or device); "
        + "save the image to a file first\n", "--image", fifo.toString(), "--format", "x86-64", "--root", "0x1000", "0x1000");
  }

  @Test
  void aDeviceIsRefused() {
    Path devNull = Path.of("/dev/null");
    Assumptions.assumeTrue(Files.exists(devNull), "no /dev/null here");
    assertRejected("paging translate: --image /dev/null: is not a regular file (a pipe, socket or device); "
        + "save the image to a file first\n", "--image", "/dev/null", "--format", "x86-64", "--root", "0x1000", "0x1000");
  }

  @Test
  void aPathThroughAFile() {
    Path through = image.resolve("inner.img");
    assertRejected("paging translate: --image " + through + ": Not a directory\n",
        "--image", through.toString(), "--format", "x86-64", "--root", "0x1000", "0x1000");
  }

  @Test
  void anEmptyImage() throws IOException {
    Path empty = Files.write(dir.resolve("empty.img"), new byte[0]);
    assertRejected("paging translate: --image " + empty + ": the file is empty\n",
        "--image", empty.toString(), "--format", "x86-64", "--root", "0x1000", "0x1000");
  }

  @Test
  void anUnreadableImage() throws IOException {
    Path locked = Files.write(dir.resolve("locked.img"), new byte[4096]);
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
    // The superuser reads every file: there is nothing to refuse then.
    assumeFalse(Files.isReadable(locked), "running as a user who can read a file with no permissions");

    assertRejected("paging translate: --image " + locked + ": permission denied\n",
        "--image", locked.toString(), "--format", "x86-64", "--root", "0x0", "0x1000");
  }

  @Test
  void aRootOutsideTheImage() {
    assertRejected("paging translate: root table 0x0000000000100000 is outside the image " + image
            + ", which holds physical 0x0000000000000000..0x00000000000fffff\n",
        "--image", img(), "--format", "x86-64", "--root", "0x10_0000", "0x1000");
    assertRejected("paging translate: root table 0x00000000000ff000 (from --cr3 0x00000000000ff000) is outside the"
            + " image " + image + ", which holds physical 0x0000000000100000..0x00000000001fffff\n",
        "--image", img(), "--base", "0x10_0000", "--format", "x86-64", "--cr3", "0xff000", "0x1000");
  }

  @Test
  void aRootWhoseTableIsCutByTheEndOfTheImage() throws IOException {
    Path cut = TranslateCommandTest.x86Space().save(dir.resolve("cut.img"), 0, 0x1800);
    assertRejected("paging translate: root table 0x0000000000001000 is outside the image " + cut
            + ", which holds physical 0x0000000000000000..0x00000000000017ff\n",
        "--image", cut.toString(), "--format", "x86-64", "--root", "0x1000", "0x1000");
  }

  @Test
  void anUnalignedRoot() {
    assertRejected("paging translate: --root 0x0000000000001008 is not 4 KiB aligned" + HELP,
        "--image", img(), "--format", "x86-64", "--root", "0x1008", "0x1000");
  }

  @Test
  void anUnalignedBase() {
    assertRejected("paging translate: --base 0x0000000000000800 is not 4 KiB aligned" + HELP,
        "--image", img(), "--base", "0x800", "--format", "x86-64", "--root", "0x1000", "0x1000");
  }

  @Test
  void aBaseThatPutsTheImageBeyond2To64() {
    assertRejected("paging translate: " + img() + ": offset 0x0: a raw image of 0x100000 bytes at base "
            + "0xfffffffffff01000 reaches beyond physical address 0xffffffffffffffff\n",
        "--image", img(), "--base", "0xffff_ffff_fff0_1000", "--format", "x86-64", "--root", "0x1000", "0x1000");
  }

  @Test
  void anUnknownFormat() {
    assertRejected("paging translate: unknown format 'x86' (expected x86-64, x86-64-5level, x86-32, x86-pae, sv39, sv48, sv57 or aarch64)"
        + HELP, "--image", img(), "--format", "x86", "--root", "0x1000", "0x1000");
  }

  @Test
  void malformedAddresses() {
    String expected = "' is not an address (hex with 0x, or decimal; _ allowed between digits)" + HELP;
    assertRejected("paging translate: Invalid value for option '--root': '0xzz" + expected,
        "--image", img(), "--format", "x86-64", "--root", "0xzz", "0x1000");
    assertRejected("paging translate: Invalid value for option '--cr3': '0x" + expected,
        "--image", img(), "--format", "x86-64", "--cr3", "0x", "0x1000");
    assertRejected("paging translate: Invalid value for option '--base': '1_" + expected,
        "--image", img(), "--base", "1_", "--format", "x86-64", "--root", "0x1000", "0x1000");
    String positional = "paging translate: Invalid value for ADDRESS: '";
    assertRejected(positional + "12g" + expected, "--image", img(), "--format", "x86-64", "--root", "0x1000", "0x401000", "12g");
    assertRejected(positional + "0x_1000" + expected, "--image", img(), "--format", "x86-64", "--root", "0x1000", "0x_1000");
    assertRejected(positional + "-4096" + expected, "--image", img(), "--format", "x86-64", "--root", "0x1000", "-4096");
    assertRejected(positional + "0x1_0000_0000_0000_0000' does not fit in 64 bits" + HELP,
        "--image", img(), "--format", "x86-64", "--root", "0x1000", "0x1_0000_0000_0000_0000");
    assertRejected(positional + "18446744073709551616' does not fit in 64 bits" + HELP,
        "--image", img(), "--format", "x86-64", "--root", "0x1000", "18446744073709551616");
  }

  @Test
  void anAddressIsRequired() {
    assertRejected("paging translate: Missing required parameter: 'ADDRESS'" + HELP, "--image", img(), "--format", "x86-64", "--root", "0x1000");
  }

  @Test
  void exactlyOneRootOption() {
    assertRejected("paging translate: give one of --root, --cr3 or --satp (paging roots lists the candidates): " + img() + " is a raw image, which "
        + "records no registers" + HELP, "--image", img(), "0x1000");
    assertRejected("paging translate: give exactly one of --root, --cr3 or --satp (got --root and --cr3)" + HELP,
        "--image", img(), "--format", "x86-64", "--root", "0x1000", "--cr3", "0x1000", "0x1000");
    assertRejected("paging translate: give exactly one of --root, --cr3 or --satp (got --root and --cr3 and --satp)"
        + HELP, "--image", img(), "--format", "x86-64", "--root", "0x1000", "--cr3", "0x1000", "--satp", "0x8000000000000001", "0x1000");
    assertRejected("paging translate: option '--root' (ADDRESS) should be specified only once" + HELP,
        "--image", img(), "--format", "x86-64", "--root", "0x1000", "--root", "0x2000", "0x1000");
  }

  @Test
  void satpModes() {
    assertRejected("paging translate: --satp 0x0000000000000001 has MODE 0 (Bare): translation is off, there is"
        + " no page table" + HELP, "--image", img(), "--satp", "0x1", "0x1000");
    assertRejected("paging translate: --satp 0x5000000000000001 has MODE 5, which is reserved (expected 8 Sv39,"
        + " 9 Sv48 or 10 Sv57)" + HELP, "--image", img(), "--satp", "0x5000_0000_0000_0001", "0x1000");
    assertRejected("paging translate: --satp 0x9000000000000001 selects sv48 (MODE 9) but --format is sv39" + HELP,
        "--image", img(), "--satp", "0x9000_0000_0000_0001", "--format", "sv39", "0x1000");
    assertRejected("paging translate: --satp 0x8000000000000001 selects sv39 (MODE 8) but --format is x86-64"
        + HELP, "--image", img(), "--format", "x86-64", "--satp", "0x8000_0000_0000_0001", "0x1000");
  }

  @Test
  void optionsThatBelongToTheOtherArchitecture() {
    assertRejected("paging translate: --cr3 is an x86 register; sv39 takes --satp or --root" + HELP,
        "--image", img(), "--format", "sv39", "--cr3", "0x1000", "0x1000");
    assertRejected("paging translate: --phys-bits applies to x86-64 formats; sv48 has 56 physical address bits" + HELP,
        "--image", img(), "--satp", "0x9000_0000_0000_0001", "--phys-bits", "40", "0x1000");
  }

  @Test
  void physBitsOutOfRange() {
    assertRejected("paging translate: --phys-bits 53 is outside 32..52" + HELP,
        "--image", img(), "--phys-bits", "53", "--format", "x86-64", "--root", "0x1000", "0x1000");
    assertRejected("paging translate: --phys-bits 31 is outside 32..52" + HELP,
        "--image", img(), "--phys-bits", "31", "--format", "x86-64", "--root", "0x1000", "0x1000");
    assertRejected("paging translate: Invalid value for option '--phys-bits': 'x' is not an int" + HELP,
        "--image", img(), "--phys-bits", "x", "--format", "x86-64", "--root", "0x1000", "0x1000");
  }

  @Test
  void theFirstProblemFoundIsTheOneReported() {
    // Usage is checked before the file is opened: a missing file with a bad format names the format.
    assertRejected("paging translate: unknown format 'arm64' (expected x86-64, x86-64-5level, x86-32, x86-pae, sv39, sv48, sv57 or aarch64)"
        + HELP, "--image", dir.resolve("missing.img").toString(), "--format", "arm64", "--root", "0x1000", "0x1000");
  }
}
