package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Attributes;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.core.Aarch64Options;
import dev.paging.core.Formats;
import dev.paging.ops.ConflictPolicy;
import dev.paging.testkit.grading.PagingScenarios;
import dev.paging.testkit.grading.PagingStep;
import dev.paging.testkit.grading.PagingScenarios.Mix;
import dev.paging.testkit.grading.PagingScenarios.Operation;
import dev.paging.testkit.grading.PagingSubmission;
import dev.paging.testkit.grading.PagingSystem;
import dev.paging.testkit.stateful.StatefulRunner;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** What one step checks, on fixed scenarios with exact messages: each broken submission fails where it should, the library nowhere. */
class PagingStepTest {
  private static final Mix ANY = Mix.of(Operation.MAP_FAIL);

  private static Throwable replay(PagingSubmission.Factory factory, String... lines) {
    return PagingScenarios.runner(Formats.x86_64(), factory, ANY).replay(PagingScenarios.parse(List.of(lines)))
        .orElse(null);
  }

  /** The library passes {@code lines}; {@code broken} fails them with exactly {@code message}. */
  private static void failsWith(PagingSubmission.Factory broken, String message, String... lines) {
    assertThat(replay(PagingSubmission.library(), lines)).isNull();
    Throwable failure = replay(broken, lines);
    assertThat(failure).isNotNull();
    assertThat(failure.getMessage()).isEqualTo(message);
  }

  @Test
  void aMissingInvalidationLeavesAStaleEntry() {
    failsWith(BrokenSubmissions.DropsInvalidations::new,
        "unmap [0x0000000000200000, 0x0000000000200fff]: returned nothing to invalidate or free, which leaves 1 stale"
            + " TLB entry (a missing invalidation):\n"
            + "  cached [0x0000000000200000, 0x0000000000200fff] -> 0x0000000000005000 rw----- but the tables now say"
            + " not mapped",
        "map [0x0000000000200000, 0x0000000000200fff] to 0x0000000000005000 rw----- FAIL",
        "unmap [0x0000000000200000, 0x0000000000200fff]");
  }

  @Test
  void aFrameKeptWhenTheAllocatorFailsIsALeak() {
    failsWith(BrokenSubmissions.LeaksFrameOnAllocationFailure::new,
        "map [0x0000000040000000, 0x0000000040000fff] to 0x0000000000005000 rw----- FAIL, allocation 2 fails: threw"
            + " OutOfFramesException but did not leave everything as it was: frames allocated since: 0x0000000001001000",
        "map [0x0000000040000000, 0x0000000040000fff] to 0x0000000000005000 rw----- FAIL, allocation 2 fails");
  }

  @Test
  void aConflictUnderFailMustBeRefused() {
    failsWith(space -> new BrokenSubmissions.Wrapper(space) {
      @Override
      Outcome wrap(Supplier<Outcome> operation) {
        return operation.get();
      }

      @Override
      public Outcome map(VirtualRange range, long physicalStart, Attributes attributes, ConflictPolicy policy) {
        return library.map(range, physicalStart, attributes, ConflictPolicy.REPLACE);
      }
    }, "map [0x0000000000200000, 0x0000000000200fff] to 0x0000000000006000 rw----- FAIL: should have thrown"
            + " MappingConflictException, since the model maps 0x0000000000200000 in the range; it returned invalidate"
            + " [0x0000000000200000, 0x0000000000200fff]",
        "map [0x0000000000200000, 0x0000000000200fff] to 0x0000000000005000 rw----- FAIL",
        "map [0x0000000000200000, 0x0000000000200fff] to 0x0000000000006000 rw----- FAIL");
  }

  @Test
  void aCollapseThatDoesNothingLeavesACollapsibleTable() {
    failsWith(space -> new BrokenSubmissions.Wrapper(space) {
      @Override
      Outcome wrap(Supplier<Outcome> operation) {
        return operation.get();
      }

      @Override
      public Outcome collapse(VirtualRange range) {
        return Outcome.none();
      }
    }, "collapse [0x0000000000200000, 0x00000000003fffff]: left 1 collapsible table:\n"
            + "  PT table 0x0000000001003000 for [0x0000000000200000, 0x00000000003fffff] maps 0x0000000000400000 alike"
            + " in all its entries (rw-----) and could be one leaf",
        "map [0x0000000000200000, 0x00000000003fffff] to 0x0000000000400000 rw----- FAIL",
        "smash 0x0000000000200000 to 0x0000000000001000",
        "collapse [0x0000000000200000, 0x00000000003fffff]");
  }

  @Test
  void aSmashThatDoesNothingLeavesTheHugePage() {
    Throwable failure = replay(space -> new BrokenSubmissions.Wrapper(space) {
      @Override
      Outcome wrap(Supplier<Outcome> operation) {
        return operation.get();
      }

      @Override
      public Outcome smash(long address, long pageSize) {
        return Outcome.none();
      }
    }, "map [0x0000000000200000, 0x00000000003fffff] to 0x0000000000400000 rw----- FAIL",
        "smash 0x0000000000201000 to 0x0000000000001000");
    assertThat(failure.getMessage()).startsWith("smash 0x0000000000201000 to 0x0000000000001000: the page at"
        + " 0x0000000000201000 is still 0x0000000000200000 bytes: ");
  }

  @Test
  void aReclaimThatFreesNothingDiffersFromTheLibrary() {
    failsWith(PagingSubmission.libraryWith((space, range, mode) -> { }),
        "reclaim [0x0000000000000000, 0x0000007fffffffff] COLLECT: differs from the library's Reclaimer on a copy of"
            + " the same tables (library -> submission): memory: 3 words differ:\n"
            + "  0x0000000001000000: 0x0000000000000000 -> 0x0000000001001003\n"
            + "  0x0000000001001000: 0x0000000000000000 -> 0x0000000001002003\n"
            + "  0x0000000001002008: 0x0000000000000000 -> 0x0000000001003003; frames the library freed and the"
            + " submission did not: 0x0000000001001000, 0x0000000001002000, 0x0000000001003000",
        "map [0x0000000000200000, 0x0000000000200fff] to 0x0000000000005000 rw----- FAIL",
        "unmap [0x0000000000200000, 0x0000000000200fff]",
        "reclaim [0x0000000000000000, 0x0000007fffffffff] COLLECT");
  }

  @Test
  void theSystemCountsHowEachStepEnded() {
    List<PagingSystem> systems = new java.util.ArrayList<>();
    StatefulRunner<PagingSystem> runner = StatefulRunner.of(() -> {
      PagingSystem s = PagingSystem.create(Formats.sv39(), PagingSubmission.library(), false);
      systems.add(s);
      return s;
    }, (random, s) -> PagingScenarios.next(random, s, ANY), PagingSystem::check);
    assertThat(runner.replay(PagingScenarios.parse(List.of(
        "map [0x0000000000200000, 0x00000000003fffff] to 0x0000000000400000 rw----- FAIL",
        "map [0x0000000000200000, 0x0000000000200fff] to 0x0000000000005000 rw----- FAIL",
        "smash 0x0000000000200000 to 0x0000000000001000",
        "smash 0x0000000040000000 to 0x0000000000001000",
        "collapse [0x0000000000200000, 0x00000000003fffff]",
        "unmap [0x0000000000200000, 0x0000000000200fff], allocation 1 fails",
        "unmap [0x0000000000200000, 0x00000000003fffff]",
        "reclaim [0x0000000000000000, 0x000000003fffffff] STRICT")))).isEmpty();
    AddressSpace space = systems.get(0).space();
    assertThat(systems.get(0).outcomes()).isEqualTo(Map.ofEntries(
        Map.entry("map FAIL succeeded", 1),
        Map.entry("map FAIL threw MappingConflictException", 1),
        Map.entry("smash succeeded", 1),
        Map.entry("smash invalidated", 1),
        Map.entry("smash threw IllegalArgumentException", 1),
        Map.entry("collapse succeeded", 1),
        Map.entry("collapse invalidated", 1),
        Map.entry("collapse freed tables", 1),
        Map.entry("unmap threw OutOfFramesException", 1),
        Map.entry("unmap succeeded", 1),
        Map.entry("unmap invalidated", 1),
        Map.entry("reclaim STRICT succeeded", 1),
        Map.entry("reclaim STRICT invalidated", 1),
        Map.entry("reclaim STRICT freed tables", 1)));
    assertThat(systems.get(0).allocator().allocatedFrames()).containsExactly(space.root());
  }
  /**
   * On a 64 KiB granule a step fits only in whole 64 KiB pages, and a range's shrinks offer
   * 64 KiB pieces before 4 KiB ones, so shrinking a failure there has steps to try.
   */
  @Test
  void stepsFitTheFormatsSmallestPage() {
    PagingSystem sixtyFour = PagingSystem.create(Formats.aarch64(Aarch64Options.defaults().withGranule(64 * 1024)),
        PagingSubmission.library(), false);
    PagingSystem four = PagingSystem.create(Formats.x86_64(), PagingSubmission.library(), false);
    Attributes rw = Attributes.readWrite();
    PagingStep small = PagingStep.unmap(VirtualRange.ofLength(0x30000, 0x1000));
    PagingStep whole = PagingStep.unmap(VirtualRange.ofLength(0x30000, 0x20000));
    PagingStep offFrame = PagingStep.map(VirtualRange.ofLength(0x30000, 0x10000), 0x5000, rw, ConflictPolicy.FAIL);
    PagingStep smashSmall = PagingStep.smash(0x200000, 0x1000);
    PagingStep smashWhole = PagingStep.smash(0x200000, 0x10000);
    assertThat(List.of(small, whole, offFrame, smashSmall, smashWhole)).extracting(p -> p.fits(sixtyFour))
        .containsExactly(false, true, false, false, true);
    assertThat(List.of(small, whole, offFrame, smashSmall, smashWhole)).extracting(p -> p.fits(four))
        .containsExactly(true, true, true, true, true);
    assertThat(whole.shrinks()).extracting(Object::toString).containsExactly(
        "unmap [0x0000000000030000, 0x000000000003ffff]",
        "unmap [0x0000000000040000, 0x000000000004ffff]",
        "unmap [0x0000000000030000, 0x0000000000030fff]",
        "unmap [0x000000000004f000, 0x000000000004ffff]",
        "unmap [0x0000000000000000, 0x000000000001ffff]");
  }
}
