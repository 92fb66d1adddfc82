package dev.paging.ops;

import dev.paging.api.Attributes;
import dev.paging.api.Level;
import dev.paging.api.VirtualRange;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One last-level leaf a one-page call removed or rewrote, as it was: what its result's plan and
 * mapping are made from when first asked, exactly as the general path's {@link ChangeRecorder}
 * would have made them for a run of one leaf. Both are kept once made; threads racing to make
 * them make equal immutable values, and either may be kept.
 */
final class PageChange {
  private final FormatLayout g;
  private final int depth;
  private final long va;
  private final long raw;
  private final boolean shared;
  private @Nullable InvalidationPlan plan;
  private @Nullable List<Mapping> mappings;

  PageChange(FormatLayout g, int depth, long va, long raw, boolean shared) {
    this.g = g;
    this.depth = depth;
    this.va = va;
    this.raw = raw;
    this.shared = shared;
  }

  InvalidationPlan plan() {
    InvalidationPlan p = plan;
    if (p == null) {
      p = InvalidationPlan.leaf(va, g.span(depth), g.format.attributes(g.levels[depth], raw).global(), shared);
      plan = p;
    }
    return p;
  }

  /** The leaf as the one mapping of its result. */
  List<Mapping> mappings() {
    List<Mapping> m = mappings;
    if (m == null) {
      Level level = g.levels[depth];
      Attributes attributes = g.format.attributes(level, raw);
      m = List.of(Mapping.of(VirtualRange.closed(va, va + g.span(depth) - 1), g.format.address(level, raw), level,
          attributes));
      mappings = m;
    }
    return m;
  }
}
