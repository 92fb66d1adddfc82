package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Attributes;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.audit.Audit;
import dev.paging.audit.AuditReport;
import dev.paging.audit.AuditRule;
import dev.paging.audit.AuditRules;
import dev.paging.audit.AuditSummary;
import dev.paging.audit.Finding;
import dev.paging.audit.Severity;
import dev.paging.core.AddressSpace;
import dev.paging.core.Formats;
import dev.paging.fakes.SimulatedMemory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A streaming audit: findings leave as soon as they are final, in walk order, none is kept, and
 * what it hands on is exactly what a held audit of the same space lists.
 */
class AuditStreamingTest {
  private static final Comparator<Finding> ADDRESS_ORDER = Comparator
      .comparing((Finding f) -> f.first(), Long::compareUnsigned)
      .thenComparing(Finding::ruleId)
      .thenComparing(f -> f.last(), Long::compareUnsigned)
      .thenComparing(Finding::message);

  /** Reports one finding per leaf, each with its own message, and remembers the last leaf the walk showed it. */
  private static final class PerLeaf implements AuditRule {
    long lastLeafSeen = -1;

    @Override
    public String id() {
      return "per-leaf";
    }

    @Override
    public void onEntry(EntryCursor entry, Attributes effective, Context context) {
      if (entry.kind() == EntryKind.LEAF) {
        lastLeafSeen = entry.first();
        context.report(Severity.INFO, entry, "leaf at " + Long.toHexString(entry.first()));
      }
    }
  }

  @Test
  void aFindingLeavesAsSoonAsTheRulesNextFindingDoesNotContinueIt() {
    Trees t = Trees.of(Formats.x86_64());
    long[] leaves = {0x1000L, 0x3000L, 0x4000_0000L, 0x7fff_ffff_f000L};
    for (long va : leaves) {
      t.leaf(va, 3, 0x20_0000L, Attributes.readOnly());
    }
    PerLeaf rule = new PerLeaf();
    List<long[]> arrivals = new ArrayList<>();

    AuditSummary summary = Audit.stream(t.space, VirtualRange.all(), List.of(rule), Audit.DEFAULT_ENTRY_BUDGET,
        f -> arrivals.add(new long[] {f.first(), rule.lastLeafSeen}));

    // Each finding reaches the sink when the walk shows the rule the next leaf, long before the
    // walk ends; the last one when the walk ends.
    assertThat(arrivals).containsExactly(
        new long[] {0x1000L, 0x3000L},
        new long[] {0x3000L, 0x4000_0000L},
        new long[] {0x4000_0000L, 0x7fff_ffff_f000L},
        new long[] {0x7fff_ffff_f000L, 0x7fff_ffff_f000L});
    assertThat(summary.findings()).isEqualTo(4);
    assertThat(summary.countsByRule()).containsExactly(Map.entry("per-leaf", 4L));
    assertThat(summary.complete()).isTrue();
  }

  @Test
  void findingsOnlyTheEndOfTheWalkCanMakeComeAfterTheEntriesWalkedBeforeThem() {
    // One page table linked from PD entries 0 and 1, holding one writable and executable leaf:
    // two wx findings, one per link, a writable alias, and the table is shared, which is known
    // only at the end. The first wx leaves when the second starts; the rest at the end, rule by rule.
    Trees t = Trees.of(Formats.x86_64());
    t.leaf(0x5000L, 3, 0x30_0000L, Attributes.readWrite().withExecutable(true));
    t.link(0x20_0000L, 2, t.table(0, 3));
    List<Finding> streamed = new ArrayList<>();

    Audit.stream(t.space, VirtualRange.all(), AuditRules.defaults(), Audit.DEFAULT_ENTRY_BUDGET, streamed::add);
    AuditReport held = Audit.run(t.space, VirtualRange.all());

    assertThat(streamed).extracting(f -> f.ruleId() + "@" + Long.toHexString(f.first())).containsExactly(
        "wx@5000", "wx@205000", "shared-table@0", "writable-alias@205000");
    assertThat(held.findings()).extracting(f -> f.ruleId() + "@" + Long.toHexString(f.first())).containsExactly(
        "shared-table@0", "wx@5000", "writable-alias@205000", "wx@205000");
  }

  @Test
  void aStreamedAuditHandsOnExactlyWhatAHeldOneLists() {
    for (PagingFormat format : List.of(Formats.x86_64(), Formats.x86_64FiveLevel(), Formats.sv39(), Formats.sv48())) {
      for (long seed = 1; seed <= 3; seed++) {
        for (boolean inside : new boolean[] {false, true}) {
          AddressSpace space = AddressSpace.readOnly(format, AuditTest.randomImage(seed, inside), 0x4_0000L);
          // 50,000 entries: the tables that link each other stop at the budget, the others end.
          AuditReport held = Audit.run(space, VirtualRange.all(), AuditRules.defaults(), 50_000);
          List<Finding> streamed = new ArrayList<>();

          AuditSummary summary = Audit.stream(space, VirtualRange.all(), AuditRules.defaults(), 50_000, streamed::add);

          String what = format + " seed " + seed + (inside ? " linking inside" : " random");
          assertThat(held.findings()).as(what).isNotEmpty();
          List<Finding> sorted = new ArrayList<>(streamed);
          sorted.sort(ADDRESS_ORDER);
          assertThat(sorted).as(what).isEqualTo(held.findings());
          assertThat(summary).as(what).isEqualTo(held.summary());
          assertThat(summary.findings()).as(what).isEqualTo(streamed.size());
        }
      }
    }
  }

  @Test
  void aStreamedAuditKeepsNoFindingsSoNothingLimitsHowManyItHandsOn() {
    // The user's rule of AuditTest: 17 findings about each of 6,300 leaves, as about a table of
    // the leaf's own. Held, the report stops listing at Audit.MAX_FINDINGS; streamed, every leaf
    // has its 16 and one counting the 17th.
    Space s = AuditTest.sixThousandThreeHundredPages();
    long[] handedOn = new long[2];
    Audit audit = Audit.streaming(s.space(), List.of(AuditTest.noisyRule()), f -> {
      handedOn[0]++;
      if (f.message().startsWith("1 more finding of this rule")) {
        handedOn[1]++;
      }
    });

    s.space().walker().walk(s.space().root(), VirtualRange.all(), audit);
    AuditSummary summary = audit.summary();

    assertThat(handedOn[0]).isEqualTo(6300 * 17L).isGreaterThan(Audit.MAX_FINDINGS);
    assertThat(handedOn[1]).isEqualTo(6300);
    assertThat(summary.findings()).isEqualTo(6300 * 17L);
    assertThat(summary.count(Severity.INFO)).isEqualTo(6300 * 17L);
    assertThat(summary.hasAtLeast(Severity.INFO)).isTrue();
    assertThat(summary.hasAtLeast(Severity.WARNING)).isFalse();
    assertThatThrownBy(audit::report).isInstanceOf(IllegalStateException.class)
        .hasMessage("a streaming audit keeps no findings to report; its summary() counts them");
  }

  @Test
  void aStoppedStreamedWalkEndsWithItsIncompleteWalkWarningLast() {
    SimulatedMemory image = AuditTest.randomImage(3, true);
    image.write(0, 0x7);
    AddressSpace space = AddressSpace.readOnly(Formats.x86_64(), image, 0);
    List<Finding> streamed = new ArrayList<>();

    AuditSummary summary = Audit.stream(space, VirtualRange.all(), AuditRules.defaults(), 20_000, streamed::add);

    assertThat(summary.complete()).isFalse();
    assertThat(summary.count(Severity.WARNING)).isPositive();
    Finding last = streamed.get(streamed.size() - 1);
    assertThat(last.ruleId()).isEqualTo(Audit.INCOMPLETE_WALK);
    assertThat(last.message()).startsWith("the walk read its budget of 20000 entries and stopped; [");
    assertThat(streamed).filteredOn(f -> f.ruleId().equals(Audit.INCOMPLETE_WALK)).hasSize(1);
    assertThat(summary.toString()).contains("; walk incomplete\n");
  }

  @Test
  void whatTheSinkThrowsEndsTheWalkAndReachesTheCaller() {
    Trees t = Trees.of(Formats.x86_64());
    t.leaf(0x1000L, 3, 0x20_0000L, Attributes.readOnly());
    t.leaf(0x2000L << 20, 3, 0x20_0000L, Attributes.readOnly());
    t.leaf(0x4000L << 20, 3, 0x20_0000L, Attributes.readOnly());
    PerLeaf rule = new PerLeaf();
    RuntimeException stop = new IllegalStateException("the reader has gone");

    assertThatThrownBy(() -> Audit.stream(t.space, VirtualRange.all(), List.of(rule), Audit.DEFAULT_ENTRY_BUDGET,
        f -> {
          throw stop;
        })).isSameAs(stop);
    // It threw when the walk reached the second leaf: the third was never walked.
    assertThat(rule.lastLeafSeen).isEqualTo(0x2000L << 20);
  }
}
