package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Attributes;
import dev.paging.api.EntryKind;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import dev.paging.core.Formats;
import dev.paging.ops.Translation;
import dev.paging.ops.Translator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Batch translation gives, address by address, what single translation gives (physical address
 * and outcome), on trees with huge pages, markers, malformed entries, recursive entries and tables outside
 * memory, while reading only the entries a new address does not share with the one before.
 */
class BatchTranslateTest {
  private static final List<PagingFormat> FORMATS =
      List.of(Formats.x86_64(), Formats.x86_64FiveLevel(), Formats.sv39(), Formats.sv48(), Formats.sv57(), Formats.x86_32(), Formats.x86Pae(),
          Formats.aarch64());
  private static final long WINDOW = 0x10_0000_0000L;

  /** Where the trees are built: at 64 GiB, or from 0 in a 32-bit space, which is all of the window. */
  private static long window(PagingFormat format) {
    return format.virtualAddressBits() == 32 ? 0 : WINDOW;
  }

  @Test
  void everyAddressOfABatchIsTranslatedAsItWouldBeAlone() {
    long mappedSeen = 0;
    long malformedSeen = 0;
    for (PagingFormat format : FORMATS) {
      for (int seed = 0; seed < 12; seed++) {
        Random random = new Random(seed * 1_000_003L + format.virtualAddressBits());
        List<Long> spots = new ArrayList<>();
        Trees t = hostileTree(format, random, spots);
        Translator translator = Translator.of(t.space);
        long[] vas = addresses(format, random, 3000, spots);
        long[] pas = new long[vas.length + 2];
        Translation.Outcome[] outcomes = new Translation.Outcome[vas.length + 2];
        int mapped = translator.physicalAddresses(vas, 0, pas, 1, vas.length, -7, outcomes);
        int expectedMapped = 0;
        for (int i = 0; i < vas.length; i++) {
          Translation alone = translator.translate(vas[i]);
          String what = format.name() + " seed " + seed + " address " + Long.toHexString(vas[i]);
          assertThat(pas[1 + i]).as(what).isEqualTo(translator.physicalAddressOrElse(vas[i], -7));
          assertThat(outcomes[1 + i]).as(what).isEqualTo(alone.outcome());
          expectedMapped += alone.isMapped() ? 1 : 0;
          malformedSeen += alone.outcome() == Translation.Outcome.MALFORMED ? 1 : 0;
        }
        assertThat(mapped).isEqualTo(expectedMapped);
        assertThat(pas[0]).isZero();
        assertThat(pas[vas.length + 1]).isZero();
        mappedSeen += mapped;
      }
    }
    // The trees and addresses must exercise both ends, or the comparison proves little.
    assertThat(mappedSeen).isGreaterThan(20_000);
    assertThat(malformedSeen).isGreaterThan(5_000);
  }

  /** Leaves of two sizes, markers, malformed entries, recursive entries and links out of memory, in a 4 GiB window. */
  private static Trees hostileTree(PagingFormat format, Random random, List<Long> spots) {
    Trees t = Trees.of(format);
    int last = format.levels().size() - 1;
    Attributes table = format.tableAttributesFor(Attributes.readWrite().withUser(true));
    long window = window(format);
    int hugeShift = format.levels().get(last - 1).shift();
    for (int i = 0; i < 60; i++) {
      long va = window + ((random.nextLong() & 0xffff_ffffL) & ~0xfffL);
      spots.add(va);
      int choice = random.nextInt(8);
      if (choice < 5) {
        t.leaf(va, last, (long) random.nextInt(1 << 20) << 12);
      } else if (choice < 7) {
        t.leaf(va & -(1L << hugeShift), last - 1, (long) random.nextInt(1 << 10) << hugeShift);
      } else {
        t.raw(va, last, 0x4000_0000L);
      }
    }
    // Hostile entries last, and only one level above the leaves, so that building one never
    // walks through another.
    Level above = format.levels().get(last - 1);
    // Beyond the memory, and within what a table entry of the format can hold.
    long outside = format.root().entryBytes() == 4 ? 0xffff_f000L : 1L << 40;
    for (int i = 0; i < 20; i++) {
      long va = window + ((random.nextLong() & 0xffff_ffffL) & ~0xfffL);
      spots.add(va);
      int choice = random.nextInt(3);
      if (choice == 1 && last < 2) {
        // Two levels have no grandparent table to link back to.
        choice = 0;
      }
      if (choice == 0) {
        t.raw(va, last - 1, malformed(format, above));
      } else if (choice == 1) {
        // A recursive entry: one pointing to its own table's parent, followed one level down.
        t.link(va, last - 1, t.table(va, last - 2));
      } else {
        t.raw(va, last - 1, format.encodeTable(above, outside, table));
      }
    }
    return t;
  }

  private static long malformed(PagingFormat format, Level level) {
    for (long raw : new long[] {0x5, 0x81 | 0x2000L, 1L | (0x7fL << 54), 0x20_0081L}) {
      boolean fits = level.entryBytes() == 8 || (raw >>> 32) == 0;
      if (fits && format.decode(level, raw).kind() == EntryKind.MALFORMED) {
        return raw;
      }
    }
    throw new AssertionError("no malformed entry found for " + level);
  }

  /** Runs of pages and of addresses within a page, scattered addresses, and addresses anywhere. */
  private static long[] addresses(PagingFormat format, Random random, int n, List<Long> spots) {
    long[] vas = new long[n];
    int i = 0;
    while (i < n) {
      int kind = random.nextInt(4);
      // Near what the tree holds, mostly: a random spot, a little before or after it.
      long start = format.canonicalAddress(random.nextInt(5) == 0 ? window(format) + (random.nextLong() & 0xffff_ffffL)
          : spots.get(random.nextInt(spots.size())) + random.nextInt(1 << 16) - (1 << 15));
      if (kind == 0) {
        for (int k = random.nextInt(600); k > 0 && i < n; k--) {
          vas[i++] = format.canonicalAddress((start & ~0xfffL) + ((long) k << 12) + (start & 0xfff));
        }
      } else if (kind == 1) {
        for (int k = random.nextInt(20); k > 0 && i < n; k--) {
          vas[i++] = format.canonicalAddress(start + 8L * k);
        }
      } else if (kind == 2) {
        vas[i++] = start;
      } else {
        long anywhere = format.canonicalAddress(random.nextLong() >> (64 - format.virtualAddressBits()));
        vas[i++] = anywhere;
      }
    }
    return vas;
  }

  @Test
  void aRunOfPagesInOneTableReadsOneEntryEachAndTwoAddressesInOnePageReadOnce() {
    Trees t = Trees.of(Formats.x86_64());
    for (int i = 0; i < 512; i++) {
      t.leaf(0x4000_0000L + ((long) i << 12), 3, 0x100_0000L + ((long) i << 12));
    }
    Translator translator = Translator.of(t.space);
    long[] vas = new long[512];
    for (int i = 0; i < 512; i++) {
      vas[i] = 0x4000_0000L + ((long) i << 12) + 0x10;
    }
    long[] pas = new long[512];
    t.memory.resetCounters();
    assertThat(translator.physicalAddresses(vas, 0, pas, 0, 512, -1, null)).isEqualTo(512);
    // The first address: one entry per level; every next one: its PT entry only.
    assertThat(t.memory.reads()).isEqualTo(4 + 511);
    assertThat(pas[511]).isEqualTo(0x100_0000L + (511L << 12) + 0x10);

    t.memory.resetCounters();
    translator.physicalAddresses(new long[] {0x4000_0008L, 0x4000_0ff0L}, 0, pas, 0, 2, -1, null);
    assertThat(t.memory.reads()).isEqualTo(4);
    assertThat(pas[1]).isEqualTo(0x100_0ff0L);
  }

  @Test
  void aNonCanonicalAddressIsNamedWithItsPositionAndNothingIsWritten() {
    Trees t = Trees.of(Formats.x86_64());
    t.leaf(0x1000, 3, 0x2000);
    long[] pas = new long[3];
    Arrays.fill(pas, 5);
    assertThatThrownBy(() -> Translator.of(t.space)
            .physicalAddresses(new long[] {0x1000, 0x0000_8000_0000_0000L, 0x1000}, 0, pas, 0, 3, -1, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("address 0x0000800000000000 at position 1 is not canonical for x86-64; nothing was translated");
    assertThat(pas).containsExactly(5, 5, 5);
    assertThatThrownBy(() -> Translator.of(t.space).physicalAddresses(new long[4], 0, new long[3], 0, 4, -1, null))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }
}
