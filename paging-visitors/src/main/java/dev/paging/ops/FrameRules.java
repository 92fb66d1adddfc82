package dev.paging.ops;

import dev.paging.core.AddressSpace;
import org.jspecify.annotations.Nullable;

/**
 * The frames an operation must not be given as new tables, gathered as it reads: the roots, the
 * tables its walks meet (the ones it links new tables into among them) and tables shared between
 * spaces. Knowing them costs the operation nothing it does not already read, which is why a
 * table elsewhere in the space, far from the operation's range, is not among them: finding it
 * would take a walk of the whole space.
 *
 * <p>Data frames are not refused, even those the operation maps: a kernel's direct map maps
 * every frame of memory, its own tables included, so a frame being mapped says nothing about
 * whether it is free.
 */
final class FrameRules implements FramePool.Check {
  private final FormatLayout g;
  private final FrameSet tables = new FrameSet();

  FrameRules(FormatLayout g) {
    this.g = g;
  }

  void clear() {
    tables.clear();
  }

  /** A table the operation met. */
  void table(long frame) {
    tables.add(frame);
  }

  /** Why {@code frame} cannot be a new table of {@code space} for being one of its roots, or null. */
  static @Nullable String rootRefusal(AddressSpace space, long frame) {
    if (!space.isRoot(frame)) {
      return null;
    }
    return space.root() == space.upperRoot() ? "is the root table of the address space"
        : "is the " + (frame == space.root() ? "lower" : "upper") + " half's root table of the address space";
  }

  @Override
  public @Nullable String refusal(long frame) {
    String root = rootRefusal(g.space, frame);
    if (root != null) {
      return root;
    }
    if (tables.contains(frame)) {
      return "is already a page table of the address space";
    }
    if (g.shared.isShared(frame)) {
      return "is a table shared between address spaces";
    }
    return null;
  }
}
