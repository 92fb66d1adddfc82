package dev.paging.cli;

import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * A visitor that counts leaves by page size, and the ones a user-mode program can reach: those
 * whose effective attributes, combined down the levels as the format says, allow user access.
 */
final class PageCensus implements PageTableVisitor {
  private final PagingFormat format;
  private final Map<Long, Long> leaves = new TreeMap<>();
  private final Map<Long, Long> userLeaves = new TreeMap<>();

  PageCensus(PagingFormat format) {
    this.format = format;
  }

  @Override
  public Control onEntry(EntryCursor entry) {
    if (entry.kind() != EntryKind.LEAF) {
      return Control.CONTINUE;
    }
    long size = entry.level().entrySpan();
    leaves.merge(size, 1L, Long::sum);
    if (effective(entry).user()) {
      userLeaves.merge(size, 1L, Long::sum);
    }
    return Control.CONTINUE;
  }

  /** The cursors of the tables above are still the walker's path while a hook runs. */
  private Attributes effective(EntryCursor leaf) {
    Attributes a = leaf.attributes();
    for (EntryCursor up = leaf.table().parent(); up != null; up = up.table().parent()) {
      a = format.effective(up.attributes(), a);
    }
    return a;
  }

  /** {@code 6 x 4 KiB, 4 x 2 MiB (8413184 bytes)} for all leaves. */
  String leaves() {
    return describe(leaves);
  }

  /** The same for the leaves user mode can reach. */
  String userLeaves() {
    return describe(userLeaves);
  }

  private static String describe(Map<Long, Long> bySize) {
    if (bySize.isEmpty()) {
      return "none";
    }
    StringBuilder s = new StringBuilder();
    long bytes = 0;
    for (Map.Entry<Long, Long> e : bySize.entrySet()) {
      s.append(s.length() == 0 ? "" : ", ").append(e.getValue()).append(" x ").append(Sizes.name(e.getKey()));
      bytes += e.getKey() * e.getValue();
    }
    return s.append(" (").append(Long.toUnsignedString(bytes)).append(" bytes)").toString();
  }
}
