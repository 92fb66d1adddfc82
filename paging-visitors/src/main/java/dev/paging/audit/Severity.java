package dev.paging.audit;

/** How much an audit finding matters, most serious first. */
public enum Severity {
  /** The tables are wrong: the hardware faults, or follows something it should not. */
  ERROR,
  /** Legal, but a security or correctness risk (W+X, user access to the kernel half). */
  WARNING,
  /** Worth knowing, often deliberate (a table linked twice, an empty table). */
  INFO
}
