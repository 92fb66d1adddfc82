package dev.paging.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AttributesTest {
  @Test
  void withersChangeOneFieldAndKeepTheRest() {
    Attributes a = Attributes.readWrite().withUser(true).withSoftwareBits(0b101).withExtraBits(1L << 59);
    Attributes b = a.withWritable(false);
    assertThat(b.readable()).isTrue();
    assertThat(b.writable()).isFalse();
    assertThat(b.user()).isTrue();
    assertThat(b.softwareBits()).isEqualTo(0b101);
    assertThat(b.extraBits()).isEqualTo(1L << 59);
    assertThat(a.writable()).isTrue();
    assertThat(b.withWritable(true)).isEqualTo(a);
  }

  @Test
  void toStringSpellsTheLetters() {
    assertThat(Attributes.readExecute().withUser(true).withGlobal(true)).hasToString("r-xug--");
    assertThat(Attributes.readWrite().withMemoryType(4).withSoftwareBits(3).withExtraBits(1L << 60))
        .hasToString("rw----- type=4 sw=0x3 extra=0x1000000000000000");
  }

  @Test
  void permitsComparesPermissionsOnly() {
    assertThat(Attributes.readWrite().withExecutable(true).permits(Attributes.readExecute())).isTrue();
    assertThat(Attributes.readOnly().permits(Attributes.readWrite())).isFalse();
    assertThat(Attributes.readOnly().permits(Attributes.readOnly().withDirty(true))).isTrue();
  }

  @Test
  void memoryTypeIsRangeChecked() {
    assertThatThrownBy(() -> Attributes.none().withMemoryType(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
  }
}
