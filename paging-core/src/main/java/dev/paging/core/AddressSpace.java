package dev.paging.core;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Addresses;
import dev.paging.api.FrameAllocator;
import dev.paging.api.Level;
import dev.paging.api.PagingException;
import dev.paging.api.PagingFormat;
import dev.paging.api.PhysicalMemory;
import java.util.Objects;

/**
 * A page-table hierarchy: its format, the memory it lives in, the allocator its tables come
 * from, and its root table. A handle, not the tables themselves: two handles over the same root
 * see the same mappings.
 */
public final class AddressSpace {
  private final PagingFormat format;
  private final PhysicalMemory memory;
  private final FrameAllocator allocator;
  private final long root;
  private final SharedTables sharedTables;
  private boolean destroyed;

  private AddressSpace(PagingFormat format, PhysicalMemory memory, FrameAllocator allocator, long root,
      SharedTables sharedTables) {
    this.format = Objects.requireNonNull(format, "format");
    this.memory = Objects.requireNonNull(memory, "memory");
    this.allocator = Objects.requireNonNull(allocator, "allocator");
    this.root = root;
    this.sharedTables = Objects.requireNonNull(sharedTables, "sharedTables");
  }

  /** A new, empty address space with a registry of its own: allocates a root table and clears it. */
  public static AddressSpace create(PagingFormat format, PhysicalMemory memory, FrameAllocator allocator) {
    return create(format, memory, allocator, SharedTables.create());
  }

  /**
   * A new, empty address space that records shared tables in {@code sharedTables}, the registry
   * of the spaces it will share tables with.
   */
  public static AddressSpace create(PagingFormat format, PhysicalMemory memory, FrameAllocator allocator,
      SharedTables sharedTables) {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(sharedTables, "sharedTables");
    Objects.requireNonNull(memory, "memory");
    Objects.requireNonNull(allocator, "allocator");
    long root = allocator.allocate();
    try {
      checkRoot(format, memory, root);
      if (sharedTables.isShared(root)) {
        throw new PagingException("the allocator handed out frame " + hex(root)
            + " for a new root, which is a table shared between address spaces");
      }
      format.root().clearTable(memory, root);
    } catch (RuntimeException | Error e) {
      try {
        allocator.free(root);
      } catch (RuntimeException | Error again) {
        e.addSuppressed(again);
      }
      throw e;
    }
    return new AddressSpace(format, memory, allocator, root, sharedTables);
  }

  /** A handle over an existing hierarchy whose root table is at {@code root}. */
  public static AddressSpace of(PagingFormat format, PhysicalMemory memory, FrameAllocator allocator, long root) {
    Objects.requireNonNull(memory, "memory");
    return of(format, memory, allocator, root, SharedTables.create());
  }

  /** A handle over an existing hierarchy whose shared tables are recorded in {@code sharedTables}. */
  public static AddressSpace of(PagingFormat format, PhysicalMemory memory, FrameAllocator allocator, long root,
      SharedTables sharedTables) {
    Objects.requireNonNull(memory, "memory");
    Objects.requireNonNull(format, "format");
    checkRoot(format, memory, root);
    return new AddressSpace(format, memory, allocator, root, sharedTables);
  }

  /**
   * A handle over tables that must not change (a memory image): its allocator refuses to
   * allocate, so every operation that would need a new table fails before changing anything.
   */
  public static AddressSpace readOnly(PagingFormat format, PhysicalMemory memory, long root) {
    Objects.requireNonNull(memory, "memory");
    return of(format, memory, Tables.NO_FRAMES, root);
  }

  private static void checkRoot(PagingFormat format, PhysicalMemory memory, long root) {
    Level top = format.root();
    if (!Addresses.isAligned(root, top.tableAlignment())) {
      throw new IllegalArgumentException("root table " + hex(root) + " is not " + Tables.alignment(top) + " aligned");
    }
    if (!memory.contains(root, top.tableBytes())) {
      throw new IllegalArgumentException("root table " + hex(root) + " is outside physical memory (" + memory + ")");
    }
  }

  public PagingFormat format() {
    return format;
  }

  public PhysicalMemory memory() {
    return memory;
  }

  public FrameAllocator allocator() {
    return allocator;
  }

  /** The physical address of the root table (what CR3 or satp points to). */
  public long root() {
    return root;
  }

  /** The registry of tables this space shares with others; no operation frees those. */
  public SharedTables sharedTables() {
    return sharedTables;
  }

  /**
   * A new walker over this space's format and memory, told the space's shared tables (walkers
   * are not thread-safe).
   *
   * @throws IllegalStateException if the space was {@linkplain #markDestroyed() destroyed}
   */
  public Walker walker() {
    checkNotDestroyed();
    return Walker.of(format, memory).sharedTables(sharedTables);
  }

  /**
   * Records that the space is gone: its tables were handed back (or are about to be) and may
   * hold anything. From then on every operation on it, through any handle made from this
   * object, is refused, since it would read or write frames that are no longer tables. {@code
   * PageTables.destroy()} calls it; so should code that frees a space's tables by other means.
   * Calling it again does nothing.
   */
  public void markDestroyed() {
    destroyed = true;
  }

  /** True once {@link #markDestroyed()} was called. */
  public boolean isDestroyed() {
    return destroyed;
  }

  /**
   * Does nothing for a live space.
   *
   * @throws IllegalStateException naming the space if it was destroyed
   */
  public void checkNotDestroyed() {
    if (destroyed) {
      throw new IllegalStateException(this + " was destroyed; its tables may have been freed and reused");
    }
  }

  @Override
  public String toString() {
    return format.name() + " address space, root " + hex(root);
  }
}
