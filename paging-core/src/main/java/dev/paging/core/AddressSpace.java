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
 * from, and its root table, or its two root tables where the format gives {@linkplain
 * PagingFormat#rootPerHalf() each half a root} (AArch64: TTBR0_EL1 for the lower half, TTBR1_EL1
 * for the upper). A handle, not the tables themselves: two handles over the same roots see the
 * same mappings.
 */
public final class AddressSpace {
  /**
   * Stands for the root of a half that is not translated, in a {@linkplain #readOnly(PagingFormat,
   * PhysicalMemory, long, long) read-only} space whose format has a root per half: AArch64 with
   * TCR_EL1.EPD0 or EPD1 set, or a memory image whose TTBR for that half is not known. Walks skip
   * that half, and nothing in it translates.
   */
  public static final long NO_ROOT = -1L;

  private final PagingFormat format;
  private final PhysicalMemory memory;
  private final FrameAllocator allocator;
  private final long root;
  private final long upperRoot;
  private final SharedTables sharedTables;
  private boolean destroyed;

  private AddressSpace(PagingFormat format, PhysicalMemory memory, FrameAllocator allocator, long root,
      long upperRoot, SharedTables sharedTables) {
    this.format = Objects.requireNonNull(format, "format");
    this.memory = Objects.requireNonNull(memory, "memory");
    this.allocator = Objects.requireNonNull(allocator, "allocator");
    this.root = root;
    this.upperRoot = upperRoot;
    this.sharedTables = Objects.requireNonNull(sharedTables, "sharedTables");
  }

  /**
   * A new, empty address space with a registry of its own: allocates a root table (two where the
   * format has a root per half) and clears it.
   */
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
    checkFrames(format, allocator);
    long root = newRoot(format, memory, allocator, sharedTables, format.root());
    long upperRoot = root;
    if (format.rootPerHalf()) {
      try {
        upperRoot = newRoot(format, memory, allocator, sharedTables, format.levels(-1L).get(0));
      } catch (RuntimeException | Error e) {
        free(allocator, root, e);
        throw e;
      }
    }
    return new AddressSpace(format, memory, allocator, root, upperRoot, sharedTables);
  }

  private static long newRoot(PagingFormat format, PhysicalMemory memory, FrameAllocator allocator,
      SharedTables sharedTables, Level top) {
    long root = allocator.allocate();
    try {
      checkRoot(memory, root, top);
      if (sharedTables.isShared(root)) {
        throw new PagingException("the allocator handed out frame " + hex(root)
            + " for a new root, which is a table shared between address spaces");
      }
      top.clearTable(memory, root);
    } catch (RuntimeException | Error e) {
      free(allocator, root, e);
      throw e;
    }
    return root;
  }

  private static void free(FrameAllocator allocator, long frame, Throwable cause) {
    try {
      allocator.free(frame);
    } catch (RuntimeException | Error again) {
      cause.addSuppressed(again);
    }
  }

  /**
   * A handle over an existing hierarchy whose root table is at {@code root}.
   *
   * @throws IllegalArgumentException if the root is unaligned or outside memory, or the format
   *     has a root per half (give both)
   */
  public static AddressSpace of(PagingFormat format, PhysicalMemory memory, FrameAllocator allocator, long root) {
    Objects.requireNonNull(memory, "memory");
    return of(format, memory, allocator, root, SharedTables.create());
  }

  /** A handle over an existing hierarchy whose shared tables are recorded in {@code sharedTables}. */
  public static AddressSpace of(PagingFormat format, PhysicalMemory memory, FrameAllocator allocator, long root,
      SharedTables sharedTables) {
    Objects.requireNonNull(format, "format");
    if (format.rootPerHalf()) {
      throw new IllegalArgumentException(format.name() + " has a root table per half; give the lower half's "
          + "and the upper half's, not only " + hex(root));
    }
    return of(format, memory, allocator, root, root, sharedTables);
  }

  /**
   * A handle over an existing hierarchy with {@code lowerRoot} for the lower half and {@code
   * upperRoot} for the upper half (AArch64 TTBR0_EL1 and TTBR1_EL1). A format with one root for
   * both halves takes {@code lowerRoot == upperRoot}; a format with a root per half takes two
   * tables, since the operations own each root's tables apart.
   *
   * @throws IllegalArgumentException if a root is unaligned or outside memory, or the roots are
   *     not one table or two as the format says
   */
  public static AddressSpace of(PagingFormat format, PhysicalMemory memory, FrameAllocator allocator, long lowerRoot,
      long upperRoot, SharedTables sharedTables) {
    Objects.requireNonNull(memory, "memory");
    Objects.requireNonNull(format, "format");
    if (!format.rootPerHalf() && lowerRoot != upperRoot) {
      throw new IllegalArgumentException(format.name() + " has one root table for both halves; got "
          + hex(lowerRoot) + " and " + hex(upperRoot));
    }
    if (format.rootPerHalf() && lowerRoot == upperRoot) {
      throw new IllegalArgumentException(format.name() + " has a root table per half; both are " + hex(lowerRoot));
    }
    Objects.requireNonNull(allocator, "allocator");
    checkFrames(format, allocator);
    checkRoot(memory, lowerRoot, format.root());
    checkRoot(memory, upperRoot, format.levels(-1L).get(0));
    return new AddressSpace(format, memory, allocator, lowerRoot, upperRoot, sharedTables);
  }

  /**
   * A handle over tables that must not change (a memory image): its allocator refuses to
   * allocate, so every operation that would need a new table fails before changing anything.
   *
   * @throws IllegalArgumentException as {@link #of(PagingFormat, PhysicalMemory, FrameAllocator, long)}
   */
  public static AddressSpace readOnly(PagingFormat format, PhysicalMemory memory, long root) {
    Objects.requireNonNull(memory, "memory");
    return of(format, memory, Tables.NO_FRAMES, root);
  }

  /**
   * A read-only handle over tables with a root for each half (or one, given twice, for a format
   * with one). Where the format has a root per half, one of them may be {@link #NO_ROOT}, and
   * both may be one table, as when TTBR0 and TTBR1 hold the same address: a view that is never
   * changed may read a table twice.
   *
   * @throws IllegalArgumentException as {@link #of(PagingFormat, PhysicalMemory, FrameAllocator,
   *     long, long, SharedTables)}, or if both roots are {@link #NO_ROOT}
   */
  public static AddressSpace readOnly(PagingFormat format, PhysicalMemory memory, long lowerRoot, long upperRoot) {
    Objects.requireNonNull(memory, "memory");
    Objects.requireNonNull(format, "format");
    if (format.rootPerHalf() && (lowerRoot == NO_ROOT || upperRoot == NO_ROOT || lowerRoot == upperRoot)) {
      if (lowerRoot == NO_ROOT && upperRoot == NO_ROOT) {
        throw new IllegalArgumentException(format.name() + ": neither half has a root");
      }
      if (lowerRoot != NO_ROOT) {
        checkRoot(memory, lowerRoot, format.root());
      }
      if (upperRoot != NO_ROOT) {
        checkRoot(memory, upperRoot, format.levels(-1L).get(0));
      }
      return new AddressSpace(format, memory, Tables.NO_FRAMES, lowerRoot, upperRoot, SharedTables.create());
    }
    return of(format, memory, Tables.NO_FRAMES, lowerRoot, upperRoot, SharedTables.create());
  }


  /** Every table of the format must fit in one of the allocator's frames, aligned as it asks. */
  private static void checkFrames(PagingFormat format, FrameAllocator allocator) {
    long frame = allocator.frameBytes();
    long largest = Tables.largestTable(format);
    if (Long.bitCount(frame) != 1 || frame < Addresses.FRAME_SIZE) {
      throw new IllegalArgumentException(allocator + " says its frames are " + frame
          + " bytes, not a power of two of at least 4096");
    }
    if (frame < largest) {
      throw new IllegalArgumentException(format.name() + " tables take " + Formats.sizeName(largest) + ", more than "
          + "the " + Formats.sizeName(frame) + " frames of " + allocator + "; give an allocator of frames of at least "
          + Formats.sizeName(largest));
    }
  }

  /** {@code root} must be a table of {@code top}, its half's root level: aligned, and inside memory. */
  private static void checkRoot(PhysicalMemory memory, long root, Level top) {
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

  /**
   * The physical address of the root table (what CR3 or satp points to), or of the lower half's
   * where each half has its own (TTBR0_EL1); {@link #NO_ROOT} when that half is not translated.
   */
  public long root() {
    return root;
  }

  /**
   * The root table of the upper half (TTBR1_EL1); {@link #root()} where the format has one root
   * for both halves; {@link #NO_ROOT} when that half is not translated.
   */
  public long upperRoot() {
    return upperRoot;
  }

  /** The root table whose entries map {@code address}: {@link #upperRoot()} in the upper half. */
  public long rootFor(long address) {
    return Long.compareUnsigned(address, format.upperHalf().first()) >= 0 ? upperRoot : root;
  }

  /** True when {@code frame} is one of this space's root tables. */
  public boolean isRoot(long frame) {
    return frame == root || frame == upperRoot;
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
    if (root == NO_ROOT || upperRoot == NO_ROOT) {
      return format.name() + " address space, " + (root == NO_ROOT ? "upper root " + hex(upperRoot)
          + ", lower half not translated" : "root " + hex(root) + ", upper half not translated");
    }
    return format.name() + " address space, root " + hex(root)
        + (upperRoot == root ? "" : " and upper root " + hex(upperRoot));
  }
}
