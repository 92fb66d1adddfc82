package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.paging.api.Attributes;
import dev.paging.core.AddressSpace;
import dev.paging.core.Formats;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.fakes.TrackingFrameAllocator;
import dev.paging.testkit.PagingFixture;
import dev.paging.testkit.junit.PagingExtension;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

@ExtendWith(PagingExtension.class)
class PagingExtensionTest {
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
  void theCheckAfterATestReportsALeak() {
    PagingFixture fixture = PagingFixture.create();
    fixture.newSpace(Formats.x86_64());
    long leaked = fixture.allocator().allocate();
    ExtensionContext context = mock(ExtensionContext.class);
    ExtensionContext.Store store = mock(ExtensionContext.Store.class);
    when(context.getStore(org.mockito.ArgumentMatchers.any())).thenReturn(store);
    when(store.get(PagingFixture.class, PagingFixture.class)).thenReturn(fixture);
    when(context.getExecutionException()).thenReturn(Optional.empty());
    assertThatThrownBy(() -> new PagingExtension().afterEach(context))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("frame " + dev.paging.api.Addresses.hex(leaked) + " is allocated but neither");
    fixture.hold(leaked);
    new PagingExtension().afterEach(context);
  }
}
