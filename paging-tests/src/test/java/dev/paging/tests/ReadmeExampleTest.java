package dev.paging.tests;

import static dev.paging.api.Addresses.hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.core.Formats;
import dev.paging.core.Visitors;
import dev.paging.core.Walker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Runs the README's example of writing and composing visitors, and checks that the README shows
 * exactly the code between the {@code readme-example} markers below.
 */
class ReadmeExampleTest {
  // readme-example:start
  /** Counts the pages a program has touched: leaves whose accessed bit is set. */
  class AccessedPages implements PageTableVisitor {
    long pages;

    @Override
    public Control onEntry(EntryCursor entry) {
      if (entry.kind() == EntryKind.LEAF && entry.attributes().accessed()) {
        pages++;
      }
      return Control.CONTINUE;
    }
  }

  /** Lists user-writable pages, skipping what sits below a supervisor-only table entry. */
  class UserWritablePages implements PageTableVisitor {
    final Attributes userWritable = Attributes.none().withUser(true).withWritable(true);
    final List<String> pages = new ArrayList<>();

    @Override
    public Control onEntry(EntryCursor entry) {
      if (entry.kind() == EntryKind.TABLE && !entry.attributes().user()) {
        return Control.SKIP_SUBTREE; // x86 ANDs U/S down the levels: nothing below is user
      }
      if (entry.kind() == EntryKind.LEAF && entry.attributes().permits(userWritable)) {
        pages.add(hex(entry.first()) + " -> " + hex(entry.target())); // copy: cursors are reused
      }
      return Control.CONTINUE;
    }
  }
  // readme-example:end

  /** A process (code, data, stack) in the lower half and a kernel in the upper half. */
  private static AddressSpace space() {
    Trees t = Trees.of(Formats.x86_64());
    Attributes user = Attributes.none().withReadable(true).withUser(true);
    t.leaf(0x40_0000L, 3, 0x20_0000L, user.withExecutable(true).withAccessed(true));
    t.leaf(0x60_0000L, 3, 0x20_1000L, user.withWritable(true).withAccessed(true).withDirty(true));
    t.leaf(0x7fff_ffff_f000L, 3, 0x20_2000L, user.withWritable(true));
    Attributes kernel = Attributes.readWrite().withGlobal(true);
    t.leaf(0xffff_8880_0000_0000L, 2, 0, kernel.withAccessed(true));
    t.leaf(0xffff_ffff_ffff_f000L, 3, 0xfee0_0000L, kernel.withUser(true).withAccessed(true));
    // Trees makes user table entries; the kernel's PML4 entries are supervisor-only, as in a real
    // kernel, so the top page's stray U bit does not make it reachable from user mode.
    PagingFormat f = t.format;
    for (long kernelVa : new long[] {0xffff_8880_0000_0000L, 0xffff_ffff_ffff_f000L}) {
      t.raw(kernelVa, 0, f.encodeTable(f.levels().get(0), t.table(kernelVa, 1),
          f.tableAttributesFor(Attributes.readWrite())));
    }
    return t.space;
  }

  @Test
  void theComposedVisitorsEachSeeWhatTheyWouldSeeAlone() {
    AddressSpace space = space();
    // readme-example:start
    AccessedPages accessed = new AccessedPages();
    UserWritablePages writable = new UserWritablePages();
    Walker.walk(space, VirtualRange.all(), Visitors.compose(accessed, writable)); // one pass
    // readme-example:end

    // Code, data, the direct map's 2 MiB page and the top page: the kernel half was walked for
    // the first visitor although the second skipped it.
    assertThat(accessed.pages).isEqualTo(4);
    assertThat(writable.pages).containsExactly(
        "0x0000000000600000 -> 0x0000000000201000",
        "0x00007ffffffff000 -> 0x0000000000202000");

    UserWritablePages alone = new UserWritablePages();
    Walker walker = space.walker();
    walker.walk(space.root(), VirtualRange.all(), alone);
    assertThat(alone.pages).isEqualTo(writable.pages);
    // Alone, it never enters the kernel half: the root, the PDPT, PD and two PTs of code and
    // data, and the PDPT, PD and PT of the stack.
    assertThat(walker.tablesVisited()).isEqualTo(1 + 4 + 3);
  }

  @Test
  void theReadmeShowsThisCode() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    int marker = readme.indexOf("<!-- readme-example -->");
    assertThat(marker).as("README.md has the <!-- readme-example --> marker").isNotNegative();
    int start = readme.indexOf("```java\n", marker) + "```java\n".length();
    String shown = readme.substring(start, readme.indexOf("```", start));

    String source = Files.readString(
        Path.of("src", "test", "java", "dev", "paging", "tests", "ReadmeExampleTest.java"), StandardCharsets.UTF_8);
    // Marker lines hold nothing but the marker comment, so the strings here are not markers.
    List<String> regions = new ArrayList<>();
    StringBuilder region = null;
    for (String line : source.split("\n", -1)) {
      if (line.strip().equals("// readme-example:start")) {
        region = new StringBuilder();
      } else if (line.strip().equals("// readme-example:end")) {
        regions.add(dedent(region.toString()));
        region = null;
      } else if (region != null) {
        region.append(line).append('\n');
      }
    }
    assertThat(regions).hasSize(2);
    assertThat(shown).isEqualTo(regions.get(0) + "\n" + regions.get(1));
  }

  /** Removes the indentation every non-blank line shares. */
  private static String dedent(String block) {
    List<String> lines = Arrays.asList(block.split("\n", -1));
    int indent = lines.stream().filter(l -> !l.isBlank())
        .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
    return lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).collect(Collectors.joining("\n"));
  }
}
