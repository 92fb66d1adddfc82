package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.dump.DumpRenderer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every renderer's exact text for the spaces of {@link DumpSpaces}: x86-64 4-level with the top
 * page, both canonical halves and 4 KiB, 2 MiB and 1 GiB leaves; 5-level x86-64; Sv39 with
 * 4 KiB, 2 MiB and 1 GiB leaves; Sv48 with a 512 GiB terapage. The JSON and DOT texts, long
 * ones, are files under {@code dump/} beside this class.
 */
class DumpGoldenTest {
  private static void expect(Trees space, Function<Appendable, DumpRenderer> renderer, String text) {
    assertThat(DumpSpaces.render(space, renderer)).isEqualTo(text);
  }

  @Test
  void ptdumpShowsRunsHolesMarkersHugePagesAndTheTopPage() {
    expect(DumpSpaces.x86(), DumpRenderer::ptdump, """
        ---[ User Space ]---
        0x0000000000000000-0x0000000000400000           4M                               pmd
        0x0000000000400000-0x0000000000402000           8K USR ro                     x  pte
        0x0000000000402000-0x0000000000600000        2040K                               pte
        0x0000000000600000-0x0000000000601000           4K USR RW                     NX pte
        0x0000000000601000-0x0000000000800000        2044K                               pte
        0x0000000000800000-0x0000000040000000        1016M                               pmd
        0x0000000040000000-0x0000000080000000           1G     RW PWT     PSE PAT     NX pud
        0x0000000080000000-0x0000000080200000           2M                               pmd
        0x0000000080200000-0x0000000080400000           2M     RW         PSE PAT     NX pmd
        0x0000000080400000-0x00000000c0000000        1020M                               pmd
        0x00000000c0000000-0x0000008000000000         509G                               pud
        0x0000008000000000-0x0000800000000000      130560G                               pgd
        ---[ Kernel Space ]---
        0xffff800000000000-0xffff800000200000           2M     RW         PSE     GLB NX pmd
        0xffff800000200000-0xffff800040000000        1022M                               pmd
        0xffff800040000000-0xffff808000000000         511G                               pud
        0xffff808000000000-0xffffff8000000000         127T                               pgd
        0xffffff8000000000-0xffffffffc0000000         511G                               pud
        0xffffffffc0000000-0xffffffffffe00000        1022M                               pmd
        0xffffffffffe00000-0xfffffffffffff000        2044K                               pte
        0xfffffffffffff000-0x0000000000000000           4K     ro PWT PCD     PAT GLB NX pte
        """);
  }

  @Test
  void ptdumpWithoutHolesShowsOnlyMappedRuns() {
    expect(DumpSpaces.x86(), out -> DumpRenderer.ptdump(out, false), """
        ---[ User Space ]---
        0x0000000000400000-0x0000000000402000           8K USR ro                     x  pte
        0x0000000000600000-0x0000000000601000           4K USR RW                     NX pte
        0x0000000040000000-0x0000000080000000           1G     RW PWT     PSE PAT     NX pud
        0x0000000080200000-0x0000000080400000           2M     RW         PSE PAT     NX pmd
        ---[ Kernel Space ]---
        0xffff800000000000-0xffff800000200000           2M     RW         PSE     GLB NX pmd
        0xfffffffffffff000-0x0000000000000000           4K     ro PWT PCD     PAT GLB NX pte
        """);
  }

  @Test
  void qemuInfoMemCoalescesOnEffectiveProtection() {
    expect(DumpSpaces.x86(), DumpRenderer::qemuInfoMem, """
        0000000000400000-0000000000402000 0000000000002000 ur-
        0000000000600000-0000000000601000 0000000000001000 urw
        0000000040000000-0000000080000000 0000000040000000 -rw
        0000000080200000-0000000080400000 0000000000200000 -rw
        ffff800000000000-ffff800000200000 0000000000200000 -rw
        fffffffffffff000-0001000000000000 0000000000001000 -r-
        """);
  }

  @Test
  void qemuInfoTlbPrintsOneLinePerLeafWithItsOwnBits() {
    expect(DumpSpaces.x86(), DumpRenderer::qemuInfoTlb, """
        0000000000400000: 0000000000200000 ----A--U-
        0000000000401000: 0000000000201000 ----A--U-
        0000000000600000: 0000000000300000 X--DA--UW
        0000000040000000: 0000000100000000 X-P---T-W
        0000000080200000: 0000000000600000 X-P-----W
        ffff800000000000: 0000000000200000 XGP-----W
        fffffffffffff000: 0000000000007000 XG---CT--
        """);
  }

  @Test
  void vmprintByIndex() {
    expect(DumpSpaces.x86(), DumpRenderer::vmprintByIndex, """
        page table 0x0000000000100000
        ..0: pte 0x0000000000101007 pa 0x0000000000101000
        .. ..0: pte 0x0000000000102007 pa 0x0000000000102000
        .. .. ..2: pte 0x0000000000103007 pa 0x0000000000103000
        .. .. .. ..0: pte 0x0000000000200025 pa 0x0000000000200000
        .. .. .. ..1: pte 0x0000000000201025 pa 0x0000000000201000
        .. .. ..3: pte 0x0000000000104007 pa 0x0000000000104000
        .. .. .. ..0: pte 0x8000000000300067 pa 0x0000000000300000
        .. ..1: pte 0x800000010000108b pa 0x0000000100000000
        .. ..2: pte 0x0000000000105007 pa 0x0000000000105000
        .. .. ..1: pte 0x8000000000601083 pa 0x0000000000600000
        ..256: pte 0x0000000000106007 pa 0x0000000000106000
        .. ..0: pte 0x0000000000107007 pa 0x0000000000107000
        .. .. ..0: pte 0x8000000000200183 pa 0x0000000000200000
        ..511: pte 0x0000000000108007 pa 0x0000000000108000
        .. ..511: pte 0x0000000000109007 pa 0x0000000000109000
        .. .. ..511: pte 0x000000000010a007 pa 0x000000000010a000
        .. .. .. ..511: pte 0x8000000000007199 pa 0x0000000000007000
        """);
  }

  @Test
  void vmprintByAddress() {
    expect(DumpSpaces.x86(), DumpRenderer::vmprintByAddress, """
        page table 0x0000000000100000
         ..0x0000000000000000: pte 0x0000000000101007 pa 0x0000000000101000
         .. ..0x0000000000000000: pte 0x0000000000102007 pa 0x0000000000102000
         .. .. ..0x0000000000400000: pte 0x0000000000103007 pa 0x0000000000103000
         .. .. .. ..0x0000000000400000: pte 0x0000000000200025 pa 0x0000000000200000
         .. .. .. ..0x0000000000401000: pte 0x0000000000201025 pa 0x0000000000201000
         .. .. ..0x0000000000600000: pte 0x0000000000104007 pa 0x0000000000104000
         .. .. .. ..0x0000000000600000: pte 0x8000000000300067 pa 0x0000000000300000
         .. ..0x0000000040000000: pte 0x800000010000108b pa 0x0000000100000000
         .. ..0x0000000080000000: pte 0x0000000000105007 pa 0x0000000000105000
         .. .. ..0x0000000080200000: pte 0x8000000000601083 pa 0x0000000000600000
         ..0xffff800000000000: pte 0x0000000000106007 pa 0x0000000000106000
         .. ..0xffff800000000000: pte 0x0000000000107007 pa 0x0000000000107000
         .. .. ..0xffff800000000000: pte 0x8000000000200183 pa 0x0000000000200000
         ..0xffffff8000000000: pte 0x0000000000108007 pa 0x0000000000108000
         .. ..0xffffffffc0000000: pte 0x0000000000109007 pa 0x0000000000109000
         .. .. ..0xffffffffffe00000: pte 0x000000000010a007 pa 0x000000000010a000
         .. .. .. ..0xfffffffffffff000: pte 0x8000000000007199 pa 0x0000000000007000
        """);
  }

  @Test
  void fiveLevelPtdumpNamesTheP4dLevel() {
    expect(DumpSpaces.x86FiveLevel(), DumpRenderer::ptdump, """
        ---[ User Space ]---
        0x0000000000000000-0x0000000000001000           4K                               pte
        0x0000000000001000-0x0000000000002000           4K USR ro                     x  pte
        0x0000000000002000-0x0000000000200000        2040K                               pte
        0x0000000000200000-0x0000000040000000        1022M                               pmd
        0x0000000040000000-0x0000008000000000         511G                               pud
        0x0000008000000000-0x0001000000000000      261632G                               p4d
        0x0001000000000000-0x0001000040000000           1G                               pud
        0x0001000040000000-0x0001000080000000           1G USR RW         PSE         NX pud
        0x0001000080000000-0x0001008000000000         510G                               pud
        0x0001008000000000-0x0002000000000000      261632G                               p4d
        0x0002000000000000-0x0100000000000000       65024T                               pgd
        ---[ Kernel Space ]---
        0xff00000000000000-0xff00000000200000           2M     RW         PSE     GLB NX pmd
        0xff00000000200000-0xff00000040000000        1022M                               pmd
        0xff00000040000000-0xff00008000000000         511G                               pud
        0xff00008000000000-0xff01000000000000      261632G                               p4d
        0xff01000000000000-0xffff000000000000       65024T                               pgd
        0xffff000000000000-0xffffff8000000000      261632G                               p4d
        0xffffff8000000000-0xffffffffc0000000         511G                               pud
        0xffffffffc0000000-0xffffffffffe00000        1022M                               pmd
        0xffffffffffe00000-0xfffffffffffff000        2044K                               pte
        0xfffffffffffff000-0x0000000000000000           4K     ro                 GLB NX pte
        """);
  }

  @Test
  void fiveLevelQemuInfoMem() {
    expect(DumpSpaces.x86FiveLevel(), DumpRenderer::qemuInfoMem, """
        0000000000001000-0000000000002000 0000000000001000 ur-
        0001000040000000-0001000080000000 0000000040000000 urw
        ff00000000000000-ff00000000200000 0000000000200000 -rw
        fffffffffffff000-0200000000000000 0000000000001000 -r-
        """);
  }

  @Test
  void fiveLevelQemuInfoTlb() {
    expect(DumpSpaces.x86FiveLevel(), DumpRenderer::qemuInfoTlb, """
        0000000000001000: 0000000000005000 -------U-
        0001000040000000: 0000000040000000 X-P----UW
        ff00000000000000: 0000000000200000 XGP-----W
        fffffffffffff000: 0000000000007000 XG-------
        """);
  }

  @Test
  void fiveLevelVmprintByIndex() {
    expect(DumpSpaces.x86FiveLevel(), DumpRenderer::vmprintByIndex, """
        page table 0x0000000000100000
        ..0: pte 0x0000000000101007 pa 0x0000000000101000
        .. ..0: pte 0x0000000000102007 pa 0x0000000000102000
        .. .. ..0: pte 0x0000000000103007 pa 0x0000000000103000
        .. .. .. ..0: pte 0x0000000000104007 pa 0x0000000000104000
        .. .. .. .. ..1: pte 0x0000000000005005 pa 0x0000000000005000
        ..1: pte 0x0000000000105007 pa 0x0000000000105000
        .. ..0: pte 0x0000000000106007 pa 0x0000000000106000
        .. .. ..1: pte 0x8000000040000087 pa 0x0000000040000000
        ..256: pte 0x0000000000107007 pa 0x0000000000107000
        .. ..0: pte 0x0000000000108007 pa 0x0000000000108000
        .. .. ..0: pte 0x0000000000109007 pa 0x0000000000109000
        .. .. .. ..0: pte 0x8000000000200183 pa 0x0000000000200000
        ..511: pte 0x000000000010a007 pa 0x000000000010a000
        .. ..511: pte 0x000000000010b007 pa 0x000000000010b000
        .. .. ..511: pte 0x000000000010c007 pa 0x000000000010c000
        .. .. .. ..511: pte 0x000000000010d007 pa 0x000000000010d000
        .. .. .. .. ..511: pte 0x8000000000007101 pa 0x0000000000007000
        """);
  }

  @Test
  void fiveLevelVmprintByAddress() {
    expect(DumpSpaces.x86FiveLevel(), DumpRenderer::vmprintByAddress, """
        page table 0x0000000000100000
         ..0x0000000000000000: pte 0x0000000000101007 pa 0x0000000000101000
         .. ..0x0000000000000000: pte 0x0000000000102007 pa 0x0000000000102000
         .. .. ..0x0000000000000000: pte 0x0000000000103007 pa 0x0000000000103000
         .. .. .. ..0x0000000000000000: pte 0x0000000000104007 pa 0x0000000000104000
         .. .. .. .. ..0x0000000000001000: pte 0x0000000000005005 pa 0x0000000000005000
         ..0x0001000000000000: pte 0x0000000000105007 pa 0x0000000000105000
         .. ..0x0001000000000000: pte 0x0000000000106007 pa 0x0000000000106000
         .. .. ..0x0001000040000000: pte 0x8000000040000087 pa 0x0000000040000000
         ..0xff00000000000000: pte 0x0000000000107007 pa 0x0000000000107000
         .. ..0xff00000000000000: pte 0x0000000000108007 pa 0x0000000000108000
         .. .. ..0xff00000000000000: pte 0x0000000000109007 pa 0x0000000000109000
         .. .. .. ..0xff00000000000000: pte 0x8000000000200183 pa 0x0000000000200000
         ..0xffff000000000000: pte 0x000000000010a007 pa 0x000000000010a000
         .. ..0xffffff8000000000: pte 0x000000000010b007 pa 0x000000000010b000
         .. .. ..0xffffffffc0000000: pte 0x000000000010c007 pa 0x000000000010c000
         .. .. .. ..0xffffffffffe00000: pte 0x000000000010d007 pa 0x000000000010d000
         .. .. .. .. ..0xfffffffffffff000: pte 0x8000000000007101 pa 0x0000000000007000
        """);
  }

  @Test
  void sv39PtdumpUsesLinuxRiscVLayout() {
    expect(DumpSpaces.sv39(), DumpRenderer::ptdump, """
        0x0000000000001000-0x0000000000004000    0x0000000080001000        12K PTE .   ..     ..   . A . U X . R V
        0x0000000000200000-0x0000000000400000    0x0000000080200000         2M PMD .   ..     ..   D A . U . W R V
        0x0000000040000000-0x0000000080000000    0x00000000c0000000         1G PGD . MT(IO) RSW(1) . . . . . W R V
        0x0000003ffffff000-0x0000004000000000    0x0000000080007000         4K PTE .   ..     ..   . A . . X . R V
        0xffffffc000000000-0xffffffc040000000    0x0000000080000000         1G PGD .   ..     ..   D A G . X W R V
        0xfffffffffffff000-0x0000000000000000    0x0000000080009000         4K PTE .   ..     ..   . . G . . . R V
        """);
  }

  @Test
  void sv39QemuInfoMemMergesOnlyContiguousRuns() {
    expect(DumpSpaces.sv39(), DumpRenderer::qemuInfoMem, """
        vaddr            paddr            size             attr
        ---------------- ---------------- ---------------- -------
        0000000000001000 0000000080001000 0000000000002000 r-xu-a-
        0000000000003000 0000000080004000 0000000000001000 r-xu-a-
        0000000000200000 0000000080200000 0000000000200000 rw-u-ad
        0000000040000000 00000000c0000000 0000000040000000 rw-----
        0000003ffffff000 0000000080007000 0000000000001000 r-x--a-
        ffffffc000000000 0000000080000000 0000000040000000 rwx-gad
        fffffffffffff000 0000000080009000 0000000000001000 r---g--
        """);
  }

  @Test
  void sv39VmprintByIndexIsXv6Format() {
    expect(DumpSpaces.sv39(), DumpRenderer::vmprintByIndex, """
        page table 0x0000000000100000
        ..0: pte 0x0000000000040401 pa 0x0000000000101000
        .. ..0: pte 0x0000000000040801 pa 0x0000000000102000
        .. .. ..1: pte 0x000000002000045b pa 0x0000000080001000
        .. .. ..2: pte 0x000000002000085b pa 0x0000000080002000
        .. .. ..3: pte 0x000000002000105b pa 0x0000000080004000
        .. ..1: pte 0x00000000200800d7 pa 0x0000000080200000
        ..1: pte 0x4000000030000107 pa 0x00000000c0000000
        ..255: pte 0x0000000000040c01 pa 0x0000000000103000
        .. ..511: pte 0x0000000000041001 pa 0x0000000000104000
        .. .. ..511: pte 0x0000000020001c4b pa 0x0000000080007000
        ..256: pte 0x00000000200000ef pa 0x0000000080000000
        ..511: pte 0x0000000000041401 pa 0x0000000000105000
        .. ..511: pte 0x0000000000041801 pa 0x0000000000106000
        .. .. ..511: pte 0x0000000020002423 pa 0x0000000080009000
        """);
  }

  @Test
  void sv39VmprintByAddressIsXv6Format() {
    expect(DumpSpaces.sv39(), DumpRenderer::vmprintByAddress, """
        page table 0x0000000000100000
         ..0x0000000000000000: pte 0x0000000000040401 pa 0x0000000000101000
         .. ..0x0000000000000000: pte 0x0000000000040801 pa 0x0000000000102000
         .. .. ..0x0000000000001000: pte 0x000000002000045b pa 0x0000000080001000
         .. .. ..0x0000000000002000: pte 0x000000002000085b pa 0x0000000080002000
         .. .. ..0x0000000000003000: pte 0x000000002000105b pa 0x0000000080004000
         .. ..0x0000000000200000: pte 0x00000000200800d7 pa 0x0000000080200000
         ..0x0000000040000000: pte 0x4000000030000107 pa 0x00000000c0000000
         ..0x0000003fc0000000: pte 0x0000000000040c01 pa 0x0000000000103000
         .. ..0x0000003fffe00000: pte 0x0000000000041001 pa 0x0000000000104000
         .. .. ..0x0000003ffffff000: pte 0x0000000020001c4b pa 0x0000000080007000
         ..0xffffffc000000000: pte 0x00000000200000ef pa 0x0000000080000000
         ..0xffffffffc0000000: pte 0x0000000000041401 pa 0x0000000000105000
         .. ..0xffffffffffe00000: pte 0x0000000000041801 pa 0x0000000000106000
         .. .. ..0xfffffffffffff000: pte 0x0000000020002423 pa 0x0000000080009000
        """);
  }

  @Test
  void sv48PtdumpShowsATerapage() {
    expect(DumpSpaces.sv48(), DumpRenderer::ptdump, """
        0x0000000000000000-0x0000008000000000    0x0000000000000000       512G PGD .   ..     ..   D A . . . W R V
        0x0000008000000000-0x0000008000200000    0x0000008000000000         2M PMD .   ..     ..   D A . . . W R V
        0x0000008000200000-0x0000008000201000    0x0000008000200000         4K PTE .   ..     ..   D A . . . W R V
        """);
  }

  @Test
  void sv48QemuInfoMemMergesAcrossLevelsWhenContiguous() {
    expect(DumpSpaces.sv48(), DumpRenderer::qemuInfoMem, """
        vaddr            paddr            size             attr
        ---------------- ---------------- ---------------- -------
        0000000000000000 0000000000000000 0000008000201000 rw---ad
        """);
  }

  @Test
  void sv48VmprintByAddress() {
    expect(DumpSpaces.sv48(), DumpRenderer::vmprintByAddress, """
        page table 0x0000000000100000
         ..0x0000000000000000: pte 0x00000000000000c7 pa 0x0000000000000000
         ..0x0000008000000000: pte 0x0000000000040401 pa 0x0000000000101000
         .. ..0x0000008000000000: pte 0x0000000000040801 pa 0x0000000000102000
         .. .. ..0x0000008000000000: pte 0x00000020000000c7 pa 0x0000008000000000
         .. .. ..0x0000008000200000: pte 0x0000000000040c01 pa 0x0000000000103000
         .. .. .. ..0x0000008000200000: pte 0x00000020000800c7 pa 0x0000008000200000
        """);
  }

  @ParameterizedTest
  @CsvSource({"x86, json", "x86five, json", "sv39, json", "sv48, json", "x86, dot", "x86five, dot", "sv39, dot", "sv48, dot"})
  void jsonAndDotMatchTheirGoldenFiles(String space, String renderer) throws IOException {
    Trees t = space.equals("x86") ? DumpSpaces.x86() : space.equals("x86five") ? DumpSpaces.x86FiveLevel()
        : space.equals("sv39") ? DumpSpaces.sv39() : DumpSpaces.sv48();
    Function<Appendable, DumpRenderer> r = renderer.equals("json") ? DumpRenderer::json : DumpRenderer::dot;
    assertThat(DumpSpaces.render(t, r)).isEqualTo(golden(space + "." + renderer));
  }

  static String golden(String name) throws IOException {
    try (InputStream in = DumpGoldenTest.class.getResourceAsStream("dump/" + name)) {
      assertThat(in).as("golden file dump/%s", name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
