package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.dump.DumpFormat;
import dev.paging.dump.DumpRenderer;
import dev.paging.tests.golden.GoldenSpace;
import dev.paging.tests.golden.GoldenSpaces;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every renderer's exact text for the spaces of {@link GoldenSpaces}: x86-64 4-level with the top
 * page, both canonical halves and 4 KiB, 2 MiB and 1 GiB leaves; 5-level x86-64; Sv39 with
 * 4 KiB, 2 MiB and 1 GiB leaves; Sv48 with a 512 GiB terapage. The texts are the golden files
 * beside {@link GoldenSpaces} ({@code x86.ptdump}, {@code sv39.json}...), which paging-cli's
 * {@code InspectGoldenTest} holds {@code paging inspect} to as well.
 */
class DumpGoldenTest {
  /** {@code renderer}, a factory of {@link DumpRenderer}, writes the golden text of {@code golden} for {@code space}. */
  private static void expect(GoldenSpace space, Function<Appendable, DumpRenderer> renderer, DumpFormat golden) {
    assertThat(space.render(renderer)).isEqualTo(space.golden(golden));
  }

  @Test
  void ptdumpShowsRunsHolesMarkersHugePagesAndTheTopPage() {
    expect(GoldenSpaces.x86(), DumpRenderer::ptdump, DumpFormat.PTDUMP);
  }

  @Test
  void ptdumpWithoutHolesShowsOnlyMappedRuns() {
    expect(GoldenSpaces.x86(), out -> DumpRenderer.ptdump(out, false), DumpFormat.PTDUMP_MAPPED);
  }

  @Test
  void qemuInfoMemCoalescesOnEffectiveProtection() {
    expect(GoldenSpaces.x86(), DumpRenderer::qemuInfoMem, DumpFormat.QEMU_INFO_MEM);
  }

  @Test
  void qemuInfoTlbPrintsOneLinePerLeafWithItsOwnBits() {
    expect(GoldenSpaces.x86(), DumpRenderer::qemuInfoTlb, DumpFormat.QEMU_INFO_TLB);
  }

  @Test
  void vmprintByIndex() {
    expect(GoldenSpaces.x86(), DumpRenderer::vmprintByIndex, DumpFormat.VMPRINT);
  }

  @Test
  void vmprintByAddress() {
    expect(GoldenSpaces.x86(), DumpRenderer::vmprintByAddress, DumpFormat.VMPRINT_VA);
  }

  @Test
  void fiveLevelPtdumpNamesTheP4dLevel() {
    expect(GoldenSpaces.x86FiveLevel(), DumpRenderer::ptdump, DumpFormat.PTDUMP);
  }

  @Test
  void fiveLevelQemuInfoMem() {
    expect(GoldenSpaces.x86FiveLevel(), DumpRenderer::qemuInfoMem, DumpFormat.QEMU_INFO_MEM);
  }

  @Test
  void fiveLevelQemuInfoTlb() {
    expect(GoldenSpaces.x86FiveLevel(), DumpRenderer::qemuInfoTlb, DumpFormat.QEMU_INFO_TLB);
  }

  @Test
  void fiveLevelVmprintByIndex() {
    expect(GoldenSpaces.x86FiveLevel(), DumpRenderer::vmprintByIndex, DumpFormat.VMPRINT);
  }

  @Test
  void fiveLevelVmprintByAddress() {
    expect(GoldenSpaces.x86FiveLevel(), DumpRenderer::vmprintByAddress, DumpFormat.VMPRINT_VA);
  }

  @Test
  void sv39PtdumpUsesLinuxRiscVLayout() {
    expect(GoldenSpaces.sv39(), DumpRenderer::ptdump, DumpFormat.PTDUMP);
  }

  @Test
  void sv39QemuInfoMemMergesOnlyContiguousRuns() {
    expect(GoldenSpaces.sv39(), DumpRenderer::qemuInfoMem, DumpFormat.QEMU_INFO_MEM);
  }

  @Test
  void sv39VmprintByIndexIsXv6Format() {
    expect(GoldenSpaces.sv39(), DumpRenderer::vmprintByIndex, DumpFormat.VMPRINT);
  }

  @Test
  void sv39VmprintByAddressIsXv6Format() {
    expect(GoldenSpaces.sv39(), DumpRenderer::vmprintByAddress, DumpFormat.VMPRINT_VA);
  }

  @Test
  void sv48PtdumpShowsATerapage() {
    expect(GoldenSpaces.sv48(), DumpRenderer::ptdump, DumpFormat.PTDUMP);
  }

  /**
   * The three leaves continue each other in attributes and in both addresses, but QEMU 7.2's
   * walk_pte keeps its virtual cursor per table, so each table's first leaf starts a new line.
   */
  @Test
  void sv48QemuInfoMemStartsALineAtTheFirstLeafOfEveryTableAsQemuDoes() {
    expect(GoldenSpaces.sv48(), DumpRenderer::qemuInfoMem, DumpFormat.QEMU_INFO_MEM);
  }

  @Test
  void sv48VmprintByAddress() {
    expect(GoldenSpaces.sv48(), DumpRenderer::vmprintByAddress, DumpFormat.VMPRINT_VA);
  }

  @ParameterizedTest
  @CsvSource({"x86, json", "x86five, json", "sv39, json", "sv48, json", "x86, dot", "x86five, dot", "sv39, dot", "sv48, dot"})
  void jsonAndDotMatchTheirGoldenFiles(String space, String renderer) {
    GoldenSpace t = GoldenSpaces.named(space);
    Function<Appendable, DumpRenderer> r = renderer.equals("json") ? DumpRenderer::json : DumpRenderer::dot;
    assertThat(t.render(r)).isEqualTo(t.golden(DumpFormat.named(renderer)));
  }
}
