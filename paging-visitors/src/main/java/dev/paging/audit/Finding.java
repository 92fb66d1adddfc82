package dev.paging.audit;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Level;
import dev.paging.api.VirtualRange;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One audit finding, an immutable value: which rule, how serious, the virtual range it concerns
 * (consecutive findings of a rule with the same severity, level and message are coalesced into
 * one range), the level and frame of the table holding the first entry concerned, and a message.
 */
public final class Finding {
  private final String ruleId;
  private final Severity severity;
  private final long first;
  private final long last;
  private final Level level;
  private final long tableFrame;
  private final String message;

  private Finding(String ruleId, Severity severity, long first, long last, Level level, long tableFrame,
      String message) {
    this.ruleId = ruleId;
    this.severity = severity;
    this.first = first;
    this.last = last;
    this.level = level;
    this.tableFrame = tableFrame;
    this.message = message;
  }

  /**
   * A finding over {@code [first, last]} (unsigned, inclusive).
   *
   * @throws IllegalArgumentException if the range is reversed or the rule id is blank
   */
  public static Finding of(String ruleId, Severity severity, long first, long last, Level level, long tableFrame,
      String message) {
    Objects.requireNonNull(ruleId, "ruleId");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(message, "message");
    if (ruleId.isBlank()) {
      throw new IllegalArgumentException("a finding needs a rule id");
    }
    if (Long.compareUnsigned(first, last) > 0) {
      throw new IllegalArgumentException("reversed range [" + hex(first) + ", " + hex(last) + "] in a finding of " + ruleId);
    }
    return new Finding(ruleId, severity, first, last, level, tableFrame, message);
  }

  /** The same finding stretched to end at {@code newLast}: two coalesced findings. */
  Finding extendedTo(long newLast) {
    return new Finding(ruleId, severity, first, newLast, level, tableFrame, message);
  }

  public String ruleId() {
    return ruleId;
  }

  public Severity severity() {
    return severity;
  }

  /** The first virtual address concerned. */
  public long first() {
    return first;
  }

  /** The last virtual address concerned, inclusive. */
  public long last() {
    return last;
  }

  public VirtualRange range() {
    return VirtualRange.closed(first, last);
  }

  /** The level of the entries (or table) concerned. */
  public Level level() {
    return level;
  }

  /** The physical address of the table holding the first entry concerned (or of the table itself). */
  public long tableFrame() {
    return tableFrame;
  }

  public String message() {
    return message;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof Finding)) {
      return false;
    }
    Finding f = (Finding) o;
    return f.ruleId.equals(ruleId) && f.severity == severity && f.first == first && f.last == last
        && f.level.depth() == level.depth() && f.level.name().equals(level.name()) && f.tableFrame == tableFrame
        && f.message.equals(message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(ruleId, severity, first, last, level.depth(), level.name(), tableFrame, message);
  }

  /**
   * {@code SEVERITY rule-id [0x..., 0x...] LEVEL table 0x...: message}, the line an {@link
   * AuditReport} prints.
   */
  @Override
  public String toString() {
    return String.format("%-7s %-22s [%s, %s] %-4s table %s: %s", severity, ruleId, hex(first), hex(last),
        level.name(), hex(tableFrame), message);
  }
}
