package dev.paging.cli;

import static dev.paging.api.Addresses.hex;
import static dev.paging.cli.DemoCommand.CODE;
import static dev.paging.cli.DemoCommand.DIRECT_MAP;
import static dev.paging.cli.DemoCommand.DIRECT_MAP_SIZE;
import static dev.paging.cli.DemoCommand.KERNEL_TEXT;
import static dev.paging.cli.DemoCommand.STACK_TOP;
import static dev.paging.cli.DemoCommand.TABLES_BASE;
import static dev.paging.cli.DemoCommand.VMALLOC;
import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.VirtualRange;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the demo claims at each step, checked against numbers worked out here from the scenario
 * (its addresses and sizes, the x86-64 table geometry) or against what another step of the same
 * run shows: tables freed are the frames the allocator got back, the plans name the ranges that
 * changed, the walk's cost is what its tree shows. Dumps and fixed messages are compared as text:
 * their format is the library's, and their content follows from the mappings the demo makes. The
 * frame numbers the allocator happens to hand out are never copied into the test.
 */
class DemoCommandTest {
  private static final long KIB4 = 4096;
  private static final long MIB2 = 2L << 20;
  /** One x86-64 root entry spans 512 GiB. */
  private static final long ROOT_ENTRY_SPAN = 1L << 39;
  /** x86-64 4-level: 512 root entries, the upper 256 of them the kernel half. */
  private static final int KERNEL_HALF_ROOT_ENTRIES = 256;

  private static final long CODE_A = 16 << 10;
  private static final long CODE_B = 8 << 10;
  private static final long STACK = 32 << 10;
  private static final long STACK_FIRST = STACK_TOP - 0x7000;

  private static final Pattern TABLE_LINE = Pattern.compile(
      "^(0x\\p{XDigit}{16})\\.\\.(0x\\p{XDigit}{16}) +(\\w+) table (0x\\p{XDigit}{16})(?:  via (\\w+)\\[(\\d+)\\].*)?$");
  private static final Pattern ALLOCATED = Pattern.compile("(\\d+) tables allocated");
  private static final Pattern HEADING = Pattern.compile("^== (\\d+)\\. .*");

  private static String out;
  private static String err;
  private static int status;
  /** The output's sections by number: the text after the heading {@code == N. ...}, heading excluded. */
  private static final Map<Integer, List<String>> SECTIONS = new LinkedHashMap<>();

  @BeforeAll
  static void runTheDemo() {
    CliRun run = CliRun.of("demo");
    out = run.out;
    err = run.err;
    status = run.status;
    List<String> current = null;
    for (String line : out.split("\n", -1)) {
      Matcher heading = HEADING.matcher(line);
      if (heading.matches()) {
        current = new ArrayList<>();
        SECTIONS.put(Integer.parseInt(heading.group(1)), current);
      } else if (current != null) {
        current.add(line);
      }
    }
  }

  @Test
  void theSavedDumpHoldsProcessAsTablesBehindCpu0AndTheKernelsBehindCpu1(@TempDir Path dir) {
    Path saved = dir.resolve("demo.elf");
    CliRun run = CliRun.of("demo", "--save", saved.toString());
    assertThat(run.status).isZero();
    // Process A's root is the first table step 3's tree lists; the kernel's the allocator's first frame.
    long rootA = tablesOfProcessA().get(0).frame();
    assertThat(run.out).startsWith(out).endsWith("\n== Saved\n  " + saved + ", an ELF core: physical [0, 640 KiB) "
        + "and [1 MiB, 9 MiB); CPU 0 runs process A (CR3 " + hex(rootA) + "), CPU 1 the kernel (CR3 "
        + "0x0000000000100000)\n  try: ./paging image-info --image " + saved + "\n       ./paging inspect --image "
        + saved + " --view info-tlb\n");

    // Section 7 printed process A's final tables (destroying B leaves them as they are) from the live space.
    List<String> s = SECTIONS.get(7);
    StringBuilder live = new StringBuilder();
    for (String line : s.subList(3, s.indexOf(""))) {
      live.append(line.substring(4)).append('\n');
    }
    CliRun fromFile = CliRun.of("inspect", "--image", saved.toString(), "--view", "ptdump-mapped");
    assertThat(fromFile.out).isEqualTo(live.toString());
    assertThat(fromFile.err).startsWith("paging inspect: root " + hex(rootA) + " from CPU 0 CR3: ");

    CliRun kernel = CliRun.of("inspect", "--image", saved.toString(), "--cpu", "1", "--view", "ptdump-mapped");
    assertThat(kernel.out).contains("0xffff888000203000-0xffff888000204000           4K     ro                 GLB NX pte")
        .doesNotContain("USR");
  }

  @Test
  void runsToTheEndAndSaysWhatItBuildsAndWhere() {
    assertThat(err).isEmpty();
    assertThat(status).isZero();
    assertThat(out).startsWith("paging demo: an x86-64 kernel and two processes in 4 GiB of simulated memory;"
        + " page tables come from a tracking allocator at " + hex(TABLES_BASE) + ".\n");
    assertThat(out.lines().filter(l -> l.startsWith("== "))).containsExactly(
        "== 1. The kernel: a template address space",
        "== 2. Two processes share the kernel half",
        "== 3. One walk, two visitors composed: a tree printer and a page census of process A's user half",
        "== 4. A kernel mapping made through process B is seen by process A and the kernel",
        "== 5. Smash: make one 4 KiB page of the direct map read-only",
        "== 6. Unmap process A's stack",
        "== 7. Reclaim process A's empty tables, bottom-up",
        "== 8. Destroy process B",
        "== 9. AArch64: a root per half, TTBR0 for the process and TTBR1 for the kernel");
    assertThat(SECTIONS.keySet()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
  }

  @Test
  void theKernelTakesTheLargestPagesThatFit() {
    List<String> s = SECTIONS.get(1);
    // Mapping where nothing was mapped leaves nothing stale.
    assertThat(s).containsSubsequence(
        "  map the direct map, 64 MiB of RAM at " + hex(DIRECT_MAP) + ", rw global", "    -> nothing to invalidate",
        "  map the kernel text at " + hex(KERNEL_TEXT) + ", r-x global", "    -> nothing to invalidate");
    // The direct map and the text lie under two root entries, each range inside one gigabyte and
    // 2 MiB-aligned: the root, and a PDPT and a PD for each; 2 MiB leaves need no PT.
    assertThat(rootIndex(DIRECT_MAP)).isNotEqualTo(rootIndex(KERNEL_TEXT));
    assertThat(DIRECT_MAP % MIB2).isZero();
    assertThat(DIRECT_MAP_SIZE % MIB2).isZero();
    assertThat(s).contains("  largest pages fit: 2 MiB leaves, " + kernelTables() + " tables in all");
    // And the dumps show them as 2 MiB (pmd) leaves.
    assertThat(SECTIONS.get(2)).contains(
        "    0xffff888000000000-0xffff888004000000          64M     RW         PSE     GLB NX pmd",
        "    0xffffffff80000000-0xffffffff80200000           2M     ro         PSE     GLB x  pmd");
  }

  @Test
  void bothProcessesShareTheKernelHalfAndSeeTheKernelsMappings() {
    List<String> s = SECTIONS.get(2);
    assertThat(s).containsSubsequence(
        "  each process root links the template's " + KERNEL_HALF_ROOT_ENTRIES
            + " kernel-half tables (created once, empty ones",
        "  included, so later kernel mappings reach every process); shared tables recorded: "
            + KERNEL_HALF_ROOT_ENTRIES);
    assertThat(s).containsSubsequence(
        "  process A: map code [" + hex(CODE) + ", +16K) r-x user", "    -> nothing to invalidate",
        "  process A: map stack [" + hex(STACK_FIRST) + ", +32K) rw user", "    -> nothing to invalidate",
        "  process B: map code [" + hex(CODE) + ", +8K) r-x user", "    -> nothing to invalidate");
    // Process A's own mappings, and in its kernel half the kernel's, mapped through the kernel only.
    assertThat(String.join("\n", s)).contains("""
          process A, ptdump (holes hidden):
            ---[ User Space ]---
            0x0000000000400000-0x0000000000404000          16K USR ro                     x  pte
            0x00007fffffff8000-0x0000800000000000          32K USR RW                     NX pte
            ---[ Kernel Space ]---
            0xffff888000000000-0xffff888004000000          64M     RW         PSE     GLB NX pmd
            0xffffffff80000000-0xffffffff80200000           2M     ro         PSE     GLB x  pmd
        """);
  }

  @Test
  void theComposedWalkPrintsTheTreeAndCountsWhatTheTreeShows() {
    List<String> s = SECTIONS.get(3);
    // The tree printer's lines, table frames aside: what process A's user half holds.
    List<String> tree = new ArrayList<>();
    for (String line : s) {
      if (line.startsWith("0x")) {
        tree.add(line.replaceAll(" table 0x\\p{XDigit}{16}", " table <frame>"));
      }
    }
    assertThat(String.join("\n", tree) + "\n").isEqualTo("""
        0x0000000000000000..0x00007fffffffffff  PML4 table <frame>
        0x0000000000000000..0x0000007fffffffff    PDPT table <frame>  via PML4[0] r-xu---
        0x0000000000000000..0x000000003fffffff      PD table <frame>  via PDPT[0] r-xu---
        0x0000000000000000..0x00000000003fffff        PD[0..1] hole, 2 x 2 MiB
        0x0000000000400000..0x00000000005fffff        PT table <frame>  via PD[2] r-xu---
        0x0000000000400000..0x0000000000400fff          PT[0] 4 KiB page -> 0x0000000002000000  r-xu---
        0x0000000000401000..0x0000000000401fff          PT[1] 4 KiB page -> 0x0000000002001000  r-xu---
        0x0000000000402000..0x0000000000402fff          PT[2] 4 KiB page -> 0x0000000002002000  r-xu---
        0x0000000000403000..0x0000000000403fff          PT[3] 4 KiB page -> 0x0000000002003000  r-xu---
        0x0000000000404000..0x00000000005fffff          PT[4..511] hole, 508 x 4 KiB
        0x0000000000600000..0x000000003fffffff        PD[3..511] hole, 509 x 2 MiB
        0x0000000040000000..0x0000007fffffffff      PDPT[1..511] hole, 511 x 1 GiB
        0x0000008000000000..0x00007f7fffffffff    PML4[1..254] hole, 254 x 512 GiB
        0x00007f8000000000..0x00007fffffffffff    PDPT table <frame>  via PML4[255] rwxu---
        0x00007f8000000000..0x00007fffbfffffff      PDPT[0..510] hole, 511 x 1 GiB
        0x00007fffc0000000..0x00007fffffffffff      PD table <frame>  via PDPT[511] rwxu---
        0x00007fffc0000000..0x00007fffffdfffff        PD[0..510] hole, 511 x 2 MiB
        0x00007fffffe00000..0x00007fffffffffff        PT table <frame>  via PD[511] rwxu---
        0x00007fffffe00000..0x00007fffffff7fff          PT[0..503] hole, 504 x 4 KiB
        0x00007fffffff8000..0x00007fffffff8fff          PT[504] 4 KiB page -> 0x0000000002100000  rw-u---
        0x00007fffffff9000..0x00007fffffff9fff          PT[505] 4 KiB page -> 0x0000000002101000  rw-u---
        0x00007fffffffa000..0x00007fffffffafff          PT[506] 4 KiB page -> 0x0000000002102000  rw-u---
        0x00007fffffffb000..0x00007fffffffbfff          PT[507] 4 KiB page -> 0x0000000002103000  rw-u---
        0x00007fffffffc000..0x00007fffffffcfff          PT[508] 4 KiB page -> 0x0000000002104000  rw-u---
        0x00007fffffffd000..0x00007fffffffdfff          PT[509] 4 KiB page -> 0x0000000002105000  rw-u---
        0x00007fffffffe000..0x00007fffffffefff          PT[510] 4 KiB page -> 0x0000000002106000  rw-u---
        0x00007ffffffff000..0x00007fffffffffff          PT[511] 4 KiB page -> 0x0000000002107000  rw-u---
        """);
    long tables = tablesOfProcessA().size();
    long leaves = (CODE_A + STACK) / KIB4;
    assertThat(tree.stream().filter(l -> l.contains(" 4 KiB page -> "))).hasSize((int) leaves);
    // The walk reads each entry in its range once: the root's lower 256, every other table's 512.
    long entriesRead = 256 + 512 * (tables - 1);
    assertThat(s).contains("  walk COMPLETED: " + tables + " tables, " + entriesRead + " entries read; leaves: "
        + leaves + " x 4 KiB (" + leaves * KIB4 + " bytes); user-reachable: " + leaves + " x 4 KiB ("
        + leaves * KIB4 + " bytes)");
  }

  @Test
  void aKernelMappingMadeThroughProcessBIsSeenByProcessAAndTheKernel() {
    List<String> s = SECTIONS.get(4);
    String translation = hex(VMALLOC + 0x123) + " -> " + hex(0x300_0123L) + " 4K PT rw--g-- (leaf rw--g--)";
    assertThat(s).containsSubsequence(
        "  process B: map [" + hex(VMALLOC) + ", +4K) rw global", "    -> nothing to invalidate",
        "  kernel:    " + translation,
        "  process A: " + translation);
  }

  @Test
  void theSmashInvalidatesOnlyTheHugeEntryAroundThePage() {
    List<String> s = SECTIONS.get(5);
    long page = DIRECT_MAP + 0x20_3000L;
    VirtualRange hugeEntry = VirtualRange.ofLength(page & -MIB2, MIB2);
    // One entry, global as the kernel's data is, in tables every process shares.
    assertThat(s).containsSubsequence("  protect [" + hex(page) + ", +4K) r-- global",
        "    -> invalidate 1 entry in " + hugeEntry + " (global, shared tables)",
        "  the 2 MiB page around it became 512 4 KiB pages in a new table; only the old huge entry",
        "  needs invalidating, since every other address keeps its translation. Direct map now:");
    assertThat(String.join("\n", s)).contains("""
            ---[ Kernel Space ]---
            0xffff888000000000-0xffff888000200000           2M     RW         PSE     GLB NX pmd
            0xffff888000200000-0xffff888000203000          12K     RW                 GLB NX pte
            0xffff888000203000-0xffff888000204000           4K     ro                 GLB NX pte
            0xffff888000204000-0xffff888000400000        2032K     RW                 GLB NX pte
            0xffff888000400000-0xffff888000600000           2M     RW         PSE     GLB NX pmd
        """);
  }

  @Test
  void unmapReturnsTheStackAndFreesNoTable() {
    List<String> s = SECTIONS.get(6);
    VirtualRange stack = VirtualRange.ofLength(STACK_FIRST, STACK);
    assertThat(s).containsSubsequence(
        "  was " + stack + " -> " + hex(0x210_0000L) + " 4K PT rw-u---",
        "  unmap",
        "    -> invalidate " + STACK / KIB4 + " entries in " + stack);
    // Every table made so far is still allocated: the kernel's; the tables the template gave the
    // rest of its kernel half (the direct map's and the text's root entries had theirs); two
    // process roots; process A's user tables (the walk's tree shows them); process B's code, one
    // table per level below the root; the PD and PT of the kernel mapping made through B; the
    // table the smash made.
    long made = kernelTables() + (KERNEL_HALF_ROOT_ENTRIES - 2) + 2 + (tablesOfProcessA().size() - 1) + 3 + 2 + 1;
    assertThat(s).contains("  the tables stay (unmap never frees them): " + made + " tables allocated");
  }

  @Test
  void reclaimFreesTheStacksEmptiedTablesAndTheAllocatorGetsThemBack() {
    List<String> s = SECTIONS.get(7);
    // The tables the unmap emptied: the stack's PDPT, PD and PT, under root entry 255.
    List<Table> stackTables = new ArrayList<>();
    for (Table t : tablesOfProcessA()) {
      if (t.via != null && rootIndex(t.first) == rootIndex(STACK_FIRST)) {
        stackTables.add(t);
      }
    }
    assertThat(stackTables).extracting(t -> t.level).containsExactly("PDPT", "PD", "PT");
    Table pt = stackTables.get(2);
    VirtualRange underRootEntry = VirtualRange.ofLength(STACK_FIRST & -ROOT_ENTRY_SPAN, ROOT_ENTRY_SPAN);
    int freed = stackTables.size();
    assertThat(s.get(0)).isEqualTo("  COLLECT reclaim of " + VirtualRange.closed(0, 0x7fff_ffff_ffffL) + ": "
        + freed + " tables freed (PDPT 1, PD 1, PT 1), pending, first " + hex(pt.frame)
        + "; invalidate " + freed + " entries in " + underRootEntry + " (paging structures)");
    assertThat(s.get(1)).isEqualTo("  apply the plan, then release: " + freed + " frames back");
    // The allocator got exactly those frames back.
    assertThat(allocated(s.get(2))).isEqualTo(allocated(SECTIONS.get(6)) - freed);
    // Process A keeps its code; its kernel half shows the smash (through the kernel) and the page
    // mapped through process B.
    assertThat(String.join("\n", s)).contains("""
            ---[ User Space ]---
            0x0000000000400000-0x0000000000404000          16K USR ro                     x  pte
            ---[ Kernel Space ]---
            0xffff888000000000-0xffff888000200000           2M     RW         PSE     GLB NX pmd
            0xffff888000200000-0xffff888000203000          12K     RW                 GLB NX pte
            0xffff888000203000-0xffff888000204000           4K     ro                 GLB NX pte
            0xffff888000204000-0xffff888000400000        2032K     RW                 GLB NX pte
            0xffff888000400000-0xffff888004000000          60M     RW         PSE     GLB NX pmd
            0xffffc90000000000-0xffffc90000001000           4K     RW                 GLB NX pte
            0xffffffff80000000-0xffffffff80200000           2M     ro         PSE     GLB x  pmd
        """);
  }

  /**
   * Section 9's ptdump in Linux 6.1's arm64 columns, each {@code " " + column}: valid, USR,
   * ro/RW, NX/"x " (PXN), SHD, AF, NG, CON, BLK, UXN, GP, memory type; and each level's rights.
   */
  @Test
  void theAarch64PartMapsThroughBothRootsAndShowsEachLevelsRights() {
    List<String> s = SECTIONS.get(9);
    assertThat(s.get(0)).isEqualTo("  an aarch64-4k (48-bit VA, 48-bit PA) space in 16 MiB of its own: TTBR0 root "
        + "0x0000000000100000, TTBR1 root 0x0000000000101000");
    int dump = s.indexOf("  ptdump, arm64 columns (holes hidden):");
    assertThat(s.subList(dump + 1, dump + 3)).containsExactly(
        "    0x0000000000400000-0x0000000000401000           4K PTE" + "  " + " USR" + " ro" + " NX" + "    " + " AF"
            + " NG" + "    " + "    " + "    " + "   " + " MEM/NORMAL",
        "    0xffff800008000000-0xffff800008200000           2M PMD" + "  " + "    " + " ro" + " x " + "    " + " AF"
            + "   " + "    " + " BLK" + " UXN" + "   " + " MEM/NORMAL");
    assertThat(s.get(dump + 3)).isEqualTo("  user code: EL0 r-x EL1 r--; kernel image: EL0 --- EL1 r-x (PXN and UXN "
        + "keep each level to its own)");
  }

  @Test
  void destroyingProcessBFreesItsOwnTablesOnlyAndTheSharedHalfStays() {
    List<String> s = SECTIONS.get(8);
    Matcher destroyed = Pattern.compile("^  destroyed: (\\d+) frames pending: ([0-9a-fx, ]+); (.*)$").matcher(s.get(0));
    assertThat(destroyed.matches()).as(s.get(0)).isTrue();
    List<Long> frames = new ArrayList<>();
    for (String f : destroyed.group(2).split(", ")) {
      frames.add(Long.decode(f));
    }
    // Process B's root and its code's tables, one per level below the root; none of process A's.
    int own = 1 + 3;
    assertThat(Integer.parseInt(destroyed.group(1))).isEqualTo(own);
    assertThat(frames).hasSize(own).doesNotHaveDuplicates();
    assertThat(frames).doesNotContainAnyElementsOf(tablesOfProcessA().stream().map(t -> t.frame).toList());
    // Stale: its two code pages and the three links to its tables, all under its root entry 0.
    assertThat(destroyed.group(3)).isEqualTo("invalidate " + (CODE_B / KIB4 + 3) + " entries in "
        + VirtualRange.ofLength(CODE & -ROOT_ENTRY_SPAN, ROOT_ENTRY_SPAN) + " (paging structures)");
    // The allocator got them back; what remains is the kernel's and process A's.
    long remaining = allocated(s.get(1));
    assertThat(remaining).isEqualTo(allocated(SECTIONS.get(7)) - own);
    // The kernel's: its own, the rest of its kernel half, the PD and PT of the mapping made through
    // process B and the smash's table; process A's: its root and its code's three tables.
    long kernelsNow = kernelTables() + (KERNEL_HALF_ROOT_ENTRIES - 2) + 2 + 1;
    long processAsNow = 1 + 3;
    assertThat(s.get(1)).isEqualTo("  " + (kernelsNow + processAsNow)
        + " tables allocated: the kernel's and process A's; the shared");
    // The kernel mapping made through process B is still there for process A.
    assertThat(s.get(2)).isEqualTo("  kernel half is intact: "
        + SECTIONS.get(4).get(3).substring("  process A: ".length()));
  }

  /** The kernel's tables after step 1: the root, and a PDPT and a PD under each of two root entries. */
  private static long kernelTables() {
    return 1 + 2 * 2;
  }

  private static int rootIndex(long va) {
    return (int) ((va >>> 39) & 511);
  }

  /** The number in "N tables allocated" of the line of {@code section} (or of the line itself) that has one. */
  private static long allocated(List<String> section) {
    return section.stream().filter(l -> ALLOCATED.matcher(l).find()).map(DemoCommandTest::allocated)
        .reduce((a, b) -> b).orElseThrow();
  }

  private static long allocated(String line) {
    Matcher m = ALLOCATED.matcher(line);
    assertThat(m.find()).as(line).isTrue();
    return Long.parseLong(m.group(1));
  }

  /** A table line of the walk's tree in step 3. */
  private record Table(long first, String level, long frame, String via) {}

  /** Process A's tables as the tree printer of step 3 lists them, root first. */
  private static List<Table> tablesOfProcessA() {
    List<Table> tables = new ArrayList<>();
    for (String line : SECTIONS.get(3)) {
      Matcher m = TABLE_LINE.matcher(line);
      if (m.matches()) {
        tables.add(new Table(Long.parseUnsignedLong(m.group(1).substring(2), 16), m.group(3),
            Long.decode(m.group(4)), m.group(5)));
      }
    }
    assertThat(tables).as("tables in %s", Arrays.toString(SECTIONS.get(3).toArray())).isNotEmpty();
    return tables;
  }
}
