package dev.paging.ops;

import dev.paging.api.Attributes;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;

/**
 * Encodes leaves of one level with one set of attributes. When the format embeds the address as
 * a plain shift ({@link FormatLayout#addressShift}), a leaf is the template OR the shifted address and
 * the next page's leaf is this one plus {@link #step()}: no encoder call, no allocation per page.
 */
final class LeafCodec {
  final Level level;
  final Attributes attributes;
  private final PagingFormat format;
  private final long template;
  private final int shift;

  private LeafCodec(PagingFormat format, Level level, Attributes attributes, long template, int shift) {
    this.format = format;
    this.level = level;
    this.attributes = attributes;
    this.template = template;
    this.shift = shift;
  }

  /**
   * A codec for leaves at {@code depth}.
   *
   * @throws IllegalArgumentException (from the format) when such a leaf cannot carry the attributes
   */
  static LeafCodec of(FormatLayout g, int depth, Attributes attributes) {
    Level level = g.levels[depth];
    long template = g.format.encodeLeaf(level, 0, attributes);
    int s = g.addressShift[depth];
    if (s != FormatLayout.NONLINEAR) {
      long span = level.entrySpan();
      // The probe used other attributes; make sure these keep the address where it was.
      if ((template & (span >>> s)) != 0 || g.format.encodeLeaf(level, span, attributes) != (template | (span >>> s))) {
        s = FormatLayout.NONLINEAR;
      }
    }
    return new LeafCodec(g.format, level, attributes, template, s);
  }

  boolean linear() {
    return shift != FormatLayout.NONLINEAR;
  }

  long encode(long physicalAddress) {
    return shift != FormatLayout.NONLINEAR ? template | (physicalAddress >>> shift)
        : format.encodeLeaf(level, physicalAddress, attributes);
  }

  /** What to add to a leaf to get the next page's; meaningful when {@link #linear()}. */
  long step() {
    return level.entrySpan() >>> shift;
  }
}
