package dev.paging.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What an audit found, counted: findings by severity and by rule, and whether the walk covered the
 * whole range. An immutable value. A {@linkplain Audit#streaming streaming} audit, which hands its
 * findings on and keeps none, ends with one of these; a held {@link AuditReport} has one too
 * ({@link AuditReport#summary()}).
 */
public final class AuditSummary {
  private final long[] bySeverity;
  private final Map<String, Long> byRule;
  private final boolean complete;

  private AuditSummary(long[] bySeverity, Map<String, Long> byRule, boolean complete) {
    this.bySeverity = bySeverity;
    this.byRule = byRule;
    this.complete = complete;
  }

  /** The summary of {@code findings}. */
  static AuditSummary of(Iterable<Finding> findings, boolean complete) {
    Counter counter = new Counter();
    for (Finding f : findings) {
      counter.add(f);
    }
    return counter.summary(complete);
  }

  /** All findings counted. */
  public long findings() {
    long n = 0;
    for (long c : bySeverity) {
      n += c;
    }
    return n;
  }

  public long count(Severity severity) {
    return bySeverity[Objects.requireNonNull(severity, "severity").ordinal()];
  }

  /** True when some finding is {@code threshold} or more serious ({@link Severity#ERROR} is the most). */
  public boolean hasAtLeast(Severity threshold) {
    Objects.requireNonNull(threshold, "threshold");
    for (Severity s : Severity.values()) {
      if (s.compareTo(threshold) <= 0 && bySeverity[s.ordinal()] > 0) {
        return true;
      }
    }
    return false;
  }

  /** True when some finding is an {@link Severity#ERROR}. */
  public boolean hasErrors() {
    return count(Severity.ERROR) > 0;
  }

  /** The number of findings of each rule that has any, by rule id. */
  public Map<String, Long> countsByRule() {
    return byRule;
  }

  /** True when the walk covered the whole range; otherwise an {@code incomplete-walk} finding says where it stopped. */
  public boolean complete() {
    return complete;
  }

  /**
   * Writes {@code summary: N findings: e errors, w warnings, i information} (with {@code ; walk
   * incomplete} when it was) and one line per rule with findings: {@code   rule-id  n}.
   */
  public void writeTo(Appendable out) throws IOException {
    Objects.requireNonNull(out, "out");
    out.append("summary: ").append(plural(findings(), "finding", "findings")).append(": ")
        .append(plural(count(Severity.ERROR), "error", "errors")).append(", ")
        .append(plural(count(Severity.WARNING), "warning", "warnings")).append(", ")
        .append(Long.toString(count(Severity.INFO))).append(" information")
        .append(complete ? "" : "; walk incomplete").append('\n');
    for (Map.Entry<String, Long> e : byRule.entrySet()) {
      out.append(String.format("  %-22s %d", e.getKey(), e.getValue())).append('\n');
    }
  }

  private static String plural(long n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof AuditSummary)) {
      return false;
    }
    AuditSummary other = (AuditSummary) o;
    return Arrays.equals(other.bySeverity, bySeverity) && other.byRule.equals(byRule) && other.complete == complete;
  }

  @Override
  public int hashCode() {
    return (Arrays.hashCode(bySeverity) * 31 + byRule.hashCode()) * 31 + Boolean.hashCode(complete);
  }

  /** The text {@link #writeTo} writes. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    try {
      writeTo(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return s.toString();
  }

  /** Counts findings as they come. */
  static final class Counter {
    private final long[] bySeverity = new long[Severity.values().length];
    private final TreeMap<String, Long> byRule = new TreeMap<>();

    void add(Finding f) {
      bySeverity[f.severity().ordinal()]++;
      byRule.merge(f.ruleId(), 1L, Long::sum);
    }

    void clear() {
      Arrays.fill(bySeverity, 0);
      byRule.clear();
    }

    AuditSummary summary(boolean complete) {
      return new AuditSummary(bySeverity.clone(), Collections.unmodifiableMap(new TreeMap<>(byRule)), complete);
    }
  }
}
