package dev.paging.tests;

import static dev.paging.api.Addresses.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Architecture;
import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryProblem;
import dev.paging.api.EntryVerdict;
import dev.paging.api.Level;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.core.Formats;
import dev.paging.core.Visitors;
import dev.paging.core.Walker;
import dev.paging.ops.Translator;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The hook contract: every non-empty entry reaches exactly one of {@code onEntry} and {@code
 * onMalformed}, and the format alone decides what an entry is at a level.
 */
class HookContractTest {
  private static final long GIB = 1L << 30;

  @Test
  void aPointerToATableOutsideMemoryReachesOnlyOnMalformed() {
    Trees t = Trees.of(Formats.x86_64());
    long outside = Trees.MEMORY + 0x1000;
    t.raw(GIB, 1, outside | 0x7); // PDPT[1] points past the end of memory
    Recorder r = new Recorder();
    Walker.walk(t.space, VirtualRange.ofLength(0, 2 * GIB), r);
    assertThat(r.trace).filteredOn(line -> line.contains("PDPT[1]"))
        .containsExactly("malformed PDPT[1] TABLE_OUTSIDE_MEMORY " + hex(outside | 0x7));
  }

  @Test
  void aPointerToAnAncestorReachesOnEntryAndIsFollowedOneLevelDown() {
    Trees t = Trees.of(Formats.sv39());
    long l1 = t.table(0, 1);
    // L1[3] points back at its own table: a recursive entry, followed as the MMU follows it, so
    // the same frame is walked again as an L0 table, where its entry 3 is a pointer at the last
    // level (Sv39 has no leaf there).
    long pointer = t.format.encodeTable(t.level(1), l1, Attributes.none());
    t.raw(3L << 21, 1, pointer);
    Recorder r = new Recorder();
    Walker.walk(t.space, VirtualRange.all(), r);
    assertThat(r.trace).filteredOn(line -> line.contains("L1[3]") || line.contains("L0[3]")).containsExactly(
        "entry L1[3] TABLE " + Recorder.range(3L << 21, (4L << 21) - 1),
        "malformed L0[3] TABLE_AT_LAST_LEVEL " + hex(pointer));
  }

  @Test
  void aVisitorThatSkipsWhatIsBelowThePdptsStillHearsOfTheBrokenPointerOnce() {
    // Alone, a visitor that never descends below a PDPT hears of the pointer once, as malformed;
    // composed beside one that descends, it hears exactly the same, with no special case in the
    // composition.
    Trees t = Trees.of(Formats.x86_64());
    long outside = Trees.MEMORY;
    t.raw(2 * GIB, 1, outside | 0x3);
    t.table(0, 3);
    Recorder skipper = new Recorder(line -> line.startsWith("entry PDPT") ? Control.SKIP_SUBTREE : Control.CONTINUE);
    Walker.walk(t.space, VirtualRange.all(), skipper);
    List<String> alone = List.copyOf(skipper.trace);
    Recorder skipperComposed =
        new Recorder(line -> line.startsWith("entry PDPT") ? Control.SKIP_SUBTREE : Control.CONTINUE);
    Recorder descender = new Recorder();
    Walker.walk(t.space, VirtualRange.all(), Visitors.compose(skipperComposed, descender));
    assertThat(skipperComposed.trace).isEqualTo(alone);
    assertThat(alone).filteredOn(line -> line.contains("PDPT[") && !line.startsWith("hole"))
        .containsExactly("entry PDPT[0] TABLE " + Recorder.range(0, GIB - 1),
            "malformed PDPT[2] TABLE_OUTSIDE_MEMORY " + hex(outside | 0x3));
    assertThat(descender.trace).filteredOn(line -> line.contains("PDPT[2]")).hasSize(1);
  }

  @Test
  void aPointerWrittenAtTheLastLevelIsMalformedAtOnceOnTheCursorAndToTheWalker() {
    Trees t = Trees.of(Formats.sv39());
    long l0 = t.table(0, 2);
    t.leaf(0x5000, 2, 0x9000, Attributes.readWrite());
    long pointer = (0x7000L >>> 12 << 10) | 1; // V alone: a pointer, which L0 may not hold
    List<String> seen = new ArrayList<>();
    Recorder r = new Recorder() {
      @Override
      public Control onEntry(EntryCursor e) {
        if (e.level().depth() == 2) {
          e.write(pointer);
          seen.add(e.kind() + " " + t.format.problem(e.level(), e.raw()));
        }
        return super.onEntry(e);
      }
    };
    Walker.walk(t.space, VirtualRange.page(0x5000), r);
    assertThat(seen).containsExactly("MALFORMED TABLE_AT_LAST_LEVEL");
    assertThat(r.trace).filteredOn(line -> line.contains("L0[5]")).containsExactly(
        "entry L0[5] MALFORMED " + Recorder.range(0x5000, 0x5fff),
        "malformed L0[5] TABLE_AT_LAST_LEVEL " + hex(pointer));
    assertThat(t.memory.read(l0 + 8 * 5)).isEqualTo(pointer);
  }

  @Test
  void everyShippedFormatNamesAProblemExactlyForItsMalformedEntriesAndNoPointerAtItsLastLevel() {
    SplittableRandom random = new SplittableRandom(10);
    for (PagingFormat format : List.of(Formats.x86_64(), Formats.x86_64FiveLevel(), Formats.sv39(),
        Formats.sv48(), Formats.sv57(), Formats.x86_32(), Formats.x86Pae(), Formats.aarch64())) {
      List<Level> levels = format.levels();
      for (Level level : levels) {
        boolean last = level.depth() == levels.size() - 1;
        for (int i = 0; i < 20_000; i++) {
          // Few bits set, so that valid encodings are common; sometimes every bit at random.
          long raw = i % 4 == 0 ? random.nextLong() : random.nextLong() & random.nextLong() & random.nextLong() | 1;
          EntryKind kind = format.kind(level, raw);
          EntryProblem problem = format.problem(level, raw);
          assertThat(problem != null).as("%s %s %s: %s with problem %s", format.name(), level, hex(raw), kind, problem)
              .isEqualTo(kind == EntryKind.MALFORMED);
          assertThat(problem).isNotEqualTo(EntryProblem.TABLE_OUTSIDE_MEMORY);
          if (last) {
            assertThat(kind).as("%s %s %s", format.name(), level, hex(raw)).isNotEqualTo(EntryKind.TABLE);
          }
        }
      }
    }
  }

  @Test
  void aVerdictCarriesItsProblemAndTheWalkersOwnProblemsAreNoFormatsVerdict() {
    for (EntryVerdict v : EntryVerdict.values()) {
      assertThat(v.problem() != null).as(v.name()).isEqualTo(v.kind() == EntryKind.MALFORMED);
      if (v.problem() != null) {
        assertThat(EntryVerdict.malformed(v.problem())).isSameAs(v);
        assertThat(v.name()).isEqualTo(v.problem().name());
      }
    }
    assertThatThrownBy(() -> EntryVerdict.malformed(EntryProblem.TABLE_OUTSIDE_MEMORY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("TABLE_OUTSIDE_MEMORY is found by the walker from where an entry points, not by a format");
  }

  @Test
  void aFormatThatCallsALastLevelEntryATableIsNamedNotFollowedOffTheEndOfTheLevels() {
    Trees t = Trees.of(new PointerAtLastLevelFormat(Formats.sv39()));
    long pointer = (0x7000L >>> 12 << 10) | 1;
    t.raw(0x5000, 2, pointer);
    AddressSpace space = t.space;
    assertThatThrownBy(() -> Walker.walk(space, VirtualRange.page(0x5000), new PageTableVisitor() {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("format sv39-broken decodes " + hex(pointer) + " at L0, its last level, as a table"
            + " pointer; PagingFormat.decode must call it TABLE_AT_LAST_LEVEL");
    assertThatThrownBy(() -> Translator.of(space).translate(0x5000))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("format sv39-broken decodes " + hex(pointer) + " at L0");
  }

  /**
   * Sv39, except that a pointer at L0 is called a table: the contract break the walker used to
   * patch over in its own copy of the rule.
   */
  private static final class PointerAtLastLevelFormat implements PagingFormat {
    private final PagingFormat real;

    PointerAtLastLevelFormat(PagingFormat real) {
      this.real = real;
    }

    private boolean pointerAtLast(Level level, long raw) {
      return level.depth() == real.levels().size() - 1 && real.problem(level, raw) == EntryProblem.TABLE_AT_LAST_LEVEL;
    }

    @Override
    public String name() {
      return real.name() + "-broken";
    }

    @Override
    public Architecture architecture() {
      return real.architecture();
    }

    @Override
    public List<Level> levels() {
      return real.levels();
    }

    @Override
    public int virtualAddressBits() {
      return real.virtualAddressBits();
    }

    @Override
    public int physicalAddressBits() {
      return real.physicalAddressBits();
    }

    @Override
    public EntryVerdict decode(Level level, long raw) {
      return pointerAtLast(level, raw) ? EntryVerdict.TABLE : real.decode(level, raw);
    }

    @Override
    public long address(Level level, long raw) {
      return real.address(level, raw);
    }

    @Override
    public Attributes attributes(Level level, long raw) {
      return real.attributes(level, raw);
    }

    @Override
    public long encodeTable(Level level, long tableAddress, Attributes attributes) {
      return real.encodeTable(level, tableAddress, attributes);
    }

    @Override
    public long encodeLeaf(Level level, long physicalAddress, Attributes attributes) {
      return real.encodeLeaf(level, physicalAddress, attributes);
    }

    @Override
    public Attributes effective(Attributes upper, Attributes lower) {
      return real.effective(upper, lower);
    }

    @Override
    public Attributes tableAttributesFor(Attributes leaf) {
      return real.tableAttributesFor(leaf);
    }
  }
}
