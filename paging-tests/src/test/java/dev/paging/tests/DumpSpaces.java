package dev.paging.tests;

import dev.paging.api.VirtualRange;
import dev.paging.dump.Dump;
import dev.paging.dump.DumpRenderer;
import dev.paging.tests.golden.GoldenSpaces;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Function;

/**
 * The {@link GoldenSpaces} as {@link Trees}, for the dump and audit tests that change them or
 * build on them with Trees' helpers, and rendering a tree's whole address space.
 */
final class DumpSpaces {
  private DumpSpaces() {}

  /** {@link GoldenSpaces#x86()}: x86-64 4-level, both halves, 4 KiB, 2 MiB and 1 GiB leaves, the top page. */
  static Trees x86() {
    return Trees.over(GoldenSpaces.x86());
  }

  /** {@link GoldenSpaces#sv39()}: RISC-V Sv39, xv6-like, with a global RWX gigapage. */
  static Trees sv39() {
    return Trees.over(GoldenSpaces.sv39());
  }

  /** What {@code renderer} writes for the whole address space of {@code t}. */
  static String render(Trees t, Function<Appendable, DumpRenderer> renderer) {
    StringBuilder out = new StringBuilder();
    try {
      Dump.write(t.space, VirtualRange.all(), renderer.apply(out));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
