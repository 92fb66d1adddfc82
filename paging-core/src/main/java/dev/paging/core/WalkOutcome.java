package dev.paging.core;

/** How a walk ended. */
public enum WalkOutcome {
  /** Every entry of the range was visited (or skipped by the visitor's choice). */
  COMPLETED,
  /** A hook returned {@link dev.paging.api.Control#STOP}. */
  STOPPED,
  /** The walk read as many entries as its budget allowed and gave up. */
  BUDGET_EXHAUSTED
}
