package dev.paging.testkit;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Attributes;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.ops.InvalidationPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A TLB as a CPU keeps one: it caches whole leaf translations (a 2 MiB leaf is one entry) when
 * addresses are accessed, and forgets them only when told to, by an {@link InvalidationPlan}, a
 * full flush or an address-space switch (which keeps global entries). An operation that forgets
 * to report a change leaves a cached translation that no longer matches a fresh walk: {@link
 * #staleEntries()} lists it.
 *
 * <p>A cached entry is stale when a fresh walk of its first address finds no leaf, another page
 * size, another physical address or other effective attributes. A smash that keeps every
 * byte's translation still changes the page size, so it too must be invalidated, as the
 * architectures require.
 */
public final class TlbModel {
  private static final class Cached {
    final long first;
    final long last;
    final long physical;
    final Attributes attributes;

    Cached(long first, long last, long physical, Attributes attributes) {
      this.first = first;
      this.last = last;
      this.physical = physical;
      this.attributes = attributes;
    }

    @Override
    public boolean equals(@Nullable Object o) {
      if (!(o instanceof Cached)) {
        return false;
      }
      Cached c = (Cached) o;
      return c.first == first && c.last == last && c.physical == physical && c.attributes.equals(attributes);
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

  private final AddressSpace space;
  /** Cached leaves by first address; unsigned order does not matter for a map used by key. */
  private final Map<Long, Cached> entries = new TreeMap<>(Long::compareUnsigned);

  private TlbModel(AddressSpace space) {
    this.space = space;
  }

  public static TlbModel of(AddressSpace space) {
    return new TlbModel(Objects.requireNonNull(space, "space"));
  }

  /** Accesses {@code address}: caches its leaf if it is mapped; returns whether it is. */
  public boolean access(long address) {
    Cached c = fresh(VirtualRange.closed(address, address)).stream().findFirst().orElse(null);
    if (c != null) {
      entries.put(c.first, c);
    }
    return c != null;
  }

  /** Accesses every mapped page in {@code range}: caches every leaf inside it. */
  public int accessAll(VirtualRange range) {
    List<Cached> leaves = fresh(range);
    for (Cached c : leaves) {
      entries.put(c.first, c);
    }
    return leaves.size();
  }

  /** Forgets every cached leaf that overlaps a range of {@code plan}. */
  public void apply(InvalidationPlan plan) {
    for (VirtualRange r : plan.ranges()) {
      invalidate(r);
    }
  }

  /**
   * Forgets every cached leaf that overlaps {@code range}: one invalidation, for plans that do not
   * come as an {@link InvalidationPlan} (a submission's own list of ranges).
   */
  public void invalidate(VirtualRange range) {
    entries.values().removeIf(c -> Long.compareUnsigned(c.first, range.last()) <= 0
        && Long.compareUnsigned(range.first(), c.last) <= 0);
  }

  /** Forgets everything (a full flush). */
  public void flushAll() {
    entries.clear();
  }

  /** Forgets every non-global entry, as a switch of address space without PCIDs/ASIDs does. */
  public void switchAddressSpace() {
    entries.values().removeIf(c -> !c.attributes.global());
  }

  public int size() {
    return entries.size();
  }

  /** Cached translations that a fresh walk contradicts, one line each, in address order. */
  public List<String> staleEntries() {
    List<String> stale = new ArrayList<>();
    if (entries.isEmpty()) {
      return stale;
    }
    // One walk per canonical half over the span of the cached entries, rather than one per entry.
    TreeMap<Long, Cached> now = new TreeMap<>(Long::compareUnsigned);
    for (VirtualRange half : List.of(space.format().lowerHalf(), space.format().upperHalf())) {
      long first = 0;
      long last = 0;
      boolean any = false;
      for (Cached c : entries.values()) {
        if (half.contains(c.first)) {
          first = any ? first : c.first;
          last = !any || Long.compareUnsigned(c.last, last) > 0 ? c.last : last;
          any = true;
        }
      }
      if (any) {
        for (Cached c : fresh(VirtualRange.closed(first, Long.compareUnsigned(last, half.last()) > 0 ? half.last() : last))) {
          now.put(c.first, c);
        }
      }
    }
    for (Cached c : entries.values()) {
      Map.Entry<Long, Cached> at = now.floorEntry(c.first);
      Cached fresh = at != null && Long.compareUnsigned(c.first, at.getValue().last) <= 0 ? at.getValue() : null;
      if (!c.equals(fresh)) {
        stale.add("cached " + c + " but the tables now say " + (fresh == null ? "not mapped" : fresh.toString()));
      }
    }
    return stale;
  }

  /** Throws an {@link AssertionError} listing the stale entries: a missing invalidation. */
  public void assertCoherent() {
    List<String> stale = staleEntries();
    if (!stale.isEmpty()) {
      throw new AssertionError(stale.size() + " stale TLB entries (a missing invalidation):\n  "
          + String.join("\n  ", stale));
    }
  }

  private List<Cached> fresh(VirtualRange range) {
    List<Cached> out = new ArrayList<>();
    Leaves.forEach(space, range, (first, last, physical, effective) ->
        out.add(new Cached(first, last, physical, effective)));
    return out;
  }
}
