package dev.paging.ops;

import dev.paging.api.Attributes;
import org.jspecify.annotations.Nullable;

/**
 * What leaves a part of a new subtree should hold, for {@link SubtreeBuilder}: nothing, a new mapping,
 * or the pieces of an old huge leaf (with its attributes or new ones). Whether one leaf at a
 * depth can hold an entry's content must not change from one entry to the next at that depth,
 * which holds for all three: it depends on the depth and on alignments that adding a multiple of
 * the entry's span keeps.
 */
abstract class LeafSource {
  /** True when one leaf at {@code depth} can hold the content of the entry starting at {@code va}. */
  abstract boolean fits(int depth, long va);

  /** The leaf (or 0 for nothing) for the entry at {@code depth} starting at {@code va}. */
  abstract long leaf(int depth, long va);

  /** True when consecutive leaves at {@code depth} differ by {@link #step(int)}. */
  abstract boolean linear(int depth);

  abstract long step(int depth);

  /** The attributes of the leaves this source writes, or {@code null} when it writes none. */
  abstract @Nullable Attributes leafAttributes();

  /** Nothing: entries become zero. */
  static final LeafSource EMPTY = new LeafSource() {
    @Override
    boolean fits(int depth, long va) {
      return true;
    }

    @Override
    long leaf(int depth, long va) {
      return 0;
    }

    @Override
    boolean linear(int depth) {
      return true;
    }

    @Override
    long step(int depth) {
      return 0;
    }

    @Override
    @Nullable Attributes leafAttributes() {
      return null;
    }
  };

  /** {@code va} maps to {@code va + delta} with the attributes of {@code codecs}. */
  static final class NewMapping extends LeafSource {
    private final FormatLayout g;
    private final long delta;
    private final LeafCodec[] codecs;
    private final Attributes attributes;

    /** {@code codecs[d]} is null where no leaf may be used. */
    NewMapping(FormatLayout g, long delta, LeafCodec[] codecs, Attributes attributes) {
      this.g = g;
      this.delta = delta;
      this.codecs = codecs;
      this.attributes = attributes;
    }

    @Override
    boolean fits(int depth, long va) {
      return codecs[depth] != null && ((va + delta) & (g.span(depth) - 1)) == 0;
    }

    @Override
    long leaf(int depth, long va) {
      return codecs[depth].encode(va + delta);
    }

    @Override
    boolean linear(int depth) {
      return codecs[depth].linear();
    }

    @Override
    long step(int depth) {
      return codecs[depth].step();
    }

    @Override
    Attributes leafAttributes() {
      return attributes;
    }
  }

  /**
   * The pieces of an old leaf that mapped {@code leafFirst} to {@code physical}, each with
   * {@code attributes}: what a smash writes.
   */
  static final class Pieces extends LeafSource {
    private final FormatLayout g;
    private final long leafFirst;
    private final long physical;
    private final Attributes attributes;
    private final LeafCodec[] codecs;

    Pieces(FormatLayout g, long leafFirst, long physical, Attributes attributes) {
      // The pieces lie in the old leaf's half, with that half's levels.
      this.g = g.half(leafFirst);
      this.leafFirst = leafFirst;
      this.physical = physical;
      this.attributes = attributes;
      this.codecs = new LeafCodec[this.g.levels.length];
    }

    /**
     * The codec for {@code depth}, made on first use.
     *
     * @throws IllegalArgumentException when a leaf at that depth cannot carry the attributes
     */
    LeafCodec codec(int depth) {
      LeafCodec c = codecs[depth];
      if (c == null) {
        c = LeafCodec.of(g, depth, attributes);
        codecs[depth] = c;
      }
      return c;
    }

    @Override
    boolean fits(int depth, long va) {
      return g.levels[depth].leafAllowed();
    }

    @Override
    long leaf(int depth, long va) {
      return codec(depth).encode(physical + (va - leafFirst));
    }

    @Override
    boolean linear(int depth) {
      return codec(depth).linear();
    }

    @Override
    long step(int depth) {
      return codec(depth).step();
    }

    @Override
    Attributes leafAttributes() {
      return attributes;
    }
  }
}
