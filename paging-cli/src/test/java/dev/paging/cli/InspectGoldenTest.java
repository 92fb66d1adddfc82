package dev.paging.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.dump.DumpFormat;
import dev.paging.tests.golden.GoldenSpaces;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code paging inspect} end to end on the library's golden spaces ({@link GoldenSpaces}, from
 * paging-tests' test-jar), each saved as a raw image: every view of every space must print exactly
 * the golden text the library's dump tests pin for that view's renderer (x86-64 4- and 5-level by
 * {@code --root}, Sv39 by {@code --satp}, Sv48 by {@code --format} and {@code --root}).
 */
class InspectGoldenTest {
  @TempDir
  Path dir;

  /** Saves the golden space {@code name} and runs {@code paging inspect} on it with {@code args} after the image options. */
  private CliRun inspect(String name, String... args) {
    Path image = GoldenSpaces.named(name).saveImage(dir.resolve(name + ".img"));
    List<String> all = new ArrayList<>(List.of("inspect", "--image", image.toString()));
    switch (name) {
      case "x86":
        all.addAll(List.of("--format", "x86-64", "--root", "0x10_0000"));
        break;
      case "x86five":
        all.addAll(List.of("--format", "x86-64-5level", "--root", "0x10_0000"));
        break;
      case "sv39":
        // MODE 8 (Sv39), ASID 0x2a, PPN 0x100.
        all.addAll(List.of("--satp", "0x8002_a000_0000_0100"));
        break;
      default:
        all.addAll(List.of("--format", "sv48", "--root", "0x10_0000"));
        break;
    }
    all.addAll(List.of(args));
    return CliRun.of(all.toArray(new String[0]));
  }

  /** {@code --view view} prints exactly the library's golden text of {@code golden} for the space. */
  private void expectView(String space, String view, DumpFormat golden) {
    CliRun r = inspect(space, "--view", view);
    String text = GoldenSpaces.named(space).golden(golden);

    assertThat(r.err).as("%s", r).isEmpty();
    assertThat(r.out).isEqualTo(text);
    assertThat(r.status).isZero();
  }

  @Test
  void ptdumpIsTheDefaultView() {
    assertThat(inspect("x86").out).isEqualTo(inspect("x86", "--view", "ptdump").out);
    assertThat(inspect("sv39").out).isEqualTo(inspect("sv39", "--view", "ptdump").out);
  }

  @ParameterizedTest
  @CsvSource({"x86, json", "x86five, json", "sv39, json", "sv48, json", "x86, dot", "x86five, dot", "sv39, dot",
      "sv48, dot"})
  void jsonAndDotMatchTheLibrarysGoldenFiles(String space, String view) {
    expectView(space, view, DumpFormat.named(view));
  }

  @Test
  void x86Ptdump() {
    expectView("x86", "ptdump", DumpFormat.PTDUMP);
  }

  @Test
  void x86PtdumpMapped() {
    expectView("x86", "ptdump-mapped", DumpFormat.PTDUMP_MAPPED);
  }

  @Test
  void x86InfoMem() {
    expectView("x86", "info-mem", DumpFormat.QEMU_INFO_MEM);
  }

  @Test
  void x86InfoTlb() {
    expectView("x86", "info-tlb", DumpFormat.QEMU_INFO_TLB);
  }

  @Test
  void x86Vmprint() {
    expectView("x86", "vmprint", DumpFormat.VMPRINT);
  }

  @Test
  void x86VmprintVa() {
    expectView("x86", "vmprint-va", DumpFormat.VMPRINT_VA);
  }

  @Test
  void x86fivePtdump() {
    expectView("x86five", "ptdump", DumpFormat.PTDUMP);
  }

  @Test
  void x86fiveInfoMem() {
    expectView("x86five", "info-mem", DumpFormat.QEMU_INFO_MEM);
  }

  @Test
  void x86fiveInfoTlb() {
    expectView("x86five", "info-tlb", DumpFormat.QEMU_INFO_TLB);
  }

  @Test
  void x86fiveVmprint() {
    expectView("x86five", "vmprint", DumpFormat.VMPRINT);
  }

  @Test
  void x86fiveVmprintVa() {
    expectView("x86five", "vmprint-va", DumpFormat.VMPRINT_VA);
  }

  @Test
  void sv39Ptdump() {
    expectView("sv39", "ptdump", DumpFormat.PTDUMP);
  }

  @Test
  void sv39InfoMem() {
    expectView("sv39", "info-mem", DumpFormat.QEMU_INFO_MEM);
  }

  @Test
  void sv39Vmprint() {
    expectView("sv39", "vmprint", DumpFormat.VMPRINT);
  }

  @Test
  void sv39VmprintVa() {
    expectView("sv39", "vmprint-va", DumpFormat.VMPRINT_VA);
  }

  @Test
  void sv48Ptdump() {
    expectView("sv48", "ptdump", DumpFormat.PTDUMP);
  }

  @Test
  void sv48InfoMem() {
    expectView("sv48", "info-mem", DumpFormat.QEMU_INFO_MEM);
  }

  @Test
  void sv48VmprintVa() {
    expectView("sv48", "vmprint-va", DumpFormat.VMPRINT_VA);
  }
}
