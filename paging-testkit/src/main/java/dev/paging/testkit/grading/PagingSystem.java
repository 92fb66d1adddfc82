package dev.paging.testkit.grading;

import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.core.SharedTables;
import dev.paging.fakes.AllocatorState;
import dev.paging.fakes.MemorySnapshot;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.fakes.TrackingFrameAllocator;
import dev.paging.ops.PageTables;
import dev.paging.testkit.InvariantReport;
import dev.paging.testkit.Invariants;
import dev.paging.testkit.PagingFixture;
import dev.paging.testkit.ReferenceModel;
import dev.paging.testkit.TlbModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a {@link PagingStep} runs against: an implementation under test over a fresh address
 * space in a {@link PagingFixture}, with the models it is checked against — a {@link
 * ReferenceModel} of the mappings it should have and a {@link TlbModel} of what a processor may
 * have cached — and the ranges recent steps touched, so that generated steps can aim at them.
 *
 * <p>With the kernel half shared, the space is a process created by {@link
 * PageTables#createSharingKernelHalf} from a template (the kernel) that the library built: every
 * upper-half root entry of the space links a table of the template, recorded as shared (where
 * each half has a root of its own, the upper root is the template's, recorded as shared), and
 * the invariants are checked over both spaces.
 *
 * <p>The space's memory refuses access once the thread is interrupted, so a {@link Grader} that
 * abandons a check stopped by its time budget also stops a submission looping over the tables.
 */
public final class PagingSystem {
  /** How many recent ranges the system remembers for steps to aim at. */
  static final int RECENT = 12;

  private final PagingFormat format;
  private final PagingFixture fixture;
  private final AddressSpace space;
  private final List<AddressSpace> spaces;
  private final PagingSubmission submission;
  private final ReferenceModel model = ReferenceModel.empty();
  private final TlbModel tlb;
  private final List<VirtualRange> recent = new ArrayList<>();
  private final Map<String, Integer> outcomes = new TreeMap<>();
  private final boolean sharedKernelHalf;
  private PagingScenarios.ReclaimJudging reclaimJudging = PagingScenarios.ReclaimJudging.EXACTLY;

  private PagingSystem(PagingFormat format, PagingSubmission.Factory factory, boolean sharedKernelHalf) {
    this.format = Objects.requireNonNull(format, "format");
    this.sharedKernelHalf = sharedKernelHalf;
    this.fixture = PagingFixture.create(format);
    GuardedMemory memory = new GuardedMemory(fixture.memory());
    AddressSpace first = fixture.track(AddressSpace.create(format, memory, fixture.allocator(), fixture.sharedTables()));
    if (sharedKernelHalf) {
      this.space = fixture.track(PageTables.createSharingKernelHalf(first).space());
    } else {
      this.space = first;
    }
    this.spaces = fixture.spaces();
    this.submission = Objects.requireNonNull(factory.over(space), "the factory made no submission");
    this.tlb = TlbModel.of(space);
  }

  /**
   * A fresh system: new memory and allocator, an empty space of {@code format} (a process
   * sharing a kernel's upper half when {@code sharedKernelHalf}), and the implementation {@code
   * factory} builds over it.
   */
  public static PagingSystem create(PagingFormat format, PagingSubmission.Factory factory, boolean sharedKernelHalf) {
    return new PagingSystem(format, Objects.requireNonNull(factory, "factory"), sharedKernelHalf);
  }

  /** This system, with its reclaims judged by {@code judging} from now on (a scenario's mix says how). */
  PagingSystem judgingReclaims(PagingScenarios.ReclaimJudging judging) {
    this.reclaimJudging = Objects.requireNonNull(judging, "judging");
    return this;
  }

  /** How the steps judge a reclaim on this system. */
  PagingScenarios.ReclaimJudging reclaimJudging() {
    return reclaimJudging;
  }

  /** A space over copies of this system's memory and allocator: what an oracle runs the library on. */
  static final class Copy {
    final AddressSpace space;
    final SimulatedMemory memory;
    final TrackingFrameAllocator allocator;

    private Copy(AddressSpace space, SimulatedMemory memory, TrackingFrameAllocator allocator) {
      this.space = space;
      this.memory = memory;
      this.allocator = allocator;
    }
  }

  /**
   * A copy of the space as it was at {@code before} and {@code state}: the same words, the same
   * frames allocated (so the library allocates what the submission would next), the same
   * shared-table registry and root.
   */
  Copy copyAt(MemorySnapshot before, AllocatorState state) {
    SimulatedMemory memory = SimulatedMemory.ofSize(memory().size());
    for (long address : before.addresses()) {
      memory.write(address, before.word(address));
    }
    TrackingFrameAllocator original = allocator();
    TrackingFrameAllocator allocator = TrackingFrameAllocator.over(original.base(), original.frameCount(),
        original.frameBytes());
    long[] frames = state.frames();
    if (frames.length > 0) {
      // The allocator hands out the lowest free frame: take every frame up to the highest one
      // allocated, then give back those that were free.
      long highest = frames[frames.length - 1];
      long frame;
      do {
        frame = allocator.allocate();
      } while (frame != highest);
      for (long f = original.base(); f != highest; f += original.frameBytes()) {
        if (!state.contains(f)) {
          allocator.free(f);
        }
      }
    }
    SharedTables shared = SharedTables.create();
    for (long f : space.sharedTables().frames()) {
      shared.share(f);
    }
    return new Copy(AddressSpace.of(format, memory, allocator, space.root(), space.upperRoot(), shared), memory, allocator);
  }

  /** The format of every space of the system. */
  public PagingFormat format() {
    return format;
  }

  /** The memory and allocator, shared by every space of the system. */
  public PagingFixture fixture() {
    return fixture;
  }

  /** The fixture's memory, for snapshots; the spaces reach it through a guard that refuses access once abandoned. */
  public SimulatedMemory memory() {
    return fixture.memory();
  }

  /** The fixture's allocator, which every space of the system uses. */
  public TrackingFrameAllocator allocator() {
    return fixture.allocator();
  }

  /** The space the operations work on. */
  public AddressSpace space() {
    return space;
  }

  /** Every space of the system: the template first when the kernel half is shared. */
  public List<AddressSpace> spaces() {
    return spaces;
  }

  /** True when the space is a process sharing the kernel half of a template. */
  public boolean sharedKernelHalf() {
    return sharedKernelHalf;
  }

  /** The implementation under test, over {@link #space()}. */
  public PagingSubmission submission() {
    return submission;
  }

  /** The mappings the space should have after the steps so far. */
  public ReferenceModel model() {
    return model;
  }

  /** The TLB of a processor running the space; each step fills it over the range it touches. */
  public TlbModel tlb() {
    return tlb;
  }

  /** The ranges the latest steps touched, oldest first. */
  public List<VirtualRange> recent() {
    return List.copyOf(recent);
  }

  /**
   * How the steps applied so far ended, counted by kind, e.g. {@code "map FAIL threw
   * MappingConflictException"}, {@code "unmap invalidated"}, {@code "reclaim COLLECT freed
   * tables"}: what a test asserts to show that its scenarios reach every path.
   */
  public Map<String, Integer> outcomes() {
    return Map.copyOf(outcomes);
  }

  void count(String outcome) {
    outcomes.merge(outcome, 1, Integer::sum);
  }

  void remember(VirtualRange range) {
    recent.add(range);
    if (recent.size() > RECENT) {
      recent.remove(0);
    }
  }

  /**
   * What must hold between steps: the {@link Invariants} of every space, with no frame held
   * outside the tables, and the space's mappings equal to the model's.
   */
  public void check() {
    // One walk for both: the invariants, and the leaves to compare with the model.
    List<ReferenceModel.Mapping> leaves = new ArrayList<>();
    InvariantReport report = Invariants.check(spaces, new long[0], space,
        ReferenceModel.mappingCollector(format, leaves));
    if (!report.isClean()) {
      throw new AssertionError("invariants: " + report);
    }
    Optional<String> difference = model.firstDifference(leaves);
    if (difference.isPresent()) {
      throw new AssertionError(space + " differs from the model: " + difference.get());
    }
  }

  @Override
  public String toString() {
    return format.name() + (sharedKernelHalf ? " process sharing the kernel half" : " space") + " of " + submission;
  }
}
