package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.core.Visitors;
import dev.paging.core.WalkOutcome;
import dev.paging.core.Walker;
import dev.paging.dump.Dump;
import dev.paging.dump.DumpRenderer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Dumps of corrupt tables, interrupted walks, sub-ranges, streaming and output errors. */
class DumpBehaviourTest {
  /**
   * PML4[0] empty, PML4[1] pointing to a table at 1 TiB (outside 64 MiB of memory); under
   * PML4[2] a 2 MiB leaf with address bits below 2 MiB set, then a good one.
   */
  private static Trees corrupt() {
    Trees t = Trees.of(Formats.x86_64());
    t.raw(0x80_0000_0000L, 0, (1L << 40) | 0x3);
    t.raw(0x100_0000_0000L, 2, 0x20_2083L);
    t.leaf(0x100_0020_0000L, 2, 0x40_0000L);
    return t;
  }

  @Test
  void ptdumpShowsEntriesItCannotFollowAsMarkedRunsOfTheirOwn() {
    assertThat(DumpSpaces.render(corrupt(), DumpRenderer::ptdump)).isEqualTo("""
        ---[ User Space ]---
        0x0000000000000000-0x0000008000000000         512G                               pgd
        0x0000008000000000-0x0000010000000000         512G     RW                     x  pgd ! TABLE_OUTSIDE_MEMORY
        0x0000010000000000-0x0000010000200000           2M     RW         PSE         x  pmd ! MISALIGNED_LEAF
        0x0000010000200000-0x0000010000400000           2M     RW         PSE         NX pmd
        0x0000010000400000-0x0000010040000000        1020M                               pmd
        0x0000010040000000-0x0000018000000000         511G                               pud
        0x0000018000000000-0x0000800000000000      129536G                               pgd
        ---[ Kernel Space ]---
        0xffff800000000000-0x0000000000000000         128T                               pgd
        """);
  }

  @Test
  void qemuListingsAndVmprintSkipWhatCannotBeFollowed() {
    Trees t = corrupt();
    assertThat(DumpSpaces.render(t, DumpRenderer::qemuInfoMem))
        .isEqualTo("0000010000200000-0000010000400000 0000000000200000 -rw\n");
    assertThat(DumpSpaces.render(t, DumpRenderer::qemuInfoTlb))
        .isEqualTo("0000010000200000: 0000000000400000 X-P-----W\n");
    assertThat(DumpSpaces.render(t, DumpRenderer::vmprintByIndex)).isEqualTo("""
        page table 0x0000000000100000
        ..1: pte 0x0000010000000003 pa 0x0000010000000000
        ..2: pte 0x0000000000101007 pa 0x0000000000101000
        .. ..0: pte 0x0000000000102007 pa 0x0000000000102000
        .. .. ..0: pte 0x0000000000202083 pa 0x0000000000202000
        .. .. ..1: pte 0x8000000000400083 pa 0x0000000000400000
        """);
  }

  @Test
  void jsonNamesEveryProblemAndStaysWellFormed() throws IOException {
    Map<String, List<String>> fields = jsonFields(DumpSpaces.render(corrupt(), DumpRenderer::json));
    assertThat(fields.get("problem")).containsExactly("TABLE_OUTSIDE_MEMORY", "MISALIGNED_LEAF");
    assertThat(fields.get("kind")).containsExactly("hole", "table", "table", "table", "malformed", "leaf", "hole",
        "hole", "hole", "hole");
    assertThat(fields.get("complete")).containsExactly("true");
    assertThat(fields.get("malformed")).containsExactly("2");
  }

  @Test
  void dotDrawsTablesOutsideMemoryAndMalformedEntriesInRed() {
    String dot = DumpSpaces.render(corrupt(), DumpRenderer::dot);
    assertThat(dot).contains(
        "  m0000010000000000 [shape=box, color=red, fontcolor=red, label=\"0x0000010000000000\\noutside memory\"];\n",
        "  t0000000000100000:e1:e -> m0000010000000000 [color=red];\n",
        "<tr><td>0</td><td port=\"e0\" align=\"left\"><font color=\"red\">malformed MISALIGNED_LEAF 0x0000000000202083</font></td></tr>");
    assertThat(dot).endsWith("}\n");
  }

  @Test
  void aWalkCutShortByItsBudgetStillEndsEveryRendererProperly() throws IOException {
    Trees t = DumpSpaces.x86();
    // Every entry costs one read, the words an empty run's scan passes included: PML4[0],
    // PDPT[0], PD[0] and PD[1] (the scan), PD[2], PT[0], PT[1], PT[2]; the scan of the empty
    // rest of the PT then runs out of the 11. Two leaves seen.
    Walker walker = t.space.walker().entryBudget(11);
    StringBuilder json = new StringBuilder();
    assertThat(Dump.write(walker, t.format, t.root(), VirtualRange.all(), DumpRenderer.json(json)))
        .isEqualTo(WalkOutcome.BUDGET_EXHAUSTED);
    Map<String, List<String>> fields = jsonFields(json.toString());
    assertThat(fields.get("complete")).containsExactly("false");
    assertThat(fields.get("leaves")).containsExactly("2");
    StringBuilder dot = new StringBuilder();
    Dump.write(walker, t.format, t.root(), VirtualRange.all(), DumpRenderer.dot(dot));
    assertThat(dot.toString()).contains("incomplete [shape=box, color=red, label=\"walk stopped early\"];\n")
        .contains("<b>PT</b> 0x0000000000103000").endsWith("}\n");
    StringBuilder ptdump = new StringBuilder();
    Dump.write(walker, t.format, t.root(), VirtualRange.all(), DumpRenderer.ptdump(ptdump));
    assertThat(ptdump.toString()).isEqualTo("""
        ---[ User Space ]---
        0x0000000000000000-0x0000000000400000           4M                               pmd
        0x0000000000400000-0x0000000000402000           8K USR ro                     x  pte
        """);
  }

  @Test
  void aSubRangeIsDumpedClippedToTheRange() throws IOException {
    Trees t = DumpSpaces.x86();
    StringBuilder out = new StringBuilder();
    Dump.write(t.space, VirtualRange.closed(0x40_1000L, 0x60_1fffL), DumpRenderer.ptdump(out));
    assertThat(out.toString()).isEqualTo("""
        ---[ User Space ]---
        0x0000000000401000-0x0000000000402000           4K USR ro                     x  pte
        0x0000000000402000-0x0000000000600000        2040K                               pte
        0x0000000000600000-0x0000000000601000           4K USR RW                     NX pte
        0x0000000000601000-0x0000000000602000           4K                               pte
        """);
  }

  @Test
  void everyRendererWritesBeforeTheWalkEnds() {
    List<Function<Appendable, DumpRenderer>> renderers = List.of(DumpRenderer::ptdump, DumpRenderer::qemuInfoMem,
        DumpRenderer::qemuInfoTlb, DumpRenderer::vmprintByIndex, DumpRenderer::vmprintByAddress, DumpRenderer::json,
        DumpRenderer::dot);
    for (Function<Appendable, DumpRenderer> renderer : renderers) {
      Trees t = DumpSpaces.x86();
      StringBuilder out = new StringBuilder();
      int[] before = {-1};
      PageTableVisitor watch = new PageTableVisitor() {
        @Override
        public Control onEntry(EntryCursor entry) {
          if (entry.first() == 0xffff_ffff_ffff_f000L) {
            before[0] = out.length();
          }
          return Control.CONTINUE;
        }
      };
      Walker.walk(t.space, VirtualRange.all(), Visitors.compose(watch, Dump.of(t.format, renderer.apply(out))));
      assertThat(before[0]).as("output written before the last leaf, %s", renderer.apply(new StringBuilder()))
          .isPositive().isLessThan(out.length());
    }
  }

  @Test
  void anOutputFailureSurfacesAsTheIOException() {
    IOException failure = new IOException("disk full");
    Appendable broken = new Appendable() {
      @Override
      public Appendable append(CharSequence csq) throws IOException {
        throw failure;
      }

      @Override
      public Appendable append(CharSequence csq, int start, int end) throws IOException {
        throw failure;
      }

      @Override
      public Appendable append(char c) throws IOException {
        throw failure;
      }
    };
    Trees t = DumpSpaces.x86();
    assertThatThrownBy(() -> Dump.write(t.space, VirtualRange.all(), DumpRenderer.vmprintByIndex(broken)))
        .isSameAs(failure);
    assertThatThrownBy(() -> Dump.write(t.space, VirtualRange.all(), DumpRenderer.json(broken))).isSameAs(failure);
  }

  @Test
  void qemuInfoTlbRefusesRiscVAsQemuHasNone() {
    Trees t = DumpSpaces.sv39();
    assertThatThrownBy(() -> DumpSpaces.render(t, DumpRenderer::qemuInfoTlb))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("QEMU's info tlb exists for x86 only; format sv39 has no such listing (use info mem for RISC-V)");
  }

  /** Every scalar value of a JSON document by field name, in document order; parsing checks it is well formed. */
  static Map<String, List<String>> jsonFields(String json) throws IOException {
    Map<String, List<String>> fields = new LinkedHashMap<>();
    try (JsonParser p = new JsonFactory().createParser(json)) {
      JsonToken token;
      while ((token = p.nextToken()) != null) {
        if (token.isScalarValue()) {
          fields.computeIfAbsent(p.currentName(), k -> new ArrayList<>()).add(p.getText());
        }
      }
    }
    return fields;
  }
}
