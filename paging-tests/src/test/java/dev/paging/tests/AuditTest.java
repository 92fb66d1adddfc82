package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Addresses;
import dev.paging.api.Attributes;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.audit.Audit;
import dev.paging.audit.AuditReport;
import dev.paging.audit.AuditRule;
import dev.paging.audit.AuditRules;
import dev.paging.audit.Finding;
import dev.paging.audit.Severity;
import dev.paging.core.AddressSpace;
import dev.paging.core.Formats;
import dev.paging.core.X86Options;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.ops.MapOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** One built scenario per audit rule, with exactly the findings it must give; clean spaces give none. */
class AuditTest {
  private static final long TOP_PAGE = 0xffff_ffff_ffff_f000L;

  private static String audit(Trees t) {
    return Audit.run(t.space, VirtualRange.all()).toString();
  }

  @Test
  void aCleanX86SpaceHasNoFinding() {
    Trees t = Trees.of(Formats.x86_64());
    t.leaf(0x40_0000L, 3, 0x20_0000L, Attributes.readExecute().withUser(true));
    t.leaf(0x60_0000L, 3, 0x30_0000L, Attributes.readWrite().withUser(true));
    t.leaf(0xffff_8000_0000_0000L, 2, 0x100_0000L, Attributes.readExecute().withGlobal(true));
    t.leaf(0xffff_8000_0020_0000L, 2, 0x120_0000L, Attributes.readWrite().withGlobal(true));
    t.leaf(0xffff_8000_4000_0000L, 1, 0x4000_0000L, Attributes.readWrite().withGlobal(true));
    t.leaf(TOP_PAGE, 3, 0x7000L, Attributes.readOnly().withGlobal(true));
    AuditReport report = Audit.run(t.space, VirtualRange.all());
    assertThat(report.findings()).isEmpty();
    assertThat(report.isClean()).isTrue();
    assertThat(report.complete()).isTrue();
    assertThat(report.toString()).isEqualTo("summary: 0 findings: 0 errors, 0 warnings, 0 information\n");
  }

  /**
   * AArch64's permissions, with descriptors composed from the Arm ARM's bits: 0b11 page, AF 0x400,
   * AP[1] 0x40 (EL0), AP[2] 0x80 (read-only), PXN bit 53, UXN bit 54.
   */
  @Nested
  class Aarch64 {
    static final long PAGE = 0b11 | 0x400;
    static final long EL0 = 0x40;
    static final long RO = 0x80;
    static final long PXN = 1L << 53;
    static final long UXN = 1L << 54;
    static final long CONT = 1L << 52;
    static final long KERNEL = 0xffff_0000_0000_0000L;

    @Test
    void aCleanSpaceAsLinuxMapsItHasNoFinding() {
      Trees t = Trees.of(Formats.aarch64());
      t.raw(0x40_0000L, 3, 0x20_0000L | PAGE | EL0 | RO | PXN | 0x800);   // user text
      t.raw(0x60_0000L, 3, 0x30_0000L | PAGE | EL0 | PXN | UXN | 0x800);   // user data
      t.raw(0x61_0000L, 3, 0x31_0000L | PAGE | EL0 | UXN | 0x800);   // user data without PXN: EL1 may not execute it anyway
      t.raw(KERNEL, 3, 0x40_0000L | PAGE | RO | UXN);   // kernel text
      t.raw(KERNEL + 0x1000, 3, 0x50_0000L | PAGE | PXN | UXN);   // kernel data
      assertThat(audit(t)).isEqualTo("summary: 0 findings: 0 errors, 0 warnings, 0 information\n");
    }

    @Test
    void writeExecuteExecuteAtBothLevelsAndUserExecuteInTheKernelHalfNameEachLevel() {
      Trees t = Trees.of(Formats.aarch64());
      t.raw(0x2000, 3, 0x6000 | PAGE | EL0 | RO);   // EL0 r-x, EL1 r-x
      t.raw(0x3000, 3, 0x7000 | PAGE | UXN);   // EL1 rwx
      t.raw(0x4000, 3, 0x8000 | PAGE | EL0);   // EL0 rwx; EL1 may not execute what EL0 writes
      t.raw(KERNEL, 3, 0x9000 | PAGE | RO | PXN);   // EL0 execute-only, in TTBR1's half
      assertThat(audit(t)).isEqualTo("""
          WARNING exec-el0-el1           [0x0000000000002000, 0x0000000000002fff] L3   table 0x0000000000104000: executable by EL0 and EL1 (EL0 r-x EL1 r-x)
          WARNING wx                     [0x0000000000003000, 0x0000000000004fff] L3   table 0x0000000000104000: writable and executable
          ERROR   user-exec-kernel-half  [0xffff000000000000, 0xffff000000000fff] L3   table 0x0000000000107000: user-executable mapping in the kernel half
          summary: 3 findings: 1 error, 2 warnings, 0 information
            exec-el0-el1           1
            user-exec-kernel-half  1
            wx                     1
          """);
    }

    @Test
    void reservedBitsAndEncodingsAreNamedAsTheArmArmNamesThem() {
      Trees t = Trees.of(Formats.aarch64());
      t.raw(0x1000, 3, 0x5000 | PAGE | PXN | UXN | 1L << 48);
      t.raw(0x2000, 3, 0x6000 | 0b01 | 0x400);
      assertThat(audit(t)).isEqualTo("""
          ERROR   reserved-bits          [0x0000000000001000, 0x0000000000001fff] L3   table 0x0000000000104000: L3 entry 1 0x0061000000005403: RES0 bits 49:48 of a block or page descriptor are set (0x0001000000000000)
          ERROR   reserved-encoding      [0x0000000000002000, 0x0000000000002fff] L3   table 0x0000000000104000: L3 entry 2 0x0000000000006401: bits 1:0 = 0b01 at the last level are reserved (a block cannot be there)
          summary: 2 findings: 2 errors, 0 warnings, 0 information
            reserved-bits          1
            reserved-encoding      1
          """);
    }

    @Test
    void aContiguousRunIsCheckedWholeOnceAndEachWayItCanDisagreeIsNamed() {
      Trees t = Trees.of(Formats.aarch64());
      long data = PAGE | PXN | UXN | CONT;
      for (int run = 0; run < 5; run++) {
        for (int i = 0; i < 16; i++) {
          long va = 0x10_0000L + run * 0x1_0000L + i * 0x1000L;
          long pa = 0x100_0000L + run * 0x10_0000L + i * 0x1000L;
          long raw = pa | data;
          if (run == 1 && i == 5) {
            raw += 0x1000;   // maps the next frame, which entry 278 maps too: a writable alias as well
          } else if (run == 2 && i == 0) {
            raw &= ~CONT;   // the run's first entry lacks the hint
          } else if (run == 3) {
            raw += 0x1000;   // the whole run is off its 64 KiB alignment
          } else if (run == 4 && i == 9) {
            raw |= RO;   // the other entries are writable (and global: no nG)
          }
          t.raw(va, 3, raw);
        }
      }
      assertThat(audit(t)).isEqualTo("""
          ERROR   contiguous-hint        [0x0000000000110000, 0x000000000011ffff] L3   table 0x0000000000104000: Contiguous hint on the 16 L3 entries 272..287 (64K), which disagree: entry 277 maps 0x0000000001106000, not 0x0000000001105000
          INFO    writable-alias         [0x0000000000116000, 0x0000000000116fff] L3   table 0x0000000000104000: physical [0x0000000001106000, 0x0000000001106fff] is also mapped writable at 0x0000000000115000
          ERROR   contiguous-hint        [0x0000000000120000, 0x000000000012ffff] L3   table 0x0000000000104000: Contiguous hint on the 16 L3 entries 288..303 (64K), which disagree: entry 288 0x0060000001200403 is not a L3 leaf with the hint
          ERROR   contiguous-hint        [0x0000000000130000, 0x000000000013ffff] L3   table 0x0000000000104000: Contiguous hint on the 16 L3 entries 304..319 (64K), which disagree: the run's output address 0x0000000001301000 is not aligned to 64K
          ERROR   contiguous-hint        [0x0000000000140000, 0x000000000014ffff] L3   table 0x0000000000104000: Contiguous hint on the 16 L3 entries 320..335 (64K), which disagree: entry 329 has attributes r---ga- extra=0x0010000000000000, entry 320 rw--ga- extra=0x0010000000000000
          summary: 5 findings: 4 errors, 0 warnings, 1 information
            contiguous-hint        4
            writable-alias         1
          """);
    }
  }

  @Test
  void aCleanSv39SpaceHasNoFinding() {
    Trees t = DumpSpaces.sv39();
    // DumpSpaces.sv39 has a global RWX gigapage that also maps the user megapage's frames: drop it.
    t.raw(0xffff_ffc0_0000_0000L, 0, 0);
    assertThat(Audit.run(t.space, VirtualRange.all()).findings()).isEmpty();
  }

  @Test
  void writableAndExecutableLeavesAreCoalescedByVirtualRange() {
    Trees t = Trees.of(Formats.x86_64());
    Attributes rwx = Attributes.readWrite().withExecutable(true);
    t.leaf(0xffff_8000_0000_0000L, 3, 0x100_0000L, rwx);
    t.leaf(0xffff_8000_0000_1000L, 3, 0x100_1000L, rwx);
    t.leaf(0xffff_8000_0000_2000L, 3, 0x100_5000L, rwx);   // not physically contiguous: still one range
    t.leaf(0xffff_8000_0000_4000L, 3, 0x100_6000L, rwx);   // after a hole: a second finding
    t.leaf(0xffff_8000_0000_5000L, 3, 0x100_7000L, Attributes.readExecute());
    assertThat(audit(t)).isEqualTo("""
        WARNING wx                     [0xffff800000000000, 0xffff800000002fff] PT   table 0x0000000000103000: writable and executable
        WARNING wx                     [0xffff800000004000, 0xffff800000004fff] PT   table 0x0000000000103000: writable and executable
        summary: 2 findings: 0 errors, 2 warnings, 0 information
          wx                     2
        """);
  }

  @Test
  void writeExecuteUsesEffectiveProtection() {
    Trees t = Trees.of(Formats.x86_64());
    t.leaf(0x1000L, 3, 0x5000L, Attributes.readWrite().withExecutable(true));
    // The PD entry above the leaf is made non-executable: the leaf is not executable in effect.
    long pt = t.table(0x1000L, 3);
    t.raw(0x1000L, 2, t.format.encodeTable(t.level(2), pt, Attributes.readWrite()));
    assertThat(Audit.run(t.space, VirtualRange.all()).findings()).isEmpty();
  }

  @Test
  void withoutNxEveryPageIsExecutableSoWriteExecuteSaysNothing() {
    Trees t = Trees.of(Formats.x86_64(X86Options.defaults().withNx(false)));
    t.leaf(0xffff_8000_0000_0000L, 3, 0x100_0000L, Attributes.readWrite().withExecutable(true));
    assertThat(Audit.run(t.space, VirtualRange.all()).findings()).isEmpty();
  }

  @Test
  void writableAndExecutableRiscVLeaf() {
    Trees t = Trees.of(Formats.sv39());
    t.leaf(0x1000L, 2, 0x8000_1000L, Attributes.readWrite().withExecutable(true).withUser(true));
    assertThat(audit(t)).isEqualTo("""
        WARNING wx                     [0x0000000000001000, 0x0000000000001fff] L0   table 0x0000000000102000: writable and executable
        summary: 1 finding: 0 errors, 1 warning, 0 information
          wx                     1
        """);
  }

  @Test
  void userMappingsInTheKernelHalfAndUserExecutableOnes() {
    Trees t = Trees.of(Formats.x86_64());
    t.leaf(0xffff_8000_0000_0000L, 3, 0x1000L, Attributes.readWrite().withUser(true));
    t.leaf(0xffff_8000_0020_0000L, 2, 0x20_0000L, Attributes.readExecute().withUser(true));
    t.leaf(0x1000L, 3, 0x2000L, Attributes.readExecute().withUser(true));   // lower half: fine
    assertThat(audit(t)).isEqualTo("""
        WARNING user-kernel-half       [0xffff800000000000, 0xffff800000000fff] PT   table 0x0000000000103000: user-accessible mapping in the kernel half
        ERROR   user-exec-kernel-half  [0xffff800000200000, 0xffff8000003fffff] PD   table 0x0000000000102000: user-executable mapping in the kernel half
        WARNING user-kernel-half       [0xffff800000200000, 0xffff8000003fffff] PD   table 0x0000000000102000: user-accessible mapping in the kernel half
        summary: 3 findings: 1 error, 2 warnings, 0 information
          user-exec-kernel-half  1
          user-kernel-half       2
        """);
  }

  @Test
  void aUserLeafBelowASupervisorEntryIsNotUserAccessible() {
    Trees t = Trees.of(Formats.x86_64());
    t.leaf(0xffff_8000_0000_0000L, 3, 0x1000L, Attributes.readExecute().withUser(true));
    long pdpt = t.table(0xffff_8000_0000_0000L, 1);
    t.raw(0xffff_8000_0000_0000L, 0, t.format.encodeTable(t.level(0), pdpt, Attributes.readExecute()));
    assertThat(Audit.run(t.space, VirtualRange.all()).findings()).isEmpty();
  }

  @Test
  void reservedBitsOnX86AndRiscV() {
    Trees x86 = Trees.of(Formats.x86_64());
    x86.raw(0x80_0000_0000L, 0, 0x2083L);
    assertThat(audit(x86)).isEqualTo("""
        ERROR   reserved-bits          [0x0000008000000000, 0x000000ffffffffff] PML4 table 0x0000000000100000: PML4 entry 1 0x0000000000002083: PS is reserved in a PML4 entry
        summary: 1 finding: 1 error, 0 warnings, 0 information
          reserved-bits          1
        """);
    Trees riscv = Trees.of(Formats.sv39());
    riscv.raw(0x1000L, 2, riscv.format.encodeLeaf(riscv.level(2), 0x8000_1000L, Attributes.readOnly()) | (1L << 54));
    assertThat(audit(riscv)).isEqualTo("""
        ERROR   reserved-bits          [0x0000000000001000, 0x0000000000001fff] L0   table 0x0000000000102000: L0 entry 1 0x0040000020000403: reserved bits 60:54 are set
        summary: 1 finding: 1 error, 0 warnings, 0 information
          reserved-bits          1
        """);
  }

  @Test
  void reservedBitsOnThirtyTwoBitPagingAndPae() {
    Trees x32 = Trees.of(Formats.x86_32());
    x32.raw(0x40_0000L, 0, 0x0060_0083L);   // a 4 MiB page at 4 MiB with bit 21 set
    assertThat(audit(x32)).isEqualTo("""
        ERROR   reserved-bits          [0x0000000000400000, 0x00000000007fffff] PD   table 0x0000000000100000: PD entry 1 0x0000000000600083: bit 21 of a 4 MiB page's entry is reserved
        summary: 1 finding: 1 error, 0 warnings, 0 information
          reserved-bits          1
        """);
    Trees pae = Trees.of(Formats.x86Pae());
    pae.raw(0x4000_0000L, 0, 0x5003L);      // R/W does not exist in a PDPTE
    pae.raw(0x8000_1000L, 2, 0x0010_0000_0000_7001L);
    assertThat(audit(pae)).isEqualTo("""
        ERROR   reserved-bits          [0x0000000040000000, 0x000000007fffffff] PDPT table 0x0000000000100000: PDPT entry 1 0x0000000000005003: a PAE PDPT entry holds only P, PWT, PCD and the address; the other bits are reserved
        ERROR   reserved-bits          [0x0000000080001000, 0x0000000080001fff] PT   table 0x0000000000102000: PT entry 1 0x0010000000007001: reserved bits 62:52 are set (PAE reserves them)
        summary: 2 findings: 2 errors, 0 warnings, 0 information
          reserved-bits          2
        """);
  }

  @Test
  void aTableFullOfBadEntriesListsSixteenAndFoldsTheRestIntoOneFinding() {
    Trees t = Trees.of(Formats.sv39());
    for (int i = 0; i < 512; i++) {
      t.raw(0x1000L * i, 2, t.format.encodeLeaf(t.level(2), 0x8000_0000L + 0x1000L * i, Attributes.readOnly()) | (1L << 54));
    }
    List<Finding> found = Audit.run(t.space, VirtualRange.all()).findings("reserved-bits");
    assertThat(found).hasSize(Audit.FINDINGS_PER_RULE_AND_TABLE + 1);
    long table = t.table(0, 2);
    for (int i = 0; i < 16; i++) {
      assertThat(found.get(i).first()).isEqualTo(0x1000L * i);
    }
    Finding folded = found.get(16);
    long sixteenth = t.format.encodeLeaf(t.level(2), 0x8001_0000L, Attributes.readOnly()) | (1L << 54);
    assertThat(folded.severity()).isEqualTo(Severity.ERROR);
    assertThat(folded.first()).isEqualTo(0x10000L);
    assertThat(folded.last()).isEqualTo(0x1f_ffffL);
    assertThat(folded.tableFrame()).isEqualTo(table);
    assertThat(folded.message()).isEqualTo("496 more findings of this rule about this table in this span were folded "
        + "into this one (16 are listed); the first: L0 entry 16 " + Addresses.hex(sixteenth)
        + ": reserved bits 60:54 are set");
  }

  /** A rule of the user's that reports 17 findings about each leaf, as about a table of the leaf's own. */
  static AuditRule noisyRule() {
    return new AuditRule() {
      @Override
      public String id() {
        return "noisy";
      }

      @Override
      public void onEntry(EntryCursor entry, Attributes effective, Context context) {
        if (entry.kind() == EntryKind.LEAF) {
          for (int j = 0; j < 17; j++) {
            context.report(Severity.INFO, entry.first(), entry.last(), entry.level(), entry.entryAddress(),
                "finding " + j);
          }
        }
      }
    };
  }

  /** 6,300 pages of 4 KiB from 1 GiB. */
  static Space sixThousandThreeHundredPages() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(0x4000_0000L, 6300 * 4096L), 0x4000_0000L, Attributes.readOnly(),
        MapOptions.defaults().withPageSize(4096));
    return s;
  }

  @Test
  void pastOneHundredThousandFindingsEveryRuleOnlyCounts() {
    // 16 of each leaf's 17 are listed until the audit holds MAX_FINDINGS, after the 6,250th leaf.
    Space s = sixThousandThreeHundredPages();
    List<Finding> found = Audit.run(s.space(), VirtualRange.all(), List.of(noisyRule()), Audit.DEFAULT_ENTRY_BUDGET)
        .findings();
    // The listed ones, one counting the 17th of each of the first 6,250 leaves, and one counting
    // all 17 of each of the last 50.
    assertThat(found).hasSize(Audit.MAX_FINDINGS + 6250 + 50);
    Finding last = found.get(found.size() - 1);
    assertThat(last.first()).isEqualTo(0x4000_0000L + 6299 * 4096L);
    assertThat(last.message()).isEqualTo("17 more findings of this rule about this table in this span were folded "
        + "into this one (0 are listed); the first: finding 0");
  }

  @Test
  void addressBitsBeyondThePhysicalWidth() {
    Trees t = Trees.of(Formats.x86_64(X86Options.defaults().withPhysicalAddressBits(36)));
    t.raw(0x1000L, 3, (1L << 40) | 0x3);
    assertThat(audit(t)).isEqualTo("""
        ERROR   address-width          [0x0000000000001000, 0x0000000000001fff] PT   table 0x0000000000103000: PT entry 1 0x0000010000000003: address bits at or above the 36-bit physical address width
        summary: 1 finding: 1 error, 0 warnings, 0 information
          address-width          1
        """);
  }

  @Test
  void misalignedHugeLeaf() {
    Trees t = Trees.of(Formats.x86_64());
    t.raw(0x20_0000L, 2, 0x20_2083L);
    assertThat(audit(t)).isEqualTo("""
        ERROR   misaligned-leaf        [0x0000000000200000, 0x00000000003fffff] PD   table 0x0000000000102000: PD entry 1 0x0000000000202083: the 2M page's address 0x0000000000202000 is not aligned to its size
        summary: 1 finding: 1 error, 0 warnings, 0 information
          misaligned-leaf        1
        """);
  }

  @Test
  void aLeafWhereTheLevelCannotHoldOne() {
    Trees t = Trees.of(Formats.x86_64(X86Options.defaults().withGigabytePages(false)));
    t.raw(0x4000_0000L, 1, 0x4000_0083L);
    assertThat(audit(t)).isEqualTo("""
        ERROR   leaf-not-allowed       [0x0000000040000000, 0x000000007fffffff] PDPT table 0x0000000000101000: PDPT entry 1 0x0000000040000083: a leaf at PDPT, which cannot hold one
        summary: 1 finding: 1 error, 0 warnings, 0 information
          leaf-not-allowed       1
        """);
  }

  @Test
  void riscVWriteWithoutRead() {
    Trees t = Trees.of(Formats.sv39());
    t.raw(0x1000L, 2, (0x8000_1000L >>> 12 << 10) | 0x5);
    assertThat(audit(t)).isEqualTo("""
        ERROR   reserved-encoding      [0x0000000000001000, 0x0000000000001fff] L0   table 0x0000000000102000: L0 entry 1 0x0000000020000405: W without R is reserved
        summary: 1 finding: 1 error, 0 warnings, 0 information
          reserved-encoding      1
        """);
  }

  @Test
  void riscVAccessedAndUserOnAPointer() {
    Trees t = Trees.of(Formats.sv39());
    t.leaf(0x1000L, 2, 0x8000_1000L, Attributes.readOnly());
    long entry = t.entryAddress(0x1000L, 1);
    t.memory.write(entry, t.memory.read(entry) | 0x50);
    assertThat(audit(t)).isEqualTo("""
        ERROR   non-leaf-flags         [0x0000000000000000, 0x00000000001fffff] L1   table 0x0000000000101000: L1 entry 0 0x0000000000040851: A and U set on a pointer (reserved on non-leaf entries)
        summary: 1 finding: 1 error, 0 warnings, 0 information
          non-leaf-flags         1
        """);
  }

  @Test
  void aPointerAtTheLastLevel() {
    Trees t = Trees.of(Formats.sv39());
    t.raw(0x1000L, 2, (0x10_1000L >>> 12 << 10) | 0x1);
    assertThat(audit(t)).isEqualTo("""
        ERROR   table-at-last-level    [0x0000000000001000, 0x0000000000001fff] L0   table 0x0000000000102000: L0 entry 1 0x0000000000040401: a pointer at the last level
        summary: 1 finding: 1 error, 0 warnings, 0 information
          table-at-last-level    1
        """);
  }

  @Test
  void aTableOutsidePhysicalMemory() {
    Trees t = Trees.of(Formats.x86_64());
    t.raw(0x80_0000_0000L, 0, (1L << 40) | 0x3);
    assertThat(audit(t)).isEqualTo("""
        ERROR   table-outside-memory   [0x0000008000000000, 0x000000ffffffffff] PML4 table 0x0000000000100000: PML4 entry 1 0x0000010000000003: points to a table at 0x0000010000000000, outside physical memory
        summary: 1 finding: 1 error, 0 warnings, 0 information
          table-outside-memory   1
        """);
  }

  @Test
  void aTableThatIsItsOwnAncestorIsARecursiveMappingNotAnError() {
    Trees t = Trees.of(Formats.x86_64());
    t.link(0x0L, 0, t.root());
    long pdpt = t.table(0x80_0000_0000L, 1);
    t.link(0x80_4000_0000L, 1, pdpt);
    // Both links are present, writable, user and without XD (0x7), so their windows show the
    // tables writable and executable.
    assertThat(audit(t)).isEqualTo("""
        INFO    recursive-mapping      [0x0000000000000000, 0x0000007fffffffff] PML4 table 0x0000000000100000: recursive mapping at index 0: PML4 entry 0x0000000000100007 points back to its own table 0x0000000000100000, so this window shows the space's own tables (writable and executable)
        INFO    recursive-mapping      [0x0000008040000000, 0x000000807fffffff] PDPT table 0x0000000000101000: recursive mapping at index 1: PDPT entry 0x0000000000101007 points back to its own table 0x0000000000101000, so this window shows the space's own tables (writable and executable)
        summary: 2 findings: 0 errors, 0 warnings, 2 information
          recursive-mapping      2
        """);
  }

  @Test
  void aTableLinkedFromTwoParentsIsInformationOnlyAndItsChildrenAreNot() {
    Trees t = Trees.of(Formats.x86_64());
    t.leaf(0x1000L, 3, 0x5000L, Attributes.readOnly());
    long pd = t.table(0x1000L, 2);
    t.link(0x4000_0000L, 1, pd);
    assertThat(audit(t)).isEqualTo("""
        INFO    shared-table           [0x0000000000000000, 0x000000003fffffff] PD   table 0x0000000000102000: PD table 0x0000000000102000 is linked from 2 parent entries
        summary: 1 finding: 0 errors, 0 warnings, 1 information
          shared-table           1
        """);
    t.space.sharedTables().share(pd);
    assertThat(Audit.run(t.space, VirtualRange.all()).findings().get(0).message())
        .isEqualTo("PD table 0x0000000000102000 is linked from 2 parent entries (recorded as shared)");
  }

  @Test
  void framesMappedWritableAtTwoAddresses() {
    Trees t = Trees.of(Formats.x86_64());
    t.leaf(0x1000L, 3, 0x5000L, Attributes.readWrite());
    t.leaf(0x3000L, 3, 0x5000L, Attributes.readWrite());
    t.leaf(0x4000L, 3, 0x5000L, Attributes.readOnly());           // read-only alias: fine
    for (int i = 0; i < 3; i++) {
      t.leaf(0x10_0000L + 0x1000L * i, 3, 0x8000L + 0x1000L * i, Attributes.readWrite());
      t.leaf(0x11_0000L + 0x1000L * i, 3, 0x8000L + 0x1000L * i, Attributes.readWrite());
    }
    t.leaf(0x20_0000L, 2, 0x0L, Attributes.readWrite());          // 2 MiB over both
    assertThat(audit(t)).isEqualTo("""
        INFO    writable-alias         [0x0000000000003000, 0x0000000000003fff] PT   table 0x0000000000103000: physical [0x0000000000005000, 0x0000000000005fff] is also mapped writable at 0x0000000000001000
        INFO    writable-alias         [0x0000000000110000, 0x0000000000112fff] PT   table 0x0000000000103000: physical [0x0000000000008000, 0x000000000000afff] is also mapped writable at 0x0000000000100000
        INFO    writable-alias         [0x0000000000205000, 0x0000000000205fff] PD   table 0x0000000000102000: physical [0x0000000000005000, 0x0000000000005fff] is also mapped writable at 0x0000000000001000
        INFO    writable-alias         [0x0000000000208000, 0x000000000020afff] PD   table 0x0000000000102000: physical [0x0000000000008000, 0x000000000000afff] is also mapped writable at 0x0000000000100000
        summary: 4 findings: 0 errors, 0 warnings, 4 information
          writable-alias         4
        """);
  }

  @Test
  void anEmptyTableReclamationCouldFree() {
    Trees t = Trees.of(Formats.x86_64());
    t.table(0x1000L, 3);                                          // PT 0x103000, no entry
    long shared = t.table(0x20_0000L, 3);                         // PT 0x104000, recorded as shared
    t.space.sharedTables().share(shared);
    assertThat(audit(t)).isEqualTo("""
        INFO    empty-table            [0x0000000000000000, 0x00000000001fffff] PT   table 0x0000000000103000: PT table 0x0000000000103000 has no entries; reclamation could free it
        summary: 1 finding: 0 errors, 0 warnings, 1 information
          empty-table            1
        """);
    // Over part of the table only, reclamation would not free it, and neither does the audit say so.
    assertThat(Audit.run(t.space, VirtualRange.closed(0x1000L, 0x1fffL)).findings()).isEmpty();
  }

  @Test
  void aUserRulePlugsInBesideTheShippedOnes() {
    AuditRule accessedKernelPages = new AuditRule() {
      @Override
      public String id() {
        return "accessed-kernel";
      }

      @Override
      public void onEntry(EntryCursor entry, Attributes effective, Context context) {
        if (entry.kind() == EntryKind.LEAF && effective.accessed()
            && context.format().upperHalf().contains(entry.first())) {
          context.report(Severity.INFO, entry, "accessed since the bit was last cleared");
        }
      }
    };
    Trees t = Trees.of(Formats.x86_64());
    for (int i = 0; i < 3; i++) {
      t.leaf(0xffff_8000_0000_0000L + 0x1000L * i, 3, 0x10_0000L + 0x1000L * i,
          Attributes.readWrite().withExecutable(i == 2).withAccessed(true));
    }
    List<AuditRule> rules = new ArrayList<>(AuditRules.defaults());
    rules.add(accessedKernelPages);
    AuditReport report = Audit.run(t.space, VirtualRange.all(), rules, Audit.DEFAULT_ENTRY_BUDGET);
    assertThat(report.toString()).isEqualTo("""
        INFO    accessed-kernel        [0xffff800000000000, 0xffff800000002fff] PT   table 0x0000000000103000: accessed since the bit was last cleared
        WARNING wx                     [0xffff800000002000, 0xffff800000002fff] PT   table 0x0000000000103000: writable and executable
        summary: 2 findings: 0 errors, 1 warning, 1 information
          accessed-kernel        1
          wx                     1
        """);
    assertThat(report.countsByRule()).containsExactly(
        org.assertj.core.api.Assertions.entry("accessed-kernel", 1), org.assertj.core.api.Assertions.entry("wx", 1));
    assertThat(report.findings("wx")).extracting(Finding::severity).containsExactly(Severity.WARNING);
  }

  @Test
  void randomImagesAreAuditedToTheEndWithoutThrowing() {
    Set<String> known = Set.of("wx", "user-kernel-half", "user-exec-kernel-half", "reserved-bits", "address-width",
        "misaligned-leaf", "leaf-not-allowed", "reserved-encoding", "non-leaf-flags", "table-at-last-level",
        "table-outside-memory", "recursive-mapping", "shared-table", "writable-alias", "empty-table", "exec-el0-el1",
        "contiguous-hint");
    for (PagingFormat format : List.of(Formats.x86_64(), Formats.x86_64FiveLevel(), Formats.sv39(), Formats.sv57(), Formats.x86_32(), Formats.x86Pae(),
        Formats.aarch64())) {
      for (long seed = 1; seed <= 4; seed++) {
        SimulatedMemory image = randomImage(seed, false);
        AddressSpace space = format.rootPerHalf() ? AddressSpace.readOnly(format, image, 0x4_0000L, 0x5_0000L)
            : AddressSpace.readOnly(format, image, 0x4_0000L);
        AuditReport report = Audit.run(space, VirtualRange.all());
        assertThat(report.complete()).as("%s seed %d", format, seed).isTrue();
        // 32-bit paging reserves one bit, of 4 MiB PDEs only, so random entries are mostly well
        // formed; a PAE root has 4 entries, all not present one time in 16.
        if (format.root().entries() == 512) {
          assertThat(report.hasErrors()).as("random bits are mostly malformed").isTrue();
        }
        assertThat(report.findings()).extracting(Finding::ruleId).allMatch(known::contains);
      }
    }
  }

  @Test
  void hostileImagesWithRecursionAndSharingEndAtTheBudgetAndSaySo() {
    for (long seed = 1; seed <= 4; seed++) {
      SimulatedMemory image = randomImage(seed, true);
      image.write(0, 0x7);   // PML4[0] points to the PML4 itself; the random rest may hold more such links
      AddressSpace space = AddressSpace.readOnly(Formats.x86_64(), image, 0);
      AuditReport report = Audit.run(space, VirtualRange.all(), AuditRules.defaults(), 50_000);
      assertThat(report.complete()).isFalse();
      assertThat(report.findings(Audit.INCOMPLETE_WALK)).hasSize(1).first()
          .satisfies(f -> assertThat(f.message()).startsWith("the walk read its budget of 50000 entries and stopped; ["))
          .satisfies(f -> assertThat(f.last()).isEqualTo(-1L));
      assertThat(report.findings(AuditRules.RECURSIVE_MAPPING)).isNotEmpty();
      assertThat(report.findings(AuditRules.SHARED_TABLE)).isNotEmpty();
      assertThat(report.toString()).contains("; walk incomplete\n");
    }
  }

  /**
   * 2 MiB of random words; with {@code inside}, every entry is present and points to one of the
   * image's first 32 frames (x86 layout), so tables are linked from many parents at once.
   */
  static SimulatedMemory randomImage(long seed, boolean inside) {
    SimulatedMemory m = SimulatedMemory.ofSize(2L << 20);
    SplittableRandom random = new SplittableRandom(seed);
    for (long a = 0; a < (2L << 20); a += 8) {
      long w = random.nextLong();
      if (inside) {
        w = (w & 0x7f) | ((random.nextLong() & 0x1f) << 12) | 1;
      }
      m.write(a, w);
    }
    return m;
  }
}
