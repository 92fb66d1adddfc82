package dev.paging.ops;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Attributes;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.PagingFormat;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The idiom of a visitor that changes entries in place, done once and right: decode the entry's
 * attributes, change them, encode the same kind of entry to the same address, write only when the
 * bits differ, and record what the change makes stale. An accessed-bit scanner is {@code
 * rewriter.rewrite(entry, a -> a.withAccessed(false))} in {@code onEntry}; a copy-on-write pass
 * is {@code a -> a.withWritable(false)}.
 *
 * <p>What is recorded in the plan: a changed leaf always (its translation may be cached); a
 * table entry only when the change takes a permission away, as its whole span then goes stale
 * with the paging-structure caches ({@link InvalidationPlan} explains why widening needs
 * nothing). Not thread-safe, like the builder it writes to.
 */
public final class EntryRewriter {
  private final PagingFormat format;
  private final InvalidationPlan.Builder plan;

  private EntryRewriter(PagingFormat format, InvalidationPlan.Builder plan) {
    this.format = format;
    this.plan = plan;
  }

  /** A rewriter of entries of {@code format} that records into {@code plan}. */
  public static EntryRewriter of(PagingFormat format, InvalidationPlan.Builder plan) {
    return new EntryRewriter(Objects.requireNonNull(format, "format"), Objects.requireNonNull(plan, "plan"));
  }

  /**
   * Gives {@code entry} the attributes {@code change} makes of its own, keeping its kind and
   * address; returns true when that changed its bits (and it was written).
   *
   * @throws IllegalArgumentException if the entry is not a table pointer or a leaf, or the format
   *     cannot encode the changed attributes at that level (nothing is written then)
   */
  public boolean rewrite(EntryCursor entry, UnaryOperator<Attributes> change) {
    EntryKind kind = entry.kind();
    if (kind != EntryKind.LEAF && kind != EntryKind.TABLE) {
      throw new IllegalArgumentException("the " + entry.level() + " entry " + hex(entry.raw()) + " at "
          + hex(entry.first()) + " is " + kind + ": only table pointers and leaves have attributes to change");
    }
    Attributes before = entry.attributes();
    Attributes after = Objects.requireNonNull(change.apply(before), "the change returned null");
    long raw = kind == EntryKind.LEAF
        ? format.encodeLeaf(entry.level(), entry.target(), after)
        : format.encodeTable(entry.level(), entry.target(), after);
    if (raw == entry.raw()) {
      return false;
    }
    long first = entry.first();
    long last = entry.last();
    entry.write(raw);
    if (kind == EntryKind.LEAF) {
      plan.leaf(first, last, before.global() || after.global());
    } else if (!after.permits(before)) {
      plan.table(first, last);
    }
    return true;
  }
}
