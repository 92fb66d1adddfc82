package dev.paging.cli;

import dev.paging.api.Attributes;
import dev.paging.api.Level;
import dev.paging.core.Formats;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The address spaces of the library's dump golden tests (paging-tests' DumpSpaces), entry for
 * entry and frame for frame: the root at 0x100000 and each new table in the next frame, table
 * entries as permissive as a user read-write page needs. Built here with {@link ImageBuilder} and
 * saved as 2 MiB images, so that {@code paging inspect} must print exactly the text the golden
 * tests pin for the renderers; the JSON and DOT texts are copies of those tests' files.
 */
final class GoldenSpaces {
  static final long TABLES = 0x10_0000L;
  static final int IMAGE_SIZE = 2 << 20;

  private GoldenSpaces() {}

  /** Writes a leaf for {@code va} at {@code depth}, creating the tables above it. */
  private static void leaf(ImageBuilder b, long va, int depth, long pa, Attributes attributes) {
    Level level = b.level(depth);
    b.entry(va, depth, b.format.encodeLeaf(level, pa, attributes));
  }

  /** x86-64 4-level: user code and data, a swap marker, PAT memory types, both halves, the top page. */
  static ImageBuilder x86() {
    ImageBuilder b = ImageBuilder.of(Formats.x86_64(), IMAGE_SIZE, TABLES);
    Attributes userCode = Attributes.readExecute().withUser(true).withAccessed(true);
    leaf(b, 0x40_0000L, 3, 0x20_0000L, userCode);
    leaf(b, 0x40_1000L, 3, 0x20_1000L, userCode);
    leaf(b, 0x60_0000L, 3, 0x30_0000L, Attributes.readWrite().withUser(true).withAccessed(true).withDirty(true));
    b.entry(0x60_1000L, 3, 0x1234_5000L);
    leaf(b, 0x4000_0000L, 1, 0x1_0000_0000L, Attributes.readWrite().withMemoryType(5));
    leaf(b, 0x8020_0000L, 2, 0x60_0000L, Attributes.readWrite().withMemoryType(4));
    leaf(b, 0xffff_8000_0000_0000L, 2, 0x20_0000L, Attributes.readWrite().withGlobal(true));
    leaf(b, 0xffff_ffff_ffff_f000L, 3, 0x7000L, Attributes.readOnly().withGlobal(true).withMemoryType(7));
    return b;
  }

  /** x86-64 5-level: a user page, a user 1 GiB leaf under PML5 entry 1, the upper half's start, the top page. */
  static ImageBuilder x86FiveLevel() {
    ImageBuilder b = ImageBuilder.of(Formats.x86_64FiveLevel(), IMAGE_SIZE, TABLES);
    leaf(b, 0x1000L, 4, 0x5000L, Attributes.readExecute().withUser(true));
    leaf(b, 0x0001_0000_4000_0000L, 2, 0x4000_0000L, Attributes.readWrite().withUser(true));
    leaf(b, 0xff00_0000_0000_0000L, 3, 0x20_0000L, Attributes.readWrite().withGlobal(true));
    leaf(b, 0xffff_ffff_ffff_f000L, 4, 0x7000L, Attributes.readOnly().withGlobal(true));
    return b;
  }

  /** RISC-V Sv39, xv6-like: user pages, a megapage, a PBMT IO gigapage, the trampoline, kernel gigapage, top page. */
  static ImageBuilder sv39() {
    ImageBuilder b = ImageBuilder.of(Formats.sv39(), IMAGE_SIZE, TABLES);
    Attributes user = Attributes.readExecute().withUser(true).withAccessed(true);
    leaf(b, 0x1000L, 2, 0x8000_1000L, user);
    leaf(b, 0x2000L, 2, 0x8000_2000L, user);
    leaf(b, 0x3000L, 2, 0x8000_4000L, user);
    leaf(b, 0x20_0000L, 1, 0x8020_0000L, Attributes.readWrite().withUser(true).withAccessed(true).withDirty(true));
    leaf(b, 0x4000_0000L, 0, 0xc000_0000L, Attributes.readWrite().withMemoryType(2).withSoftwareBits(1));
    leaf(b, 0x3f_ffff_f000L, 2, 0x8000_7000L, Attributes.readExecute().withAccessed(true));
    leaf(b, 0xffff_ffc0_0000_0000L, 0, 0x8000_0000L,
        Attributes.readWrite().withExecutable(true).withGlobal(true).withAccessed(true).withDirty(true));
    leaf(b, 0xffff_ffff_ffff_f000L, 2, 0x8000_9000L, Attributes.readOnly().withGlobal(true));
    return b;
  }

  /** RISC-V Sv48: a 512 GiB terapage, then a megapage and a page right after it. */
  static ImageBuilder sv48() {
    ImageBuilder b = ImageBuilder.of(Formats.sv48(), IMAGE_SIZE, TABLES);
    Attributes rwad = Attributes.readWrite().withAccessed(true).withDirty(true);
    leaf(b, 0x0L, 0, 0x0L, rwad);
    leaf(b, 0x80_0000_0000L, 2, 0x80_0000_0000L, rwad);
    leaf(b, 0x80_0020_0000L, 3, 0x80_0020_0000L, rwad);
    return b;
  }

  /** Saves the first {@value #IMAGE_SIZE} bytes of {@code b}'s memory to {@code file}. */
  static Path save(ImageBuilder b, Path file) {
    try {
      return b.save(file, 0, IMAGE_SIZE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The golden file {@code dump/NAME} beside this class, copied from paging-tests. */
  static String golden(String name) {
    try (InputStream in = GoldenSpaces.class.getResourceAsStream("dump/" + name)) {
      if (in == null) {
        throw new IllegalStateException("golden file dump/" + name + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
