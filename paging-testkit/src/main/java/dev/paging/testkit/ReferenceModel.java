package dev.paging.testkit;

import static dev.paging.api.Addresses.hex;

import com.google.common.collect.BoundType;
import com.google.common.collect.Range;
import com.google.common.collect.RangeMap;
import com.google.common.collect.TreeRangeMap;
import com.google.common.primitives.UnsignedLong;
import dev.paging.api.Attributes;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The mappings an address space should have, byte range by byte range, kept in a Guava range
 * map with no notion of tables or page sizes: the specification operations are checked against.
 * Each range maps to a translation offset and the effective attributes, so splitting a range
 * keeps both halves' translations right.
 *
 * <p>Mutable and not thread-safe, like the tables it models.
 */
public final class ReferenceModel {
  /** One coalesced run of the model or of a space: {@code [first, last] -> physical}, attributes. */
  public static final class Mapping {
    private final long first;
    private final long last;
    private final long physical;
    private final Attributes attributes;

    Mapping(long first, long last, long physical, Attributes attributes) {
      this.first = first;
      this.last = last;
      this.physical = physical;
      this.attributes = attributes;
    }

    public long first() {
      return first;
    }

    public long last() {
      return last;
    }

    /** The physical address of {@link #first()}. */
    public long physical() {
      return physical;
    }

    public Attributes attributes() {
      return attributes;
    }

    @Override
    public boolean equals(@Nullable Object o) {
      if (!(o instanceof Mapping)) {
        return false;
      }
      Mapping m = (Mapping) o;
      return m.first == first && m.last == last && m.physical == physical && m.attributes.equals(attributes);
    }

    @Override
    public int hashCode() {
      return Objects.hash(first, last, physical, attributes);
    }

    @Override
    public String toString() {
      return "[" + hex(first) + ", " + hex(last) + "] -> " + hex(physical) + " " + attributes;
    }
  }

  /** Physical minus virtual (mod 2^64), constant along a contiguous run, and the attributes. */
  private static final class Value {
    final long delta;
    final Attributes attributes;

    Value(long delta, Attributes attributes) {
      this.delta = delta;
      this.attributes = attributes;
    }

    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof Value && ((Value) o).delta == delta && ((Value) o).attributes.equals(attributes);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(delta) * 31 + attributes.hashCode();
    }
  }

  private final RangeMap<UnsignedLong, Value> map = TreeRangeMap.create();

  private ReferenceModel() {}

  public static ReferenceModel empty() {
    return new ReferenceModel();
  }

  /** The model of what {@code space} maps now: leaves with their effective attributes. */
  public static ReferenceModel of(AddressSpace space) {
    Objects.requireNonNull(space, "space");
    ReferenceModel model = empty();
    for (Mapping m : mappingsOf(space)) {
      model.map(VirtualRange.closed(m.first, m.last), m.physical, m.attributes);
    }
    return model;
  }

  /** Maps {@code range} to physical memory from {@code physicalStart}, replacing what was there. */
  public ReferenceModel map(VirtualRange range, long physicalStart, Attributes attributes) {
    map.put(key(range), new Value(physicalStart - range.first(), attributes));
    return this;
  }

  /** Removes every mapping inside {@code range}. */
  public ReferenceModel unmap(VirtualRange range) {
    map.remove(key(range));
    return this;
  }

  /** Gives every mapped byte of {@code range} {@code attributes}; unmapped bytes stay unmapped. */
  public ReferenceModel protect(VirtualRange range, Attributes attributes) {
    List<Map.Entry<Range<UnsignedLong>, Value>> pieces = new ArrayList<>(map.subRangeMap(key(range)).asMapOfRanges().entrySet());
    for (Map.Entry<Range<UnsignedLong>, Value> piece : pieces) {
      map.put(piece.getKey(), new Value(piece.getValue().delta, attributes));
    }
    return this;
  }

  /**
   * Gives every mapped byte of {@code range} the attributes {@code change} makes of its current
   * ones; unmapped bytes stay unmapped. An operation that keeps each leaf's accessed and dirty bits
   * while it sets the rest is modelled as {@code a -> wanted.withAccessed(a.accessed())
   * .withDirty(a.dirty())}.
   */
  public ReferenceModel protect(VirtualRange range, UnaryOperator<Attributes> change) {
    List<Map.Entry<Range<UnsignedLong>, Value>> pieces = new ArrayList<>(map.subRangeMap(key(range)).asMapOfRanges().entrySet());
    for (Map.Entry<Range<UnsignedLong>, Value> piece : pieces) {
      Attributes next = Objects.requireNonNull(change.apply(piece.getValue().attributes), "changed attributes");
      map.put(piece.getKey(), new Value(piece.getValue().delta, next));
    }
    return this;
  }

  /** True when some byte of {@code range} is mapped. */
  public boolean anyMapped(VirtualRange range) {
    return !map.subRangeMap(key(range)).asMapOfRanges().isEmpty();
  }

  /** The first mapped byte of {@code range}, or {@code -1} with {@code anyMapped} false. */
  public long firstMapped(VirtualRange range) {
    for (Range<UnsignedLong> r : map.subRangeMap(key(range)).asMapOfRanges().keySet()) {
      return first(r);
    }
    return -1L;
  }

  /** The physical address of {@code address}; empty when unmapped. */
  public OptionalLong physical(long address) {
    Value v = map.get(UnsignedLong.fromLongBits(address));
    return v == null ? OptionalLong.empty() : OptionalLong.of(address + v.delta);
  }

  /** The attributes of {@code address}; empty when unmapped. */
  public Optional<Attributes> attributes(long address) {
    Value v = map.get(UnsignedLong.fromLongBits(address));
    return v == null ? Optional.empty() : Optional.of(v.attributes);
  }

  /** The model's mappings, sorted and coalesced: adjacent runs merge when contiguous and alike. */
  public List<Mapping> mappings() {
    List<Mapping> out = new ArrayList<>();
    for (Map.Entry<Range<UnsignedLong>, Value> e : map.asMapOfRanges().entrySet()) {
      long f = first(e.getKey());
      long l = last(e.getKey());
      add(out, new Mapping(f, l, f + e.getValue().delta, e.getValue().attributes));
    }
    return out;
  }

  /**
   * Throws an {@link AssertionError} naming, in hex, the first byte where {@code space} and the
   * model disagree: mapped in one and not the other, another physical address, or other
   * effective attributes.
   */
  public static void assertEquivalent(ReferenceModel model, AddressSpace space) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(space, "space");
    Optional<String> difference = model.firstDifference(mappingsOf(space));
    if (difference.isPresent()) {
      throw new AssertionError(space + " differs from the model: " + difference.get());
    }
  }

  /**
   * The first difference, in the words of {@link #assertEquivalent}, between this model and
   * {@code actual}: a space's mappings as {@link #mappingsOf} or {@link #mappingCollector} give
   * them. Empty when they agree.
   */
  public Optional<String> firstDifference(List<Mapping> actual) {
    return Optional.ofNullable(firstDifference(mappings(), actual));
  }

  private static @Nullable String firstDifference(List<Mapping> expected, List<Mapping> actual) {
    int n = Math.min(expected.size(), actual.size());
    for (int i = 0; i < n; i++) {
      Mapping e = expected.get(i);
      Mapping a = actual.get(i);
      if (e.equals(a)) {
        continue;
      }
      if (e.first != a.first) {
        long at = Long.compareUnsigned(e.first, a.first) < 0 ? e.first : a.first;
        boolean modelHasIt = at == e.first;
        return "at " + hex(at) + ": " + (modelHasIt ? "the model maps " + e + ", the space nothing"
            : "the space maps " + a + ", the model nothing");
      }
      if (e.physical != a.physical) {
        return "at " + hex(e.first) + ": the model maps to " + hex(e.physical) + ", the space to " + hex(a.physical);
      }
      if (!e.attributes.equals(a.attributes)) {
        return "at " + hex(e.first) + ": the model has attributes " + e.attributes + ", the space " + a.attributes;
      }
      long at = (Long.compareUnsigned(e.last, a.last) < 0 ? e.last : a.last) + 1;
      return "at " + hex(at) + ": the model's run " + e + " and the space's run " + a + " end differently";
    }
    if (expected.size() > n) {
      return "at " + hex(expected.get(n).first) + ": the model maps " + expected.get(n) + ", the space nothing";
    }
    if (actual.size() > n) {
      return "at " + hex(actual.get(n).first) + ": the space maps " + actual.get(n) + ", the model nothing";
    }
    return null;
  }

  /**
   * A visitor that appends each leaf it walks to {@code out} with its effective attributes,
   * coalescing as {@link #mappingsOf} does, so the comparison with a model can share one walk
   * with other visitors ({@code Visitors.compose}). Walk the whole space, in one walk, for a list
   * that {@link #firstDifference} can compare.
   */
  public static PageTableVisitor mappingCollector(PagingFormat format, List<Mapping> out) {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(out, "out");
    return Leaves.visitor(format, (first, last, physical, effective) ->
        add(out, new Mapping(first, last, physical, effective)));
  }

  /** Every leaf of {@code space} with its effective attributes, sorted and coalesced. */
  public static List<Mapping> mappingsOf(AddressSpace space) {
    Objects.requireNonNull(space, "space");
    List<Mapping> out = new ArrayList<>();
    Leaves.forEach(space, VirtualRange.all(), (first, last, physical, effective) ->
        add(out, new Mapping(first, last, physical, effective)));
    return out;
  }

  private static void add(List<Mapping> out, Mapping m) {
    if (!out.isEmpty()) {
      Mapping p = out.get(out.size() - 1);
      if (p.last != -1L && p.last + 1 == m.first && p.physical + (p.last - p.first) + 1 == m.physical
          && p.attributes.equals(m.attributes)) {
        out.set(out.size() - 1, new Mapping(p.first, m.last, p.physical, p.attributes));
        return;
      }
    }
    out.add(m);
  }

  /**
   * {@code [first, last + 1)}, or {@code [first, +inf)} for a range that ends at the top byte. Guava
   * treats {@code UnsignedLong} as continuous: removing closed ranges from closed ranges would
   * leave open slivers such as {@code (0x0fff, 0x1000)} that hold no address but count as
   * mapped. Half-open keys only ever split into half-open pieces.
   */
  private static Range<UnsignedLong> key(VirtualRange r) {
    UnsignedLong first = UnsignedLong.fromLongBits(r.first());
    return r.last() == -1L ? Range.atLeast(first) : Range.closedOpen(first, UnsignedLong.fromLongBits(r.last() + 1));
  }

  private static long first(Range<UnsignedLong> r) {
    long v = r.lowerEndpoint().longValue();
    return r.lowerBoundType() == BoundType.OPEN ? v + 1 : v;
  }

  private static long last(Range<UnsignedLong> r) {
    if (!r.hasUpperBound()) {
      return -1L;
    }
    long v = r.upperEndpoint().longValue();
    return r.upperBoundType() == BoundType.OPEN ? v - 1 : v;
  }

  @Override
  public String toString() {
    List<Mapping> m = mappings();
    return m.isEmpty() ? "ReferenceModel[empty]" : "ReferenceModel" + m;
  }
}
