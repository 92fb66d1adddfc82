package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Attributes;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.Aarch64Options;
import dev.paging.core.Formats;
import dev.paging.core.X86Options;
import dev.paging.testkit.stateful.Generators;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GeneratorsTest {
  private static final List<PagingFormat> FORMATS = List.of(Formats.x86_64(), Formats.x86_64FiveLevel(),
      Formats.x86_64(X86Options.defaults().withNx(false).withGigabytePages(false)), Formats.sv39(), Formats.sv48(), Formats.sv57(),
      Formats.x86_32(), Formats.x86_32(false), Formats.x86Pae(), Formats.x86Pae(false), Formats.aarch64(),
      Formats.aarch64(Aarch64Options.defaults().withVirtualAddressBits(39)));

  @Test
  void theSameSeedGivesTheSameValues() {
    for (PagingFormat f : FORMATS) {
      assertThat(sample(f, 7)).isEqualTo(sample(f, 7)).isNotEqualTo(sample(f, 8));
    }
  }

  private static List<String> sample(PagingFormat f, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      out.add(Long.toHexString(Generators.address(r, f)) + " " + Generators.range(r, f, 1L << 21, false)
          + " " + Generators.attributes(r, f));
    }
    return out;
  }

  @Test
  void addressesAreCanonicalAlignedAndHitEveryEdge() {
    for (PagingFormat f : FORMATS) {
      SplittableRandom r = new SplittableRandom(1);
      Set<Long> edges = new HashSet<>(List.of(0L, f.lowerHalf().last() & -4096L, f.upperHalf().first(),
          f.upperHalf().last() & -4096L));
      Set<Long> seen = new HashSet<>();
      for (int i = 0; i < 2000; i++) {
        long a = Generators.address(r, f);
        assertThat(f.isCanonical(a)).as("%s %x", f, a).isTrue();
        assertThat(a & 0xfff).isZero();
        seen.add(a);
      }
      assertThat(seen).as(f.name()).containsAll(edges);
    }
  }

  @Test
  void rangesStayInOneHalfAndRespectTheAlignmentAsked() {
    for (PagingFormat f : FORMATS) {
      SplittableRandom r = new SplittableRandom(2);
      for (long size : Generators.pageSizes(f)) {
        int unalignedSeen = 0;
        for (int i = 0; i < 500; i++) {
          VirtualRange aligned = Generators.range(r, f, size, true);
          assertThat(aligned.first() & (size - 1)).isZero();
          assertThat(f.lowerHalf().contains(aligned) || f.upperHalf().contains(aligned)).isTrue();
          VirtualRange unaligned = Generators.range(r, f, size, false);
          assertThat(unaligned.first() & 0xfff).isZero();
          assertThat((unaligned.last() + 1) & 0xfff).isZero();
          assertThat(f.lowerHalf().contains(unaligned) || f.upperHalf().contains(unaligned)).isTrue();
          if ((unaligned.first() & (size - 1)) != 0) {
            unalignedSeen++;
          }
        }
        assertThat(unalignedSeen).as("%s size %x", f, size).isEqualTo(size == 4096 ? 0 : 500);
      }
    }
  }

  @Test
  void attributesAreAlwaysEncodableAndVary() {
    for (PagingFormat f : FORMATS) {
      SplittableRandom r = new SplittableRandom(3);
      Set<Attributes> seen = new HashSet<>();
      for (int i = 0; i < 500; i++) {
        Attributes a = Generators.attributes(r, f);
        long raw = f.encodeLeaf(f.levels().get(f.levels().size() - 1), 0x5000, a);
        assertThat(f.attributes(f.levels().get(f.levels().size() - 1), raw)).isEqualTo(a);
        seen.add(a);
      }
      assertThat(seen.size()).as(f.name()).isGreaterThan(20);
    }
  }

  @Test
  void pageSizesFollowTheFormatsOptions() {
    assertThat(Generators.pageSizes(Formats.x86_64())).containsExactly(4096L, 1L << 21, 1L << 30);
    assertThat(Generators.pageSizes(Formats.x86_64(X86Options.defaults().withGigabytePages(false))))
        .containsExactly(4096L, 1L << 21);
    assertThat(Generators.pageSizes(Formats.sv48())).containsExactly(4096L, 1L << 21, 1L << 30);
  }
}
