package dev.paging.cli;

import dev.paging.api.PagingFormat;
import dev.paging.core.AddressSpace;
import dev.paging.images.MemoryImage;
import java.io.IOException;

/** An opened memory image with the hierarchy the options point at: close it when done. */
final class Image implements AutoCloseable {
  private final PagingFormat format;
  private final MemoryImage memory;
  private final AddressSpace space;

  private Image(PagingFormat format, MemoryImage memory, AddressSpace space) {
    this.format = format;
    this.memory = memory;
    this.space = space;
  }

  /** The hierarchy in {@code memory} whose root table is at {@code root}, read-only. */
  static Image of(PagingFormat format, MemoryImage memory, long root) {
    return new Image(format, memory, AddressSpace.readOnly(format, memory, root));
  }

  /** A hierarchy with a root per half (either may be {@link AddressSpace#NO_ROOT}), read-only. */
  static Image of(PagingFormat format, MemoryImage memory, long lowerRoot, long upperRoot) {
    return new Image(format, memory, AddressSpace.readOnly(format, memory, lowerRoot, upperRoot));
  }

  PagingFormat format() {
    return format;
  }

  MemoryImage memory() {
    return memory;
  }

  /** A read-only address space: its allocator refuses frames and its memory refuses writes. */
  AddressSpace space() {
    return space;
  }

  long root() {
    return space.root();
  }

  long upperRoot() {
    return space.upperRoot();
  }

  @Override
  public void close() throws IOException {
    memory.close();
  }
}
