package dev.paging.tests;

import static dev.paging.tests.Space.GIB;
import static dev.paging.tests.Space.KIB4;
import static dev.paging.tests.Space.MIB2;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.Range;
import com.google.common.collect.RangeMap;
import com.google.common.collect.TreeRangeMap;
import dev.paging.api.Attributes;
import dev.paging.api.MappingConflictException;
import dev.paging.api.OutOfFramesException;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.fakes.AllocatorState;
import dev.paging.fakes.MemorySnapshot;
import dev.paging.ops.ConflictPolicy;
import dev.paging.ops.MapOptions;
import dev.paging.ops.MapResult;
import dev.paging.ops.Mapping;
import dev.paging.ops.Translation;
import dev.paging.ops.Translator;
import dev.paging.ops.UnmapResult;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded random sequences of map, unmap, protect, smash and collapse over a 4 GiB window,
 * checked after every step against a model of the mappings (a range map from virtual addresses
 * to physical offset and attributes). A third of the steps run with an allocation failure
 * injected; those must change nothing. The seed is in every failure message.
 */
class RandomOperationsTest {
  private static final long BASE = GIB;
  private static final long WINDOW = 4 * GIB;
  private static final List<Attributes> ATTRIBUTES = List.of(Attributes.readWrite(), Attributes.readOnly(),
      Attributes.readExecute(), Attributes.readWrite().withUser(true), Attributes.readOnly().withGlobal(true));
  private static final long[] GRAINS = {KIB4, MIB2, GIB};

  /** What the model says is at an address: physical = virtual + delta. */
  private static final class Seg {
    final long delta;
    final Attributes attributes;

    Seg(long delta, Attributes attributes) {
      this.delta = delta;
      this.attributes = attributes;
    }
  }

  @Test
  void randomSequencesAgreeWithTheModelOnEveryFormat() {
    for (PagingFormat format : List.of(Formats.x86_64(), Formats.x86_64FiveLevel(), Formats.sv39(), Formats.sv48())) {
      for (long seed = 1; seed <= 3; seed++) {
        run(format, seed * 7919 + format.name().hashCode());
      }
    }
  }

  private static void run(PagingFormat format, long seed) {
    String where = format.name() + " seed " + seed;
    SplittableRandom random = new SplittableRandom(seed);
    Space s = Space.of(format);
    RangeMap<Long, Seg> model = TreeRangeMap.create();
    for (int step = 0; step < 60; step++) {
      String at = where + " step " + step;
      VirtualRange range = randomRange(random);
      boolean inject = random.nextInt(3) == 0;
      MemorySnapshot before = s.memory.snapshot();
      AllocatorState state = s.allocator.state();
      if (inject) {
        s.allocator.failAtAllocation(1 + random.nextInt(3));
      }
      int op = random.nextInt(10);
      try {
        if (op < 4) {
          long grain = GRAINS[random.nextInt(3)];
          long delta = (random.nextLong(64) + 1) * grain - (random.nextBoolean() ? 0 : KIB4 * random.nextInt(3));
          Attributes a = ATTRIBUTES.get(random.nextInt(ATTRIBUTES.size()));
          ConflictPolicy policy = random.nextBoolean() ? ConflictPolicy.FAIL : ConflictPolicy.REPLACE;
          boolean conflicts = !model.subRangeMap(closedOpen(range)).asMapOfRanges().isEmpty();
          try {
            MapResult r = s.tables.map(range, range.first() + delta, a, MapOptions.defaults().withConflictPolicy(policy));
            assertThat(policy == ConflictPolicy.REPLACE || !conflicts).as(at + " map should have conflicted").isTrue();
            r.pendingFrees().release();
            model.put(closedOpen(range), new Seg(delta, a));
          } catch (MappingConflictException e) {
            assertThat(policy == ConflictPolicy.FAIL && conflicts).as(at + " unexpected conflict " + e).isTrue();
            assertUnchanged(s, before, state, at);
          }
        } else if (op < 6) {
          UnmapResult r = s.tables.unmap(range);
          long reported = 0;
          for (Mapping m : r.unmapped()) {
            reported += m.range().size();
            Seg seg = model.get(m.range().first());
            assertThat(seg).as(at + " reported " + m).isNotNull();
            assertThat(m.physicalAddress()).as(at + " " + m).isEqualTo(m.range().first() + seg.delta);
            assertThat(m.attributes()).as(at + " " + m).isEqualTo(seg.attributes);
          }
          long modelled = 0;
          for (Range<Long> r2 : model.subRangeMap(closedOpen(range)).asMapOfRanges().keySet()) {
            modelled += r2.upperEndpoint() - r2.lowerEndpoint();
          }
          assertThat(reported).as(at + " bytes unmapped").isEqualTo(modelled);
          model.remove(closedOpen(range));
        } else if (op < 8) {
          Attributes a = ATTRIBUTES.get(random.nextInt(ATTRIBUTES.size()));
          s.tables.protect(range, a);
          for (Map.Entry<Range<Long>, Seg> e : List.copyOf(model.subRangeMap(closedOpen(range)).asMapOfRanges().entrySet())) {
            model.put(e.getKey(), new Seg(e.getValue().delta, a));
          }
        } else if (op == 8) {
          long address = range.first() + random.nextLong(range.size()) / KIB4 * KIB4;
          long size = GRAINS[random.nextInt(2)];
          if (model.get(address) == null) {
            assertUnchanged(s, () -> s.tables.smash(address, size), at);
          } else {
            s.tables.smash(address, size);
            assertThat(s.translate(address).pageSize()).as(at).isLessThanOrEqualTo(size);
          }
        } else {
          s.tables.collapse(range).pendingFrees().release();
        }
        if (inject) {
          s.allocator.clearFailures();
        }
      } catch (OutOfFramesException e) {
        s.allocator.clearFailures();
        assertUnchanged(s, before, state, at + " after " + e.getMessage());
      }
      check(s, model, random, range, at);
    }
    s.tables.destroy().pendingFrees().release();
    assertThat(s.allocator.allocatedCount()).as(where + ": " + s.allocator.leakReport()).isZero();
  }

  private static VirtualRange randomRange(SplittableRandom random) {
    long grain = GRAINS[random.nextInt(3)];
    long start = BASE + random.nextLong(WINDOW / grain - 3) * grain;
    long length = (1 + random.nextInt(3)) * grain;
    if (random.nextBoolean()) {
      start += KIB4 * random.nextInt(4);
    }
    if (random.nextBoolean()) {
      length += KIB4 * (random.nextInt(5) - 2);
    }
    return VirtualRange.ofLength(start, Math.max(KIB4, Math.min(length, BASE + WINDOW - start)));
  }

  private static Range<Long> closedOpen(VirtualRange r) {
    return Range.closedOpen(r.first(), r.last() + 1);
  }

  /** Every page boundary of the step's range and random addresses elsewhere. */
  private static void check(Space s, RangeMap<Long, Seg> model, SplittableRandom random, VirtualRange range, String at) {
    long[] probes = new long[72];
    probes[0] = range.first();
    probes[1] = range.first() - KIB4;
    probes[2] = range.last();
    probes[3] = range.last() + 1;
    probes[4] = range.first() - 1;
    for (int i = 5; i < probes.length; i++) {
      probes[i] = BASE + random.nextLong(WINDOW);
    }
    for (long va : probes) {
      Seg seg = model.get(va);
      Translation t = s.translate(va);
      if (seg == null) {
        assertThat(t.isMapped()).as(at + " " + Long.toHexString(va) + " should be unmapped: " + t).isFalse();
      } else {
        assertThat(t.isMapped()).as(at + " " + Long.toHexString(va) + " should be mapped: " + t).isTrue();
        assertThat(t.physicalAddress()).as(at + " " + t).isEqualTo(va + seg.delta);
        assertThat(t.effectiveAttributes()).as(at + " " + t).isEqualTo(seg.attributes);
        assertThat(s.tables.physicalAddressOrElse(va, Translator.NOT_MAPPED)).as(at + " fast path " + t).isEqualTo(va + seg.delta);
      }
    }
  }

  private static void assertUnchanged(Space s, MemorySnapshot before, AllocatorState state, String at) {
    assertThat(before.diff(s.memory.snapshot())).as(at).isEmpty();
    assertThat(s.allocator.state()).as(at).isEqualTo(state);
  }

  private static void assertUnchanged(Space s, Runnable operation, String at) {
    Throwable e = s.unchangedBy(operation);
    assertThat(e).as(at).isInstanceOf(IllegalArgumentException.class);
  }
}
