package dev.paging.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Attributes;
import dev.paging.core.Formats;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tables read in a format they are not in must not pass for a healthy space. */
class WrongFormatTest {
  @TempDir
  Path dir;

  @Test
  void aFiveLevelImageReadWithoutAFormatSaysItIsReadAsFourLevels() throws IOException {
    ImageBuilder b = ImageBuilder.of(Formats.x86_64FiveLevel(), 1 << 20, 0x1000);
    b.map(0x40_1000L, 1 << 12, 0x8_0000L, Attributes.readWrite().withUser(true));
    Path image = b.save(dir.resolve("la57.img"), 0, 1 << 20);

    CliRun asFour = CliRun.of("translate", "--image", image.toString(), "--cr3", "0x1000", "0x401000");
    CliRun asFive = CliRun.of("translate", "--image", image.toString(), "--cr3", "0x1000",
        "--format", "x86-64-5level", "0x401000");

    // Read with one level too few, the page's walk ends one table early: every table is one
    // level off, and only the line on standard error says which reading was assumed.
    assertThat(asFour.err).isEqualTo("paging translate: no --format given; reading the tables as x86-64 with 4"
        + " levels (give --format x86-64-5level, x86-32, x86-pae, sv39, sv48 or sv57 for another)\n");
    assertThat(asFour.out).startsWith("0x0000000000401000 not mapped: ");
    assertThat(asFive.err).isEmpty();
    assertThat(asFive.out).isEqualTo("0x0000000000401000 -> 0x0000000000080000 4K PT rw-u---\n");
  }

  @Test
  void anX86ImageReadAsSv39EndsWithTheCountOfWhatCouldNotBeFollowed() throws IOException {
    Path image = TranslateCommandTest.x86Space().save(dir.resolve("x86.img"), 0, TranslateCommandTest.IMAGE_SIZE);

    CliRun ptdump = CliRun.of("inspect", "--image", image.toString(), "--root", "0x1000", "--format", "SV39");

    // x86's P, RW and US read as V, R and W: the root's pointers are Sv39 gigapages at addresses
    // below 1 GiB alignment, reported and marked instead of printed as mappings.
    assertThat(ptdump.status).isZero();
    assertThat(ptdump.err).startsWith("paging inspect: ").contains(" entries could not be followed (")
        .contains("misaligned leaf: ").endsWith("; 'paging audit' lists them\n");
    assertThat(ptdump.out.lines()).isNotEmpty().allMatch(line -> line.contains(" ! "));
  }
}
