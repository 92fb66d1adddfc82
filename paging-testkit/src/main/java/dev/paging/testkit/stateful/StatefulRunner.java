package dev.paging.testkit.stateful;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Runs seeded random sequences of {@link Step}s against a fresh system, checks it after every
 * step, and when a sequence fails, shrinks it to a minimal one that still fails: first by
 * dropping steps (halves, then quarters, ... then single steps), then by simplifying each step.
 * The failure names the seed that replays the original sequence and lists the minimal one.
 *
 * <p>Deterministic: the same seed, generator and system give the same sequence, the same
 * shrinking and the same report.
 *
 * @param <S> the system: the implementation under test with its model
 */
public final class StatefulRunner<S> {
  /** Replays at most this many candidate sequences while shrinking one failure. */
  public static final int SHRINK_BUDGET = 2_000;

  private final Supplier<S> fresh;
  private final BiFunction<SplittableRandom, S, Step<S>> generator;
  private final Consumer<S> check;

  private StatefulRunner(Supplier<S> fresh, BiFunction<SplittableRandom, S, Step<S>> generator, Consumer<S> check) {
    this.fresh = fresh;
    this.generator = generator;
    this.check = check;
  }

  /**
   * A runner that builds each scenario on {@code fresh.get()}, draws each step from {@code
   * generator} (which may look at the system's current state to aim its steps), and calls
   * {@code check} after every step (invariants, equivalence to the model).
   */
  public static <S> StatefulRunner<S> of(Supplier<S> fresh, BiFunction<SplittableRandom, S, Step<S>> generator,
      Consumer<S> check) {
    return new StatefulRunner<>(Objects.requireNonNull(fresh, "fresh"),
        Objects.requireNonNull(generator, "generator"), Objects.requireNonNull(check, "check"));
  }

  /** The outcome of one seed: passed, or the failure shrunk to its minimal sequence. */
  public static final class Result<S> {
    private final long seed;
    private final List<Step<S>> original;
    private final List<Step<S>> minimal;
    private final @Nullable Throwable failure;

    Result(long seed, List<Step<S>> original, List<Step<S>> minimal, @Nullable Throwable failure) {
      this.seed = seed;
      this.original = original;
      this.minimal = minimal;
      this.failure = failure;
    }

    public boolean passed() {
      return failure == null;
    }

    public long seed() {
      return seed;
    }

    /** The steps the seed generated (all of them when it passed). */
    public List<Step<S>> original() {
      return original;
    }

    /** The shortest, simplest failing sequence found; empty when it passed. */
    public List<Step<S>> minimal() {
      return minimal;
    }

    /** What the minimal sequence fails with; empty when it passed. */
    public Optional<Throwable> failure() {
      return Optional.ofNullable(failure);
    }

    /** The minimal scenario, one step a line. */
    public List<String> scenario() {
      List<String> lines = new ArrayList<>();
      for (Step<S> s : minimal) {
        lines.add(s.toString());
      }
      return lines;
    }

    /** Throws an {@link AssertionError} with the seed and the minimal scenario, if it failed. */
    public void assertPassed() {
      if (failure != null) {
        throw new AssertionError(toString(), failure);
      }
    }

    @Override
    public String toString() {
      if (failure == null) {
        return "seed " + seed + ": " + original.size() + " steps passed";
      }
      StringBuilder s = new StringBuilder("seed ").append(seed).append(": ").append(original.size())
          .append(" steps fail; shrunk to ").append(minimal.size()).append(":\n");
      for (Step<S> step : minimal) {
        s.append("  ").append(step).append('\n');
      }
      return s.append("  -> ").append(failure).toString();
    }
  }

  /** Generates {@code length} steps from {@code seed}, runs them, and shrinks a failure. */
  public Result<S> run(long seed, int length) {
    SplittableRandom random = new SplittableRandom(seed);
    S system = fresh.get();
    List<Step<S>> steps = new ArrayList<>();
    Throwable failure = null;
    for (int i = 0; i < length && failure == null; i++) {
      Step<S> step = generator.apply(random, system);
      steps.add(step);
      failure = attempt(system, step);
    }
    if (failure == null) {
      return new Result<>(seed, List.copyOf(steps), List.of(), null);
    }
    List<Step<S>> minimal = shrink(steps);
    Throwable minimalFailure = firstFailure(minimal, false);
    return new Result<>(seed, List.copyOf(steps), List.copyOf(minimal), minimalFailure);
  }

  /** Runs {@code runs} seeds from {@code firstSeed} on; returns the first failure, or the last pass. */
  public Result<S> runMany(long firstSeed, int runs, int length) {
    if (runs <= 0) {
      throw new IllegalArgumentException("runs " + runs + " must be positive");
    }
    Result<S> last = run(firstSeed, length);
    for (int i = 1; i < runs && last.passed(); i++) {
      last = run(firstSeed + i, length);
    }
    return last;
  }

  /** Applies {@code steps} to a fresh system; the first failure, empty when every step passes. */
  public Optional<Throwable> replay(List<Step<S>> steps) {
    return Optional.ofNullable(firstFailure(steps, false));
  }

  /**
   * The first failure of {@code steps} on a fresh system, or null. A shrink candidate ({@code
   * candidate}) with a step that does not {@linkplain Step#fits fit} the system passes: failing
   * only for being ill-formed, it would replace the real failure with a bogus one.
   */
  private @Nullable Throwable firstFailure(List<Step<S>> steps, boolean candidate) {
    S system = fresh.get();
    for (Step<S> step : steps) {
      if (candidate && !step.fits(system)) {
        return null;
      }
      Throwable t = attempt(system, step);
      if (t != null) {
        return t;
      }
    }
    return null;
  }

  private @Nullable Throwable attempt(S system, Step<S> step) {
    try {
      step.apply(system);
      check.accept(system);
      return null;
    } catch (Exception | AssertionError e) {
      return e;
    }
  }

  private List<Step<S>> shrink(List<Step<S>> failing) {
    List<Step<S>> current = new ArrayList<>(failing);
    int budget = SHRINK_BUDGET;
    // Drop chunks, from half the sequence down to single steps, while it still fails.
    for (int chunk = Math.max(1, current.size() / 2); chunk >= 1 && budget > 0; chunk /= 2) {
      for (int from = 0; from < current.size() && budget > 0; ) {
        List<Step<S>> candidate = new ArrayList<>(current.subList(0, from));
        candidate.addAll(current.subList(Math.min(current.size(), from + chunk), current.size()));
        budget--;
        if (!candidate.isEmpty() && firstFailure(candidate, true) != null) {
          current = candidate;
        } else {
          from += chunk;
        }
      }
    }
    // Simplify each remaining step, keeping the first simpler variant that still fails; also
    // simplify all steps together, since steps often only fail in concert (add x, remove x - 1).
    boolean progress = true;
    while (progress && budget > 0) {
      progress = false;
      List<Step<S>> together = new ArrayList<>(current);
      boolean changed = false;
      for (int i = 0; i < together.size(); i++) {
        List<Step<S>> options = together.get(i).shrinks();
        if (!options.isEmpty()) {
          together.set(i, options.get(0));
          changed = true;
        }
      }
      if (changed) {
        budget--;
        if (firstFailure(together, true) != null) {
          current = together;
          progress = true;
          continue;
        }
      }
      for (int i = 0; i < current.size() && budget > 0; i++) {
        for (Step<S> simpler : current.get(i).shrinks()) {
          List<Step<S>> candidate = new ArrayList<>(current);
          candidate.set(i, simpler);
          budget--;
          if (firstFailure(candidate, true) != null) {
            current = candidate;
            progress = true;
            break;
          }
          if (budget == 0) {
            break;
          }
        }
      }
    }
    return current;
  }
}
