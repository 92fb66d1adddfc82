package dev.paging.testkit;

import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import dev.paging.core.AddressSpace;
import dev.paging.core.SharedTables;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.fakes.TrackingFrameAllocator;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A test's simulated machine: fresh memory, a tracking allocator, and the spaces and frames the
 * test declares, so that the JUnit extension ({@code dev.paging.testkit.junit.PagingExtension}) can check invariants and leaks after the test.
 *
 * <p>Memory is 1 GiB; table frames come from the 64 MiB starting at 16 MiB, below any data
 * address a test is likely to map and inside memory, so tables are readable. They are 4 KiB
 * frames, or as large as a format's tables need ({@link #create(PagingFormat)}).
 */
public final class PagingFixture {
  /** The simulated memory's size. */
  public static final long MEMORY_SIZE = 1L << 30;
  /** Where the allocator's frames start. */
  public static final long FRAMES_BASE = 16L << 20;
  /** How many 4 KiB frames the allocator has (a quarter as many of 16 KiB, and so on). */
  public static final long FRAME_COUNT = 16_384;

  private final SimulatedMemory memory = SimulatedMemory.ofSize(MEMORY_SIZE);
  private final TrackingFrameAllocator allocator;
  private final SharedTables sharedTables = SharedTables.create();
  private final List<AddressSpace> spaces = new ArrayList<>();
  private final Set<Long> held = new LinkedHashSet<>();

  private PagingFixture(long frameBytes) {
    this.allocator = TrackingFrameAllocator.over(FRAMES_BASE, FRAME_COUNT * 4096 / frameBytes, frameBytes);
  }

  /** A fixture on its own, for tests that do not use the extension, with 4 KiB frames. */
  public static PagingFixture create() {
    return new PagingFixture(4096);
  }

  /**
   * A fixture whose frames hold a table of {@code format}: 4 KiB, or the granule of an AArch64
   * format with a 16 or 64 KiB granule.
   */
  public static PagingFixture create(PagingFormat format) {
    return new PagingFixture(frameBytes(format));
  }

  /**
   * The frame size an allocator for {@code format} needs: 4 KiB, or as large as its largest table
   * (an AArch64 granule of 16 or 64 KiB).
   */
  public static long frameBytes(PagingFormat format) {
    Objects.requireNonNull(format, "format");
    long largest = 4096;
    for (List<Level> half : List.of(format.levels(), format.levels(-1L))) {
      for (Level level : half) {
        largest = Math.max(largest, Math.max(level.tableBytes(), level.tableAlignment()));
      }
    }
    return largest;
  }

  public SimulatedMemory memory() {
    return memory;
  }

  public TrackingFrameAllocator allocator() {
    return allocator;
  }

  /** The registry every space of this fixture shares. */
  public SharedTables sharedTables() {
    return sharedTables;
  }

  /** A new empty space, checked after the test. */
  public AddressSpace newSpace(PagingFormat format) {
    return track(AddressSpace.create(format, memory, allocator, sharedTables));
  }

  /** Checks {@code space} after the test too; it must use this fixture's allocator. */
  public AddressSpace track(AddressSpace space) {
    if (space.allocator() != allocator) {
      throw new IllegalArgumentException(space + " does not use this fixture's allocator");
    }
    spaces.add(space);
    return space;
  }

  /** Stops checking {@code space} (after the test destroyed it and released its frames). */
  public void untrack(AddressSpace space) {
    if (!spaces.remove(space)) {
      throw new IllegalArgumentException(space + " is not tracked");
    }
  }

  /** Declares frames the test holds outside any table: not leaks. */
  public void hold(long... frames) {
    for (long f : frames) {
      held.add(f);
    }
  }

  /** The spaces checked after the test. */
  public List<AddressSpace> spaces() {
    return List.copyOf(spaces);
  }

  /** Checks every tracked space's invariants and that no frame leaked. */
  public InvariantReport check() {
    long[] heldFrames = held.stream().mapToLong(Long::longValue).toArray();
    if (spaces.isEmpty()) {
      List<String> leaks = new ArrayList<>();
      for (long f : allocator.allocatedFrames()) {
        if (!held.contains(f)) {
          leaks.add("frame " + dev.paging.api.Addresses.hex(f)
              + " is allocated but neither a reachable table nor held: leaked");
        }
      }
      return new InvariantReport(leaks, 0);
    }
    return Invariants.check(spaces, heldFrames);
  }
}
