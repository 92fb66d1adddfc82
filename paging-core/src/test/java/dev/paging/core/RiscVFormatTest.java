package dev.paging.core;

import static dev.paging.api.Addresses.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Attributes;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryProblem;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Bit-exact checks of the Sv39/Sv48/Sv57 PTE codec against the privileged spec: V 0, R 1, W 2,
 * X 3, U 4, G 5, A 6, D 7, RSW 8-9, PPN 10-53, reserved 54-60, PBMT 61-62, N 63.
 */
class RiscVFormatTest {
  private static final PagingFormat SV39 = Formats.sv39();
  private static final PagingFormat SV48 = Formats.sv48();
  private static final PagingFormat SV57 = Formats.sv57();
  private static final Level L2 = SV39.levels().get(0);
  private static final Level L1 = SV39.levels().get(1);
  private static final Level L0 = SV39.levels().get(2);

  @Nested
  class Geometry {
    @Test
    void levelsAreNamedByVpnIndex() {
      assertThat(SV39.levels()).extracting(Level::name).containsExactly("L2", "L1", "L0");
      assertThat(SV48.levels()).extracting(Level::name).containsExactly("L3", "L2", "L1", "L0");
      assertThat(SV57.levels()).extracting(Level::name).containsExactly("L4", "L3", "L2", "L1", "L0");
      assertThat(SV57.levels()).extracting(Level::shift).containsExactly(48, 39, 30, 21, 12);
      assertThat(SV39.levels()).extracting(Level::shift).containsExactly(30, 21, 12);
      for (PagingFormat f : List.of(SV39, SV48, SV57)) {
        assertThat(f.levels()).extracting(Level::leafAllowed).containsOnly(true);
        assertThat(f.levels()).extracting(Level::entries).containsOnly(512);
        assertThat(f.physicalAddressBits()).isEqualTo(56);
      }
    }

    @Test
    void namesAndWidths() {
      assertThat(SV39.name()).isEqualTo("sv39");
      assertThat(SV48.name()).isEqualTo("sv48");
      assertThat(SV57.name()).isEqualTo("sv57");
      assertThat(SV39.virtualAddressBits()).isEqualTo(39);
      assertThat(SV48.virtualAddressBits()).isEqualTo(48);
      assertThat(SV57.virtualAddressBits()).isEqualTo(57);
    }
  }

  @Nested
  class Encoding {
    @Test
    void fourKibLeaf() {
      // PPN 0x80001 at bit 10; V R W A D = 0xc7.
      assertThat(SV39.encodeLeaf(L0, 0x8000_1000L,
          Attributes.readWrite().withAccessed(true).withDirty(true)))
          .isEqualTo(0x0000_0000_2000_04c7L);
    }

    @Test
    void leafAtEveryLevel() {
      assertThat(SV39.encodeLeaf(L2, 0x8000_0000L, Attributes.readExecute()))
          .isEqualTo(0x0000_0000_2000_000bL);
      assertThat(SV39.encodeLeaf(L1, 0x8020_0000L, Attributes.readWrite().withExecutable(true)))
          .isEqualTo(0x0000_0000_2008_000fL);
      assertThat(SV48.encodeLeaf(SV48.root(), 0x0000_0080_0000_0000L, Attributes.readOnly()))
          .isEqualTo(0x0000_0020_0000_0003L);
      assertThat(SV57.encodeLeaf(SV57.root(), 1L << 48, Attributes.readOnly()))
          .isEqualTo(0x0000_4000_0000_0003L);
    }

    @Test
    void executeOnlyLeaf() {
      assertThat(SV39.encodeLeaf(L0, 0x1000L, Attributes.none().withExecutable(true)))
          .isEqualTo(0x0409L);
    }

    @Test
    void userGlobalRswPbmt() {
      Attributes r = Attributes.readOnly();
      assertThat(SV39.encodeLeaf(L0, 0x1000L, r.withUser(true))).isEqualTo(0x0413L);
      assertThat(SV39.encodeLeaf(L0, 0x1000L, r.withGlobal(true))).isEqualTo(0x0423L);
      assertThat(SV39.encodeLeaf(L0, 0x1000L, r.withSoftwareBits(3))).isEqualTo(0x0703L);
      assertThat(SV39.encodeLeaf(L0, 0x1000L, r.withSoftwareBits(2))).isEqualTo(0x0603L);
      assertThat(SV39.encodeLeaf(L0, 0x1000L, r.withMemoryType(1))).isEqualTo(0x2000_0000_0000_0403L);
      assertThat(SV39.encodeLeaf(L0, 0x1000L, r.withMemoryType(2))).isEqualTo(0x4000_0000_0000_0403L);
    }

    @Test
    void napotLeafCarriesN() {
      // A 64 KiB NAPOT leaf holds PPN[0] low bits 1000: address 0x10000 | 0x8000.
      assertThat(SV39.encodeLeaf(L0, 0x1_8000L, Attributes.readOnly().withExtraBits(1L << 63)))
          .isEqualTo(0x8000_0000_0000_6003L);
    }

    @Test
    void highestPhysicalAddress() {
      assertThat(SV39.encodeLeaf(L0, 0x00ff_ffff_ffff_f000L, Attributes.readOnly()))
          .isEqualTo(0x003f_ffff_ffff_fc03L);
    }

    @Test
    void pointer() {
      assertThat(SV39.encodeTable(L2, 0x8000_2000L, Attributes.none())).isEqualTo(0x2000_0801L);
      assertThat(SV39.encodeTable(L2, 0x8000_2000L, Attributes.none().withGlobal(true)))
          .isEqualTo(0x2000_0821L);
      assertThat(SV39.encodeTable(L1, 0x8000_2000L, Attributes.none().withSoftwareBits(1)))
          .isEqualTo(0x2000_0901L);
      assertThat(SV39.encodeTable(L1, 0x8000_2000L, SV39.tableAttributesFor(
          Attributes.readWrite().withUser(true).withGlobal(true)))).isEqualTo(0x2000_0801L);
    }
  }

  @Nested
  class Decoding {
    @Test
    void emptyAndNotPresent() {
      for (Level l : SV57.levels()) {
        assertThat(SV57.kind(l, 0)).isEqualTo(EntryKind.EMPTY);
        assertThat(SV57.kind(l, 0x2000_080eL)).isEqualTo(EntryKind.NOT_PRESENT);
        assertThat(SV57.kind(l, -2L)).isEqualTo(EntryKind.NOT_PRESENT);
        assertThat(SV57.problem(l, -2L)).isNull();
      }
    }

    @Test
    void pointerAndLeafAtEveryLevel() {
      for (PagingFormat f : List.of(SV39, SV48, SV57)) {
        for (Level l : f.levels()) {
          assertThat(f.kind(l, 0x0000_0000_0000_0003L)).as("%s %s", f, l).isEqualTo(EntryKind.LEAF);
          assertThat(f.kind(l, 0x0000_0000_0000_0009L)).as("%s %s", f, l).isEqualTo(EntryKind.LEAF);
          if (l.depth() < f.levels().size() - 1) {
            assertThat(f.kind(l, 0x2000_0801L)).as("%s %s", f, l).isEqualTo(EntryKind.TABLE);
          }
        }
      }
    }

    @Test
    void everyLeafField() {
      long raw = 0xc000_0000_0000_63ffL;
      assertThat(SV39.kind(L0, raw)).isEqualTo(EntryKind.LEAF);
      assertThat(SV39.address(L0, raw)).isEqualTo(0x1_8000L);
      Attributes a = SV39.attributes(L0, raw);
      assertThat(a).isEqualTo(Attributes.readWrite().withExecutable(true).withUser(true)
          .withGlobal(true).withAccessed(true).withDirty(true).withMemoryType(2).withSoftwareBits(3)
          .withExtraBits(1L << 63));
      assertThat(SV39.encodeLeaf(L0, 0x1_8000L, a)).isEqualTo(raw);
    }

    @Test
    void pointerAttributes() {
      long raw = 0x0000_0000_2000_0b21L;
      assertThat(SV39.kind(L2, raw)).isEqualTo(EntryKind.TABLE);
      assertThat(SV39.address(L2, raw)).isEqualTo(0x8000_2000L);
      assertThat(SV39.attributes(L2, raw))
          .isEqualTo(Attributes.none().withGlobal(true).withSoftwareBits(3));
    }

    @Test
    void topPpnBitIsPhysicalBit55() {
      assertThat(SV39.address(L0, (1L << 53) | 3)).isEqualTo(1L << 55);
      assertThat(SV39.kind(L0, (1L << 53) | 3)).isEqualTo(EntryKind.LEAF);
    }

    @Test
    void writeWithoutReadIsReserved() {
      assertThat(SV39.kind(L0, 0x2000_0805L)).isEqualTo(EntryKind.MALFORMED);
      assertThat(SV39.problem(L0, 0x2000_0805L)).isEqualTo(EntryProblem.RESERVED_ENCODING);
      assertThat(SV39.problem(L0, 0x2000_080dL)).isEqualTo(EntryProblem.RESERVED_ENCODING);
      assertThat(SV39.problem(L2, 0x0000_0005L)).isEqualTo(EntryProblem.RESERVED_ENCODING);
    }

    @Test
    void pbmtThreeIsReserved() {
      assertThat(SV39.problem(L0, 0x6000_0000_2000_0803L)).isEqualTo(EntryProblem.RESERVED_ENCODING);
      assertThat(SV39.kind(L0, 0x6000_0000_2000_0803L)).isEqualTo(EntryKind.MALFORMED);
      assertThat(SV39.problem(L0, 0x4000_0000_2000_0803L)).isNull();
    }

    @Test
    void accessedDirtyUserOnAPointer() {
      assertThat(SV39.problem(L2, 0x2000_0841L)).isEqualTo(EntryProblem.NON_LEAF_FLAGS);
      assertThat(SV39.problem(L2, 0x2000_0881L)).isEqualTo(EntryProblem.NON_LEAF_FLAGS);
      assertThat(SV39.problem(L2, 0x2000_0811L)).isEqualTo(EntryProblem.NON_LEAF_FLAGS);
      assertThat(SV39.kind(L1, 0x2000_0811L)).isEqualTo(EntryKind.MALFORMED);
      assertThat(SV39.problem(L2, 0x2000_0821L)).isNull();
    }

    @Test
    void pbmtOrNOnAPointerIsReserved() {
      assertThat(SV39.problem(L2, 0x2000_0000_2000_0801L)).isEqualTo(EntryProblem.RESERVED_BITS);
      assertThat(SV39.problem(L2, 0x8000_0000_2000_0801L)).isEqualTo(EntryProblem.RESERVED_BITS);
    }

    @Test
    void pointerAtTheLastLevel() {
      assertThat(SV39.kind(L0, 0x2000_0801L)).isEqualTo(EntryKind.MALFORMED);
      assertThat(SV39.problem(L0, 0x2000_0801L)).isEqualTo(EntryProblem.TABLE_AT_LAST_LEVEL);
      Level sv57L0 = SV57.levels().get(4);
      assertThat(SV57.problem(sv57L0, 0x2000_0801L)).isEqualTo(EntryProblem.TABLE_AT_LAST_LEVEL);
      // Flags on a pointer are reported before its level.
      assertThat(SV39.problem(L0, 0x2000_0841L)).isEqualTo(EntryProblem.NON_LEAF_FLAGS);
    }

    @Test
    void reservedBits54To60() {
      for (int bit = 54; bit <= 60; bit++) {
        long raw = (1L << bit) | 0x2000_0803L;
        assertThat(SV39.problem(L0, raw)).as("bit %d", bit).isEqualTo(EntryProblem.RESERVED_BITS);
        assertThat(SV39.problem(L2, (1L << bit) | 0x2000_0801L)).as("bit %d", bit)
            .isEqualTo(EntryProblem.RESERVED_BITS);
        assertThat(SV39.attributes(L0, raw).extraBits()).isEqualTo(1L << bit);
      }
      // Reserved bits come first even with W without R.
      assertThat(SV39.problem(L0, (1L << 60) | 0x5L)).isEqualTo(EntryProblem.RESERVED_BITS);
    }

    @Test
    void misalignedSuperpages() {
      // Megapage: PPN[0] (bits 18:10) must be zero.
      assertThat(SV39.problem(L1, 0x2008_0403L)).isEqualTo(EntryProblem.MISALIGNED_LEAF);
      assertThat(SV39.problem(L1, 0x2008_7c03L)).isEqualTo(EntryProblem.MISALIGNED_LEAF);
      assertThat(SV39.problem(L1, 0x2008_0003L)).isNull();
      // Gigapage: PPN[1] (bits 27:19) must be zero too.
      assertThat(SV39.problem(L2, 0x2008_0003L)).isEqualTo(EntryProblem.MISALIGNED_LEAF);
      assertThat(SV39.kind(L2, 0x2008_0003L)).isEqualTo(EntryKind.MALFORMED);
      assertThat(SV39.problem(L2, 0x2000_0003L)).isNull();
      assertThat(SV39.problem(L0, 0x2008_0403L)).isNull();
      // Terapage in Sv48: PPN[2] bits 36:28 as well.
      Level sv48L3 = SV48.root();
      assertThat(SV48.problem(sv48L3, 0x1000_0003L)).isEqualTo(EntryProblem.MISALIGNED_LEAF);
      assertThat(SV48.problem(sv48L3, 0x0000_0010_0000_0003L)).isEqualTo(EntryProblem.MISALIGNED_LEAF);
      assertThat(SV48.problem(sv48L3, 0x0000_0020_0000_0003L)).isNull();
      // The same bits in a pointer are just a table address.
      assertThat(SV39.kind(L2, 0x2008_0401L)).isEqualTo(EntryKind.TABLE);
    }

    @Test
    void napotRules() {
      assertThat(SV39.kind(L0, 0x8000_0000_0000_6003L)).isEqualTo(EntryKind.LEAF);
      assertThat(SV39.problem(L0, 0x8000_0000_0000_5003L)).isEqualTo(EntryProblem.RESERVED_ENCODING);
      assertThat(SV39.problem(L1, 0x8000_0000_2000_0003L)).isEqualTo(EntryProblem.RESERVED_BITS);
    }
  }

  @Nested
  class Permissions {
    @Test
    void effectiveIsTheLeafAlone() {
      Attributes leaf = Attributes.readWrite().withUser(true).withMemoryType(1);
      assertThat(SV39.effective(Attributes.none().withGlobal(true), leaf)).isSameAs(leaf);
      assertThat(SV39.effective(Attributes.none(), Attributes.readOnly()))
          .isEqualTo(Attributes.readOnly());
    }

    @Test
    void tableAttributesAreNone() {
      assertThat(SV48.tableAttributesFor(Attributes.readWrite().withUser(true).withGlobal(true)))
          .isEqualTo(Attributes.none());
    }
  }

  @Nested
  class EncoderErrors {
    @Test
    void pointerErrors() {
      assertThatThrownBy(() -> SV39.encodeTable(L0, 0x3000L, Attributes.none()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000003000")
          .hasMessageContaining("last level");
      assertThatThrownBy(() -> SV39.encodeTable(L1, 0x3800L, Attributes.none()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000003800");
      assertThatThrownBy(() -> SV39.encodeTable(L1, 0x3000L, Attributes.readOnly()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000003000");
      assertThatThrownBy(() -> SV39.encodeTable(L1, 0x3000L, Attributes.none().withUser(true)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000003000");
      assertThatThrownBy(() -> SV39.encodeTable(L1, 0x3000L, Attributes.none().withAccessed(true)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000003000");
      assertThatThrownBy(() -> SV39.encodeTable(L1, 0x3000L, Attributes.none().withMemoryType(1)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000000001");
      assertThatThrownBy(() -> SV39.encodeTable(L1, 0x3000L, Attributes.none().withExtraBits(1L << 63)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x8000000000000000");
      assertThatThrownBy(() -> SV39.encodeTable(L1, 0x3000L, Attributes.none().withSoftwareBits(4)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000000004");
      assertThatThrownBy(() -> SV39.encodeTable(L1, 1L << 56, Attributes.none()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0100000000000000");
    }

    @Test
    void leafPermissionErrors() {
      assertThatThrownBy(() -> SV39.encodeLeaf(L0, 0x4000L, Attributes.none()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000004000")
          .hasMessageContaining("R=W=X=0");
      assertThatThrownBy(() -> SV39.encodeLeaf(L0, 0x4000L, Attributes.none().withWritable(true)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000004000")
          .hasMessageContaining("W without R");
    }

    @Test
    void leafAddressErrors() {
      assertThatThrownBy(() -> SV39.encodeLeaf(L1, 0x8020_1000L, Attributes.readOnly()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000080201000")
          .hasMessageContaining("2 MiB");
      assertThatThrownBy(() -> SV39.encodeLeaf(L2, 0x8020_0000L, Attributes.readOnly()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000080200000")
          .hasMessageContaining("1 GiB");
      assertThatThrownBy(() -> SV39.encodeLeaf(L0, 0x0100_0000_0000_0000L, Attributes.readOnly()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0100000000000000")
          .hasMessageContaining("56");
    }

    @Test
    void leafFieldErrors() {
      Attributes r = Attributes.readOnly();
      assertThatThrownBy(() -> SV39.encodeLeaf(L0, 0x4000L, r.withMemoryType(3)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000000003");
      assertThatThrownBy(() -> SV39.encodeLeaf(L0, 0x4000L, r.withSoftwareBits(4)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000000004");
      for (long bad : new long[] {0x1L, 0x100L, 0x400L, 1L << 54, 1L << 60, 1L << 61}) {
        assertThatThrownBy(() -> SV39.encodeLeaf(L0, 0x1_8000L, r.withExtraBits(bad)))
            .as("extra %x", bad)
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(hex(bad));
      }
    }

    @Test
    void napotErrors() {
      Attributes n = Attributes.readOnly().withExtraBits(1L << 63);
      assertThatThrownBy(() -> SV39.encodeLeaf(L1, 0x20_0000L, n))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000200000");
      assertThatThrownBy(() -> SV39.encodeLeaf(L0, 0x1_0000L, n))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000010000");
    }

    @Test
    void levelOfAnotherFormat() {
      assertThatThrownBy(() -> SV39.encodeLeaf(SV48.levels().get(2), 0x1000L, Attributes.readOnly()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x0000000000001000");
    }
  }

  @Nested
  class Canonical {
    @Test
    void sv39HoleIsAt38() {
      assertThat(SV39.isCanonical(0x0000_003f_ffff_ffffL)).isTrue();
      assertThat(SV39.isCanonical(0x0000_0040_0000_0000L)).isFalse();
      assertThat(SV39.isCanonical(0xffff_ffbf_ffff_ffffL)).isFalse();
      assertThat(SV39.isCanonical(0xffff_ffc0_0000_0000L)).isTrue();
      assertThat(SV39.lowerHalf().last()).isEqualTo(0x3f_ffff_ffffL);
      assertThat(SV39.upperHalf().first()).isEqualTo(0xffff_ffc0_0000_0000L);
    }

    @Test
    void sv48HoleIsAt47() {
      assertThat(SV48.isCanonical(0x0000_7fff_ffff_ffffL)).isTrue();
      assertThat(SV48.isCanonical(0x0000_8000_0000_0000L)).isFalse();
      assertThat(SV48.isCanonical(0xffff_8000_0000_0000L)).isTrue();
      assertThat(SV48.isCanonical(0x0000_0040_0000_0000L)).isTrue();
    }

    @Test
    void sv57HoleIsAt56() {
      assertThat(SV57.isCanonical(0x00ff_ffff_ffff_ffffL)).isTrue();
      assertThat(SV57.isCanonical(0x0100_0000_0000_0000L)).isFalse();
      assertThat(SV57.isCanonical(0xff00_0000_0000_0000L)).isTrue();
      assertThat(SV57.isCanonical(0xfeff_ffff_ffff_ffffL)).isFalse();
      assertThat(SV57.isCanonical(0x0000_8000_0000_0000L)).isTrue();
    }
  }

  @Nested
  class RoundTrip {
    /** R, W, X combinations a leaf may use: W needs R. */
    private final long[] leafRwx = {0x2L, 0x6L, 0x8L, 0xaL, 0xeL};

    @Test
    void everyWellFormedEntryEncodesBackToItsBits() {
      SplittableRandom random = new SplittableRandom(0x5eed_5139L);
      for (PagingFormat f : List.of(SV39, SV48, SV57)) {
        int last = f.levels().size() - 1;
        for (Level level : f.levels()) {
          for (int i = 0; i < 4000; i++) {
            boolean leaf = level.depth() == last || random.nextBoolean();
            long raw = leaf ? wellFormedLeaf(level, level.depth() == last, random)
                : wellFormedPointer(random.nextLong());
            assertThat(f.problem(level, raw)).as("%s %s %x", f, level, raw).isNull();
            assertThat(f.kind(level, raw)).as("%s %s %x", f, level, raw)
                .isEqualTo(leaf ? EntryKind.LEAF : EntryKind.TABLE);
            long address = f.address(level, raw);
            Attributes a = f.attributes(level, raw);
            long back = leaf ? f.encodeLeaf(level, address, a) : f.encodeTable(level, address, a);
            assertThat(back).as("%s %s %x -> %s %s", f, level, raw, hex(address), a).isEqualTo(raw);
          }
        }
      }
    }

    /** From the spec's layout: V, G, RSW and PPN free; R=W=X=0; U, A, D, PBMT, N, 54-60 clear. */
    private long wellFormedPointer(long bits) {
      return (bits & (0x003f_ffff_ffff_fc00L | 0x320L)) | 0x1L;
    }

    private long wellFormedLeaf(Level level, boolean lastLevel, SplittableRandom random) {
      long raw = random.nextLong() & (0x003f_ffff_ffff_fc00L | 0x3f0L);
      raw |= 0x1L | leafRwx[random.nextInt(leafRwx.length)];
      raw |= (long) random.nextInt(3) << 61;
      // A superpage's PPN fields below its size are zero.
      raw &= ~(((1L << (level.shift() - 12)) - 1) << 10);
      if (lastLevel && random.nextInt(4) == 0) {
        raw = (raw & ~(0xfL << 10)) | (0x8L << 10) | (1L << 63);
      }
      return raw;
    }

    @Test
    void anyDecodableRandomEntryRoundTrips() {
      SplittableRandom random = new SplittableRandom(7);
      int decodable = 0;
      for (PagingFormat f : List.of(SV39, SV48, SV57)) {
        for (int i = 0; i < 20_000; i++) {
          Level level = f.levels().get(random.nextInt(f.levels().size()));
          long raw = (random.nextLong() & random.nextLong() & random.nextLong()) | 1L;
          EntryKind kind = f.kind(level, raw);
          if (kind == EntryKind.LEAF || kind == EntryKind.TABLE) {
            decodable++;
            long address = f.address(level, raw);
            Attributes a = f.attributes(level, raw);
            long back = kind == EntryKind.LEAF ? f.encodeLeaf(level, address, a)
                : f.encodeTable(level, address, a);
            assertThat(back).as("%s %s %x", f, level, raw).isEqualTo(raw);
          } else if (kind == EntryKind.MALFORMED) {
            assertThat(f.problem(level, raw)).isNotNull();
          }
        }
      }
      assertThat(decodable).isGreaterThan(3_000);
    }
  }
}
