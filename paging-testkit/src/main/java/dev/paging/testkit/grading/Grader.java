package dev.paging.testkit.grading;

import dev.paging.testkit.stateful.StatefulRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs a named battery of checks against a submission (a student's translate visitor, reclaim
 * visitor or whole page-table implementation) and writes a {@link ScoreCard}. Each check gets a
 * fresh submission, its points, and a time budget: student code may loop forever, so every
 * check runs on its own daemon thread and is abandoned (interrupted) when its budget runs out.
 *
 * <p>Checks are deterministic (seeded), so the same submission gets the same card; a check
 * built on a {@link StatefulRunner} reports its failure as a {@link CheckFailure} with the
 * minimal scenario and the replay seed.
 *
 * @param <S> the submission's contract
 */
public final class Grader<S> {
  /** One check of a battery: it passes by returning and fails by throwing. */
  @FunctionalInterface
  public interface Check<S> {
    void run(S submission) throws Exception;
  }

  private static final class Named<S> {
    final String name;
    final int points;
    final Duration budget;
    final Check<S> check;

    Named(String name, int points, Duration budget, Check<S> check) {
      this.name = name;
      this.points = points;
      this.budget = budget;
      this.check = check;
    }
  }

  private final String battery;
  private final List<Named<S>> checks;

  private Grader(String battery, List<Named<S>> checks) {
    this.battery = battery;
    this.checks = checks;
  }

  /** An empty battery named {@code name}. */
  public static <S> Grader<S> battery(String name) {
    return new Grader<>(Objects.requireNonNull(name, "name"), List.of());
  }

  /** This battery with one more check; names must be unique, points positive. */
  public Grader<S> check(String name, int points, Duration budget, Check<S> check) {
    if (points <= 0) {
      throw new IllegalArgumentException("check '" + name + "' must be worth a positive number of points, not " + points);
    }
    if (budget.isNegative() || budget.isZero()) {
      throw new IllegalArgumentException("check '" + name + "' needs a positive time budget, not " + budget);
    }
    for (Named<S> c : checks) {
      if (c.name.equals(name)) {
        throw new IllegalArgumentException("battery " + battery + " already has a check named '" + name + "'");
      }
    }
    List<Named<S>> more = new ArrayList<>(checks);
    more.add(new Named<>(name, points, budget, Objects.requireNonNull(check)));
    return new Grader<>(battery, List.copyOf(more));
  }

  /**
   * This battery with every check's time budget multiplied by {@code factor}: more for a slow
   * grading machine, less for a quick dry run. Budgets never drop below one millisecond.
   */
  public Grader<S> withBudgetsScaled(double factor) {
    if (!(factor > 0) || Double.isInfinite(factor)) {
      throw new IllegalArgumentException("budget factor " + factor + " is not a positive number");
    }
    List<Named<S>> scaled = new ArrayList<>();
    for (Named<S> c : checks) {
      long millis = Math.max(1, Math.round(c.budget.toMillis() * factor));
      scaled.add(new Named<>(c.name, c.points, Duration.ofMillis(millis), c.check));
    }
    return new Grader<>(battery, List.copyOf(scaled));
  }

  public String name() {
    return battery;
  }

  /** The checks' names, in order. */
  public List<String> checks() {
    List<String> names = new ArrayList<>();
    for (Named<S> c : checks) {
      names.add(c.name);
    }
    return names;
  }

  /** The points check {@code name} is worth. */
  int points(String name) {
    return named(name).points;
  }

  /** Check {@code name}'s time budget. */
  Duration budget(String name) {
    return named(name).budget;
  }

  private Named<S> named(String name) {
    for (Named<S> c : checks) {
      if (c.name.equals(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException("no check named '" + name + "' in battery " + battery);
  }

  /**
   * Runs check {@code name} alone, worth {@code points} within {@code budget}, on the submission
   * {@code fresh} builds: what a grading run's child JVM does for each check.
   */
  ScoreCard.Entry runOne(String name, int points, Duration budget, Supplier<? extends S> fresh) {
    Named<S> c = named(name);
    return run(new Named<>(c.name, points, budget, c.check), fresh);
  }

  /** Grades the submission {@code fresh} builds (once per check) and names it {@code submission}. */
  public ScoreCard grade(String submission, Supplier<? extends S> fresh) {
    List<ScoreCard.Entry> entries = new ArrayList<>();
    for (Named<S> c : checks) {
      entries.add(run(c, fresh));
    }
    return new ScoreCard(battery, submission, entries);
  }

  private ScoreCard.Entry run(Named<S> c, Supplier<? extends S> fresh) {
    ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "grader: " + battery + " / " + c.name);
      t.setDaemon(true);
      return t;
    });
    try {
      Future<?> done = thread.submit(() -> {
        c.check.run(fresh.get());
        return null;
      });
      try {
        done.get(c.budget.toMillis(), TimeUnit.MILLISECONDS);
        return new ScoreCard.Entry(c.name, c.points, c.points, ScoreCard.Status.PASSED, "", OptionalLong.empty(), List.of());
      } catch (TimeoutException e) {
        done.cancel(true);
        return new ScoreCard.Entry(c.name, 0, c.points, ScoreCard.Status.TIMED_OUT,
            "did not finish within " + c.budget.toMillis() + " ms", OptionalLong.empty(), List.of());
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof CheckFailure) {
          CheckFailure f = (CheckFailure) cause;
          return new ScoreCard.Entry(c.name, 0, c.points, ScoreCard.Status.FAILED, f.getMessage(), f.seed(),
              f.scenario());
        }
        boolean assertion = cause instanceof AssertionError;
        String message = cause.getMessage() == null ? cause.getClass().getName()
            : (assertion ? "" : cause.getClass().getSimpleName() + ": ") + cause.getMessage();
        return new ScoreCard.Entry(c.name, 0, c.points, assertion ? ScoreCard.Status.FAILED : ScoreCard.Status.ERROR,
            message, OptionalLong.empty(), List.of());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("grading was interrupted during check '" + c.name + "'", e);
      }
    } finally {
      thread.shutdownNow();
    }
  }
}
