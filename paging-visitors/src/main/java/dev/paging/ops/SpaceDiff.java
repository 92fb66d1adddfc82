package dev.paging.ops;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where two address spaces translate differently: a parent and its fork after copy-on-write
 * faults, a space before and after an operation, a student's tables and the reference's. Two
 * addresses translate the same when both are unmapped, or both map the same physical address
 * with the same effective attributes; page sizes and how the permissions are split between
 * levels do not matter, as they do not to a program. Works from the {@link Leaves} of each space,
 * so its cost is one walk of each and proportional to their runs of leaves.
 */
public final class SpaceDiff {
  private SpaceDiff() {}

  /** A maximal range over which the two spaces translate differently, and what each has there. */
  public static final class Difference {
    private final VirtualRange range;
    private final @Nullable LeafRun left;
    private final @Nullable LeafRun right;

    Difference(VirtualRange range, @Nullable LeafRun left, @Nullable LeafRun right) {
      this.range = range;
      this.left = left;
      this.right = right;
    }

    public VirtualRange range() {
      return range;
    }

    /** The first space's run of leaves covering the range, or empty where it maps nothing. */
    public Optional<LeafRun> left() {
      return Optional.ofNullable(left);
    }

    /** The second space's run of leaves covering the range, or empty where it maps nothing. */
    public Optional<LeafRun> right() {
      return Optional.ofNullable(right);
    }

    @Override
    public boolean equals(@Nullable Object o) {
      if (!(o instanceof Difference)) {
        return false;
      }
      Difference d = (Difference) o;
      return d.range.equals(range) && Objects.equals(d.left, left) && Objects.equals(d.right, right);
    }

    @Override
    public int hashCode() {
      return Objects.hash(range, left, right);
    }

    /** {@code [a, b]: -> 0x... rw----- | unmapped}, the left side first. */
    @Override
    public String toString() {
      return range + ": " + side(left, range.first()) + " | " + side(right, range.first());
    }

    private static String side(@Nullable LeafRun run, long at) {
      return run == null ? "unmapped" : "-> " + hex(run.physicalAddressOf(at)) + " " + run.effectiveAttributes();
    }
  }

  /**
   * The ranges of {@code range} where {@code left} and {@code right} translate differently, in
   * address order, adjacent ones merged when they involve the same runs.
   *
   * @throws IllegalArgumentException if the spaces' formats differ or an end of the range is not
   *     canonical
   */
  public static List<Difference> between(AddressSpace left, AddressSpace right, VirtualRange range) {
    Objects.requireNonNull(left, "left");
    Objects.requireNonNull(right, "right");
    Objects.requireNonNull(range, "range");
    if (!left.format().equals(right.format())) {
      throw new IllegalArgumentException("cannot compare a " + left.format().name() + " space with a "
          + right.format().name() + " one");
    }
    List<LeafRun> a = Leaves.of(left, range);
    List<LeafRun> b = Leaves.of(right, range);
    List<Difference> out = new ArrayList<>();
    int i = 0;
    int j = 0;
    long at = range.first();
    while (true) {
      while (i < a.size() && Long.compareUnsigned(a.get(i).range().last(), at) < 0) {
        i++;
      }
      while (j < b.size() && Long.compareUnsigned(b.get(j).range().last(), at) < 0) {
        j++;
      }
      LeafRun x = i < a.size() && a.get(i).range().contains(at) ? a.get(i) : null;
      LeafRun y = j < b.size() && b.get(j).range().contains(at) ? b.get(j) : null;
      // The segment from `at` ends where either side's state next changes, or at the range's end.
      long end = range.last();
      end = minEnd(end, x != null ? x.range().last() : i < a.size() ? a.get(i).range().first() - 1 : -1L);
      end = minEnd(end, y != null ? y.range().last() : j < b.size() ? b.get(j).range().first() - 1 : -1L);
      if (!same(x, y, at)) {
        add(out, at, end, x, y);
      }
      if (end == range.last()) {
        return out;
      }
      at = end + 1;
    }
  }

  private static long minEnd(long a, long b) {
    return Long.compareUnsigned(a, b) <= 0 ? a : b;
  }

  private static boolean same(@Nullable LeafRun x, @Nullable LeafRun y, long at) {
    if (x == null || y == null) {
      return x == y;
    }
    return x.physicalAddressOf(at) == y.physicalAddressOf(at) && x.effectiveAttributes().equals(y.effectiveAttributes());
  }

  private static void add(List<Difference> out, long first, long last, @Nullable LeafRun x, @Nullable LeafRun y) {
    if (!out.isEmpty()) {
      Difference p = out.get(out.size() - 1);
      if (p.range.last() + 1 == first && p.left == x && p.right == y) {
        out.set(out.size() - 1, new Difference(VirtualRange.closed(p.range.first(), last), x, y));
        return;
      }
    }
    out.add(new Difference(VirtualRange.closed(first, last), x, y));
  }
}
