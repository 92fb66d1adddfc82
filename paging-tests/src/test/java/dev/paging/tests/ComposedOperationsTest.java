package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import dev.paging.api.TableCursor;
import dev.paging.api.TableNotEmptyException;
import dev.paging.api.VirtualRange;
import dev.paging.audit.Audit;
import dev.paging.audit.AuditReport;
import dev.paging.core.AddressSpace;
import dev.paging.core.Formats;
import dev.paging.core.Visitors;
import dev.paging.core.Walker;
import dev.paging.fakes.MemorySnapshot;
import dev.paging.ops.EntryRewriter;
import dev.paging.ops.InvalidationPlan;
import dev.paging.ops.ReclaimMode;
import dev.paging.ops.ReclaimOptions;
import dev.paging.ops.ReclaimResult;
import dev.paging.ops.ReclaimVisitor;
import dev.paging.ops.Reclaimer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The library's visitors compose with a user's own in one walk, each giving what it gives
 * alone: here reclamation, an audit and an accessed-bit scanner written the way a user would,
 * with {@link EntryRewriter} and a public {@link InvalidationPlan.Builder}.
 */
class ComposedOperationsTest {
  // readme:accessed-bit-scanner
  /** Clears the accessed bit of every leaf, noting the pages and what it made stale. */
  static final class AccessedBitScanner implements PageTableVisitor {
    final InvalidationPlan.Builder plan = InvalidationPlan.builder();
    final EntryRewriter rewriter;
    final List<Long> accessed = new ArrayList<>();

    AccessedBitScanner(PagingFormat format) {
      this.rewriter = EntryRewriter.of(format, plan); // decode, change, encode, write, record
    }

    @Override
    public Control onEntry(EntryCursor entry) {
      if (entry.kind() == EntryKind.LEAF && rewriter.rewrite(entry, a -> a.withAccessed(false))) {
        accessed.add(entry.first());
      }
      return Control.CONTINUE;
    }
  }
  // readme:end

  /** Leaves of two sizes, some accessed, and page tables emptied again, deterministically by seed. */
  private static Trees tree(long seed) {
    Trees t = Trees.of(Formats.x86_64());
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < 30; i++) {
      long va = random.nextLong() & 0x0000_00ff_ffff_f000L;
      boolean huge = random.nextInt(4) == 0;
      Attributes a = Attributes.readWrite().withAccessed(random.nextBoolean());
      if (huge) {
        t.leaf(va & ~0x1f_ffffL, 2, (random.nextLong() & 0xff_ffe0_0000L), a);
      } else {
        t.leaf(va, 3, random.nextLong() & 0xff_ffff_f000L, a);
      }
    }
    for (int i = 0; i < 6; i++) {
      t.table(0x100_0000_0000L + ((long) random.nextInt(64) << 21), 3);
    }
    return t;
  }

  @Test
  void reclaimAuditAndAUsersScannerInOneWalkEachGiveWhatTheyGiveAlone() {
    for (long seed = 1; seed <= 20; seed++) {
      Trees reclaimAlone = tree(seed);
      ReclaimResult r1 = Reclaimer.of(reclaimAlone.space).reclaim(VirtualRange.all(), ReclaimMode.COLLECT);
      Trees auditAlone = tree(seed);
      AuditReport a1 = Audit.run(auditAlone.space, VirtualRange.all());
      // Scanner then reclaim, one after the other: the tables the one walk must end with.
      Trees oneThenOther = tree(seed);
      AccessedBitScanner s1 = new AccessedBitScanner(oneThenOther.format);
      Walker.walk(oneThenOther.space, VirtualRange.all(), s1);
      Reclaimer.of(oneThenOther.space).reclaim(VirtualRange.all(), ReclaimMode.COLLECT);

      Trees together = tree(seed);
      AddressSpace space = together.space;
      // readme:compose-with-reclaim
      Audit audit = Audit.of(space);
      ReclaimVisitor reclaim = Reclaimer.of(space).visitor(VirtualRange.all(), ReclaimOptions.of(ReclaimMode.COLLECT));
      AccessedBitScanner scanner = new AccessedBitScanner(space.format());
      Walker.walk(space, VirtualRange.all(), Visitors.compose(audit, reclaim, scanner)); // one pass
      ReclaimResult freed = reclaim.finish(); // unlinks now; the frames wait for the flush
      InvalidationPlan stale = scanner.plan.build().and(freed.plan());
      // readme:end
      ReclaimResult r2 = freed;
      AccessedBitScanner s2 = scanner;
      assertThat(stale.entries()).isEqualTo(r1.plan().entries() + s1.plan.build().entries());

      assertThat(r2.frames()).as("seed %d", seed).containsExactly(r1.frames());
      assertThat(r2.plan()).isEqualTo(r1.plan());
      assertThat(r2.plan().invalidations()).isEqualTo(r1.plan().invalidations());
      assertThat(audit.report()).isEqualTo(a1);
      assertThat(s2.accessed).isEqualTo(s1.accessed);
      assertThat(s2.plan.build()).isEqualTo(s1.plan.build());
      MemorySnapshot expected = oneThenOther.memory.snapshot();
      assertThat(together.memory.snapshot()).isEqualTo(expected);
      assertThat(r1.count()).isPositive();
      assertThat(s1.accessed).isNotEmpty();
    }
  }

  @Test
  void aStrictReclaimThatFailsInACompositionChangesNothingAndLetsTheOthersFinish() {
    Trees t = tree(4);
    MemorySnapshot before = t.memory.snapshot();
    ReclaimVisitor strict = Reclaimer.of(t.space).visitor(VirtualRange.all(), ReclaimOptions.of(ReclaimMode.STRICT));
    Recorder other = new Recorder();
    Walker.walk(t.space, VirtualRange.all(), Visitors.compose(strict, other));
    assertThatThrownBy(strict::finish).isInstanceOf(TableNotEmptyException.class)
        .hasMessageStartingWith("STRICT reclaim of ").hasMessageEndingWith("; nothing was changed");
    assertThat(t.memory.snapshot()).isEqualTo(before);
    Recorder alone = new Recorder();
    Walker.walk(t.space, VirtualRange.all(), alone);
    assertThat(other.trace).isEqualTo(alone.trace);
  }

  @Test
  void aReclaimVisitorServesOneWalkOfItsOwnRange() {
    Trees t = tree(5);
    Reclaimer reclaimer = Reclaimer.of(t.space);
    ReclaimVisitor v = reclaimer.visitor(VirtualRange.halfOpen(0, 1L << 40), ReclaimOptions.of(ReclaimMode.COLLECT));
    assertThatThrownBy(v::finish).isInstanceOf(IllegalStateException.class).hasMessageContaining("before the walk");
    assertThatThrownBy(() -> Walker.walk(t.space, VirtualRange.all(), v))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("this reclaim visitor was made for [0x0000000000000000, 0x000000ffffffffff] but walks"
            + " [0x0000000000000000, 0xffffffffffffffff]");
    ReclaimVisitor w = reclaimer.visitor(VirtualRange.all(), ReclaimOptions.of(ReclaimMode.COLLECT));
    Walker.walk(t.space, VirtualRange.all(), w);
    assertThatThrownBy(() -> Walker.walk(t.space, VirtualRange.all(), w))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("serves one walk");
    w.finish();
    assertThatThrownBy(w::finish).isInstanceOf(IllegalStateException.class).hasMessageContaining("twice");
  }

  @Test
  void theRewriterWritesOnlyChangesAndRecordsNarrowedTablesButNotWidenedOnes() {
    Trees t = Trees.of(Formats.x86_64());
    t.leaf(0x1000, 3, 0x5000, Attributes.readWrite().withAccessed(true));
    InvalidationPlan.Builder plan = InvalidationPlan.builder();
    EntryRewriter rewriter = EntryRewriter.of(t.format, plan);
    List<String> changed = new ArrayList<>();
    t.memory.resetCounters();
    Walker.walk(t.space, VirtualRange.all(), new PageTableVisitor() {
      @Override
      public Control onEntry(EntryCursor entry) {
        // Unchanged attributes write nothing; the PD entry loses write, the PDPT entry gains nothing.
        boolean same = rewriter.rewrite(entry, a -> a);
        boolean narrowed = entry.level().depth() == 2 && rewriter.rewrite(entry, a -> a.withWritable(false));
        changed.add(entry.level() + (same ? " same-changed" : "") + (narrowed ? " narrowed" : ""));
        return Control.CONTINUE;
      }
    });
    assertThat(changed).containsExactly("PML4", "PDPT", "PD narrowed", "PT");
    assertThat(t.memory.writes()).isEqualTo(1);
    assertThat(plan.build().invalidations()).containsExactly(VirtualRange.halfOpen(0, 1L << 21));
    assertThat(plan.build().pagingStructures()).isTrue();
    assertThatThrownBy(() -> InvalidationPlan.builder().leaf(0x2000, 0x1000, false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reversed range [0x0000000000002000");
  }

  @Test
  void checkedWalksCatchACursorKeptPastItsHookAndANullAnswer() {
    Trees t = tree(6);
    PageTableVisitor keeper = new PageTableVisitor() {
      EntryCursor kept;

      @Override
      public Control onEntry(EntryCursor entry) {
        kept = entry;
        return Control.CONTINUE;
      }

      @Override
      public Control afterTable(TableCursor table) {
        kept.first();
        return Control.CONTINUE;
      }
    };
    assertThatThrownBy(() -> t.space.walker().checked(true).walk(t.root(), VirtualRange.all(), keeper))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("an EntryCursor was used after the hook it was given to returned");
    PageTableVisitor nullAnswer = new PageTableVisitor() {
      @Override
      public Control onEntry(EntryCursor entry) {
        return null;
      }
    };
    assertThatThrownBy(() -> t.space.walker().checked(true).walk(t.root(), VirtualRange.all(), nullAnswer))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("returned null");
    // A well-behaved visitor sees the same walk checked or not.
    Recorder checked = new Recorder();
    t.space.walker().checked(true).walk(t.root(), VirtualRange.all(), checked);
    Recorder plain = new Recorder();
    t.space.walker().walk(t.root(), VirtualRange.all(), plain);
    assertThat(checked.trace).isEqualTo(plain.trace).isNotEmpty();
  }

  @Test
  void theSameVisitorComposedTwiceIsRefusedEvenInsideAComposite() {
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    assertThatThrownBy(() -> Visitors.compose(a, b, a)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is composed twice");
    assertThatThrownBy(() -> Visitors.compose(Visitors.compose(a, b), a)).isInstanceOf(IllegalArgumentException.class);
  }
}
