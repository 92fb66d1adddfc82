package dev.paging.ops;

import dev.paging.api.Attributes;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * For the one-page calls: remembers, per depth, the last table entry found to grant what a leaf
 * needs, so a run of calls through the same tables decodes none of them again. Forgets
 * everything when asked about other needs.
 */
final class GrantingEntries {
  private final FormatLayout g;
  private final long[] granting;
  private @Nullable Attributes needs;

  GrantingEntries(FormatLayout g) {
    this.g = g;
    this.granting = new long[g.levels.length];
  }

  /** True when the table entry {@code raw} at {@code depth} grants {@code needs} as it is. */
  boolean grants(int depth, long raw, @Nullable Attributes needs) {
    if (needs != this.needs) {
      // A table entry is never zero, so zero remembers nothing.
      Arrays.fill(granting, 0);
      this.needs = needs;
    }
    if (raw == granting[depth]) {
      return true;
    }
    if (g.widen(depth, raw, needs) != raw) {
      return false;
    }
    granting[depth] = raw;
    return true;
  }
}
