package dev.paging.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Attributes;
import dev.paging.api.Level;
import dev.paging.visitors.Translation;
import dev.paging.visitors.Translator;
import org.junit.jupiter.api.Test;

class DemoSpaceTest {
  @Test
  void mapWritesTheEncodedEntriesAndTranslatesBack() {
    DemoSpace s = DemoSpace.empty();
    s.map(0xffff_8880_0020_0000L, DemoSpace.MIB_2, 0x0020_0000L, Attributes.readWrite().withGlobal(true));

    // Root, PDPT and PD: one new table per level above the 2 MiB leaf.
    assertThat(s.allocator().allocatedCount()).isEqualTo(3);
    long[] frames = s.allocator().allocatedFrames();
    Level pd = s.format().levels().get(2);
    // P | RW | PS | G | XD, at PD index 1 of the third frame.
    assertThat(s.memory().read(frames[2] + 8))
        .isEqualTo(0x0020_0000L | 0x1 | 0x2 | 0x80 | 0x100 | (1L << 63));
    Translation t = Translator.of(s.space()).translate(0xffff_8880_0023_4567L);
    assertThat(t.physicalAddress()).isEqualTo(0x0023_4567L);
    assertThat(t.level().name()).isEqualTo(pd.name());
  }

  @Test
  void aUserLeafWidensTheTableEntriesAKernelLeafCreated() {
    DemoSpace s = DemoSpace.empty();
    s.map(0x0000_0000_0040_0000L, DemoSpace.KIB_4, 0x0200_0000L, Attributes.readOnly());
    assertThat(Translator.of(s.space()).translate(0x40_0000L).effectiveAttributes().user()).isFalse();

    s.map(0x0000_0000_0040_1000L, DemoSpace.KIB_4, 0x0200_1000L, Attributes.readWrite().withUser(true));

    Translation t = Translator.of(s.space()).translate(0x40_1000L);
    assertThat(t.effectiveAttributes().user()).isTrue();
    assertThat(t.effectiveAttributes().writable()).isTrue();
    // The kernel page stays kernel-only and read-only: its own leaf says so.
    Translation kernel = Translator.of(s.space()).translate(0x40_0000L);
    assertThat(kernel.effectiveAttributes().user()).isFalse();
    assertThat(kernel.effectiveAttributes().writable()).isFalse();
    assertThat(s.allocator().allocatedCount()).isEqualTo(4);
  }

  @Test
  void refusesToMapOverALeafOrUnderAHugeLeaf() {
    DemoSpace s = DemoSpace.kernelAndProcess();

    assertThatThrownBy(() -> s.map(0x40_0000L, DemoSpace.KIB_4, 0x0300_0000L, Attributes.readOnly()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("page 0x0000000000400000 is already mapped at PT");
    assertThatThrownBy(() -> s.map(0xffff_8880_4000_1000L, DemoSpace.KIB_4, 0x0300_0000L, Attributes.readOnly()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot map 0xffff888040001000: a PDPT leaf covers it");
    assertThatThrownBy(() -> s.map(0x60_0000L, 8192, 0x0300_0000L, Attributes.readOnly()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no x86-64 level maps pages of 0x0000000000002000 bytes");
  }

  @Test
  void theDemoMachineUsesThirteenTables() {
    assertThat(DemoSpace.kernelAndProcess().allocator().allocatedCount()).isEqualTo(13);
  }
}
