package dev.paging.testkit;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryProblem;
import dev.paging.api.FrameAllocator;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.TableCursor;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.core.SharedTables;
import dev.paging.core.Visitors;
import dev.paging.core.Walker;
import dev.paging.fakes.TrackingFrameAllocator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Checks what must hold of every well-kept page-table hierarchy, naming every violation:
 *
 * <ul>
 *   <li>structure: no malformed entry (reserved bits, misaligned or disallowed leaves, pointers
 *       outside memory or at the last level), every table linked from one parent entry unless it
 *       is recorded in the spaces' {@link SharedTables}, leaves aligned to their size. A recursive
 *       entry (one pointing to an ancestor, {@link EntryCursor#recursive()}) is legal and not
 *       walked into: its window shows the same tables, checked where they hang;
 *   <li>ownership and accounting, when the spaces' allocator is a {@link
 *       TrackingFrameAllocator}: every table frame is allocated, and every allocated frame is a
 *       reachable table or one the caller declares it holds — anything else leaked.
 * </ul>
 */
public final class Invariants {
  private Invariants() {}

  /** Checks one space, which must account for every frame its allocator has handed out. */
  public static InvariantReport check(AddressSpace space) {
    return check(List.of(Objects.requireNonNull(space, "space")), new long[0]);
  }

  /**
   * Checks several spaces that share one allocator (a template and its processes, say).
   * {@code heldFrames} are frames the caller holds outside any table, such as unreleased
   * {@code PendingFrees}; they are not leaks.
   */
  public static InvariantReport check(List<AddressSpace> spaces, long... heldFrames) {
    return checkWalking(Objects.requireNonNull(spaces, "spaces"), Objects.requireNonNull(heldFrames, "heldFrames"),
        null, null);
  }

  /**
   * As {@link #check(List, long...)}, running {@code visitor} in the same pass over {@code
   * alongside} (one of {@code spaces}) over the whole space, so a caller that also needs every
   * leaf (a {@link ReferenceModel#mappingCollector}, say) walks once.
   */
  public static InvariantReport check(List<AddressSpace> spaces, long[] heldFrames, AddressSpace alongside,
      PageTableVisitor visitor) {
    return checkWalking(Objects.requireNonNull(spaces, "spaces"), Objects.requireNonNull(heldFrames, "heldFrames"),
        Objects.requireNonNull(alongside, "alongside"),
        Objects.requireNonNull(visitor, "visitor"));
  }

  private static InvariantReport checkWalking(List<AddressSpace> spaces, long[] heldFrames,
      @Nullable AddressSpace alongside, @Nullable PageTableVisitor visitor) {
    if (spaces.isEmpty()) {
      throw new IllegalArgumentException("no address space to check");
    }
    FrameAllocator allocator = spaces.get(0).allocator();
    for (AddressSpace s : spaces) {
      if (s.allocator() != allocator) {
        throw new IllegalArgumentException(s + " does not share the allocator of " + spaces.get(0));
      }
    }
    Checker checker = new Checker();
    for (AddressSpace s : spaces) {
      checker.shared = s.sharedTables();
      checker.rootOf = s.root();
      Walker.walk(s, VirtualRange.all(), s == alongside ? Visitors.compose(checker, visitor) : checker);
    }
    List<String> violations = checker.violations;
    if (allocator instanceof TrackingFrameAllocator) {
      TrackingFrameAllocator tracking = (TrackingFrameAllocator) allocator;
      for (long table : checker.parents.keySet()) {
        if (!tracking.isAllocated(table)) {
          violations.add("table " + hex(table) + " is not a frame the allocator handed out");
        }
      }
      Set<Long> held = new HashSet<>();
      for (long f : heldFrames) {
        held.add(f);
      }
      for (long frame : tracking.allocatedFrames()) {
        if (!checker.parents.containsKey(frame) && !held.contains(frame)) {
          violations.add("frame " + hex(frame) + " is allocated but neither a reachable table nor held: leaked");
        }
      }
    }
    return new InvariantReport(violations, checker.parents.size());
  }

  /** Records, for each table reached, the distinct entries that link to it. */
  private static final class Checker implements PageTableVisitor {
    final List<String> violations = new ArrayList<>();
    final Map<Long, Set<Long>> parents = new HashMap<>();
    final Set<Long> walkedShared = new HashSet<>();
    SharedTables shared;
    long rootOf;

    @Override
    public Control beforeTable(TableCursor table) {
      long frame = table.frame();
      // A root has no parent entry; it stands for itself.
      long link = table.parent() == null ? frame : table.parent().entryAddress();
      Set<Long> links = parents.computeIfAbsent(frame, f -> new TreeSet<>());
      links.add(link);
      if (links.size() == 2 && !shared.isShared(frame)) {
        violations.add(table.level() + " table " + hex(frame) + " is linked from " + describe(links)
            + " but is not recorded as shared");
      }
      if (shared.isShared(frame) && !walkedShared.add(frame)) {
        return Control.SKIP_SUBTREE;
      }
      return Control.CONTINUE;
    }

    @Override
    public Control onEntry(EntryCursor e) {
      if (e.recursive()) {
        return Control.SKIP_SUBTREE;
      }
      if (e.kind() == EntryKind.LEAF) {
        long span = e.level().entrySpan();
        if (!e.level().leafAllowed()) {
          violations.add("leaf at " + e.level() + "[" + e.index() + "] of table " + hex(e.table().frame())
              + " (" + hex(e.first()) + "): this level cannot hold a leaf");
        }
        if ((e.target() & (span - 1)) != 0) {
          violations.add("leaf at " + e.level() + "[" + e.index() + "] maps " + hex(e.target())
              + ", not aligned to its page size " + hex(span));
        }
      }
      return Control.CONTINUE;
    }

    @Override
    public Control onMalformed(EntryCursor e, EntryProblem problem) {
      violations.add(problem + " at " + e.level() + "[" + e.index() + "] of table " + hex(e.table().frame())
          + " (" + hex(e.first()) + "): entry " + hex(e.raw()));
      return Control.CONTINUE;
    }

    private static String describe(Set<Long> links) {
      List<String> names = new ArrayList<>();
      for (long l : links) {
        names.add(hex(l));
      }
      return "entries " + String.join(" and ", names);
    }
  }
}
