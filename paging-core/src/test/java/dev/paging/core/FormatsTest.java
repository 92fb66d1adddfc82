package dev.paging.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Attributes;
import dev.paging.api.PagingFormat;
import org.junit.jupiter.api.Test;

class FormatsTest {
  @Test
  void namesAndToString() {
    assertThat(Formats.x86_64()).hasToString("x86-64");
    assertThat(Formats.x86_64FiveLevel()).hasToString("x86-64-5level");
    assertThat(Formats.sv39()).hasToString("sv39");
    assertThat(Formats.sv48()).hasToString("sv48");
    assertThat(Formats.sv57()).hasToString("sv57");
    assertThat(Formats.x86_64(X86Options.defaults().withNx(false)).name()).isEqualTo("x86-64");
  }

  @Test
  void equalityIsByNameAndOptions() {
    X86Options narrow = X86Options.defaults().withPhysicalAddressBits(40);
    assertThat(Formats.x86_64(X86Options.defaults())).isEqualTo(Formats.x86_64());
    assertThat(Formats.x86_64(narrow)).isEqualTo(Formats.x86_64(narrow))
        .hasSameHashCodeAs(Formats.x86_64(narrow));
    assertThat(Formats.x86_64(narrow)).isNotEqualTo(Formats.x86_64());
    assertThat(Formats.x86_64FiveLevel()).isNotEqualTo(Formats.x86_64());
    assertThat(Formats.x86_64FiveLevel(narrow)).isNotEqualTo(Formats.x86_64(narrow));
    assertThat(Formats.sv39()).isNotEqualTo(Formats.sv48()).isEqualTo(new RiscVFormat(3));
    assertThat(new RiscVFormat(5)).hasSameHashCodeAs(Formats.sv57());
    assertThat((Object) Formats.sv39()).isNotEqualTo(Formats.x86_64());
  }

  @Test
  void equalFormatsAcceptEachOthersLevels() {
    X86Options noNx = X86Options.defaults().withNx(false);
    PagingFormat a = Formats.x86_64(noNx);
    PagingFormat b = Formats.x86_64(noNx);
    assertThat(b.encodeLeaf(a.levels().get(3), 0x1000L, Attributes.readExecute())).isEqualTo(0x1001L);
    assertThat(new RiscVFormat(3).encodeTable(Formats.sv39().root(), 0x2000L, Attributes.none()))
        .isEqualTo(0x801L);
  }

  @Test
  void levelsOfDifferentOptionsAreNotInterchangeable() {
    PagingFormat noGb = Formats.x86_64(X86Options.defaults().withGigabytePages(false));
    assertThatThrownBy(() -> noGb.encodeLeaf(Formats.x86_64().levels().get(1), 0x4000_0000L,
        Attributes.readExecute()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000040000000");
  }

  @Test
  void optionsDefaultsAndWithers() {
    X86Options d = X86Options.defaults();
    assertThat(d.gigabytePages()).isTrue();
    assertThat(d.nx()).isTrue();
    assertThat(d.physicalAddressBits()).isEqualTo(52);
    X86Options o = d.withGigabytePages(false).withNx(false).withPhysicalAddressBits(36);
    assertThat(o.gigabytePages()).isFalse();
    assertThat(o.nx()).isFalse();
    assertThat(o.physicalAddressBits()).isEqualTo(36);
    assertThat(d.physicalAddressBits()).isEqualTo(52);
    assertThat(d.withNx(true)).isSameAs(d);
    assertThat(o).isEqualTo(X86Options.defaults().withPhysicalAddressBits(36).withNx(false)
        .withGigabytePages(false)).hasSameHashCodeAs(d.withNx(false).withGigabytePages(false)
        .withPhysicalAddressBits(36));
    assertThat(o).isNotEqualTo(d);
    assertThat(d.withGigabytePages(false)).isNotEqualTo(d.withNx(false));
    assertThat(o).hasToString("X86Options[gigabytePages=false, nx=false, physicalAddressBits=36]");
  }

  @Test
  void physicalAddressBitsAreValidated() {
    assertThat(X86Options.defaults().withPhysicalAddressBits(32).physicalAddressBits()).isEqualTo(32);
    assertThat(X86Options.defaults().withPhysicalAddressBits(52).physicalAddressBits()).isEqualTo(52);
    assertThatThrownBy(() -> X86Options.defaults().withPhysicalAddressBits(31))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("31");
    assertThatThrownBy(() -> X86Options.defaults().withPhysicalAddressBits(53))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("53");
  }

  @Test
  void formatsReportTheirOptions() {
    X86Options o = X86Options.defaults().withPhysicalAddressBits(46);
    assertThat(((X86Format) Formats.x86_64FiveLevel(o)).options()).isEqualTo(o);
    assertThat(Formats.x86_64FiveLevel(o).physicalAddressBits()).isEqualTo(46);
  }

  @Test
  void sizeNames() {
    assertThat(Formats.sizeName(4096)).isEqualTo("4 KiB");
    assertThat(Formats.sizeName(1L << 21)).isEqualTo("2 MiB");
    assertThat(Formats.sizeName(1L << 39)).isEqualTo("512 GiB");
    assertThat(Formats.sizeName(1L << 48)).isEqualTo("256 TiB");
  }
}
