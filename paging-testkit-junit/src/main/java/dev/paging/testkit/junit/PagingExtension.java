package dev.paging.testkit.junit;

import dev.paging.fakes.SimulatedMemory;
import dev.paging.fakes.TrackingFrameAllocator;
import dev.paging.testkit.PagingFixture;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that gives each test a fresh {@link PagingFixture} (or its {@link
 * SimulatedMemory} and {@link TrackingFrameAllocator}) and, after the test, checks the
 * invariants of every space the test tracked and that no frame leaked — so every test of a
 * visitor is also a test of the tables it leaves behind.
 *
 * <pre>{@code
 * @ExtendWith(PagingExtension.class)
 * class MyVisitorTest {
 *   @Test
 *   void mapsAndUnmaps(PagingFixture fixture) {
 *     AddressSpace space = fixture.newSpace(Formats.x86_64());
 *     ...
 *   }
 * }
 * }</pre>
 */
public final class PagingExtension implements ParameterResolver, AfterEachCallback {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PagingExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == PagingFixture.class || type == SimulatedMemory.class || type == TrackingFrameAllocator.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    PagingFixture fixture = fixture(context);
    Class<?> type = parameter.getParameter().getType();
    if (type == SimulatedMemory.class) {
      return fixture.memory();
    }
    if (type == TrackingFrameAllocator.class) {
      return fixture.allocator();
    }
    return fixture;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    PagingFixture fixture = context.getStore(NAMESPACE).get(PagingFixture.class, PagingFixture.class);
    // A test that failed already says why; the check would only add noise.
    if (fixture != null && context.getExecutionException().isEmpty()) {
      fixture.check().assertClean();
    }
  }

  private static PagingFixture fixture(ExtensionContext context) {
    return context.getStore(NAMESPACE).getOrComputeIfAbsent(PagingFixture.class, k -> PagingFixture.create(), PagingFixture.class);
  }
}
