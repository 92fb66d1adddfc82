package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.PagingFormat;
import dev.paging.testkit.grading.PagingScenarios;
import dev.paging.testkit.grading.PagingScenarios.Mix;
import dev.paging.testkit.grading.PagingSubmission;
import dev.paging.testkit.grading.PagingSystem;
import dev.paging.testkit.stateful.StatefulRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The long run, not part of the build: the stateful scenarios of {@link PagingScenariosTest}
 * with fresh seeds, on every format, for as long as {@code -Dpaging.soak} says (an ISO-8601
 * duration such as {@code PT10M}), printing each failure's seed and shrunk scenario as it is
 * found and, at the end, the sequences, steps and failures. The README gives the command.
 */
@EnabledIfSystemProperty(named = "paging.soak", matches = ".+")
class SoakTest {
  private static final int STEPS = 40;

  @Test
  void freshSeedsForAsLongAsAsked() {
    Duration length = Duration.parse(System.getProperty("paging.soak"));
    long end = System.nanoTime() + length.toNanos();
    long first = new SplittableRandom().nextLong();
    SplittableRandom seeds = new SplittableRandom(first);
    List<PagingFormat> formats = PagingScenarios.formats();
    long sequences = 0;
    long steps = 0;
    List<String> failures = new ArrayList<>();
    System.out.println("soak for " + length + ", seeds drawn from " + first);
    for (int n = 0; System.nanoTime() < end; n++) {
      PagingFormat format = formats.get(n % formats.size());
      long seed = seeds.nextLong();
      Mix mix = (n / formats.size()) % 8 == 7 ? Mix.everything().withSharedKernelHalf() : Mix.everything();
      StatefulRunner.Result<PagingSystem> r = PagingScenarios.runner(format, PagingSubmission.library(), mix)
          .run(seed, STEPS);
      sequences++;
      steps += r.original().size();
      if (!r.passed()) {
        String failure = format.name() + (mix.sharedKernelHalf() ? ", kernel half shared" : "") + ", seed " + seed
            + ": " + r.failure().map(Throwable::toString).orElse("?") + "\n  " + String.join("\n  ", r.scenario());
        failures.add(failure);
        System.out.println("FAILED " + failure);
      }
    }
    System.out.println("soak: " + sequences + " sequences, " + steps + " steps, " + failures.size() + " failures");
    assertThat(failures).isEmpty();
  }
}
