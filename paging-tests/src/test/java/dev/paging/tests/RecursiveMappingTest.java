package dev.paging.tests;

import static dev.paging.api.Addresses.hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Addresses;
import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.MappingConflictException;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.TableCursor;
import dev.paging.api.VirtualRange;
import dev.paging.audit.AuditReport;
import dev.paging.audit.AuditRules;
import dev.paging.audit.Finding;
import dev.paging.audit.Severity;
import dev.paging.core.Formats;
import dev.paging.core.WalkOutcome;
import dev.paging.core.Walker;
import dev.paging.dump.DumpRenderer;
import dev.paging.fakes.MemorySnapshot;
import dev.paging.ops.DestroyResult;
import dev.paging.ops.PageTables;
import dev.paging.ops.ReclaimMode;
import dev.paging.ops.ReclaimResult;
import dev.paging.ops.Translator;
import dev.paging.ops.UnmapResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A root entry that points back to the root, as Windows x64 puts at PML4 index 0x1ED: legal, and
 * followed as the MMU follows it. The expected addresses come from how Windows computes them, not
 * from this library: the PML4 maps itself at 0xfffff6fb7dbed000 (0x1ED at every level), and the
 * PTE of {@code va} is at {@code PTE_BASE + ((va >> 9) & 0x7ffffffff8)} with {@code PTE_BASE =
 * 0xfffff68000000000}, the window's first address.
 */
class RecursiveMappingTest {
  private static final int SELF = 0x1ed;
  private static final long PTE_BASE = 0xffff_f680_0000_0000L;
  private static final long PML4_SELF = 0xffff_f6fb_7dbe_d000L;
  private static final long USER_PAGE = 0x40_1000L;
  private static final long DATA = 0x20_0000L;
  private static final long GIB_1 = 1L << 30;

  /** A space with one user page, and the self-map at PML4[0x1ED], present, writable, supervisor, NX. */
  private static Space selfMapped() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.page(USER_PAGE), DATA, Attributes.readWrite().withUser(true));
    long root = s.space().root();
    s.memory.write(root + 8L * SELF, root | 0x3 | Long.MIN_VALUE);
    return s;
  }

  /** Where Windows finds the entry that maps {@code va} one level up; applied twice, the PDE, and so on. */
  private static long pteAddress(long va) {
    return PTE_BASE + ((va >>> 9) & 0x7f_ffff_fff8L);
  }

  @Test
  void windowsSelfMapAddressesTranslateToTheTablesThemselves() {
    Space s = selfMapped();
    long root = s.space().root();
    assertThat(PTE_BASE).isEqualTo(Addresses.signExtend((long) SELF << 39, 48));
    assertThat(PML4_SELF).isEqualTo(pteAddress(pteAddress(pteAddress(pteAddress(0)))));
    assertThat(s.tables.physicalAddressOrElse(PML4_SELF, Translator.NOT_MAPPED)).isEqualTo(root);
    assertThat(s.translate(PML4_SELF + 8L * SELF).physicalAddress()).isEqualTo(root + 8L * SELF);
    // Reading through the window gives each level's entry for the page, as Windows reads them.
    long pte = pteAddress(USER_PAGE);
    long pde = pteAddress(pte);
    long pdpte = pteAddress(pde);
    long pml4e = pteAddress(pdpte);
    long[] window = {pml4e, pdpte, pde, pte};
    for (int depth = 0; depth < 4; depth++) {
      long pa = s.tables.physicalAddressOrElse(window[depth], Translator.NOT_MAPPED);
      assertThat(pa).as("level %d of %s through %s", depth, hex(USER_PAGE), hex(window[depth]))
          .isEqualTo(s.entryAddress(USER_PAGE, depth));
      assertThat(s.memory.read(pa)).isEqualTo(s.entry(USER_PAGE, depth));
    }
    // The window is supervisor-only and not executable, whatever the user tables below allow.
    Attributes effective = s.translate(pte).effectiveAttributes();
    assertThat(effective.user()).isFalse();
    assertThat(effective.executable()).isFalse();
    assertThat(effective.writable()).isTrue();
    // The batch form agrees address by address.
    long[] pas = new long[4];
    s.tables.physicalAddresses(window, pas, -1);
    for (int depth = 0; depth < 4; depth++) {
      assertThat(pas[depth]).isEqualTo(s.entryAddress(USER_PAGE, depth));
    }
  }

  @Test
  void onRiscVTheWalkEndsAtAPointerInTheLastLevelAsTheMmusDoes() {
    Space s = Space.of(Formats.sv39());
    long root = s.space().root();
    s.memory.write(root + 8, (root >>> 12) << 10 | 0x1);
    // Sv39 root entry 1 again at each of the three levels: L0[1] is a pointer, which the
    // privileged spec makes a page fault at level 0.
    long va = (1L << 30) | (1L << 21) | (1L << 12);
    assertThat(s.tables.physicalAddressOrElse(va, Translator.NOT_MAPPED)).isEqualTo(Translator.NOT_MAPPED);
    assertThat(s.translate(va).problem()).hasValueSatisfying(p -> assertThat(p.name()).isEqualTo("TABLE_AT_LAST_LEVEL"));
  }

  @Test
  void theCursorMarksRecursiveEntriesAndEveryTableInTheirWindow() {
    Space s = selfMapped();
    long windowFirst = PTE_BASE;
    long windowLast = PTE_BASE + (1L << 39) - 1;
    List<String> recursive = new ArrayList<>();
    List<String> misplaced = new ArrayList<>();
    WalkOutcome outcome = Walker.walk(s.space(), VirtualRange.all(), new PageTableVisitor() {
      @Override
      public Control beforeTable(TableCursor t) {
        boolean inside = Long.compareUnsigned(t.first(), windowFirst) >= 0 && Long.compareUnsigned(t.last(), windowLast) <= 0
            && t.level().depth() > 0;
        if (t.inRecursiveWindow() != inside) {
          misplaced.add(t.toString());
        }
        return Control.CONTINUE;
      }

      @Override
      public Control onEntry(EntryCursor e) {
        if (e.recursive()) {
          recursive.add(e.level() + "[" + e.index() + "] " + hex(e.first()));
        }
        return Control.CONTINUE;
      }
    });
    assertThat(outcome).isEqualTo(WalkOutcome.COMPLETED);
    assertThat(misplaced).isEmpty();
    // Seen as a PML4, a PDPT and a PD entry; as a PT entry it is a leaf mapping the root.
    assertThat(recursive).containsExactly(
        "PML4[493] " + hex(PTE_BASE),
        "PDPT[493] " + hex(PTE_BASE + ((long) SELF << 30)),
        "PD[493] " + hex(PTE_BASE + ((long) SELF << 30) + ((long) SELF << 21)));
  }

  @Test
  void qemuInfoTlbListsEveryAliasTheWindowMakes() throws IOException {
    Space s = selfMapped();
    long root = s.space().root();
    long pdpt = s.tableAt(USER_PAGE, 1);
    long pd = s.tableAt(USER_PAGE, 2);
    long pt = s.tableAt(USER_PAGE, 3);
    StringBuilder out = new StringBuilder();
    s.tables.dump(VirtualRange.all(), DumpRenderer.qemuInfoTlb(out));
    // The page itself, then each table once, at the window address of the entry that links it,
    // with the bits of that entry (QEMU prints a leaf's own bits, XGPDACTUW).
    assertThat(out.toString()).isEqualTo(
        tlbLine(USER_PAGE, DATA, s.entry(USER_PAGE, 3))
            + tlbLine(pteAddress(USER_PAGE) & ~0xfffL, pt, s.entry(USER_PAGE, 2))
            + tlbLine(pteAddress(pteAddress(USER_PAGE)) & ~0xfffL, pd, s.entry(USER_PAGE, 1))
            + tlbLine(pteAddress(pteAddress(pteAddress(USER_PAGE))) & ~0xfffL, pdpt, s.entry(USER_PAGE, 0))
            + tlbLine(PML4_SELF, root, s.memory.read(root + 8L * SELF)));
  }

  /** QEMU's target/i386/monitor.c print_pte for a 4 KiB leaf, written from its source's bit order. */
  private static String tlbLine(long va, long pa, long raw) {
    String bits = (raw < 0 ? "X" : "-") + ((raw & 0x100) != 0 ? "G" : "-") + "-"
        + ((raw & 0x40) != 0 ? "D" : "-") + ((raw & 0x20) != 0 ? "A" : "-") + ((raw & 0x10) != 0 ? "C" : "-")
        + ((raw & 0x08) != 0 ? "T" : "-") + ((raw & 0x04) != 0 ? "U" : "-") + ((raw & 0x02) != 0 ? "W" : "-");
    return String.format("%016x: %016x %s", va, pa, bits) + "\n";
  }

  @Test
  void theAuditReportsTheSelfMapAsInformationAndAuditsNothingTwice() {
    Space s = selfMapped();
    long root = s.space().root();
    AuditReport report = s.tables.audit();
    assertThat(report.hasErrors()).isFalse();
    assertThat(report.findings()).extracting(Finding::ruleId).containsExactly(AuditRules.RECURSIVE_MAPPING);
    Finding f = report.findings().get(0);
    assertThat(f.severity()).isEqualTo(Severity.INFO);
    assertThat(f.range()).isEqualTo(VirtualRange.closed(PTE_BASE, PTE_BASE + (1L << 39) - 1));
    assertThat(f.message()).isEqualTo("recursive mapping at index 493: PML4 entry " + hex(root | 0x3 | Long.MIN_VALUE)
        + " points back to its own table " + hex(root) + ", so this window shows the space's own tables");
    // Without NX on the entry the window makes every table writable and executable, and says so.
    s.memory.write(root + 8L * SELF, root | 0x3);
    assertThat(s.tables.audit().findings().get(0).message()).endsWith(" (writable and executable)");
  }

  @Test
  void destroyFreesEveryTableOnceAndNothingThroughTheWindow() {
    Space s = selfMapped();
    List<Long> tables = List.of(s.space().root(), s.tableAt(USER_PAGE, 1), s.tableAt(USER_PAGE, 2),
        s.tableAt(USER_PAGE, 3));
    DestroyResult result = s.tables.destroy();
    assertThat(result.pendingFrees().frames()).hasSize(4);
    assertThat(asList(result.pendingFrees().frames())).containsExactlyInAnyOrderElementsOf(tables);
    // The window's cached translations of the tables die with them.
    assertThat(result.plan().ranges()).contains(VirtualRange.closed(PTE_BASE, PTE_BASE + (1L << 39) - 1));
    result.pendingFrees().release();
    assertThat(s.allocator.allocatedCount()).isZero();
  }

  @Test
  void reclaimFreesTheEmptiedTablesWhereTheyHangAndKeepsTheSelfMap() {
    Space s = selfMapped();
    long root = s.space().root();
    List<Long> tables = List.of(s.tableAt(USER_PAGE, 3), s.tableAt(USER_PAGE, 2), s.tableAt(USER_PAGE, 1));
    s.tables.unmap(VirtualRange.page(USER_PAGE));
    // Strict over the window alone: nothing there is a table of its own, so nothing to free.
    MemorySnapshot before = s.memory.snapshot();
    assertThat(s.tables.reclaim(VirtualRange.ofLength(PTE_BASE, 1L << 39), ReclaimMode.STRICT).count()).isZero();
    assertThat(before.diff(s.memory.snapshot())).isEmpty();
    ReclaimResult result = s.tables.reclaim(VirtualRange.all(), ReclaimMode.COLLECT);
    assertThat(asList(result.frames())).containsExactlyElementsOf(tables);
    assertThat(s.memory.read(root)).isZero();
    assertThat(s.memory.read(root + 8L * SELF)).isEqualTo(root | 0x3 | Long.MIN_VALUE);
    result.pendingFrees().release();
    assertThat(s.allocator.allocatedCount()).isEqualTo(1);
  }

  @Test
  void editsThatReachTheWindowAreRefusedAndChangeNothing() {
    Space s = selfMapped();
    long root = s.space().root();
    long pte = pteAddress(USER_PAGE) & ~0xfffL;
    String why = "the PML4 entry 493 " + hex(root | 0x3 | Long.MIN_VALUE) + " points back to the table " + hex(root)
        + " (a recursive mapping), so [" + hex(PTE_BASE) + ", " + hex(PTE_BASE + (1L << 39) - 1)
        + "] is a window onto the space's own tables and editing there would rewrite them; nothing was changed";
    Attributes rw = Attributes.readWrite();
    List<Runnable> edits = List.of(
        () -> s.tables.map(VirtualRange.page(pte + 0x1000), 0x30_0000, rw),
        () -> s.tables.mapPage(pte + 0x1000, 0x30_0000, rw),
        () -> s.tables.unmap(VirtualRange.page(pte)),
        () -> s.tables.unmapPage(pte),
        () -> s.tables.unmap(VirtualRange.closed(0xffff_8000_0000_0000L, -1L)),
        () -> s.tables.protect(VirtualRange.page(pte), Attributes.readOnly()),
        () -> s.tables.protectPage(pte, Attributes.readOnly()),
        () -> s.tables.smash(pte, 0x1000));
    for (Runnable edit : edits) {
      Throwable t = s.unchangedBy(edit);
      assertThat(t).isInstanceOf(MappingConflictException.class).hasMessageContaining(why);
    }
    // Whole-space edits that need not enter the window go on around it.
    assertThat(s.tables.collapse(VirtualRange.all()).collapsed()).isEmpty();
    assertThat(s.tables.translate(USER_PAGE).physicalAddress()).isEqualTo(DATA);
  }

  @Test
  void editingThroughTheWindowDoesWhatTheMmuReadsThere() {
    Space s = selfMapped();
    PageTables through = s.tables.editingThroughRecursiveEntries();
    long pt = s.tableAt(USER_PAGE, 3);
    long pdEntry = s.entry(USER_PAGE, 2);
    long ptWindowPage = pteAddress(USER_PAGE) & ~0xfffL;
    // Unmapping the window page that shows the PT clears the PD entry that links it.
    UnmapResult unmapped = through.unmapPage(ptWindowPage);
    assertThat(unmapped.unmapped()).hasSize(1);
    assertThat(unmapped.unmapped().get(0).physicalAddress()).isEqualTo(pt);
    assertThat(s.memory.read(s.entryAddress(USER_PAGE, 2))).isZero();
    assertThat(s.translate(USER_PAGE).isMapped()).isFalse();
    // Mapping the PT's frame there again links it again: the page is back.
    through.mapPage(ptWindowPage, pt, Attributes.readWrite().withUser(true));
    assertThat(s.translate(USER_PAGE).physicalAddress()).isEqualTo(DATA);
    assertThat(s.memory.read(s.entryAddress(USER_PAGE, 2)) & 0x000f_ffff_ffff_f000L)
        .isEqualTo(pdEntry & 0x000f_ffff_ffff_f000L);
    assertThat(through.toString()).endsWith(", editing through recursive entries]");
  }

  @Test
  void aHugeLeafMappedOverTheWindowFreesNoTableItShows() {
    Space s = selfMapped();
    PageTables through = s.tables.editingThroughRecursiveEntries();
    long pd = s.tableAt(USER_PAGE, 2);
    int allocated = s.allocator.allocatedCount();
    // The window's 2 MiB at PTE_BASE is the real PDPT entry 0 (the link to the PD) seen one level
    // down: a 2 MiB leaf there would unlink the PD and hand it back as a frame to free.
    dev.paging.ops.MapResult r = through.map(VirtualRange.ofLength(PTE_BASE, 1L << 21), 0x60_0000L,
        Attributes.readWrite(), dev.paging.ops.MapOptions.replacing());
    assertThat(r.pendingFrees().frames()).isEmpty();
    assertThat(s.allocator.allocatedCount()).isEqualTo(allocated);
    assertThat(s.allocator.isAllocated(pd)).isTrue();
    assertThat(s.format.address(s.level(1), s.memory.read(s.entryAddress(USER_PAGE, 1)))).isEqualTo(pd);
  }

  @Test
  void dumpsMarkTheRecursiveEntry() throws IOException {
    Space s = selfMapped();
    long root = s.space().root();
    StringBuilder json = new StringBuilder();
    StringBuilder dot = new StringBuilder();
    s.tables.dump(VirtualRange.all(), DumpRenderer.json(json));
    s.tables.dump(VirtualRange.all(), DumpRenderer.dot(dot));
    // Only the root's entry 493 and its copies one and two levels down in the window.
    assertThat(json.toString().lines().filter(l -> l.contains("\"recursive\": true")).count()).isEqualTo(3);
    String id = "t" + hex(root).substring(2);
    assertThat(dot.toString()).contains("  " + id + ":e493:e -> " + id + " [style=dashed, label=\"recursive\"];\n")
        .contains("<td>493</td><td port=\"e493\" align=\"left\">recursive " + hex(root) + "</td>");
    // The window's tables are drawn once, where they hang: four nodes.
    assertThat(dot.toString().lines().filter(l -> l.contains(" [label=<<table")).count()).isEqualTo(4);
  }

  @Test
  void aRecursiveEntryBelowTheRootKeepsItsTableAndSaysHowFarUpItPoints() {
    Space s = Space.of(Formats.x86_64());
    long root = s.space().root();
    s.tables.map(VirtualRange.page(USER_PAGE), DATA, Attributes.readWrite().withUser(true));
    s.tables.unmap(VirtualRange.page(USER_PAGE));
    // PD entry 0 of the emptied PD points back to the root, two levels up.
    long pd = s.tableAt(USER_PAGE, 2);
    long pt = s.format.address(s.level(2), s.memory.read(s.entryAddress(USER_PAGE, 2)));
    long link = root | 0x3;
    s.memory.write(pd, link);
    Throwable strict = s.unchangedBy(() -> s.tables.reclaim(VirtualRange.ofLength(0, GIB_1), ReclaimMode.STRICT));
    assertThat(strict).hasMessageContaining("PD table " + hex(pd) + " spanning [0x0000000000000000, "
        + "0x000000003fffffff] is not empty: entry 0 [0x0000000000000000, 0x00000000001fffff] holds " + hex(link)
        + ", a recursive link to the table " + hex(root) + ", one of its own ancestors");
    assertThat(s.tables.audit().findings(AuditRules.RECURSIVE_MAPPING)).singleElement()
        .satisfies(f -> assertThat(f.message()).isEqualTo("recursive mapping at index 0: PD entry " + hex(link)
            + " points back to the table 2 levels above " + hex(root) + ", so this window shows the space's own"
            + " tables (writable and executable)"));
    // Collect frees the emptied PT and keeps the PD (its entry 0 is live), freeing nothing through the link.
    assertThat(s.tables.reclaim(VirtualRange.ofLength(0, GIB_1), ReclaimMode.COLLECT).frames()).containsExactly(pt);
    assertThat(s.memory.read(pd)).isEqualTo(link);
  }

  @Test
  void theTablesLinkedTwiceRuleAndTheInvariantsAcceptTheSelfMap() {
    Space s = selfMapped();
    assertThat(dev.paging.testkit.Invariants.check(s.space()).violations()).isEmpty();
    assertThat(s.tables.audit().findings(AuditRules.SHARED_TABLE)).isEmpty();
  }

  private static List<Long> asList(long[] frames) {
    List<Long> list = new ArrayList<>();
    for (long f : frames) {
      list.add(f);
    }
    return list;
  }
}
