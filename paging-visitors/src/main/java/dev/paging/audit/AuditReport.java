package dev.paging.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The result of an {@link Audit}, an immutable value: the findings in address order and a
 * summary by rule.
 */
public final class AuditReport {
  private static final Comparator<Finding> ORDER = Comparator
      .comparing((Finding f) -> f.first(), Long::compareUnsigned)
      .thenComparing(Finding::ruleId)
      .thenComparing(f -> f.last(), Long::compareUnsigned)
      .thenComparing(Finding::message);

  private final List<Finding> findings;
  private final boolean complete;

  private AuditReport(List<Finding> findings, boolean complete) {
    this.findings = findings;
    this.complete = complete;
  }

  static AuditReport of(List<Finding> findings, boolean complete) {
    List<Finding> sorted = new ArrayList<>(findings);
    sorted.sort(ORDER);
    return new AuditReport(Collections.unmodifiableList(sorted), complete);
  }

  /** Every finding, by first address, then rule id. */
  public List<Finding> findings() {
    return findings;
  }

  /** The findings of the rule {@code ruleId}, in the same order. */
  public List<Finding> findings(String ruleId) {
    Objects.requireNonNull(ruleId, "ruleId");
    List<Finding> of = new ArrayList<>();
    for (Finding f : findings) {
      if (f.ruleId().equals(ruleId)) {
        of.add(f);
      }
    }
    return Collections.unmodifiableList(of);
  }

  /** True when the walk covered the whole range; otherwise an {@code incomplete-walk} finding says where it stopped. */
  public boolean complete() {
    return complete;
  }

  public boolean isClean() {
    return findings.isEmpty();
  }

  /** True when some finding is an {@link Severity#ERROR}. */
  public boolean hasErrors() {
    return count(Severity.ERROR) > 0;
  }

  public int count(Severity severity) {
    Objects.requireNonNull(severity, "severity");
    int n = 0;
    for (Finding f : findings) {
      if (f.severity() == severity) {
        n++;
      }
    }
    return n;
  }

  /** The number of findings of each rule that has any, by rule id. */
  public Map<String, Integer> countsByRule() {
    Map<String, Integer> counts = new TreeMap<>();
    for (Finding f : findings) {
      counts.merge(f.ruleId(), 1, Integer::sum);
    }
    return Collections.unmodifiableMap(counts);
  }

  /**
   * Writes one line per finding ({@link Finding#toString()}), then {@code summary: N findings: e
   * errors, w warnings, i information} (with {@code ; walk incomplete} when it was) and one line
   * per rule with findings: {@code   rule-id  n}.
   */
  public void writeTo(Appendable out) throws IOException {
    Objects.requireNonNull(out, "out");
    for (Finding f : findings) {
      out.append(f.toString()).append('\n');
    }
    Map<Severity, Integer> bySeverity = new EnumMap<>(Severity.class);
    for (Severity s : Severity.values()) {
      bySeverity.put(s, count(s));
    }
    out.append("summary: ").append(plural(findings.size(), "finding", "findings")).append(": ")
        .append(plural(bySeverity.get(Severity.ERROR), "error", "errors")).append(", ")
        .append(plural(bySeverity.get(Severity.WARNING), "warning", "warnings")).append(", ")
        .append(bySeverity.get(Severity.INFO).toString()).append(" information")
        .append(complete ? "" : "; walk incomplete").append('\n');
    for (Map.Entry<String, Integer> e : countsByRule().entrySet()) {
      out.append(String.format("  %-22s %d", e.getKey(), e.getValue())).append('\n');
    }
  }

  private static String plural(int n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof AuditReport && ((AuditReport) o).findings.equals(findings)
        && ((AuditReport) o).complete == complete;
  }

  @Override
  public int hashCode() {
    return findings.hashCode() * 31 + Boolean.hashCode(complete);
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
}
