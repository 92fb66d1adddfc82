package dev.paging.testkit;

import java.util.List;

/**
 * A check's failure that carries what a person needs to reproduce it: the seed that replays
 * the scenario and the minimal scenario itself, one step a line. The grader copies both into
 * the score card.
 */
public final class CheckFailure extends AssertionError {
  private static final long serialVersionUID = 1L;

  private final long seed;
  private final List<String> scenario;

  private CheckFailure(String message, long seed, List<String> scenario, Throwable cause) {
    super(message, cause);
    this.seed = seed;
    this.scenario = List.copyOf(scenario);
  }

  /** A failure with its replay seed and minimal scenario. */
  public static CheckFailure of(String message, long seed, List<String> scenario, Throwable cause) {
    return new CheckFailure(message, seed, scenario, cause);
  }

  /** The failure a {@link StatefulRunner} found, shrunk; the message is the minimal run's failure. */
  public static CheckFailure of(StatefulRunner.Result<?> result) {
    if (result.passed()) {
      throw new IllegalArgumentException("seed " + result.seed() + " passed: there is no failure to report");
    }
    Throwable f = result.failure();
    return new CheckFailure(String.valueOf(f.getMessage() != null ? f.getMessage() : f.toString()),
        result.seed(), result.scenario(), f);
  }

  public long seed() {
    return seed;
  }

  public List<String> scenario() {
    return scenario;
  }
}
