package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Attributes;
import dev.paging.api.VirtualRange;
import dev.paging.audit.Audit;
import dev.paging.core.AddressSpace;
import dev.paging.core.Formats;
import dev.paging.dump.Dump;
import dev.paging.dump.DumpRenderer;
import dev.paging.fakes.MemorySnapshot;
import dev.paging.ops.PageTables;
import dev.paging.ops.ReclaimMode;
import dev.paging.ops.ReclaimOptions;
import dev.paging.ops.Reclaimer;
import dev.paging.ops.Translator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * "Destroyed" belongs to the space, not to the handle that destroyed it: once its frames may be
 * reused, no handle made before or after may read or write them as tables.
 */
class DestroyedSpaceTest {
  private static final long VA = 0x4000_0000L;

  @Test
  void everyHandleOnADestroyedSpaceRefusesEveryOperationAndChangesNothing() {
    Space s = Space.of(Formats.x86_64());
    s.tables.map(VirtualRange.ofLength(VA, 0x1000), 0x20_0000L, Attributes.readWrite());
    AddressSpace space = s.space();
    Translator before = Translator.of(space);
    Reclaimer reclaimer = Reclaimer.of(space);
    PageTables other = PageTables.of(space);
    s.tables.destroy().pendingFrees().release();
    assertThat(space.isDestroyed()).isTrue();
    // The frames are free; another space takes them and maps something else there.
    PageTables next = PageTables.create(Formats.x86_64(), s.memory, s.allocator);
    next.map(VirtualRange.ofLength(VA, 0x1000), 0x30_0000L, Attributes.readOnly());
    MemorySnapshot snapshot = s.memory.snapshot();

    String expected = "x86-64 address space, root 0x" + String.format("%016x", space.root())
        + " was destroyed; its tables may have been freed and reused";
    List<Consumer<AddressSpace>> operations = List.of(
        sp -> s.tables.translate(VA),
        sp -> s.tables.map(VirtualRange.ofLength(VA + 0x1000, 0x1000), 0x40_0000L, Attributes.readWrite()),
        sp -> s.tables.editingThroughRecursiveEntries(),
        sp -> other.translate(VA),
        sp -> other.unmap(VirtualRange.ofLength(VA, 0x1000)),
        sp -> other.destroy(),
        sp -> PageTables.of(sp).mapPage(VA + 0x1000, 0x40_0000L, Attributes.readWrite()),
        sp -> PageTables.of(sp).reclaim(VirtualRange.all(), ReclaimMode.COLLECT),
        sp -> before.translate(VA),
        sp -> before.physicalAddressOrElse(VA, -1),
        sp -> Translator.of(sp).physicalAddresses(new long[] {VA}, 0, new long[1], 0, 1, -1, null),
        sp -> reclaimer.reclaim(VirtualRange.all(), ReclaimMode.COLLECT),
        sp -> reclaimer.visitor(VirtualRange.all(), ReclaimOptions.of(ReclaimMode.COLLECT)),
        sp -> Audit.run(sp, VirtualRange.all()),
        sp -> dump(sp),
        AddressSpace::walker);
    for (int i = 0; i < operations.size(); i++) {
      Consumer<AddressSpace> op = operations.get(i);
      assertThatThrownBy(() -> op.accept(space)).as("operation " + i)
          .isInstanceOf(IllegalStateException.class).hasMessage(expected);
    }
    assertThat(s.memory.snapshot()).isEqualTo(snapshot);
    assertThat(next.translate(VA).physicalAddress()).isEqualTo(0x30_0000L);
  }

  private static void dump(AddressSpace space) {
    try {
      Dump.write(space, VirtualRange.all(), DumpRenderer.json(new StringBuilder()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
