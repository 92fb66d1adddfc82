package dev.paging.testkit.grading;

import java.util.Objects;

/**
 * A battery as a grading run names it: its name, the interface a submission implements, and the
 * checks ({@link Grader}). {@link Batteries#named(String)} finds one of the shipped batteries.
 *
 * @param <S> the submission's contract
 */
public final class Battery<S> {
  private final Class<S> contract;
  private final Grader<S> grader;

  private Battery(Class<S> contract, Grader<S> grader) {
    this.contract = contract;
    this.grader = grader;
  }

  /** The battery {@code grader} (named by it) for submissions implementing {@code contract}. */
  public static <S> Battery<S> of(Class<S> contract, Grader<S> grader) {
    Objects.requireNonNull(contract, "contract");
    Objects.requireNonNull(grader, "grader");
    if (!contract.isInterface()) {
      throw new IllegalArgumentException("a battery's contract must be an interface, not " + contract.getName());
    }
    return new Battery<>(contract, grader);
  }

  public String name() {
    return grader.name();
  }

  /** The interface a submission's class implements (with a public no-argument constructor). */
  public Class<S> contract() {
    return contract;
  }

  public Grader<S> grader() {
    return grader;
  }

  /** A new submission of class {@code type}, which must implement {@link #contract()}. */
  S instantiate(Class<?> type) throws ReflectiveOperationException {
    return contract.cast(type.getConstructor().newInstance());
  }

  @Override
  public String toString() {
    return name() + " (" + contract.getName() + ")";
  }
}
