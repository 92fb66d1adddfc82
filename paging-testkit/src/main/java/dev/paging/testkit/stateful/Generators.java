package dev.paging.testkit.stateful;

import dev.paging.api.Architecture;
import dev.paging.api.Attributes;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Seeded generators of the values page-table code gets wrong: addresses at the canonical edges
 * and the top page, ranges aligned and unaligned to every page size, attribute sets a format
 * can express. Every generator takes the {@link SplittableRandom} to draw from, so a seed
 * replays a whole scenario.
 */
public final class Generators {

  private Generators() {}

  /**
   * The page sizes {@code format} can map, smallest first, up to 1 GiB. Where the halves'
   * geometries differ, those of either half from {@link #smallestPage} up: a range of them is
   * whole pages in both halves, mapped with the pages each half has.
   */
  public static List<Long> pageSizes(PagingFormat format) {
    Objects.requireNonNull(format, "format");
    if (format.oneGeometry()) {
      return sizesOf(format.levels(), 0);
    }
    java.util.TreeSet<Long> sizes = new java.util.TreeSet<>(sizesOf(format.levels(), smallestPage(format)));
    sizes.addAll(sizesOf(format.levels(-1L), smallestPage(format)));
    return new ArrayList<>(sizes);
  }

  /** The page sizes the half of {@code address} can map, smallest first, up to 1 GiB: what a smash there may ask for. */
  public static List<Long> pageSizes(PagingFormat format, long address) {
    Objects.requireNonNull(format, "format");
    return sizesOf(format.levels(address), 0);
  }

  private static List<Long> sizesOf(List<Level> levels, long atLeast) {
    List<Long> sizes = new ArrayList<>();
    for (int d = levels.size() - 1; d >= 0; d--) {
      long span = levels.get(d).entrySpan();
      if (levels.get(d).leafAllowed() && span <= (1L << 30) && span >= atLeast) {
        sizes.add(span);
      }
    }
    return sizes;
  }

  /**
   * A canonical, 4 KiB-aligned address; about half the time one of the edges: 0, the last page of
   * the lower half, the first of the upper half, the top page, or a page next to a boundary of
   * some level's span.
   */
  public static long address(SplittableRandom random, PagingFormat format) {
    Objects.requireNonNull(random, "random");
    Objects.requireNonNull(format, "format");
    long lowerTop = format.lowerHalf().last() & -page(format);
    long upperBottom = format.upperHalf().first();
    switch (random.nextInt(8)) {
      case 0:
        return new long[] {0, page(format), lowerTop, upperBottom, format.upperHalf().last() & -page(format)}[random.nextInt(5)];
      case 1:
      case 2: {
        Level level = format.levels().get(random.nextInt(format.levels().size()));
        // At least the smallest page both halves have, where their granules differ.
        long span = Math.max(level.entrySpan(), page(format));
        long base = alignedIn(random, format, span);
        return random.nextBoolean() ? base : canonicalOr(format, base - page(format), base);
      }
      default:
        return alignedIn(random, format, page(format));
    }
  }

  /**
   * A range of whole 4 KiB pages within one canonical half. With {@code aligned}, its start and
   * length are multiples of {@code pageSize}; otherwise they are deliberately not (when {@code
   * pageSize} is above 4 KiB), so operations must split at the edges.
   */
  public static VirtualRange range(SplittableRandom random, PagingFormat format, long pageSize, boolean aligned) {
    Objects.requireNonNull(random, "random");
    Objects.requireNonNull(format, "format");
    long count = 1 + random.nextInt(random.nextInt(8) == 0 ? 600 : 4);
    long length = count * pageSize;
    long start = alignedIn(random, format, pageSize);
    if (!aligned && pageSize > page(format)) {
      start += page(format) * (1 + random.nextLong(pageSize / page(format) - 1));
      length -= page(format) * random.nextLong(pageSize / page(format));
    }
    VirtualRange half = Long.compareUnsigned(start, format.upperHalf().first()) >= 0 ? format.upperHalf()
        : format.lowerHalf();
    long last = start + length - 1;
    if (Long.compareUnsigned(last, half.last()) > 0 || Long.compareUnsigned(last, start) < 0) {
      // Too close to the top of the half: end the range there instead.
      last = half.last();
    }
    return VirtualRange.closed(start, last);
  }

  /** A range that may be anything a caller could pass: small, huge, at the edges, unbounded. */
  public static VirtualRange anyRange(SplittableRandom random, PagingFormat format) {
    Objects.requireNonNull(random, "random");
    Objects.requireNonNull(format, "format");
    switch (random.nextInt(6)) {
      case 0:
        return VirtualRange.all();
      case 1:
        long top = format.upperHalf().last();
        return VirtualRange.closed(top + 1 - page(format) * (1 + random.nextInt(4)), top);
      case 2: {
        long a = address(random, format);
        long b = address(random, format);
        return Long.compareUnsigned(a, b) <= 0 ? VirtualRange.closed(a, b | (page(format) - 1)) : VirtualRange.closed(b, a | (page(format) - 1));
      }
      default: {
        List<Long> sizes = pageSizes(format);
        return range(random, format, sizes.get(random.nextInt(sizes.size())), random.nextBoolean());
      }
    }
  }

  /** A physical address aligned to {@code pageSize}, below 2^40 and what the leaves of every level can hold. */
  public static long physical(SplittableRandom random, PagingFormat format, long pageSize) {
    Objects.requireNonNull(random, "random");
    Objects.requireNonNull(format, "format");
    // Below what every level's leaves can hold, so that a range mapped with mixed page sizes fits.
    int bits = 40;
    for (List<Level> half : List.of(format.levels(), format.levels(-1L))) {
      for (Level level : half) {
        if (level.leafAllowed()) {
          bits = Math.min(bits, format.physicalAddressBits(level));
        }
      }
    }
    return random.nextLong(1L << bits) & -pageSize;
  }

  /** Leaf attributes {@code format} can encode: always readable, other flags at random. */
  public static Attributes attributes(SplittableRandom random, PagingFormat format) {
    Objects.requireNonNull(random, "random");
    Objects.requireNonNull(format, "format");
    Attributes a = Attributes.readOnly()
        .withWritable(random.nextBoolean())
        .withUser(random.nextBoolean())
        .withGlobal(random.nextInt(4) == 0)
        .withAccessed(random.nextBoolean());
    // AArch64 descriptors have no dirty bit (DBM is hardware state of its own): probe for one.
    if (expressible(format, Attributes.readExecute().withDirty(true))) {
      a = a.withDirty(random.nextBoolean());
    }
    boolean riscv = format.architecture() == Architecture.RISC_V;
    // x86 cannot clear execute without NX: probe the encoder rather than assume the options.
    boolean canDenyExecute = riscv || expressible(format, Attributes.readOnly());
    a = a.withExecutable(!canDenyExecute || random.nextBoolean());
    if (riscv) {
      a = a.withMemoryType(random.nextInt(8) == 0 ? 1 : 0).withSoftwareBits(random.nextInt(4));
    } else {
      a = a.withMemoryType(random.nextInt(4) == 0 ? random.nextInt(8) : 0).withSoftwareBits(random.nextInt(8));
    }
    return a;
  }

  /**
   * {@code attributes}, made executable when {@code format} cannot deny execute (32-bit paging, or
   * x86 without NX), where its encoder would refuse them: what a test maps "read-write" with on
   * every format.
   */
  public static Attributes executableWhereNeeded(PagingFormat format, Attributes attributes) {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(attributes, "attributes");
    return attributes.executable() || expressible(format, Attributes.readOnly()) ? attributes
        : attributes.withExecutable(true);
  }

  private static boolean expressible(PagingFormat format, Attributes a) {
    try {
      format.encodeLeaf(format.levels().get(format.levels().size() - 1), 0, a);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** A canonical address aligned to {@code alignment}, in either half. */
  private static long alignedIn(SplittableRandom random, PagingFormat format, long alignment) {
    long halfSize = 1L << (format.virtualAddressBits() - 1);
    if (!format.oneGeometry()) {
      // Halves of their own sizes: each offset inside its half.
      long lowerSize = format.lowerHalf().last() + 1;
      long upperSize = format.upperHalf().last() - format.upperHalf().first() + 1;
      long offset = random.nextLong(Math.min(halfSize, Math.max(lowerSize, upperSize))) & -alignment;
      boolean lower = random.nextBoolean();
      return lower ? offset % lowerSize & -alignment : format.upperHalf().first() + (offset % upperSize & -alignment);
    }
    long offset = random.nextLong(halfSize) & -alignment;
    return random.nextBoolean() ? offset : format.upperHalf().first() + offset;
  }

  private static long canonicalOr(PagingFormat format, long candidate, long fallback) {
    return format.isCanonical(candidate) ? candidate : fallback;
  }

  /**
   * The smallest page of {@code format}: 4 KiB, or an AArch64 granule of 16 or 64 KiB; where the
   * halves' granules differ, the larger, so that an address or range aligned to it is whole pages
   * in either half.
   */
  public static long smallestPage(PagingFormat format) {
    Objects.requireNonNull(format, "format");
    List<Level> lower = format.levels();
    List<Level> upper = format.levels(-1L);
    return Math.max(lower.get(lower.size() - 1).entrySpan(), upper.get(upper.size() - 1).entrySpan());
  }

  private static long page(PagingFormat format) {
    return smallestPage(format);
  }
}
