package dev.paging.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Addresses;
import dev.paging.api.Attributes;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.fakes.BumpFrameAllocator;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.images.ImageKind;
import dev.paging.images.ImageWriter;
import dev.paging.ops.PageTables;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code paging roots} and {@code paging reverse} on a simulated kernel with two processes that
 * share its half and one frame, saved as raw, ELF and LiME.
 */
class RootsAndReverseTest {
  private static final long MEMORY = 8L << 20;
  private static final long DIRECT_MAP = 0xffff_8880_0000_0000L;
  private static final long SHARED = 0x60_0000L; // a frame both processes map, and the direct map too

  @TempDir
  Path dir;

  private final SimulatedMemory memory = SimulatedMemory.ofSize(MEMORY);
  private long kernel;
  private long processA;
  private long processB;

  @BeforeEach
  void buildTheMachine() {
    PageTables k = PageTables.create(Formats.x86_64(), memory, BumpFrameAllocator.over(0x10_0000, 1024));
    k.map(VirtualRange.ofLength(DIRECT_MAP, 8L << 20), 0, Attributes.readWrite().withGlobal(true));
    PageTables a = PageTables.createSharingKernelHalf(k);
    a.mapPage(0x40_0000L, SHARED, Attributes.readExecute().withUser(true));
    a.mapPage(0x40_1000L, 0x61_0000L, Attributes.readExecute().withUser(true));
    PageTables b = PageTables.createSharingKernelHalf(k);
    b.mapPage(0x7000_0000_0000L, SHARED, Attributes.readWrite().withUser(true));
    // The pages the processes map hold data, as a real machine's do: read as tables, they fail.
    java.util.SplittableRandom random = new java.util.SplittableRandom(7);
    for (long page : new long[] {SHARED, 0x61_0000L}) {
      for (long at = page; at < page + 4096; at += 8) {
        memory.write(at, random.nextLong());
      }
    }
    kernel = k.space().root();
    processA = a.space().root();
    processB = b.space().root();
  }

  private Path save(ImageKind kind) throws IOException {
    Path file = dir.resolve("machine-" + kind);
    ImageWriter w = ImageWriter.of(memory).segment(0, 0xa_0000).segment(0x10_0000, MEMORY - 0x10_0000);
    if (kind == ImageKind.ELF_CORE) {
      w.cpu(Map.of("cr0", 0x8000_0001L, "cr3", processA, "cr4", 0x20L));
    }
    w.write(file, kind);
    return file;
  }

  /** ROOT SCORE TABLES UPPER GROUP LEAVES of each candidate line. */
  private static List<String[]> rows(String out) {
    List<String[]> rows = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (line.startsWith("0x")) {
        rows.add(line.trim().split(" +"));
      }
    }
    return rows;
  }

  @Test
  void rootsFindsEveryAddressSpaceInRawElfAndLime() throws IOException {
    for (ImageKind kind : ImageKind.values()) {
      Path image = save(kind);
      CliRun r = CliRun.of("roots", "--image", image.toString(), "--format", "x86-64");
      assertThat(r.status).as("%s", r).isZero();
      assertThat(r.err).isEmpty();
      assertThat(r.out).startsWith("candidate roots in " + image + " read as x86-64, best first: 3\n"
          + "ROOT                SCORE TABLES UPPER GROUP     LEAVES  EVIDENCE\n");
      List<String[]> rows = rows(r.out);
      assertThat(rows).extracting(row -> Long.decode(row[0]))
          .containsExactlyInAnyOrder(kernel, processA, processB);
      for (String[] row : rows) {
        long root = Long.decode(row[0]);
        // The kernel links its 256 kernel-half tables; each process one more user table.
        int tables = root == kernel ? 256 : 257;
        // The direct map: 4 leaves of 2 MiB; A adds 2 pages, B 1.
        int leaves = root == kernel ? 4 : root == processA ? 6 : 5;
        assertThat(row).as("%s in %s", row[0], kind).containsSubsequence(String.valueOf(tables), "256", "1",
            String.valueOf(leaves));
      }
      // Best first: the processes, with their user table, score above the kernel's template.
      assertThat(Long.decode(rows.get(2)[0])).isEqualTo(kernel);
    }
  }

  @Test
  void rootsReadsTheFormatFromTheDumpAndSaysWhenItAssumesOne() throws IOException {
    CliRun elf = CliRun.of("roots", "--image", save(ImageKind.ELF_CORE).toString());
    assertThat(elf.err).isEmpty();
    Path lime = save(ImageKind.LIME);
    CliRun limeRun = CliRun.of("roots", "--image", lime.toString());
    assertThat(limeRun.err).isEqualTo("paging roots: no --format given; reading the tables as x86-64 with 4 levels "
        + "(give --format x86-64-5level, x86-32, x86-pae, sv39, sv48 or sv57 for another)\n");
    CliRun wrong = CliRun.of("roots", "--image", lime.toString(), "--format", "arm");
    assertThat(wrong.err).isEqualTo("paging roots: unknown format 'arm' (expected x86-64, x86-64-5level, x86-32, x86-pae, "
        + "sv39, sv48, sv57 or aarch64) (see 'paging roots --help')\n");
    assertThat(wrong.status).isEqualTo(2);
  }

  @Test
  void rootsOnAnImageWithoutTablesFindsNoneAndExitsOne() throws IOException {
    Path empty = dir.resolve("zeros.raw");
    ImageWriter.of(SimulatedMemory.ofSize(1L << 20)).segment(0, 1L << 20).write(empty, ImageKind.RAW);
    CliRun r = CliRun.of("roots", "--image", empty.toString(), "--format", "x86-64");
    assertThat(r.out).isEqualTo("candidate roots in " + empty + " read as x86-64, best first: 0\n");
    assertThat(r.err).isEqualTo("paging roots: no page of " + empty + " reads as a x86-64 root table\n");
    assertThat(r.status).isEqualTo(1);
  }

  @Test
  void rootsShowsItsProgressOnATerminalAndClearsIt() throws IOException {
    Path image = save(ImageKind.RAW);
    // 64 MiB, zeros after the machine: the scan reports every 256 pages, the test clock moves 20 ms a reading.
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(image.toFile(), "rw")) {
      f.setLength(64L << 20);
    }
    String terminal = InspectCommandTest.onOneTerminal("roots", "--image", image.toString(), "--format", "x86-64");
    assertThat(terminal).containsPattern("\rroots: \\d+ of 16384 pages \\(\\d+%\\)");
    // What stays on the screen once the line is cleared: the candidates, as without a terminal.
    assertThat(InspectCommandTest.screen(terminal))
        .isEqualTo(CliRun.of("roots", "--image", image.toString(), "--format", "x86-64").out);
  }

  @Test
  void rootsWritesJson() throws IOException {
    Path image = save(ImageKind.RAW);
    CliRun r = CliRun.of("roots", "--image", image.toString(), "--format", "x86-64", "--json");
    assertThat(r.out).startsWith("{\n  \"schema\" : \"paging-roots/1\",\n  \"image\" : \"" + image + "\",\n"
        + "  \"format\" : \"x86-64\",\n  \"pages\" : " + (MEMORY / 4096) + ",\n  \"candidates\" : [ {\n")
        .contains("\"root\" : \"" + Addresses.hex(kernel) + "\"")
        .contains("\"ptiTwin\" : null").contains("\"leavesComplete\" : true").endsWith("} ]\n}\n");
  }

  @Test
  void reverseListsEveryAliasOfAFrame() throws IOException {
    Path image = save(ImageKind.ELF_CORE);
    String pa = Addresses.hex(SHARED + 0x10);
    // One root: CPU 0's, process A.
    CliRun one = CliRun.of("reverse", "--image", image.toString(), "0x600010", "0x7f0000");
    assertThat(one.out).isEqualTo(pa + " <- 0x0000000000400010 4K PT r-xu---\n"
        + pa + " <- 0xffff888000600010 2M PD rw--g--\n"
        + "0x00000000007f0000 <- 0xffff8880007f0000 2M PD rw--g--\n");
    assertThat(one.status).isZero();

    CliRun all = CliRun.of("reverse", "--image", image.toString(), "--all-roots", "0x600010", "0x900000");
    List<String> expected = new ArrayList<>();
    expected.add("0x0000000000900000 not mapped");
    for (long root : new long[] {processA, processB, kernel}) {
      String in = " in root " + Addresses.hex(root);
      if (root == processA) {
        expected.add(pa + " <- 0x0000000000400010 4K PT r-xu---" + in);
      } else if (root == processB) {
        expected.add(pa + " <- 0x0000700000000010 4K PT rw-u---" + in);
      }
      expected.add(pa + " <- 0xffff888000600010 2M PD rw--g--" + in);
    }
    assertThat(all.out.split("\n")).containsExactlyInAnyOrderElementsOf(expected);
    // In the order asked: the frame's aliases, then the address nothing maps.
    assertThat(all.out).endsWith("in root " + Addresses.hex(kernel) + "\n0x0000000000900000 not mapped\n");
    assertThat(all.status).isEqualTo(1);

    CliRun both = CliRun.of("reverse", "--image", image.toString(), "--all-roots", "--cr3", "0x1000", "0x600010");
    assertThat(both.err).isEqualTo("paging reverse: --all-roots looks through every root; it cannot be given with "
        + "--cr3 (see 'paging reverse --help')\n");
    CliRun budget = CliRun.of("reverse", "--image", image.toString(), "--entry-budget", "10", "0x600010");
    assertThat(budget.err).endsWith("paging reverse: the walk stopped at the entry budget of 10 entries; aliases may "
        + "be missing (raise --entry-budget)\n");
  }
}
