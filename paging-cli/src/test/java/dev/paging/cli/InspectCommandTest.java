package dev.paging.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Attributes;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.dump.DumpFormat;
import dev.paging.dump.DumpRenderer;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.tests.golden.GoldenSpaces;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code paging inspect} beyond the golden views: sub-ranges, an image that starts above physical
 * address 0, tables the walker must not follow, a hostile image that only the entry budget stops,
 * bad input, a reader that goes away, and progress on a terminal shared with the dump.
 */
class InspectCommandTest {
  private static final String HELP = " (see 'paging inspect --help')\n";

  @TempDir
  Path dir;

  private Path golden;

  @BeforeEach
  void saveGoldenX86() {
    golden = GoldenSpaces.x86().saveImage(dir.resolve("x86.img"));
  }

  private static CliRun inspect(Path image, String... rest) {
    List<String> args = new ArrayList<>(List.of("inspect", "--image", image.toString()));
    args.addAll(List.of(rest));
    return CliRun.of(args.toArray(new String[0]));
  }

  private static void assertRejected(CliRun r, String message) {
    assertThat(r.err).as("%s", r).isEqualTo(message);
    assertThat(r.out).as("%s", r).isEmpty();
    assertThat(r.status).as("%s", r).isEqualTo(2);
  }

  @Test
  void aRangeClipsTheDumpToIt() {
    CliRun r = inspect(golden, "--format", "x86-64", "--root", "0x10_0000", "--range", "0x401000-0x60_1fff");

    assertThat(r.err).isEmpty();
    // The library's dump of the same closed range, whose text paging-tests' DumpBehaviourTest pins.
    assertThat(r.out).isEqualTo(GoldenSpaces.x86().render(VirtualRange.closed(0x40_1000L, 0x60_1fffL),
        DumpRenderer::ptdump));
    assertThat(r.status).isZero();
  }

  @Test
  void fromAndToMayBeGivenAlone() {
    CliRun both = inspect(golden, "--format", "x86-64", "--root", "0x10_0000", "--from", "0x401234", "--to", "0x600fff",
        "--view", "info-tlb");
    CliRun upperHalf = inspect(golden, "--format", "x86-64", "--root", "0x10_0000", "--from", "0xffff_8000_0000_0000",
        "--view", "vmprint-va");
    CliRun lowerHalf = inspect(golden, "--format", "x86-64", "--root", "0x10_0000", "--to", "0x7fff_ffff_ffff", "--view", "info-mem");

    // The leaf holding the first address is listed whole, as QEMU lists pages.
    assertThat(both.out).isEqualTo("""
        0000000000401000: 0000000000201000 ----A--U-
        0000000000600000: 0000000000300000 X--DA--UW
        """);
    assertThat(upperHalf.out).isEqualTo("""
        page table 0x0000000000100000
         ..0xffff800000000000: pte 0x0000000000106007 pa 0x0000000000106000
         .. ..0xffff800000000000: pte 0x0000000000107007 pa 0x0000000000107000
         .. .. ..0xffff800000000000: pte 0x8000000000200183 pa 0x0000000000200000
         ..0xffffff8000000000: pte 0x0000000000108007 pa 0x0000000000108000
         .. ..0xffffffffc0000000: pte 0x0000000000109007 pa 0x0000000000109000
         .. .. ..0xffffffffffe00000: pte 0x000000000010a007 pa 0x000000000010a000
         .. .. .. ..0xfffffffffffff000: pte 0x8000000000007199 pa 0x0000000000007000
        """);
    assertThat(lowerHalf.out).isEqualTo("""
        0000000000400000-0000000000402000 0000000000002000 ur-
        0000000000600000-0000000000601000 0000000000001000 urw
        0000000040000000-0000000080000000 0000000040000000 -rw
        0000000080200000-0000000080400000 0000000000200000 -rw
        """);
    assertThat(List.of(both.status, upperHalf.status, lowerHalf.status)).containsOnly(0);
  }

  @Test
  void anImageAtABaseAddressWithATablePointerBelowIt() throws IOException {
    // QEMU's RISC-V virt machine has its RAM at 0x8000_0000: the image starts there.
    long base = 0x8000_0000L;
    ImageBuilder b = TranslateCommandTest.sv39Space(base + TranslateCommandTest.IMAGE_SIZE, base + 0x1000);
    b.entry(0x0000_0000_6000_0000L, 1, ((base - 0x1000) >>> 12) << 10 | 1);
    Path image = b.save(dir.resolve("ram.img"), base, TranslateCommandTest.IMAGE_SIZE);
    String satp = "0x" + Long.toHexString(TranslateCommandTest.sv39Satp(base + 0x1000));

    CliRun ptdump = inspect(image, "--satp", satp, "--base", "0x8000_0000");
    CliRun infoMem = inspect(image, "--satp", satp, "--base", "0x8000_0000", "--view", "info-mem");
    CliRun vmprint = inspect(image, "--satp", satp, "--base", "0x8000_0000", "--view", "vmprint");

    assertThat(ptdump.err).isEqualTo("paging inspect: 2 entries could not be followed (reserved encoding: 1, outside the image: 1); 'paging audit' lists them\n");
    // W without R at 0x1000_1000 and the pointer to 0x7fff_f000, below the image, are runs of their own.
    assertThat(ptdump.out).isEqualTo("""
        0x0000000010000000-0x0000000010001000    0x0000000080200000         4K PTE .   ..     ..   . A . U X . R V
        0x0000000010001000-0x0000000010002000    0x0000000080300000         4K PTE .   ..     ..   . . . . . W . V ! RESERVED_ENCODING
        0x0000000040000000-0x0000000040200000    0x0000000080400000         2M PMD .   ..     ..   . . . U . W R V
        0x0000000060000000-0x0000000060200000    0x000000007ffff000         2M PMD .   ..     ..   . . . . . . . V ! TABLE_OUTSIDE_MEMORY
        0xffffffffc0000000-0x0000000000000000    0x0000000080000000         1G PGD .   ..     ..   D A G . X W R V
        """);
    // QEMU's walk takes every valid entry with R, W or X for a leaf: W without R is listed too.
    assertThat(infoMem.out).isEqualTo("""
        vaddr            paddr            size             attr
        ---------------- ---------------- ---------------- -------
        0000000010000000 0000000080200000 0000000000001000 r-xu-a-
        0000000010001000 0000000080300000 0000000000001000 -w-----
        0000000040000000 0000000080400000 0000000000200000 rw-u---
        ffffffffc0000000 0000000080000000 0000000040000000 rwx-gad
        """);
    assertThat(vmprint.out).isEqualTo("""
        page table 0x0000000080001000
        ..0: pte 0x0000000020000801 pa 0x0000000080002000
        .. ..128: pte 0x0000000020000c01 pa 0x0000000080003000
        .. .. ..0: pte 0x000000002008005b pa 0x0000000080200000
        .. .. ..1: pte 0x00000000200c0005 pa 0x0000000080300000
        ..1: pte 0x0000000020001001 pa 0x0000000080004000
        .. ..0: pte 0x0000000020100017 pa 0x0000000080400000
        .. ..256: pte 0x000000001ffffc01 pa 0x000000007ffff000
        ..511: pte 0x00000000200000ef pa 0x0000000080000000
        """);
    assertThat(List.of(ptdump.status, infoMem.status, vmprint.status)).containsOnly(0);
  }

  @Test
  void mappedOnlyLeavesTheHolesOut() {
    CliRun full = inspect(golden, "--format", "x86-64", "--root", "0x10_0000", "--view", "json");
    CliRun mapped = inspect(golden, "--format", "x86-64", "--root", "0x10_0000", "--view", "JSON", "--mapped-only");
    CliRun ptdump = inspect(golden, "--format", "x86-64", "--root", "0x10_0000", "--mapped-only");
    CliRun ptdumpMapped = inspect(golden, "--format", "x86-64", "--root", "0x10_0000", "--view", "ptdump-mapped");
    CliRun dot = inspect(golden, "--format", "x86-64", "--root", "0x10_0000", "--view", "dot", "--mapped-only");

    assertThat(mapped.err).isEmpty();
    List<String> kinds = full.out.lines().filter(l -> l.contains("\"kind\": ")).toList();
    assertThat(kinds).anyMatch(l -> l.contains("\"hole\""));
    assertThat(mapped.out.lines().filter(l -> l.contains("\"kind\": ")).toList())
        .isEqualTo(kinds.stream().filter(l -> !l.contains("\"hole\"")).toList());
    // The summary still counts the holes.
    String summary = full.out.lines().filter(l -> l.contains("\"summary\"")).findFirst().orElseThrow();
    assertThat(mapped.out).contains(summary);
    assertThat(ptdump.out).isEqualTo(ptdumpMapped.out);
    assertRejected(dot, "paging inspect: --mapped-only: the dot view draws every table whole; it has no mapped-only"
        + " form" + HELP);
  }

  @Test
  void tablesOutsideTheImageAndReservedBitsAreShownNotFollowed() throws IOException {
    Path image = TranslateCommandTest.x86Space().save(dir.resolve("t.img"), 0, TranslateCommandTest.IMAGE_SIZE);

    CliRun r = inspect(image, "--format", "x86-64", "--root", "0x1000", "--view", "vmprint");
    CliRun json = inspect(image, "--format", "x86-64", "--root", "0x1000", "--view", "json");

    assertThat(r.err).isEqualTo("paging inspect: 2 entries could not be followed (reserved bits: 1, outside the image: 1); 'paging audit' lists them\n");
    // PDPT[2] points beyond the 1 MiB image, PML4[1] has PS set.
    assertThat(r.out).isEqualTo("""
        page table 0x0000000000001000
        ..0: pte 0x0000000000002007 pa 0x0000000000002000
        .. ..0: pte 0x0000000000003007 pa 0x0000000000003000
        .. .. ..2: pte 0x0000000000004007 pa 0x0000000000004000
        .. .. .. ..1: pte 0x0000000000203005 pa 0x0000000000203000
        .. .. .. ..3: pte 0x8000000000204067 pa 0x0000000000204000
        .. ..2: pte 0x0000000040000007 pa 0x0000000040000000
        .. ..4: pte 0x800000000000a005 pa 0x000000000000a000
        .. .. ..0: pte 0x800000000000b005 pa 0x000000000000b000
        .. .. .. ..0: pte 0x0000000000300007 pa 0x0000000000300000
        ..1: pte 0x0000000000002087 pa 0x0000000000002000
        ..273: pte 0x0000000000005003 pa 0x0000000000005000
        .. ..0: pte 0x0000000000006003 pa 0x0000000000006000
        .. .. ..0: pte 0x8000000000000183 pa 0x0000000000000000
        .. ..1: pte 0x8000000040000183 pa 0x0000000040000000
        ..511: pte 0x0000000000007003 pa 0x0000000000007000
        .. ..511: pte 0x0000000000008003 pa 0x0000000000008000
        .. .. ..511: pte 0x0000000000009003 pa 0x0000000000009000
        .. .. .. ..511: pte 0x80000000fee0011b pa 0x00000000fee00000
        """);
    assertThat(r.status).isZero();
    assertThat(json.out)
        .contains("\"raw\": \"0x0000000040000007\",")
        .contains("\"problem\": \"TABLE_OUTSIDE_MEMORY\"")
        .contains("\"problem\": \"RESERVED_BITS\"")
        .endsWith("""
              "complete": true,
              "summary": { "tables": 11, "leaves": 6, "notPresent": 1, "holes": 17, "malformed": 2, "mappedBytes": 1075855360 }
            }
            """);
    assertThat(json.status).isZero();
  }

  @Test
  void anImageCutInsideATableShowsThePointersItCannotFollow() throws IOException {
    // Only 0x3800 bytes were saved: the root and the PDPT are whole, the PD at 0x3000 is cut in half.
    Path image = TranslateCommandTest.x86Space().save(dir.resolve("cut.img"), 0, 0x3800);

    CliRun r = inspect(image, "--format", "x86-64", "--root", "0x1000", "--range", "0-0x7fff_ffff_ffff");

    assertThat(r.err).isEqualTo("paging inspect: 4 entries could not be followed (reserved bits: 1, outside the image: 3); 'paging audit' lists them\n");
    // Each pointer the walk cannot follow is a run of its own, with the pointer's bits.
    assertThat(r.out).isEqualTo("""
        ---[ User Space ]---
        0x0000000000000000-0x0000000040000000           1G USR RW                     x  pud ! TABLE_OUTSIDE_MEMORY
        0x0000000040000000-0x0000000080000000           1G                               pud
        0x0000000080000000-0x00000000c0000000           1G USR RW                     x  pud ! TABLE_OUTSIDE_MEMORY
        0x00000000c0000000-0x0000000100000000           1G                               pud
        0x0000000100000000-0x0000000140000000           1G USR ro                     NX pud ! TABLE_OUTSIDE_MEMORY
        0x0000000140000000-0x0000008000000000         507G                               pud
        0x0000008000000000-0x0000010000000000         512G USR RW         PSE         x  pgd ! RESERVED_BITS
        0x0000010000000000-0x0000800000000000         127T                               pgd
        """);
    assertThat(r.status).isZero();
  }

  /**
   * x86-64 tables that fan out without end: every root entry points to one PDPT, every PDPT entry
   * to one PD, every PD entry to one PT, and every PT entry is a leaf. Legal (tables may be
   * shared) and 512^4 leaves to walk: only the entry budget stops it.
   */
  static Path fanOutImage(Path file) throws IOException {
    PagingFormat x86 = Formats.x86_64();
    SimulatedMemory memory = SimulatedMemory.ofSize(0x5000);
    Attributes rw = Attributes.readWrite();
    for (int depth = 0; depth < 4; depth++) {
      Level level = x86.levels().get(depth);
      long table = 0x1000L * (depth + 1);
      for (int i = 0; i < 512; i++) {
        long raw = depth < 3 ? x86.encodeTable(level, table + 0x1000, rw) : x86.encodeLeaf(level, 0x1000L * i, rw);
        memory.write(table + 8L * i, raw);
      }
    }
    return Files.write(file, memory.readBytes(0, 0x5000));
  }

  @Test
  void anEntryBudgetStopsAHostileImageAndSaysSoOnStandardError() throws IOException {
    Path image = fanOutImage(dir.resolve("fan.img"));

    CliRun r = inspect(image, "--format", "x86-64", "--root", "0x1000", "--view", "vmprint", "--entry-budget", "5_000");

    // Reads, one per entry: the three pointers down to the first PT, its 512 entries, then 513 for
    // each next PD entry and its PT: 4619 after PD entry 8, so the 5000 reads end with PD entry 9
    // and its PT entries 0 to 379 (0x17b). One line per entry read, and the header.
    String[] lines = r.out.split("\n");
    assertThat(lines).hasSize(1 + 3 + 9 + 9 * 512 + 380);
    assertThat(lines[0]).isEqualTo("page table 0x0000000000001000");
    assertThat(lines[lines.length - 2]).isEqualTo(".. .. .. ..378: pte 0x800000000017a003 pa 0x000000000017a000");
    assertThat(lines[lines.length - 1]).isEqualTo(".. .. .. ..379: pte 0x800000000017b003 pa 0x000000000017b000");
    assertThat(r.err).isEqualTo("paging inspect: the walk read its entry budget of 5000 entries and stopped;"
        + " the dump is incomplete (raise --entry-budget to see the rest)\n");
    assertThat(r.status).isEqualTo(InspectCommand.INCOMPLETE);
  }

  @Test
  void aDumpCutByTheBudgetIsStillWellFormed() throws IOException {
    Path image = fanOutImage(dir.resolve("fan.img"));

    CliRun json = inspect(image, "--format", "x86-64", "--root", "0x1000", "--view", "json", "--entry-budget", "20");
    CliRun dot = inspect(image, "--format", "x86-64", "--root", "0x1000", "--view", "dot", "--entry-budget", "20");

    // 20 reads, one per entry: three pointers and 17 leaves; every object the walk opened is closed.
    assertThat(json.out).endsWith("""
                                }
                              ]
                            }
                          }
                        ]
                      }
                    }
                  ]
                }
              }
            ]
          },
          "complete": false,
          "summary": { "tables": 4, "leaves": 17, "notPresent": 0, "holes": 0, "malformed": 0, "mappedBytes": 69632 }
        }
        """);
    assertThat(json.status).isEqualTo(1);
    assertThat(dot.out).startsWith("digraph paging {\n")
        .contains("  t0000000000003000:e0:e -> t0000000000004000;\n")
        .endsWith("  incomplete [shape=box, color=red, label=\"walk stopped early\"];\n}\n");
    assertThat(dot.status).isEqualTo(1);
  }

  /** {@code size} bytes from a seeded generator: a memory image of nonsense. */
  static byte[] randomBytes(long seed, int size) {
    byte[] bytes = new byte[size];
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) random.nextInt(256);
    }
    return bytes;
  }

  @Test
  void randomBytesAreDumpedToTheEndWithoutAStackTrace() throws IOException {
    Path image = Files.write(dir.resolve("random.img"), randomBytes(42, 1 << 20));

    CliRun ptdump = inspect(image, "--format", "x86-64", "--root", "0x3000");
    CliRun vmprint = inspect(image, "--format", "x86-64", "--root", "0x3000", "--view", "vmprint");
    CliRun infoMem = inspect(image, "--format", "x86-64", "--root", "0x3000", "--view", "info-mem");
    CliRun infoTlb = inspect(image, "--format", "x86-64", "--root", "0x3000", "--view", "info-tlb");
    CliRun json = inspect(image, "--format", "x86-64", "--root", "0x3000", "--view", "json");
    CliRun dot = inspect(image, "--format", "x86-64", "--root", "0x3000", "--view", "dot");

    // Every view ends with the same count of what it could not follow, and the JSON, which lists
    // each such entry with its problem, agrees with it.
    long reserved = json.out.lines().filter(l -> l.contains("\"problem\": \"RESERVED_BITS\"")).count();
    long outside = json.out.lines().filter(l -> l.contains("\"problem\": \"TABLE_OUTSIDE_MEMORY\"")).count();
    assertThat(reserved).isPositive();
    assertThat(outside).isPositive();
    for (CliRun r : List.of(ptdump, vmprint, infoMem, infoTlb, json, dot)) {
      assertThat(r.err).as("%s", r).isEqualTo("paging inspect: " + (reserved + outside) + " entries could not be followed"
          + " (reserved bits: " + reserved + ", outside the image: " + outside + "); 'paging audit' lists them\n");
      assertThat(r.status).as("%s", r).isZero();
    }
    // Random 52-bit addresses all lie beyond a 1 MiB image: no table below the root is walked.
    assertThat(ptdump.out).startsWith("""
        ---[ User Space ]---
        0x0000000000000000-0x0000008000000000         512G USR ro                 GLB NX pgd ! TABLE_OUTSIDE_MEMORY
        0x0000008000000000-0x0000010000000000         512G     RW PWT             GLB NX pgd ! TABLE_OUTSIDE_MEMORY
        0x0000010000000000-0x0000018000000000         512G                               pgd
        """);
    assertThat(vmprint.out).startsWith("""
        page table 0x0000000000003000
        ..0: pte 0xd16c17652592f705 pa 0x000c17652592f000
        ..1: pte 0xbbcdea68dd50892b pa 0x000dea68dd508000
        """).doesNotContain(".. ..");
    assertThat(infoMem.out).isEmpty();
    assertThat(infoTlb.out).isEmpty();
    // Every non-zero root entry is either not present or one the walker cannot follow.
    assertThat(json.out).endsWith("""
          "complete": true,
          "summary": { "tables": 1, "leaves": 0, "notPresent": 241, "holes": 0, "malformed": 271, "mappedBytes": 0 }
        }
        """);
    assertThat(dot.out).startsWith("digraph paging {\n").endsWith("}\n");
  }

  @Test
  void anUnknownViewIsOneLine() {
    assertRejected(inspect(golden, "--format", "x86-64", "--root", "0x10_0000", "--view", "tree"),
        "paging inspect: Invalid value for option '--view': unknown view 'tree' (expected ptdump, ptdump-mapped,"
            + " info-mem, info-tlb, vmprint, vmprint-va, json or dot)" + HELP);
  }

  @Test
  void viewNamesIgnoreCase() {
    assertThat(inspect(golden, "--format", "x86-64", "--root", "0x10_0000", "--view", "VMPRINT").out)
        .isEqualTo(inspect(golden, "--format", "x86-64", "--root", "0x10_0000", "--view", "vmprint").out)
        .startsWith("page table 0x0000000000100000\n");
  }

  @Test
  void infoTlbIsRefusedForRiscV() {
    Path sv39 = GoldenSpaces.sv39().saveImage(dir.resolve("sv39.img"));
    assertRejected(inspect(sv39, "--satp", "0x8000_0000_0000_0100", "--view", "info-tlb"),
        "paging inspect: --view info-tlb: QEMU has info tlb for x86 only, not sv39 (info-mem lists RISC-V mappings)"
            + HELP);
  }

  @Test
  void badRanges() {
    assertRejected(inspect(golden, "--format", "x86-64", "--root", "0x10_0000", "--range", "0x1000-0x0000_8000_0000_0000"),
        "paging inspect: --range end 0x0000800000000000 is not canonical for x86-64" + HELP);
    assertRejected(inspect(golden, "--format", "x86-64", "--root", "0x10_0000", "--from", "0xffff_7fff_ffff_f000"),
        "paging inspect: --from 0xffff7ffffffff000 is not canonical for x86-64" + HELP);
    assertRejected(inspect(golden, "--format", "x86-64", "--root", "0x10_0000", "--to", "0x0100_0000_0000_0000"),
        "paging inspect: --to 0x0100000000000000 is not canonical for x86-64" + HELP);
    assertRejected(inspect(golden, "--format", "x86-64", "--root", "0x10_0000", "--range", "0x60_0000-0x40_0000"),
        "paging inspect: the range [0x0000000000600000, 0x0000000000400000] is reversed: its start is above its end"
            + HELP);
    assertRejected(inspect(golden, "--format", "x86-64", "--root", "0x10_0000", "--range", "0x40_0000"),
        "paging inspect: --range '0x40_0000' is not FIRST-LAST (two addresses joined by -)" + HELP);
    assertRejected(inspect(golden, "--format", "x86-64", "--root", "0x10_0000", "--range", "0x1000-0xzz"),
        "paging inspect: --range '0x1000-0xzz': '0xzz' is not an address (hex with 0x, or decimal; _ allowed"
            + " between digits)" + HELP);
    assertRejected(inspect(golden, "--format", "x86-64", "--root", "0x10_0000", "--range", "0x1000-0x2000", "--from", "0x1000"),
        "paging inspect: give --range or --from/--to, not both" + HELP);
    assertRejected(inspect(golden, "--format", "x86-64", "--root", "0x10_0000", "--from", "0x1000-"),
        "paging inspect: Invalid value for option '--from': '0x1000-' is not an address (hex with 0x, or"
            + " decimal; _ allowed between digits)" + HELP);
  }

  @Test
  void fiveLevelRangesFollowTheWiderCanonicalRule() {
    Path la57 = GoldenSpaces.x86FiveLevel().saveImage(dir.resolve("la57.img"));

    CliRun r = inspect(la57, "--format", "x86-64-5level", "--root", "0x10_0000",
        "--range", "0x0001_0000_0000_0000-0x00ff_ffff_ffff_ffff", "--view", "info-tlb");

    assertThat(r.out).isEqualTo("0001000040000000: 0000000040000000 X-P----UW\n");
    assertThat(r.status).isZero();
  }

  @Test
  void aBadEntryBudget() {
    assertRejected(inspect(golden, "--format", "x86-64", "--root", "0x10_0000", "--entry-budget", "0"),
        "paging inspect: --entry-budget 0 is not positive" + HELP);
    assertRejected(inspect(golden, "--format", "x86-64", "--root", "0x10_0000", "--entry-budget", "lots"),
        "paging inspect: Invalid value for option '--entry-budget': 'lots' is not a count (decimal digits, _"
            + " allowed between them)" + HELP);
    assertRejected(inspect(golden, "--format", "x86-64", "--root", "0x10_0000", "--entry-budget", "-5"),
        "paging inspect: Invalid value for option '--entry-budget': '-5' is not a count (decimal digits, _"
            + " allowed between them)" + HELP);
    assertRejected(inspect(golden, "--format", "x86-64", "--root", "0x10_0000", "--entry-budget", "99999999999999999999"),
        "paging inspect: Invalid value for option '--entry-budget': '99999999999999999999' is above"
            + " 9223372036854775807" + HELP);
  }

  /** Standard output whose reader has gone: every write fails, and the bytes offered are counted. */
  static final class ClosedPipe extends OutputStream {
    long offered;

    @Override
    public void write(int b) throws IOException {
      offered++;
      throw new IOException("Broken pipe");
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      offered += len;
      throw new IOException("Broken pipe");
    }
  }

  @Test
  void aClosedStandardOutputStopsTheWalkAndEndsQuietlyAsSigpipeWould() throws IOException {
    Path image = fanOutImage(dir.resolve("fan.img"));
    ClosedPipe pipe = new ClosedPipe();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int status = Main.run(new String[] {"inspect", "--image", image.toString(), "--format", "x86-64", "--root", "0x1000", "--view", "json"},
        new PrintStream(pipe, false, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(status).isEqualTo(128 + 13);
    // The whole dump, to the default budget of 2^24 entries, would be gigabytes.
    assertThat(pipe.offered).isLessThan(3 * StreamingOutput.CHECK_INTERVAL);
  }

  /** A disk that fills up: the first write that does not fit fails with the system's reason. */
  private static final class FullDisk extends OutputStream {
    long written;

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (written + len > 1000) {
        throw new IOException("No space left on device");
      }
      written += len;
    }
  }

  @Test
  void aFailingStandardOutputThatIsNotAClosedPipeIsReported() throws IOException {
    Path image = fanOutImage(dir.resolve("fan.img"));
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int status = Main.run(new String[] {"inspect", "--image", image.toString(), "--format", "x86-64", "--root", "0x1000", "--view", "json"},
        new FullDisk(), new PrintStream(err, true, StandardCharsets.UTF_8), null);

    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo("paging: cannot write to standard output: No space left on device" + System.lineSeparator());
    assertThat(status).isEqualTo(Main.USAGE_ERROR);
  }

  @Test
  void aCommandThatPrintsLinesToAClosedPipeEndsQuietlyToo() throws IOException {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    OutputStream brokenPipe = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw new IOException("Broken pipe");
      }
    };
    int status = Main.run(new String[] {"translate", "--image", golden.toString(), "--format", "x86-64", "--root", "0x10_0000", "0x40_0000"},
        brokenPipe, new PrintStream(err, true, StandardCharsets.UTF_8), null);

    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(status).isEqualTo(OutputWatch.CLOSED_PIPE_STATUS);
  }

  /**
   * What a terminal shows after {@code text}: a carriage return moves to the start of the line,
   * characters overwrite what is there, trailing blanks are invisible.
   */
  static String screen(String text) {
    StringBuilder shown = new StringBuilder();
    StringBuilder line = new StringBuilder();
    int column = 0;
    for (char c : text.toCharArray()) {
      if (c == '\n') {
        shown.append(line.toString().stripTrailing()).append('\n');
        line.setLength(0);
        column = 0;
      } else if (c == '\r') {
        column = 0;
      } else {
        if (column < line.length()) {
          line.setCharAt(column, c);
        } else {
          line.append(c);
        }
        column++;
      }
    }
    return shown.append(line.toString().stripTrailing()).toString();
  }

  /** Runs the command line with output and progress on one terminal, the clock advancing 20 ms per reading. */
  static String onOneTerminal(String... args) {
    ByteArrayOutputStream terminal = new ByteArrayOutputStream();
    PrintStream stream = new PrintStream(terminal, true, StandardCharsets.UTF_8);
    long[] now = {0};
    Main.run(args, stream, stream, () -> now[0] += 20_000_000L);
    return terminal.toString(StandardCharsets.UTF_8);
  }

  @Test
  void progressSharesTheTerminalWithoutBreakingALineOfTheDump() {
    String[] args = {"inspect", "--image", golden.toString(), "--format", "x86-64", "--root", "0x10_0000", "--view", "json"};

    String terminal = onOneTerminal(args);

    assertThat(terminal).contains("\rinspect: ").containsPattern("\rinspect: \\d+ entries, \\d+ tables");
    assertThat(screen(terminal)).isEqualTo(GoldenSpaces.x86().golden(DumpFormat.JSON));
  }
}
