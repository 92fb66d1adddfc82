package dev.paging.testkit;

import java.util.List;

/** The violations {@link Invariants} found: an immutable value, empty when all hold. */
public final class InvariantReport {
  private final List<String> violations;
  private final int tables;

  InvariantReport(List<String> violations, int tables) {
    this.violations = List.copyOf(violations);
    this.tables = tables;
  }

  /** One line per violation, in the order found. */
  public List<String> violations() {
    return violations;
  }

  /** Distinct tables reached. */
  public int tables() {
    return tables;
  }

  public boolean isClean() {
    return violations.isEmpty();
  }

  /** Throws an {@link AssertionError} listing every violation, if there is any. */
  public void assertClean() {
    if (!violations.isEmpty()) {
      throw new AssertionError(toString());
    }
  }

  @Override
  public String toString() {
    if (violations.isEmpty()) {
      return "invariants hold (" + tables + " tables)";
    }
    return violations.size() + (violations.size() == 1 ? " invariant violated" : " invariants violated")
        + " (" + tables + " tables):\n  " + String.join("\n  ", violations);
  }
}
