package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.paging.api.Addresses;
import dev.paging.api.Attributes;
import dev.paging.api.Level;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.dump.Dump;
import dev.paging.dump.DumpRenderer;
import dev.paging.ops.MapOptions;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DOT view of a space shaped like a real Linux one stays a picture a screen can show: runs of
 * entries pointing to one table fold into one row and one edge, leaves group as the text views
 * group them, and every node says which virtual span it covers.
 */
class DotPictureTest {
  private static final long GIB = 1L << 30;
  private static final long MIB2 = 1L << 21;
  private static final long DIRECT_MAP = 0xffff_8880_0000_0000L;
  private static final long KERNEL_TEXT = 0xffff_ffff_8100_0000L;
  /** Linux's ESPFIX area: PML4 entry 510. */
  private static final long ESPFIX = 0xffff_ff00_0000_0000L;

  @TempDir
  Path dir;

  /**
   * A kernel half with a 4 GiB direct map (2 MiB pages for the first GiB, 1 GiB pages after), 16
   * MiB of kernel text in 2 MiB pages and an ESPFIX-style area (64 PDPT entries to one PD, whose
   * 512 entries all point to one PT, whose 512 entries all map one stack page), and a user half
   * with code, heap, libraries and a stack.
   */
  private static Space linuxLike() {
    Space s = Space.of(Formats.x86_64());
    Attributes kernel = Attributes.readWrite().withGlobal(true);
    s.tables.map(VirtualRange.ofLength(DIRECT_MAP, GIB), 0, kernel, MapOptions.defaults().withPageSize(MIB2));
    s.tables.map(VirtualRange.ofLength(DIRECT_MAP + GIB, 3 * GIB), GIB, kernel);
    s.tables.map(VirtualRange.ofLength(KERNEL_TEXT, 8 * MIB2), 0x100_0000L,
        Attributes.readExecute().withGlobal(true), MapOptions.defaults().withPageSize(MIB2));
    Attributes user = Attributes.readWrite().withUser(true);
    s.tables.map(VirtualRange.ofLength(0x40_0000L, 16 << 12), 0x200_0000L, Attributes.readExecute().withUser(true));
    for (int i = 0; i < 40; i++) {
      // Heap pages wherever the allocator found frames.
      s.tables.map(VirtualRange.page(0x60_0000L + ((long) i << 12)), 0x300_0000L + ((long) (i * 7 % 40) << 12), user);
    }
    s.tables.map(VirtualRange.ofLength(0x7f12_3400_0000L, 64 << 12), 0x320_0000L, Attributes.readExecute().withUser(true));
    s.tables.map(VirtualRange.ofLength(0x7fff_fffd_e000L, 33 << 12), 0x340_0000L, user);
    // ESPFIX, by hand, as Linux's espfix64 builds it.
    Level pml4 = s.level(0);
    Level pdpt = s.level(1);
    Level pd = s.level(2);
    Level pt = s.level(3);
    Attributes table = s.format.tableAttributesFor(kernel);
    long pudPage = s.allocator.allocate();
    long pmdPage = s.allocator.allocate();
    long ptePage = s.allocator.allocate();
    long stack = 0x380_0000L;
    for (int i = 0; i < 512; i++) {
      s.memory.write(ptePage + 8L * i, s.format.encodeLeaf(pt, stack, kernel.withExecutable(false)));
      s.memory.write(pmdPage + 8L * i, s.format.encodeTable(pd, ptePage, table));
    }
    for (int i = 0; i < 64; i++) {
      s.memory.write(pudPage + 8L * i, s.format.encodeTable(pdpt, pmdPage, table));
    }
    s.memory.write(s.space().root() + 8L * pml4.index(ESPFIX), s.format.encodeTable(pml4, pudPage, table));
    return s;
  }

  private static String dot(Space s) throws IOException {
    StringBuilder out = new StringBuilder();
    Dump.write(s.space(), VirtualRange.all(), DumpRenderer.dot(out));
    return out.toString();
  }

  @Test
  void runsOfPointersToOneTableAreOneRowAndOneEdge() throws IOException {
    Space s = linuxLike();
    String dot = dot(s);
    long pudPage = s.format.address(s.level(0), s.memory.read(s.space().root() + 8L * s.level(0).index(ESPFIX)));
    long pmdPage = s.format.address(s.level(1), s.memory.read(pudPage));
    String pud = "t" + Addresses.hex(pudPage).substring(2);
    String pmd = "t" + Addresses.hex(pmdPage).substring(2);
    assertThat(dot).contains("  " + pud + ":e0:e -> " + pmd + " [label=\"x64\"];\n");
    assertThat(dot).contains("<td>0..63</td><td port=\"e0\" align=\"left\">64 x table 0x");
    assertThat(dot).contains("<td>0..511</td><td port=\"e0\" align=\"left\">512 x table 0x");
    assertThat(dot).contains("[label=\"x512\"];\n");
    // The direct map's first GiB: one row of 512 contiguous 2 MiB pages.
    assertThat(dot).contains("512 x 2M -&gt; 0x0000000000000000 rw--g--");
    // The heap's pages are scattered: grouped all the same, without a physical address.
    assertThat(dot).contains("40 x 4K (not physically contiguous) rw-u---");
    // Every node says what it covers: the ESPFIX PDPT covers PML4 entry 510's 512 GiB.
    assertThat(dot).contains("<b>PDPT</b> " + Addresses.hex(pudPage) + "<br/>0xffffff0000000000..0xffffff7fffffffff");
    long edges = dot.lines().filter(l -> l.contains(" -> ")).count();
    long nodes = dot.lines().filter(l -> l.contains(" [label=<<table")).count();
    assertThat(edges).isLessThan(20);
    assertThat(nodes).isLessThan(20);
  }

  @Test
  void graphvizRendersItWithinAScreensSize() throws Exception {
    String dotCommand = onPath("dot");
    assumeTrue(dotCommand != null, "Graphviz's dot is not installed: the picture's size is not checked "
        + "(apt-get install graphviz, or brew install graphviz, to check it)");
    Path source = Files.writeString(dir.resolve("linux.dot"), dot(linuxLike()));
    Path png = dir.resolve("linux.png");
    Process p = new ProcessBuilder(dotCommand, "-Tpng", "-o", png.toString(), source.toString())
        .redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("dot finished").isTrue();
    assertThat(p.exitValue()).as(log).isZero();
    int[] size = pngSize(png);
    assertThat(Math.max(size[0], size[1])).as("%d x %d px", size[0], size[1]).isLessThan(4000);
  }

  /** Width and height from a PNG's IHDR chunk, which the format puts first. */
  private static int[] pngSize(Path png) throws IOException {
    try (InputStream in = Files.newInputStream(png)) {
      byte[] head = in.readNBytes(24);
      assertThat(head[1]).isEqualTo((byte) 'P');
      int width = (head[16] & 0xff) << 24 | (head[17] & 0xff) << 16 | (head[18] & 0xff) << 8 | (head[19] & 0xff);
      int height = (head[20] & 0xff) << 24 | (head[21] & 0xff) << 16 | (head[22] & 0xff) << 8 | (head[23] & 0xff);
      return new int[] {width, height};
    }
  }

  private static String onPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String d : path.split(Pattern.quote(File.pathSeparator))) {
      File f = new File(d, command);
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    return null;
  }
}
