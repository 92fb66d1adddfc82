package dev.paging.testkit.stateful;

import java.util.List;

/**
 * One step of a stateful scenario against a system {@code S} (an implementation and the model
 * it is checked against): it applies itself to both and throws an {@link AssertionError} (or
 * any exception) when they disagree.
 *
 * <p>{@link Object#toString() toString()} must spell the step so that a person can replay it; {@link #shrinks()}
 * offers simpler variants (smaller ranges, addresses nearer zero) for the runner to try when a
 * scenario fails.
 */
public interface Step<S> {
  void apply(S system) throws Exception;

  /** Simpler steps to try in this one's place; none by default. */
  default List<Step<S>> shrinks() {
    return List.of();
  }

  /**
   * Whether {@code system} can be given this step at all: false for a variant {@link #shrinks()}
   * offered that the system's configuration rules out (a range of 4 KiB pages where pages are 64
   * KiB), which the runner then does not count as a failing candidate. True by default; a
   * scenario replayed as given is applied whatever this says, so such a step fails there with
   * its own error.
   */
  default boolean fits(S system) {
    return true;
  }
}
