package dev.paging.testkit.grading;

import dev.paging.testkit.stateful.StatefulRunner;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A check's failure that carries what a person needs to reproduce it: the scenario that fails,
 * one step a line, and, when a seeded run found it, the seed that replays the run. The grader
 * copies both into the score card.
 */
public final class CheckFailure extends AssertionError {
  private static final long serialVersionUID = 1L;

  // Boxed so that a hand-written scenario, which has no seed, can say so.
  private final Long seed;
  private final List<String> scenario;

  private CheckFailure(String message, Long seed, List<String> scenario, Throwable cause) {
    super(message, cause);
    this.seed = seed;
    this.scenario = List.copyOf(Objects.requireNonNull(scenario, "scenario"));
  }

  /** A failure with its replay seed and minimal scenario. */
  public static CheckFailure of(String message, long seed, List<String> scenario, Throwable cause) {
    return new CheckFailure(Objects.requireNonNull(message, "message"), seed, scenario,
        Objects.requireNonNull(cause, "cause"));
  }

  /** A failure of a fixed, hand-written scenario: there is no seed to replay, only the steps. */
  public static CheckFailure of(String message, List<String> scenario, Throwable cause) {
    return new CheckFailure(Objects.requireNonNull(message, "message"), null, scenario,
        Objects.requireNonNull(cause, "cause"));
  }

  /** The failure a {@link StatefulRunner} found, shrunk; the message is the minimal run's failure. */
  public static CheckFailure of(StatefulRunner.Result<?> result) {
    Objects.requireNonNull(result, "result");
    Throwable f = result.failure().orElseThrow(() ->
        new IllegalArgumentException("seed " + result.seed() + " passed: there is no failure to report"));
    return new CheckFailure(String.valueOf(f.getMessage() != null ? f.getMessage() : f.toString()),
        result.seed(), result.scenario(), f);
  }

  /** The seed that replays the failing run; empty for a fixed scenario. */
  public OptionalLong seed() {
    return seed == null ? OptionalLong.empty() : OptionalLong.of(seed);
  }

  public List<String> scenario() {
    return scenario;
  }
}
