package dev.paging.testkit.grading;

import dev.paging.api.PagingFormat;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A battery as a grading run names it: its name, the interface a submission implements, and the
 * checks ({@link Grader}). {@link Batteries#named(String)} finds one of the shipped batteries.
 *
 * @param <S> the submission's contract
 */
public final class Battery<S> {
  private final Class<S> contract;
  private final Function<List<PagingFormat>, Grader<S>> checksOn;
  private final Grader<S> grader;

  private Battery(Class<S> contract, Function<List<PagingFormat>, Grader<S>> checksOn) {
    this.contract = contract;
    this.checksOn = checksOn;
    this.grader = checksOn.apply(PagingScenarios.formats());
  }

  /**
   * The battery whose checks on a list of formats {@code checksOn} builds (named by the grader it
   * returns), for submissions implementing {@code contract}.
   */
  public static <S> Battery<S> of(Class<S> contract, Function<List<PagingFormat>, Grader<S>> checksOn) {
    Objects.requireNonNull(contract, "contract");
    Objects.requireNonNull(checksOn, "checksOn");
    if (!contract.isInterface()) {
      throw new IllegalArgumentException("a battery's contract must be an interface, not " + contract.getName());
    }
    return new Battery<>(contract, checksOn);
  }

  public String name() {
    return grader.name();
  }

  /** The checks on {@code formats} only: the same names, points and budgets. */
  public Grader<S> grader(List<PagingFormat> formats) {
    Grader<S> on = checksOn.apply(Objects.requireNonNull(formats, "formats"));
    if (!on.name().equals(grader.name()) || !on.checks().equals(grader.checks())) {
      throw new IllegalStateException("battery " + name() + " has other checks on " + formats);
    }
    return on;
  }

  /** The interface a submission's class implements (with a public no-argument constructor). */
  public Class<S> contract() {
    return contract;
  }

  /** The checks on every format {@link PagingScenarios#formats()} has. */
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
