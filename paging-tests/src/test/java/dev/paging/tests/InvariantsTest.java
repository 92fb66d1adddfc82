package dev.paging.tests;

import static dev.paging.api.Addresses.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.core.AddressSpace;
import dev.paging.core.Formats;
import dev.paging.testkit.InvariantReport;
import dev.paging.testkit.Invariants;
import java.util.List;
import org.junit.jupiter.api.Test;

class InvariantsTest {
  private static Trees tree() {
    Trees t = Trees.of(Formats.x86_64());
    t.leaf(0x1000, 3, 0x5000);
    t.leaf(0x4000_0000L, 1, 0x4000_0000L);
    t.leaf(0xffff_8000_0000_0000L, 2, 0x20_0000L);
    return t;
  }

  @Test
  void aWellKeptTreeIsClean() {
    Trees t = tree();
    InvariantReport report = Invariants.check(t.space);
    assertThat(report.violations()).isEmpty();
    // root, PDPT, PD, PT in the lower half; PDPT and PD in the upper half
    assertThat(report.tables()).isEqualTo(6);
    assertThat(report).hasToString("invariants hold (6 tables)");
  }

  @Test
  void aTableLinkedTwiceMustBeRecordedAsShared() {
    Trees t = tree();
    long pdpt = t.table(0, 1);
    t.link(0xffff_ff80_0000_0000L, 0, pdpt);
    long secondLink = t.root() + 8 * 511;
    assertThat(Invariants.check(t.space).violations()).containsExactly(
        "PDPT table " + hex(pdpt) + " is linked from entries " + hex(t.root()) + " and " + hex(secondLink)
            + " but is not recorded as shared");
    t.space.sharedTables().share(pdpt);
    assertThat(Invariants.check(t.space).isClean()).isTrue();
  }

  @Test
  void aFrameNeitherLinkedNorHeldIsALeak() {
    Trees t = tree();
    long lost = t.allocator.allocate();
    InvariantReport report = Invariants.check(t.space);
    assertThat(report.violations()).containsExactly(
        "frame " + hex(lost) + " is allocated but neither a reachable table nor held: leaked");
    assertThatThrownBy(report::assertClean).isInstanceOf(AssertionError.class)
        .hasMessageContaining("1 invariant violated").hasMessageContaining(hex(lost));
    assertThat(Invariants.check(List.of(t.space), lost).isClean()).isTrue();
  }

  @Test
  void malformedEntriesAndForeignTablesAreViolations() {
    Trees t = tree();
    t.raw(0x0080_0000_0000L, 0, 0x2083);                              // PS in a PML4 entry
    t.link(0x0100_0000_0000L, 0, 0x3000);                            // a table the allocator never gave
    assertThat(Invariants.check(t.space).violations()).containsExactly(
        "RESERVED_BITS at PML4[1] of table " + hex(t.root()) + " (0x0000008000000000): entry 0x0000000000002083",
        "table 0x0000000000003000 is not a frame the allocator handed out");
  }

  @Test
  void severalSpacesShareOneAccounting() {
    Trees t = tree();
    long pdpt = t.table(0xffff_8000_0000_0000L, 1);
    t.space.sharedTables().share(pdpt);
    AddressSpace process = AddressSpace.create(t.format, t.memory, t.allocator, t.space.sharedTables());
    t.memory.write(process.root() + 8 * 256, t.memory.read(t.root() + 8 * 256));
    assertThat(Invariants.check(List.of(t.space, process)).violations()).isEmpty();
    // Checked alone, the process leaves the template's tables unaccounted for.
    assertThat(Invariants.check(process).violations()).hasSize(4);
  }
}
