package dev.paging.tests;

import static dev.paging.api.Addresses.hex;
import static dev.paging.tests.Space.KIB4;
import static dev.paging.tests.Space.MIB2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Attributes;
import dev.paging.api.FrameAllocator;
import dev.paging.api.PagingException;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.fakes.AllocatorState;
import dev.paging.fakes.MemorySnapshot;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.fakes.TrackingFrameAllocator;
import dev.paging.ops.InterruptedChangeException;
import dev.paging.ops.MapOptions;
import dev.paging.ops.PageTables;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An allocator that hands out a frame the operation is using (the root, a table on the way, a
 * frame it handed out a moment ago) would make the operation link a cycle. Each such frame is
 * refused with an error naming it; nothing changes and every frame taken goes back.
 */
class ForbiddenFramesTest {
  private static final long UVA = 0x4000_0000L;
  private static final Attributes RW = Attributes.readWrite();

  /** Hands out the scripted frames first, then the tracking allocator's; records what comes back. */
  private static final class ScriptedAllocator implements FrameAllocator {
    final TrackingFrameAllocator tracking = TrackingFrameAllocator.over(Space.TABLES_BASE, Space.TABLE_FRAMES);
    final Deque<Long> script = new ArrayDeque<>();
    final List<Long> scriptedFrees = new ArrayList<>();
    /** Scripted frames handed out and not yet given back, once per time handed out. */
    final List<Long> outstanding = new ArrayList<>();

    @Override
    public long allocate() {
      if (script.isEmpty()) {
        return tracking.allocate();
      }
      long frame = script.poll();
      outstanding.add(frame);
      return frame;
    }

    @Override
    public void free(long frame) {
      if (outstanding.remove(Long.valueOf(frame))) {
        scriptedFrees.add(frame);
        return;
      }
      tracking.free(frame);
    }

    /** Hands these out next, whatever they are. */
    void next(long... frames) {
      for (long f : frames) {
        script.add(f);
      }
    }
  }

  private final SimulatedMemory memory = SimulatedMemory.ofSize(Space.MEMORY);
  private final ScriptedAllocator allocator = new ScriptedAllocator();
  private final PageTables tables = PageTables.create(Formats.x86_64(), memory, allocator);

  /** Runs the operation, which must refuse; checks nothing changed and returns the message. */
  private String refused(Runnable operation) {
    MemorySnapshot before = memory.snapshot();
    AllocatorState state = allocator.tracking.state();
    try {
      operation.run();
    } catch (PagingException e) {
      assertThat(memory.snapshot().diff(before)).as("memory after " + e.getMessage()).isEmpty();
      assertThat(allocator.tracking.state()).as("allocator after " + e.getMessage()).isEqualTo(state);
      assertThat(allocator.script).as("frames the allocator was asked for").isEmpty();
      assertThat(allocator.outstanding).as("scripted frames not given back").isEmpty();
      return e.getMessage();
    }
    throw new AssertionError("the operation took the frame");
  }

  private long tableOnThePathTo(long va, int depth) {
    long table = tables.space().root();
    for (int d = 0; d < depth; d++) {
      long raw = memory.read(table + 8L * Formats.x86_64().levels().get(d).index(va));
      table = Formats.x86_64().address(Formats.x86_64().levels().get(d), raw);
    }
    return table;
  }

  @Test
  void theRootIsRefusedAsANewTable() {
    long root = tables.space().root();
    allocator.next(root);
    String message = refused(() -> tables.map(VirtualRange.ofLength(UVA, KIB4), 0x20_0000L, RW));
    assertThat(message).isEqualTo("the allocator handed out frame " + hex(root)
        + ", which is the root table of the address space; every frame taken was given back and nothing was changed");
    assertThat(allocator.scriptedFrees).containsExactly(root);
  }

  @Test
  void aTableOnTheWayIsRefusedByEveryOperationThatTakesTables() {
    tables.map(VirtualRange.ofLength(UVA, 4 * MIB2), 0x8000_0000L, RW);
    long pd = tableOnThePathTo(UVA, 2);
    long pdpt = tableOnThePathTo(UVA, 1);
    // A 4 KiB map next to the 2 MiB pages needs a PT below the same PD.
    allocator.next(pd);
    assertThat(refused(() -> tables.map(VirtualRange.ofLength(UVA + 4 * MIB2, KIB4), 0x20_0000L, RW)))
        .contains("frame " + hex(pd) + ", which is already a page table of the address space");
    allocator.next(pdpt);
    assertThat(refused(() -> tables.mapPage(UVA + 4 * MIB2, 0x20_0000L, RW)))
        .contains("frame " + hex(pdpt) + ", which is already a page table of the address space");
    allocator.next(pd);
    assertThat(refused(() -> tables.smash(UVA + 0x1000, KIB4))).contains("frame " + hex(pd));
    allocator.next(pdpt);
    assertThat(refused(() -> tables.protect(VirtualRange.ofLength(UVA + KIB4, KIB4), Attributes.readOnly())))
        .contains("frame " + hex(pdpt));
    allocator.next(tables.space().root());
    assertThat(refused(() -> tables.unmap(VirtualRange.ofLength(UVA + KIB4, KIB4))))
        .contains("frame " + hex(tables.space().root()) + ", which is the root table");
    assertThat(allocator.scriptedFrees).containsExactly(pd, pdpt, pd, pdpt, tables.space().root());
    // The operations still work with an honest allocator.
    assertThat(tables.smash(UVA + 0x1000, KIB4).tablesAllocated()).isEqualTo(1);
  }

  @Test
  void theSameFrameTwiceInOneCallIsRefusedAndGivenBackTwice() {
    long fresh = Space.TABLES_BASE + 4000 * KIB4;
    allocator.next(fresh, fresh);
    String message = refused(() -> tables.map(VirtualRange.ofLength(UVA, KIB4), 0x20_0000L, RW));
    assertThat(message).contains("frame " + hex(fresh) + ", which it had already handed out in this call");
    assertThat(allocator.scriptedFrees).containsExactly(fresh, fresh);
  }

  @Test
  void aTableInsideAnUnmappedRangeIsFoundWhileUnmappingAndEverythingIsWrittenBack() {
    // Two page tables of 4 KiB pages, then a 2 MiB page; unmapping to the middle of the 2 MiB
    // page clears the first table, meets the second, and smashes the 2 MiB page with a new PT.
    tables.map(VirtualRange.ofLength(UVA, 2 * MIB2), 0x8000_0000L, RW, MapOptions.defaults().withPageSize(KIB4));
    tables.map(VirtualRange.ofLength(UVA + 2 * MIB2, MIB2), 0x9000_0000L, RW);
    long secondPt = tableOnThePathTo(UVA + MIB2, 3);
    allocator.next(secondPt);
    MemorySnapshot before = memory.snapshot();
    AllocatorState state = allocator.tracking.state();
    try {
      tables.unmap(VirtualRange.ofLength(UVA, 2 * MIB2 + KIB4));
      throw new AssertionError("the unmap used a live table as a new one");
    } catch (InterruptedChangeException e) {
      assertThat(e.restored()).isTrue();
      assertThat(e.entriesWritten()).isEqualTo(512);
      assertThat(e.getCause()).hasMessage("unmap [" + hex(UVA) + ", " + hex(UVA + 2 * MIB2 + KIB4 - 1)
          + "]: the allocator handed out frame " + hex(secondPt) + ", which is already a page table of the address "
          + "space; every frame taken was given back and nothing was changed");
    }
    assertThat(memory.snapshot().diff(before)).isEmpty();
    assertThat(allocator.tracking.state()).isEqualTo(state);
    assertThat(allocator.scriptedFrees).containsExactly(secondPt);
  }

  @Test
  void sharingTheKernelHalfRefusesTheTemplatesOwnTables() {
    tables.map(VirtualRange.ofLength(0xffff_8000_0000_0000L, KIB4), 0x20_0000L, RW.withGlobal(true));
    long kernelPdpt = tableOnThePathTo(0xffff_8000_0000_0000L, 1);
    allocator.next(kernelPdpt);
    assertThat(refused(() -> PageTables.createSharingKernelHalf(tables)))
        .contains("frame " + hex(kernelPdpt) + ", which is already a page table of the address space");
  }
}
