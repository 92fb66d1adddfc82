package dev.paging.audit;

import dev.paging.api.Attributes;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryProblem;
import dev.paging.api.HoleCursor;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import dev.paging.api.TableCursor;
import dev.paging.core.AddressSpace;
import org.jspecify.annotations.Nullable;

/**
 * One check an {@link Audit} runs during its walk. Implement it to add a check of your own and
 * pass it to {@link Audit#of(AddressSpace, java.util.List)} beside (or instead of) {@link
 * AuditRules#defaults()}; the library needs no change.
 *
 * <p>The hooks follow the walk, like a {@link dev.paging.api.PageTableVisitor}'s, but cannot steer
 * it: every rule sees the whole range. Cursors are flyweights: read them inside the hook. A rule
 * keeps per-audit state and resets it in {@link #begin}. Hooks must not throw on strange tables:
 * an audit is meant for corrupt ones.
 */
public interface AuditRule {
  /** A short stable id, lowercase with dashes ({@code wx}), that names the rule's findings. */
  String id();

  /** The audit starts; reset any state from a previous audit. */
  default void begin(Context context) {}

  default void beforeTable(TableCursor table, Context context) {}

  /**
   * A table pointer, a leaf or a not-present entry. {@code effective} is the entry's attributes
   * combined with the table entries above it; {@code null} for a not-present entry.
   */
  default void onEntry(EntryCursor entry, @Nullable Attributes effective, Context context) {}

  default void onHole(HoleCursor hole, Context context) {}

  /** An entry the walker does not follow, and why. */
  default void onMalformed(EntryCursor entry, EntryProblem problem, Context context) {}

  default void afterTable(TableCursor table, Context context) {}

  /** The walk is over (complete or not): report what was being collected. */
  default void end(Context context) {}

  /** What a rule may know about the audit, and where it reports. */
  interface Context {
    /** The space audited (format, memory, root, shared-table registry). */
    AddressSpace space();

    default PagingFormat format() {
      return space().format();
    }

    /**
     * Reports a finding of this rule over {@code [first, last]}. A finding that continues the
     * rule's previous one (next address, same severity, level and message) extends it instead.
     */
    void report(Severity severity, long first, long last, Level level, long tableFrame, String message);

    /** Reports a finding about {@code entry}: its range, level and table. */
    default void report(Severity severity, EntryCursor entry, String message) {
      report(severity, entry.first(), entry.last(), entry.level(), entry.table().frame(), message);
    }
  }
}
