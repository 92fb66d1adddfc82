package dev.paging.tests.golden;

import dev.paging.api.Attributes;
import dev.paging.core.Formats;

/**
 * The address spaces whose dumps are pinned by golden texts, each defined once, entry by entry;
 * {@link GoldenSpace} builds one and reads its golden texts, the files beside this class. The
 * library's dump tests ({@code DumpGoldenTest}) and the command line's ({@code paging-cli}'s {@code
 * InspectGoldenTest}, which saves each space as an image with {@link GoldenSpace#saveImage} and
 * reads it back through {@code paging inspect}) hold their output to the same texts: paging-cli
 * gets this package, classes and texts, from paging-tests' test-jar.
 */
public final class GoldenSpaces {
  /** The simulated memory's size. */
  public static final long MEMORY = 64L << 20;
  /** Where the tables start: the root first, then one frame after another. */
  public static final long TABLES_BASE = 0x10_0000L;
  /** How many frames the allocator has for tables. */
  public static final long TABLE_FRAMES = 2048;

  private GoldenSpaces() {}

  /** The golden space whose golden files start with {@code name}: {@code x86}, {@code x86five}, {@code sv39} or {@code sv48}. */
  public static GoldenSpace named(String name) {
    switch (name) {
      case "x86":
        return x86();
      case "x86five":
        return x86FiveLevel();
      case "sv39":
        return sv39();
      case "sv48":
        return sv48();
      default:
        throw new IllegalArgumentException("no golden space " + name + "; there are x86, x86five, sv39 and sv48");
    }
  }

  /**
   * x86-64 4-level: two user code pages and a user data page (2 MiB apart, so two PTs), a
   * not-present swap marker, a 1 GiB and a 2 MiB leaf with PAT memory types, a global 2 MiB leaf
   * at the start of the upper half and a read-only page at the top of the address space.
   */
  public static GoldenSpace x86() {
    GoldenSpace t = new GoldenSpace("x86", Formats.x86_64());
    Attributes userCode = Attributes.readExecute().withUser(true).withAccessed(true);
    t.leaf(0x40_0000L, 3, 0x20_0000L, userCode);
    t.leaf(0x40_1000L, 3, 0x20_1000L, userCode);
    t.leaf(0x60_0000L, 3, 0x30_0000L, Attributes.readWrite().withUser(true).withAccessed(true).withDirty(true));
    t.raw(0x60_1000L, 3, 0x1234_5000L);
    t.leaf(0x4000_0000L, 1, 0x1_0000_0000L, Attributes.readWrite().withMemoryType(5));
    t.leaf(0x8020_0000L, 2, 0x60_0000L, Attributes.readWrite().withMemoryType(4));
    t.leaf(0xffff_8000_0000_0000L, 2, 0x20_0000L, Attributes.readWrite().withGlobal(true));
    t.leaf(0xffff_ffff_ffff_f000L, 3, 0x7000L, Attributes.readOnly().withGlobal(true).withMemoryType(7));
    return t;
  }

  /**
   * x86-64 5-level: a user page at 4 KiB, a user 1 GiB leaf under PML5 entry 1, a global 2 MiB
   * leaf at the start of the upper half (0xff00...) and the top page.
   */
  public static GoldenSpace x86FiveLevel() {
    GoldenSpace t = new GoldenSpace("x86five", Formats.x86_64FiveLevel());
    t.leaf(0x1000L, 4, 0x5000L, Attributes.readExecute().withUser(true));
    t.leaf(0x0001_0000_4000_0000L, 2, 0x4000_0000L, Attributes.readWrite().withUser(true));
    t.leaf(0xff00_0000_0000_0000L, 3, 0x20_0000L, Attributes.readWrite().withGlobal(true));
    t.leaf(0xffff_ffff_ffff_f000L, 4, 0x7000L, Attributes.readOnly().withGlobal(true));
    return t;
  }

  /**
   * RISC-V Sv39, xv6-like: three user code pages (the third not physically contiguous), a user
   * megapage, a gigapage with PBMT IO and an RSW bit, the trampoline page at the top of the lower
   * half, a global RWX gigapage at the start of the upper half and the top page.
   */
  public static GoldenSpace sv39() {
    GoldenSpace t = new GoldenSpace("sv39", Formats.sv39());
    Attributes user = Attributes.readExecute().withUser(true).withAccessed(true);
    t.leaf(0x1000L, 2, 0x8000_1000L, user);
    t.leaf(0x2000L, 2, 0x8000_2000L, user);
    t.leaf(0x3000L, 2, 0x8000_4000L, user);
    t.leaf(0x20_0000L, 1, 0x8020_0000L, Attributes.readWrite().withUser(true).withAccessed(true).withDirty(true));
    t.leaf(0x4000_0000L, 0, 0xc000_0000L, Attributes.readWrite().withMemoryType(2).withSoftwareBits(1));
    t.leaf(0x3f_ffff_f000L, 2, 0x8000_7000L, Attributes.readExecute().withAccessed(true));
    t.leaf(0xffff_ffc0_0000_0000L, 0, 0x8000_0000L,
        Attributes.readWrite().withExecutable(true).withGlobal(true).withAccessed(true).withDirty(true));
    t.leaf(0xffff_ffff_ffff_f000L, 2, 0x8000_9000L, Attributes.readOnly().withGlobal(true));
    return t;
  }

  /** RISC-V Sv48: a 512 GiB terapage, then a megapage and a page right after it. */
  public static GoldenSpace sv48() {
    GoldenSpace t = new GoldenSpace("sv48", Formats.sv48());
    t.leaf(0x0L, 0, 0x0L, Attributes.readWrite().withAccessed(true).withDirty(true));
    t.leaf(0x80_0000_0000L, 2, 0x80_0000_0000L, Attributes.readWrite().withAccessed(true).withDirty(true));
    t.leaf(0x80_0020_0000L, 3, 0x80_0020_0000L, Attributes.readWrite().withAccessed(true).withDirty(true));
    return t;
  }
}
