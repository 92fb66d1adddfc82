package dev.paging.cli;

import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryProblem;
import dev.paging.api.PageTableVisitor;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Counts, by problem, the entries a command's walks could not follow, for the one line it ends
 * with on standard error: a dump of a garbage image, or of an image read in the wrong format,
 * must not pass for a healthy space on a terminal that shows only its first screen.
 */
final class NotFollowed {
  private final long[] counts = new long[EntryProblem.values().length];
  private long total;

  /** A visitor that counts what the walk reports to {@code onMalformed}; composes with the dump. */
  PageTableVisitor visitor() {
    return new PageTableVisitor() {
      @Override
      public Control onMalformed(EntryCursor entry, EntryProblem problem) {
        add(problem);
        return Control.CONTINUE;
      }
    };
  }

  void add(EntryProblem problem) {
    counts[problem.ordinal()]++;
    total++;
  }

  /**
   * The summary line for {@code command}, with {@code singular} or {@code plural} saying what was
   * counted (entries, or for translate the addresses whose walk ended at such an entry), or null
   * when nothing was counted.
   */
  @Nullable String summary(String command, String singular, String plural) {
    if (total == 0) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    for (EntryProblem p : EntryProblem.values()) {
      if (counts[p.ordinal()] > 0) {
        parts.add(words(p) + ": " + counts[p.ordinal()]);
      }
    }
    return command + ": " + total + " " + (total == 1 ? singular : plural) + " (" + String.join(", ", parts)
        + "); 'paging audit' lists them";
  }

  private static String words(EntryProblem p) {
    switch (p) {
      case RESERVED_BITS:
        return "reserved bits";
      case ADDRESS_BEYOND_PHYSICAL_WIDTH:
        return "address beyond the physical width";
      case MISALIGNED_LEAF:
        return "misaligned leaf";
      case LEAF_NOT_ALLOWED:
        return "leaf where none may be";
      case RESERVED_ENCODING:
        return "reserved encoding";
      case NON_LEAF_FLAGS:
        return "leaf flags on a pointer";
      case TABLE_AT_LAST_LEVEL:
        return "pointer at the last level";
      default:
        return "outside the image";
    }
  }
}
