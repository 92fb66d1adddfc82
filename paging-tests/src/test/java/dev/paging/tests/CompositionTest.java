package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Control;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.core.Visitors;
import dev.paging.core.WalkOutcome;
import dev.paging.core.Walker;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class CompositionTest {
  /** A tree with leaves of every size, a malformed entry and a table outside memory. */
  private static Trees tree(long seed) {
    Trees t = Trees.of(Formats.x86_64());
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < 40; i++) {
      long va = (random.nextLong() & 0x0000_7fff_ffff_f000L);
      if (random.nextBoolean()) {
        va |= 0xffff_8000_0000_0000L;
      }
      int depth = 1 + random.nextInt(3);
      long size = 1L << (12 + 9 * (3 - depth));
      t.leaf(va & -size, depth, (random.nextLong() & 0xff_ffff_f000L) & -size);
    }
    t.raw(0x7000_0000_0000L, 2, (1L << 41) | 3);   // a PD entry -> table outside memory
    t.raw(0x7000_4000_0000L, 0, 0x5000 | 0x83);    // PS in a PML4 entry: malformed
    return t;
  }

  /** Decides SKIP or STOP on a few lines chosen by a hash of the line and the seed. */
  private static Function<String, Control> chaos(long seed, int skipOneIn, int stopOneIn) {
    return line -> {
      long h = line.hashCode() * 0x9E3779B97F4A7C15L + seed;
      h ^= h >>> 29;
      int pick = (int) Math.floorMod(h, (long) skipOneIn * stopOneIn);
      if (pick == 0) {
        return Control.STOP;
      }
      return pick % skipOneIn == 1 ? Control.SKIP_SUBTREE : Control.CONTINUE;
    };
  }

  @Test
  void eachComposedVisitorSeesExactlyWhatItSeesAlone() {
    for (long seed = 1; seed <= 60; seed++) {
      List<Function<String, Control>> deciders = List.of(
          line -> Control.CONTINUE, chaos(seed, 3, 200), chaos(seed * 7, 2, 100), chaos(seed * 13, 5, 40));
      List<List<String>> alone = new ArrayList<>();
      for (Function<String, Control> d : deciders) {
        Recorder r = new Recorder(d);
        Walker.walk(tree(seed).space, VirtualRange.all(), r);
        alone.add(r.trace);
      }
      List<Recorder> together = new ArrayList<>();
      for (Function<String, Control> d : deciders) {
        together.add(new Recorder(d));
      }
      Walker.walk(tree(seed).space, VirtualRange.all(), Visitors.compose(together));
      for (int i = 0; i < deciders.size(); i++) {
        assertThat(together.get(i).trace).as("seed %d visitor %d", seed, i).isEqualTo(alone.get(i));
      }
    }
  }

  @Test
  void theWalkSkipsOnlyWhatEveryVisitorSkipsAndStopsWhenAllStop() {
    Trees t = tree(3);
    Recorder skipsAll = new Recorder(line -> line.startsWith("before PDPT") ? Control.SKIP_SUBTREE : Control.CONTINUE);
    Recorder alsoSkips = new Recorder(line -> line.startsWith("entry PML4") ? Control.SKIP_SUBTREE : Control.CONTINUE);
    Walker walker = t.space.walker();
    walker.walk(t.root(), VirtualRange.all(), Visitors.compose(skipsAll, alsoSkips));
    // Both skip below the root, so only the root's entries are read (plus one re-read each of
    // the entries handed to onEntry): the walk itself skipped the subtrees.
    assertThat(walker.tablesVisited()).isEqualTo(1 + skipsAll.trace.stream().filter(l -> l.startsWith("before PDPT")).count());

    Recorder stopsEarly = new Recorder(line -> Control.STOP);
    Recorder stopsLate = new Recorder(line -> line.startsWith("after PML4") ? Control.STOP : Control.CONTINUE);
    assertThat(Walker.walk(t.space, VirtualRange.all(), Visitors.compose(stopsEarly, stopsLate)))
        .isEqualTo(WalkOutcome.STOPPED);
    assertThat(stopsEarly.trace).hasSize(1);
    Recorder full = new Recorder();
    Walker.walk(t.space, VirtualRange.all(), full);
    assertThat(stopsLate.trace).isEqualTo(full.trace);
  }

  @Test
  void composeRejectsNoVisitorsAndNulls() {
    assertThatThrownBy(Visitors::compose).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Visitors.compose(new Recorder(), null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("visitor 1");
    PageTableVisitor one = new Recorder();
    assertThat(Visitors.compose(one)).isSameAs(one);
  }
}
