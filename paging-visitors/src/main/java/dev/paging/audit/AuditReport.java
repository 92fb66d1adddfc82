package dev.paging.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
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
  private final AuditSummary summary;

  private AuditReport(List<Finding> findings, boolean complete) {
    this.findings = findings;
    this.summary = AuditSummary.of(findings, complete);
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
    return summary.complete();
  }

  /** The findings counted by severity and by rule. */
  public AuditSummary summary() {
    return summary;
  }

  public boolean isClean() {
    return findings.isEmpty();
  }

  /** True when some finding is an {@link Severity#ERROR}. */
  public boolean hasErrors() {
    return summary.hasErrors();
  }

  public int count(Severity severity) {
    // A held report lists at most Audit.MAX_FINDINGS plus the folded ones: an int.
    return (int) summary.count(severity);
  }

  /** The number of findings of each rule that has any, by rule id. */
  public Map<String, Integer> countsByRule() {
    Map<String, Integer> counts = new TreeMap<>();
    for (Map.Entry<String, Long> e : summary.countsByRule().entrySet()) {
      counts.put(e.getKey(), e.getValue().intValue());
    }
    return Collections.unmodifiableMap(counts);
  }

  /**
   * Writes one line per finding ({@link Finding#toString()}), then the {@linkplain
   * AuditSummary#writeTo summary}.
   */
  public void writeTo(Appendable out) throws IOException {
    Objects.requireNonNull(out, "out");
    for (Finding f : findings) {
      out.append(f.toString()).append('\n');
    }
    summary.writeTo(out);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof AuditReport && ((AuditReport) o).findings.equals(findings)
        && ((AuditReport) o).summary.complete() == summary.complete();
  }

  @Override
  public int hashCode() {
    return findings.hashCode() * 31 + Boolean.hashCode(summary.complete());
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
