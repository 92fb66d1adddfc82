package dev.paging.api;

import java.util.Objects;

/**
 * One level of a page-table hierarchy: a table at this level has {@link #entries()} entries,
 * each mapping {@link #entrySpan()} bytes of virtual space. Levels are immutable values owned by
 * a {@link PagingFormat}; depth 0 is the root.
 */
public final class Level {
  private final String name;
  private final int depth;
  private final int shift;
  private final int indexBits;
  private final boolean leafAllowed;

  private Level(String name, int depth, int shift, int indexBits, boolean leafAllowed) {
    this.name = name;
    this.depth = depth;
    this.shift = shift;
    this.indexBits = indexBits;
    this.leafAllowed = leafAllowed;
  }

  /**
   * A level named {@code name} at {@code depth} (0 = root), whose entry index is the virtual
   * address bits {@code [shift, shift + indexBits)}. {@code leafAllowed} says whether an entry at
   * this level may map a page of {@code 2^shift} bytes directly.
   */
  public static Level of(String name, int depth, int shift, int indexBits, boolean leafAllowed) {
    Objects.requireNonNull(name, "name");
    if (depth < 0 || shift < 12 || indexBits < 1 || shift + indexBits > 64) {
      throw new IllegalArgumentException(
          "level " + name + ": bad geometry depth=" + depth + " shift=" + shift + " bits=" + indexBits);
    }
    return new Level(name, depth, shift, indexBits, leafAllowed);
  }

  /** The name the architecture's manual uses: {@code PML4}, {@code PT}, {@code L2}... */
  public String name() {
    return name;
  }

  /** 0 for the root, increasing towards the last level. */
  public int depth() {
    return depth;
  }

  /** The lowest virtual address bit of this level's index. */
  public int shift() {
    return shift;
  }

  public int indexBits() {
    return indexBits;
  }

  /** Entries in one table of this level. */
  public int entries() {
    return 1 << indexBits;
  }

  /** Bytes of virtual space one entry covers; the page size of a leaf at this level. */
  public long entrySpan() {
    return 1L << shift;
  }

  /** True when an entry at this level may be a leaf (a huge page above the last level). */
  public boolean leafAllowed() {
    return leafAllowed;
  }

  /** The index of the entry of a table at this level that covers {@code address}. */
  public int index(long address) {
    return (int) ((address >>> shift) & ((1L << indexBits) - 1));
  }

  @Override
  public String toString() {
    return name;
  }
}
