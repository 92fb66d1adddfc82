package dev.paging.tests;

import static dev.paging.api.Addresses.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.paging.api.Attributes;
import dev.paging.core.AddressSpace;
import dev.paging.core.Formats;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.fakes.TrackingFrameAllocator;
import dev.paging.testkit.PagingFixture;
import dev.paging.testkit.junit.PagingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

@ExtendWith(PagingExtension.class)
class PagingExtensionTest {
  /** The configuration parameter with which {@link #runThroughJupiter} lets {@link UnderTheExtension} run. */
  private static final String RUN_UNDER_THE_EXTENSION = "paging.tests.run-under-the-extension";

  @Test
  void injectsOneFreshFixtureAndItsParts(PagingFixture fixture, SimulatedMemory memory, TrackingFrameAllocator allocator) {
    assertThat(memory).isSameAs(fixture.memory());
    assertThat(allocator).isSameAs(fixture.allocator());
    assertThat(allocator.allocatedCount()).isZero();
    AddressSpace space = fixture.newSpace(Formats.sv39());
    long table = allocator.allocate();
    memory.fill(table, 4096, 0);
    memory.write(space.root(), space.format().encodeTable(space.format().root(), table, Attributes.none()));
    // The extension checks after this test that both frames are accounted for.
  }

  @Test
  void theCheckAfterATestFailsTheTestThatLeakedAFrameNamingTheFrame() {
    Events tests = runThroughJupiter().testEvents();

    tests.assertThatEvents().haveExactly(1, event(test("leaksAFrame"), finishedWithFailure(
        instanceOf(AssertionError.class),
        message("1 invariant violated (1 tables):\n  frame " + hex(UnderTheExtension.leaked)
            + " is allocated but neither a reachable table nor held: leaked"))));
  }

  @Test
  void theCheckAfterATestFailsTheTestThatBrokeAnInvariantNamingTheTable() {
    Events tests = runThroughJupiter().testEvents();

    tests.assertThatEvents().haveExactly(1, event(test("linksOneTableFromTwoEntries"), finishedWithFailure(
        instanceOf(AssertionError.class),
        message("1 invariant violated (2 tables):\n  PDPT table " + hex(UnderTheExtension.linkedTwice)
            + " is linked from entries " + hex(UnderTheExtension.rootOfTwice) + " and "
            + hex(UnderTheExtension.rootOfTwice + 8) + " but is not recorded as shared"))));
  }

  @Test
  void aTestThatAccountsForEveryFrameSucceedsAndOneThatFailsOnItsOwnKeepsItsOwnFailure() {
    Events tests = runThroughJupiter().testEvents();

    tests.assertThatEvents()
        .haveExactly(1, event(test("holdsTheFrameItTook"), finishedSuccessfully()))
        .haveExactly(1, event(test("failsOnItsOwnAndLeaks"), finishedWithFailure(
            instanceOf(AssertionError.class), message("the test's own failure"))));
    tests.assertStatistics(stats -> stats.started(4).succeeded(1).failed(3).skipped(0).aborted(0));
  }

  /** Runs {@link UnderTheExtension} through the Jupiter engine, as a build would, and returns what the engine reported. */
  private static EngineExecutionResults runThroughJupiter() {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter(RUN_UNDER_THE_EXTENSION, "true")
        .selectors(selectClass(UnderTheExtension.class))
        .execute();
  }

  /**
   * Tests under the extension, some of which fail on purpose. They run only when {@link
   * #runThroughJupiter} selects them: surefire skips nested classes, and {@link
   * OnlyUnderTheEngineTestKit} disables them wherever else they are discovered (an IDE running a
   * whole package, say).
   */
  @ExtendWith({OnlyUnderTheEngineTestKit.class, PagingExtension.class})
  static class UnderTheExtension {
    static long leaked;
    static long linkedTwice;
    static long rootOfTwice;

    @Test
    void leaksAFrame(PagingFixture fixture) {
      fixture.newSpace(Formats.x86_64());
      leaked = fixture.allocator().allocate();
    }

    @Test
    void linksOneTableFromTwoEntries(PagingFixture fixture) {
      AddressSpace space = fixture.newSpace(Formats.x86_64());
      long pdpt = fixture.allocator().allocate();
      fixture.memory().fill(pdpt, 4096, 0);
      long entry = space.format().encodeTable(space.format().root(), pdpt, Attributes.readWrite());
      fixture.memory().write(space.root(), entry);
      fixture.memory().write(space.root() + 8, entry);
      linkedTwice = pdpt;
      rootOfTwice = space.root();
    }

    @Test
    void holdsTheFrameItTook(PagingFixture fixture) {
      fixture.newSpace(Formats.x86_64());
      fixture.hold(fixture.allocator().allocate());
    }

    @Test
    void failsOnItsOwnAndLeaks(PagingFixture fixture) {
      fixture.newSpace(Formats.x86_64());
      fixture.allocator().allocate();
      throw new AssertionError("the test's own failure");
    }
  }

  /** Enables a test only when the run sets {@link #RUN_UNDER_THE_EXTENSION}. */
  static final class OnlyUnderTheEngineTestKit implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      return context.getConfigurationParameter(RUN_UNDER_THE_EXTENSION).isPresent()
          ? ConditionEvaluationResult.enabled("run by PagingExtensionTest through the engine test kit")
          : ConditionEvaluationResult.disabled("fails on purpose; PagingExtensionTest runs it through the engine test kit");
    }
  }
}
