package dev.paging.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class AddressConverterTest {
  @Test
  void hexAndDecimalWithUnderscores() {
    assertThat(AddressConverter.parse("0")).isZero();
    assertThat(AddressConverter.parse("4096")).isEqualTo(0x1000);
    assertThat(AddressConverter.parse("0x1000")).isEqualTo(0x1000);
    assertThat(AddressConverter.parse("0X1000")).isEqualTo(0x1000);
    assertThat(AddressConverter.parse("0xDeadBeef")).isEqualTo(0xdead_beefL);
    assertThat(AddressConverter.parse("0x0000_7fff_ffff_f000")).isEqualTo(0x0000_7fff_ffff_f000L);
    assertThat(AddressConverter.parse("1_048_576")).isEqualTo(1L << 20);
    assertThat(AddressConverter.parse("0x1__0")).isEqualTo(0x10);
  }

  @Test
  void theTopOfTheAddressSpaceIsUnsigned() {
    assertThat(AddressConverter.parse("0xffff_ffff_ffff_ffff")).isEqualTo(-1L);
    assertThat(AddressConverter.parse("18446744073709551615")).isEqualTo(-1L);
    assertThat(AddressConverter.parse("0xffff_8000_0000_0000")).isEqualTo(0xffff_8000_0000_0000L);
  }

  @Test
  void malformedTextIsNamed() {
    for (String bad : new String[] {"", "0x", "x10", "0x_1", "1_", "_1", "0x1g", "12g", "-1", "+1", " 1", "1 ",
        "0b101", "\uff11\uff12", "0x\u0661"}) {
      assertThatThrownBy(() -> AddressConverter.parse(bad))
          .as("'%s'", bad)
          .isInstanceOf(TypeConversionException.class)
          .hasMessage("'" + bad + "' is not an address (hex with 0x, or decimal; _ allowed between digits)");
    }
  }

  @Test
  void valuesBeyond64BitsAreNamed() {
    assertThatThrownBy(() -> AddressConverter.parse("0x1_0000_0000_0000_0000"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessage("'0x1_0000_0000_0000_0000' does not fit in 64 bits");
    assertThatThrownBy(() -> AddressConverter.parse("18446744073709551616"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessage("'18446744073709551616' does not fit in 64 bits");
  }

  @Test
  void theConverterIsTheParser() {
    assertThat(new AddressConverter().convert("0x2000")).isEqualTo(0x2000L);
  }
}
