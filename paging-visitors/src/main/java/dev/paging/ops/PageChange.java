package dev.paging.ops;

import dev.paging.api.Attributes;
import dev.paging.api.Level;
import dev.paging.api.VirtualRange;

/**
 * One last-level leaf a one-page call removed or rewrote, as it was: what its result's plan and
 * mapping are made from when first asked, exactly as the general path's {@link ChangeRecorder}
 * would have made them for a run of one leaf.
 */
final class PageChange {
  private final FormatLayout g;
  private final int depth;
  private final long va;
  private final long raw;
  private final boolean shared;

  PageChange(FormatLayout g, int depth, long va, long raw, boolean shared) {
    this.g = g;
    this.depth = depth;
    this.va = va;
    this.raw = raw;
    this.shared = shared;
  }

  InvalidationPlan plan() {
    return InvalidationPlan.leaf(va, g.span(depth), g.format.attributes(g.levels[depth], raw).global(), shared);
  }

  Mapping mapping() {
    Level level = g.levels[depth];
    Attributes attributes = g.format.attributes(level, raw);
    return Mapping.of(VirtualRange.closed(va, va + g.span(depth) - 1), g.format.address(level, raw), level, attributes);
  }
}
