package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.dump.DumpFormat;
import dev.paging.dump.DumpRenderer;
import org.junit.jupiter.api.Test;

class DumpFormatTest {
  @Test
  void eachNameGivesTheRendererOfThatName() {
    Trees t = DumpSpaces.x86();
    assertThat(DumpSpaces.render(t, DumpFormat.named("PTDUMP-mapped")::renderer))
        .isEqualTo(DumpSpaces.render(t, out -> DumpRenderer.ptdump(out, false)));
    assertThat(DumpSpaces.render(t, DumpFormat.named("vmprint-va")::renderer))
        .isEqualTo(DumpSpaces.render(t, DumpRenderer::vmprintByAddress));
    assertThat(DumpSpaces.render(t, DumpFormat.named("qemu-info-mem")::renderer))
        .isEqualTo(DumpSpaces.render(t, DumpRenderer::qemuInfoMem));
    assertThat(DumpFormat.named("json")).isEqualTo(DumpFormat.JSON);
  }

  @Test
  void anUnknownNameListsTheKnownOnes() {
    assertThatThrownBy(() -> DumpFormat.named("pagemap"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown dump format 'pagemap'; known: ptdump, ptdump-mapped, qemu-info-mem, qemu-info-tlb,"
            + " vmprint, vmprint-va, json, json-mapped, dot");
  }
}
