package dev.paging.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.dump.DumpFormat;
import dev.paging.images.Architecture;
import dev.paging.images.ImageKind;
import dev.paging.images.ImageWriter;
import dev.paging.tests.golden.GoldenSpace;
import dev.paging.tests.golden.GoldenSpaces;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every image command reads raw, ELF and LiME images alike, and takes the root from a dump's
 * registers when none is given. The guest is the golden x86 space saved as a pc-machine guest's
 * RAM is: [0, 640 KiB) and [1 MiB, 2 MiB), with the legacy VGA and BIOS hole between; its tables
 * are above 1 MiB.
 */
class MemoryImagesTest {
  private static final long CR0 = 0x8005_0033L;
  private static final long CR4 = 0x0000_06a0L; // PAE, PGE, OSFXSR, OSXMMEXCPT
  private static final String HELP = " (see 'paging inspect --help')\n";

  @TempDir
  Path dir;

  private final GoldenSpace x86 = GoldenSpaces.x86();

  private ImageWriter guest() {
    return ImageWriter.of(x86.memory()).segment(0, 0xa_0000).segment(0x10_0000, 0x10_0000);
  }

  private static Map<String, Long> cpu(long cr0, long cr3, long cr4) {
    Map<String, Long> registers = new LinkedHashMap<>();
    registers.put("rip", 0xffff_ffff_8100_0000L);
    registers.put("cr0", cr0);
    registers.put("cr3", cr3);
    registers.put("cr4", cr4);
    return registers;
  }

  private Path qemuDump() throws IOException {
    Path file = dir.resolve("guest.elf");
    guest().cpu(cpu(CR0, x86.root() | 0x18, CR4)).cpu(cpu(0x10, 0, 0)).write(file, ImageKind.ELF_CORE);
    return file;
  }

  private static CliRun paging(String... args) {
    return CliRun.of(args);
  }

  @Test
  void inspectNeedsNoCr3ForAQemuDump() throws IOException {
    CliRun r = paging("inspect", "--image", qemuDump().toString(), "--view", "info-tlb");

    assertThat(r.out).isEqualTo(x86.golden(DumpFormat.QEMU_INFO_TLB));
    assertThat(r.err).isEqualTo("paging inspect: root 0x0000000000100000 from CPU 0 CR3: CR3 0x0000000000100018 "
        + "bits 12..51; CR4 0x00000000000006a0 LA57 clear: 4-level; EFER is not in the dump, NXE taken as set\n");
    assertThat(r.status).isZero();
  }

  @Test
  void rawElfAndLimeImagesOfOneGuestDumpAlike() throws IOException {
    Path elf = qemuDump();
    Path lime = dir.resolve("guest.lime");
    guest().write(lime, ImageKind.LIME);
    Path raw = dir.resolve("guest.raw");
    guest().write(raw, ImageKind.RAW);

    for (Path image : new Path[] {raw, elf, lime}) {
      CliRun r = paging("inspect", "--image", image.toString(), "--format", "x86-64", "--root", "0x10_0000");
      assertThat(r.out).as("%s", image).isEqualTo(x86.golden(DumpFormat.PTDUMP));
      assertThat(r.err).as("%s", image).isEmpty();
      CliRun t = paging("translate", "--image", image.toString(), "--format", "x86-64", "--cr3", "0x10_0000",
          "0x401234");
      assertThat(t.out).as("%s", image)
          .isEqualTo("0x0000000000401234 -> 0x0000000000201234 4K PT r-xu-a-\n");
    }
    // A raw image forced as ELF is refused; the same bytes read as raw need --base only if not at 0.
    CliRun forced = paging("inspect", "--image", raw.toString(), "--image-format", "elf", "--format", "x86-64",
        "--root", "0x10_0000");
    assertThat(forced.err).isEqualTo("paging inspect: " + raw + ": offset 0x0: not an ELF file: it starts with "
        + String.format("%02x %02x %02x %02x", Files.readAllBytes(raw)[0], Files.readAllBytes(raw)[1],
            Files.readAllBytes(raw)[2], Files.readAllBytes(raw)[3]) + ", not 7f 45 4c 46\n");
    assertThat(forced.status).isEqualTo(2);
  }

  @Test
  void cpuPicksAnotherCpusRegisters() throws IOException {
    Path dump = qemuDump();
    CliRun off = paging("inspect", "--image", dump.toString(), "--cpu", "1");
    assertThat(off.err).isEqualTo("paging inspect: CPU 1 of " + dump + " gives no root: paging is off (CR0 "
        + "0x0000000000000010, PG clear); give --root, --cr3 or --satp (paging roots lists the candidates)" + HELP);
    assertThat(off.status).isEqualTo(2);

    CliRun missing = paging("inspect", "--image", dump.toString(), "--cpu", "2");
    assertThat(missing.err).isEqualTo("paging inspect: --cpu 2: " + dump + " records CPUs 0..1" + HELP);
    CliRun both = paging("inspect", "--image", dump.toString(), "--cpu", "0", "--cr3", "0x10_0000");
    assertThat(both.err).isEqualTo("paging inspect: --cpu takes the root from the dump's registers; it cannot be "
        + "given with --cr3" + HELP);
    CliRun ok = paging("inspect", "--image", dump.toString(), "--cpu", "0", "--view", "vmprint-va");
    assertThat(ok.out).isEqualTo(x86.golden(DumpFormat.VMPRINT_VA));

    Path lime = dir.resolve("guest.lime");
    guest().write(lime, ImageKind.LIME);
    CliRun none = paging("inspect", "--image", lime.toString(), "--cpu", "0");
    assertThat(none.err).isEqualTo("paging inspect: --cpu 0: " + lime + " (LiME) records no CPUs" + HELP);
    CliRun noRoot = paging("inspect", "--image", lime.toString());
    assertThat(noRoot.err).isEqualTo("paging inspect: give one of --root, --cr3 or --satp (paging roots lists the candidates): " + lime
        + " is a LiME image, which records no registers" + HELP);
  }

  @Test
  void theDumpsFormatAndTheCommandLinesMustAgree() throws IOException {
    Path dump = qemuDump();
    CliRun r = paging("inspect", "--image", dump.toString(), "--format", "x86-64-5level");
    assertThat(r.err).isEqualTo("paging inspect: --format is x86-64-5level but CPU 0 CR3 in " + dump
        + " selects x86-64" + HELP);
    CliRun base = paging("inspect", "--image", dump.toString(), "--base", "0x10_0000");
    assertThat(base.err).isEqualTo("paging inspect: --base applies to raw images; " + dump + " is an ELF core "
        + "image, whose headers say where its memory is" + HELP);
    CliRun kind = paging("inspect", "--image", dump.toString(), "--image-format", "vmdk");
    assertThat(kind.err).isEqualTo("paging inspect: unknown image format 'vmdk' (expected raw, elf or lime)" + HELP);
  }

  @Test
  void aKdumpVmcoreGivesTheKernelsRoot() throws IOException {
    Path vmcore = dir.resolve("vmcore");
    // A kernel image relocated so that __pa(init_top_pgt) = 0xffffffff83100000 - 0xffffffff80000000 - 0x3000000 = 0x100000.
    guest().vmcoreInfo("OSRELEASE=6.1.0\nSYMBOL(init_top_pgt)=ffffffff83100000\nNUMBER(phys_base)=-50331648\n")
        .cpu(Map.of("rip", 0xffff_ffff_8100_0000L)).write(vmcore, ImageKind.ELF_CORE);
    CliRun r = paging("translate", "--image", vmcore.toString(), "0xffff800000001000");
    assertThat(r.out).isEqualTo("0xffff800000001000 -> 0x0000000000201000 2M PD rw--g--\n");
    assertThat(r.err).isEqualTo("paging translate: root 0x0000000000100000 from VMCOREINFO: SYMBOL(init_top_pgt) "
        + "0xffffffff83100000 - __START_KERNEL_map 0xffffffff80000000 + NUMBER(phys_base) 0xfffffffffd000000; "
        + "4-level\n");
  }

  @Test
  void aCorruptCoreIsOneLineNamingTheFileOffsetAndValue() throws IOException {
    Path dump = qemuDump();
    byte[] bytes = Files.readAllBytes(dump);
    bytes[4] = 1;
    Files.write(dump, bytes);
    for (String command : new String[] {"inspect", "audit", "image-info"}) {
      CliRun r = paging(command, "--image", dump.toString());
      assertThat(r.err).isEqualTo("paging " + command + ": " + dump
          + ": offset 0x4: ELF class 1 (32-bit): only ELF64 cores are read\n");
      assertThat(r.out).isEmpty();
      assertThat(r.status).isEqualTo(2);
    }
  }

  @Test
  void imageInfoShowsTheSegmentsCpusAndNotes() throws IOException {
    Path file = dir.resolve("info.elf");
    guest().cpu(cpu(CR0, 0x10_0005, CR4 | 0x1000)).vmcoreInfo("OSRELEASE=6.1.0\nPAGESIZE=4096\n")
        .write(file, ImageKind.ELF_CORE);
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    long lowAt = b.getLong(64 + 56 + 8); // p_offset of the first PT_LOAD
    long highAt = b.getLong(64 + 2 * 56 + 8);

    CliRun r = paging("image-info", "--image", file.toString());
    assertThat(r.err).isEmpty();
    String registers = r.out.substring(r.out.indexOf("\n  rax"), r.out.indexOf("\nvmcoreinfo"));
    assertThat(r.out.replace(registers, "\n<registers>")).isEqualTo(
        "image      " + file + "\n"
        + "kind       ELF core (x86-64)\n"
        + "memory     0x00000000001a0000 bytes (1664 KiB) in 2 segments\n"
        + "segment    0x0000000000000000-0x000000000009ffff  640 KiB  file offset 0x" + Long.toHexString(lowAt) + "\n"
        + "segment    0x0000000000100000-0x00000000001fffff  1 MiB  file offset 0x" + Long.toHexString(highAt) + "\n"
        + "cpu 0      root 0x0000000000100000 x86-64-5level: CR3 0x0000000000100005 bits 12..51; CR4 "
        + "0x00000000000016a0 LA57 set: 5-level; EFER is not in the dump, NXE taken as set\n"
        + "<registers>\n"
        + "vmcoreinfo 2 entries\n"
        + "  OSRELEASE=6.1.0\n"
        + "  PAGESIZE=4096\n"
        + "kernel     no root: VMCOREINFO has no SYMBOL(init_top_pgt), SYMBOL(init_level4_pgt) or "
        + "SYMBOL(swapper_pg_dir)\n");
    assertThat(registers).startsWith("\n  rax    0x0000000000000000  rbx    0x0000000000000000  rcx    "
        + "0x0000000000000000  rdx    0x0000000000000000\n")
        .contains("  cr0    0x0000000080050033  cr2    0x0000000000000000  cr3    0x0000000000100005  cr4    "
            + "0x00000000000016a0\n")
        .contains("rip    0xffffffff81000000");
    assertThat(r.status).isZero();
  }

  @Test
  void theOutsideImageRuleKnowsTheGapsOfThePhysicalMap() throws IOException {
    // The direct map's 2 MiB page at physical 0 has both ends outside an image of [0x1000, 0xc000)
    // and its middle inside: partly outside, which one window's two ends could not tell.
    Path file = dir.resolve("tables-only.elf");
    ImageWriter.of(TranslateCommandTest.x86Space().memory).segment(0x1000, 0xb000).write(file, ImageKind.ELF_CORE);
    CliRun r = paging("audit", "--image", file.toString(), "--format", "x86-64", "--root", "0x1000");
    assertThat(r.out).contains("INFO    outside-image          [0xffff888000000000, 0xffff8880001fffff] PD   table "
        + "0x0000000000006000: maps physical [0x0000000000000000, 0x00000000001fffff], partly outside the image\n");
  }

  @Test
  void aRiscVCoreSaysItHoldsNoSatp() throws IOException {
    Path file = dir.resolve("riscv.elf");
    ImageWriter.of(x86.memory()).segment(0, 0x1000).architecture(Architecture.RISCV64)
        .cpu(Map.of("pc", 0x8020_0000L)).write(file, ImageKind.ELF_CORE);
    CliRun r = paging("inspect", "--image", file.toString());
    assertThat(r.err).isEqualTo("paging inspect: give one of --root, --cr3 or --satp (paging roots lists the candidates): " + file + " records no root "
        + "(CPU 0: a RISC-V dump records pc and x1..x31, not satp; no VMCOREINFO note)" + HELP);
  }
}
