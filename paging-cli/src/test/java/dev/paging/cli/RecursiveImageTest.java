package dev.paging.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Attributes;
import dev.paging.core.Formats;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image laid out as Windows x64 lays out its tables: PML4 entry 0x1ED points to the PML4
 * itself (present, writable, supervisor, NX). The expected addresses are Windows' own: the PML4
 * maps itself at 0xfffff6fb7dbed000, and the PTE of {@code va} is at {@code 0xfffff68000000000 +
 * ((va >> 9) & 0x7ffffffff8)}; the expected listings are what QEMU's monitor prints for them, as
 * its x86 walk reads every present entry at each level without looking for loops.
 */
class RecursiveImageTest {
  private static final long ROOT = 0x1000;
  private static final long SELF_ENTRY = 0x8000_0000_0000_1003L;

  @TempDir
  Path dir;

  private Path image;

  @BeforeEach
  void saveImage() throws IOException {
    ImageBuilder b = ImageBuilder.of(Formats.x86_64(), 1 << 20, ROOT);
    b.map(0x40_1000L, 1 << 12, 0x8_0000L, Attributes.readWrite().withUser(true));
    b.memory.write(ROOT + 8 * 0x1ed, SELF_ENTRY);
    image = b.save(dir.resolve("windows.img"), 0, 1 << 20);
  }

  private CliRun run(String command, String... rest) {
    String[] args = new String[rest.length + 7];
    args[0] = command;
    args[1] = "--image";
    args[2] = image.toString();
    args[3] = "--format";
    args[4] = "x86-64";
    args[5] = "--root";
    args[6] = "0x1000";
    System.arraycopy(rest, 0, args, 7, rest.length);
    return CliRun.of(args);
  }

  @Test
  void theSelfMapAddressTranslatesToTheRootAsTheMmuGivesIt() {
    CliRun r = run("translate", "0xfffff6fb7dbed000", "0xfffff6fb7dbedf68", "0xfffff68000002008");

    assertThat(r.err).isEmpty();
    // 0xf68 = 8 * 0x1ed: the self entry itself; 0xfffff68000002008 is the PTE of 0x401000, in the
    // PT, the fourth table the builder made (root 0x1000, then 0x2000, 0x3000, 0x4000).
    assertThat(r.out).isEqualTo(""
        + "0xfffff6fb7dbed000 -> 0x0000000000001000 4K PT rw-----\n"
        + "0xfffff6fb7dbedf68 -> 0x0000000000001f68 4K PT rw-----\n"
        + "0xfffff68000002008 -> 0x0000000000004008 4K PT rw-----\n");
    assertThat(r.status).isZero();
  }

  @Test
  void theAuditSaysRecursiveMappingAsInformationAndPasses() {
    CliRun r = run("audit");

    assertThat(r.err).isEmpty();
    assertThat(r.out).startsWith("INFO    recursive-mapping      [0xfffff68000000000, 0xfffff6ffffffffff] PML4 table "
        + "0x0000000000001000: recursive mapping at index 493: PML4 entry 0x8000000000001003 points back to its own "
        + "table 0x0000000000001000, so this window shows the space's own tables\n");
    assertThat(r.out.lines().filter(l -> l.startsWith("INFO") || l.startsWith("WARNING") || l.startsWith("ERROR")))
        .hasSize(1);
    assertThat(r.status).isZero();
  }

  @Test
  void qemuListingsShowTheWindowsAliasesOfEveryTable() {
    CliRun mem = run("inspect", "--view", "info-mem");
    CliRun tlb = run("inspect", "--view", "info-tlb");

    // The page, then each table once through the window: the PT at the page's PTE address, the
    // PD at its PDE address (0xfffff6fb40000000 + ...), the PDPT, the PML4 itself. The window's
    // protection is the self entry's: supervisor, writable.
    assertThat(mem.out).isEqualTo(""
        + "0000000000401000-0000000000402000 0000000000001000 urw\n"
        + "fffff68000002000-fffff68000003000 0000000000001000 -rw\n"
        + "fffff6fb40000000-fffff6fb40001000 0000000000001000 -rw\n"
        + "fffff6fb7da00000-fffff6fb7da01000 0000000000001000 -rw\n"
        + "fffff6fb7dbed000-fffff6fb7dbee000 0000000000001000 -rw\n");
    assertThat(tlb.out.lines().map(l -> l.substring(0, 34)).toList()).containsExactly(
        "0000000000401000: 0000000000080000",
        "fffff68000002000: 0000000000004000",
        "fffff6fb40000000: 0000000000003000",
        "fffff6fb7da00000: 0000000000002000",
        "fffff6fb7dbed000: 0000000000001000");
    assertThat(tlb.out.lines().skip(4).findFirst()).hasValue("fffff6fb7dbed000: 0000000000001000 X-------W");
    assertThat(mem.status).isZero();
    assertThat(tlb.status).isZero();
  }
}
