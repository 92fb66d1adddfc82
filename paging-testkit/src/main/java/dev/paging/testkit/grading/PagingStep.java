package dev.paging.testkit.grading;

import dev.paging.api.PagingFormat;
import static dev.paging.api.Addresses.hex;

import dev.paging.api.Attributes;
import dev.paging.api.EntryKind;
import dev.paging.api.Level;
import dev.paging.api.MappingConflictException;
import dev.paging.api.OutOfFramesException;
import dev.paging.api.TableNotEmptyException;
import dev.paging.api.VirtualRange;
import dev.paging.fakes.AllocatorState;
import dev.paging.fakes.MemorySnapshot;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.fakes.TrackingFrameAllocator;
import dev.paging.ops.ConflictPolicy;
import dev.paging.ops.ReclaimMode;
import dev.paging.ops.Translation;
import dev.paging.ops.Translator;
import dev.paging.testkit.InvariantReport;
import dev.paging.testkit.Invariants;
import dev.paging.testkit.ReferenceModel;
import dev.paging.testkit.TlbModel;
import dev.paging.testkit.stateful.StatefulRunner;
import dev.paging.testkit.stateful.Step;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One operation of a paging scenario, applied to a {@link PagingSystem} and checked on the spot:
 * map (with a conflict policy), unmap, protect, smash, collapse, or reclaim (in a mode),
 * optionally with the allocator failing at the k-th allocation of the operation. An immutable
 * value whose {@link #toString()} is one line that {@link #parse} reads back, so a failing
 * scenario printed by a test or a score card can be pasted into a test and replayed.
 *
 * <p>Applying a step:
 *
 * <ol>
 *   <li>caches in the {@link TlbModel} every leaf of the range the operation touches;
 *   <li>decides what must happen: a map under {@link ConflictPolicy#FAIL} where the model has a
 *       mapping must throw {@link MappingConflictException}; a smash where nothing is mapped,
 *       {@link IllegalArgumentException}; a reclaim must do exactly what the library's {@link
 *       dev.paging.ops.Reclaimer} does to a copy of the same tables, {@link
 *       TableNotEmptyException} included; with an injected allocation failure the operation may
 *       also throw {@link OutOfFramesException};
 *   <li>runs it; an operation that throws must leave memory and the allocator exactly as they
 *       were (compared word by word and frame by frame);
 *   <li>otherwise applies the returned invalidations to the TLB model, which must then agree
 *       with the tables (a missing invalidation shows up as a stale entry); checks the {@link
 *       Invariants} while the frames to free are still held, frees them, and updates the model;
 *   <li>checks what the model cannot see: a smashed page is now small enough; no table a
 *       collapse should have replaced is left; a reclaim left the memory and the allocator as the
 *       library did.
 * </ol>
 *
 * <p>Between steps the {@link StatefulRunner} calls {@link PagingSystem#check()}: the
 * invariants, and the space's mappings against the model.
 */
public final class PagingStep implements Step<PagingSystem> {
  private static final long PAGE = 4096;
  /** The largest smallest page of a format: AArch64's 64 KiB granule. */
  private static final long MAX_GRANULE = 64 * 1024;

  /** The operation a step runs. */
  public enum Kind {
    MAP, UNMAP, PROTECT, SMASH, COLLAPSE, RECLAIM
  }

  private final Kind kind;
  private final @Nullable VirtualRange range;
  private final long address;
  private final long size;
  private final @Nullable Attributes attributes;
  private final @Nullable ConflictPolicy policy;
  private final @Nullable ReclaimMode mode;
  private final int failAt;

  private PagingStep(Kind kind, @Nullable VirtualRange range, long address, long size, @Nullable Attributes attributes,
      @Nullable ConflictPolicy policy, @Nullable ReclaimMode mode, int failAt) {
    this.kind = kind;
    this.range = range;
    this.address = address;
    this.size = size;
    this.attributes = attributes;
    this.policy = policy;
    this.mode = mode;
    this.failAt = failAt;
  }

  /** Map {@code range} to physical memory from {@code physical} with {@code attributes}. */
  public static PagingStep map(VirtualRange range, long physical, Attributes attributes, ConflictPolicy policy) {
    checkPages(range);
    checkPageAligned(physical, "physical address");
    return new PagingStep(Kind.MAP, range, physical, 0, Objects.requireNonNull(attributes, "attributes"),
        Objects.requireNonNull(policy, "policy"), null, 0);
  }

  /** Unmap {@code range}. */
  public static PagingStep unmap(VirtualRange range) {
    checkPages(range);
    return new PagingStep(Kind.UNMAP, range, 0, 0, null, null, null, 0);
  }

  /** Give the leaves of {@code range} {@code attributes} (each keeps its accessed and dirty bits). */
  public static PagingStep protect(VirtualRange range, Attributes attributes) {
    checkPages(range);
    return new PagingStep(Kind.PROTECT, range, 0, 0, Objects.requireNonNull(attributes, "attributes"), null, null, 0);
  }

  /** Smash the page at {@code address} down to pages of {@code pageSize} bytes. */
  public static PagingStep smash(long address, long pageSize) {
    checkPageAligned(address, "address");
    if (pageSize < PAGE || Long.bitCount(pageSize) != 1) {
      throw new IllegalArgumentException("page size " + hex(pageSize) + " is not a power of two of at least 4 KiB");
    }
    return new PagingStep(Kind.SMASH, null, address, pageSize, null, null, null, 0);
  }

  /** Collapse the collapsible tables wholly inside {@code range}. */
  public static PagingStep collapse(VirtualRange range) {
    return new PagingStep(Kind.COLLAPSE, Objects.requireNonNull(range, "range"), 0, 0, null, null, null, 0);
  }

  /** Reclaim the empty tables of {@code range} in {@code mode}. */
  public static PagingStep reclaim(VirtualRange range, ReclaimMode mode) {
    return new PagingStep(Kind.RECLAIM, Objects.requireNonNull(range, "range"), 0, 0, null, null,
        Objects.requireNonNull(mode, "mode"), 0);
  }

  /**
   * This step with the {@code k}-th allocation of its operation failing ({@code k >= 1}), or with
   * no failure when {@code k == 0}.
   */
  public PagingStep withAllocationFailure(int k) {
    if (k < 0) {
      throw new IllegalArgumentException("allocation number " + k + " is negative");
    }
    return k == failAt ? this : new PagingStep(kind, range, address, size, attributes, policy, mode, k);
  }

  public Kind kind() {
    return kind;
  }

  /** Which allocation of the operation fails, 1-based, or 0 for none. */
  public int allocationFailure() {
    return failAt;
  }

  /** The range the operation touches: its range, or for a smash the page at its address. */
  public VirtualRange touched() {
    return kind == Kind.SMASH ? VirtualRange.page(address) : Objects.requireNonNull(range, "range");
  }

  @Override
  public void apply(PagingSystem s) {
    VirtualRange touched = touched();
    s.remember(touched);
    TrackingFrameAllocator allocator = s.allocator();
    SimulatedMemory memory = s.memory();
    ReferenceModel model = s.model();
    TlbModel tlb = s.tlb();
    tlb.flushAll();
    tlb.accessAll(touched);
    AllocatorState state = allocator.state();

    // What must happen, decided from the models before the operation runs.
    Class<? extends RuntimeException> expected = null;
    // A failure the judging tolerates, as long as it leaves everything as it was.
    Class<? extends RuntimeException> tolerated = null;
    String why = null;
    ReclaimOracle oracle = null;
    PagingScenarios.ReclaimJudging judging = s.reclaimJudging();
    // Only an operation that may fail or that is compared with the library needs the memory as
    // it was; an unexpected exception fails the step whatever it left behind.
    MemorySnapshot before = null;
    if (kind == Kind.MAP && policy == ConflictPolicy.FAIL && model.anyMapped(range)) {
      expected = MappingConflictException.class;
      why = "the model maps " + hex(model.firstMapped(range)) + " in the range";
    } else if (kind == Kind.SMASH && model.physical(address).isEmpty()) {
      expected = IllegalArgumentException.class;
      why = "nothing is mapped at " + hex(address);
    } else if (kind == Kind.RECLAIM) {
      before = memory.snapshot();
      oracle = ReclaimOracle.run(s, range, mode, before, state);
      if (oracle.failure != null) {
        expected = TableNotEmptyException.class;
        why = "the library's Reclaimer fails on a copy of the same tables: " + oracle.failure;
      } else if (mode == ReclaimMode.STRICT && judging == PagingScenarios.ReclaimJudging.STRICT_FAILURES) {
        tolerated = TableNotEmptyException.class;
      }
    }

    if (before == null && (expected != null || failAt > 0)) {
      before = memory.snapshot();
    }
    PagingSubmission.Outcome outcome = null;
    RuntimeException thrown = null;
    if (failAt > 0) {
      allocator.failAtAllocation(failAt);
    }
    try {
      outcome = perform(s.submission());
      if (outcome == null) {
        throw new AssertionError(this + ": returned no outcome (null)");
      }
    } catch (RuntimeException e) {
      thrown = e;
    } catch (StackOverflowError e) {
      // Student code recursing without end: a failure of this step, with its scenario.
      throw new AssertionError(this + ": threw StackOverflowError", e);
    } finally {
      allocator.clearFailures();
    }

    if (thrown != null) {
      boolean injected = failAt > 0 && thrown instanceof OutOfFramesException;
      boolean tolerable = tolerated != null && tolerated.isInstance(thrown);
      if (!injected && !tolerable && (expected == null || !expected.isInstance(thrown))) {
        String instead = expected == null ? "" : " instead of " + expected.getSimpleName() + " (" + why + ")";
        throw new AssertionError(this + ": threw " + describe(thrown) + instead, thrown);
      }
      String unchanged = changes(before, memory.snapshot(), state, allocator.state(), "frames allocated since: ",
          "frames freed since: ");
      if (!unchanged.isEmpty()) {
        throw new AssertionError(this + ": threw " + thrown.getClass().getSimpleName()
            + " but did not leave everything as it was: " + unchanged, thrown);
      }
      s.count(name() + " threw " + thrown.getClass().getSimpleName());
      return;
    }
    if (expected != null) {
      throw new AssertionError(this + ": should have thrown " + expected.getSimpleName() + ", since " + why
          + "; it returned " + outcome);
    }

    s.count(name() + " succeeded");
    if (!outcome.invalidations().isEmpty()) {
      s.count(name() + " invalidated");
    }
    if (kind == Kind.RECLAIM ? oracle.state.count() < state.count() : outcome.pendingFrees().length > 0) {
      s.count(name() + " freed tables");
    }
    for (VirtualRange r : outcome.invalidations()) {
      tlb.invalidate(r);
    }
    List<String> stale = tlb.staleEntries();
    if (!stale.isEmpty()) {
      throw new AssertionError(this + ": returned " + outcome + ", which leaves " + stale.size()
          + " stale TLB " + (stale.size() == 1 ? "entry" : "entries") + " (a missing invalidation):\n  "
          + String.join("\n  ", stale));
    }
    long[] pending = outcome.pendingFrees();
    if (pending.length > 0) {
      InvariantReport held = Invariants.check(s.spaces(), pending);
      if (!held.isClean()) {
        throw new AssertionError(this + ": before its " + pending.length + " frames are freed, " + held);
      }
      for (long frame : pending) {
        try {
          allocator.free(frame);
        } catch (IllegalArgumentException e) {
          throw new AssertionError(this + ": returned " + outcome + ", but freeing it fails: " + e.getMessage(), e);
        }
      }
    }
    switch (kind) {
      case MAP:
        model.map(range, address, attributes);
        break;
      case UNMAP:
        model.unmap(range);
        break;
      case PROTECT:
        model.protect(range, a -> attributes.withAccessed(a.accessed()).withDirty(a.dirty()));
        break;
      case SMASH: {
        Translation t = Translator.of(s.space()).translate(address);
        if (t.isMapped() && Long.compareUnsigned(t.pageSize(), size) > 0) {
          throw new AssertionError(this + ": the page at " + hex(address) + " is still " + hex(t.pageSize())
              + " bytes: " + t);
        }
        break;
      }
      case COLLAPSE: {
        List<String> left = CollapseOracle.collapsible(s.space(), range);
        if (!left.isEmpty()) {
          throw new AssertionError(this + ": left " + left.size() + " collapsible "
              + (left.size() == 1 ? "table" : "tables") + ":\n  " + String.join("\n  ", left));
        }
        break;
      }
      case RECLAIM: {
        if (judging == PagingScenarios.ReclaimJudging.SHARED_TABLES_KEPT) {
          sharedTablesKept(s, before, state);
          break;
        }
        String difference = changes(oracle.after, memory.snapshot(), oracle.state, allocator.state(),
            "frames the library freed and the submission did not: ", "frames the submission freed and the library did not: ");
        if (!difference.isEmpty()) {
          throw new AssertionError(this + ": differs from the library's Reclaimer on a copy of the same tables"
              + " (library -> submission): " + difference);
        }
        break;
      }
      default:
        break;
    }
  }

  /**
   * After a reclaim judged on shared tables: every table recorded as shared is still allocated,
   * and every root entry that linked one still does.
   */
  private void sharedTablesKept(PagingSystem s, MemorySnapshot before, AllocatorState state) {
    AllocatorState now = s.allocator().state();
    for (long frame : s.space().sharedTables().frames()) {
      if (state.contains(frame) && !now.contains(frame)) {
        throw new AssertionError(this + ": freed table " + hex(frame) + ", which is recorded as shared: the kernel "
            + "and every other process still use it");
      }
    }
    for (long root : new long[] {s.space().root(), s.space().upperRoot()}) {
      // Each root with its own half's root level.
      Level top = s.format().levels(root == s.space().root() ? 0 : -1L).get(0);
      for (int i = 0; i < top.entries(); i++) {
        long was = before.entry(top, root, i);
        long after = top.readEntry(s.memory(), root, i);
        if (s.format().kind(top, was) == EntryKind.TABLE
            && s.space().sharedTables().isShared(s.format().address(top, was)) && after != was) {
          throw new AssertionError(this + ": changed root entry " + i + " from " + hex(was) + " to "
              + hex(after) + ", which linked the shared table " + hex(s.format().address(top, was)));
        }
      }
    }
  }

  /** The operation, with its policy or mode: {@code map FAIL}, {@code unmap}, {@code reclaim STRICT}. */
  private String name() {
    String name = kind.name().toLowerCase(java.util.Locale.ROOT);
    return policy != null ? name + " " + policy : mode != null ? name + " " + mode : name;
  }

  private PagingSubmission.Outcome perform(PagingSubmission submission) {
    switch (kind) {
      case MAP:
        return submission.map(range, address, attributes, policy);
      case UNMAP:
        return submission.unmap(range);
      case PROTECT:
        return submission.protect(range, attributes);
      case SMASH:
        return submission.smash(address, size);
      case COLLAPSE:
        return submission.collapse(range);
      default:
        return submission.reclaim(range, mode);
    }
  }

  /**
   * How memory and the allocator differ from one state to another, or the empty string when they
   * do not: the words that differ, the frames allocated only in the second state (introduced by
   * {@code kept}) and those allocated only in the first ({@code freed}).
   */
  static String changes(MemorySnapshot before, MemorySnapshot after, AllocatorState stateBefore,
      AllocatorState stateAfter, String kept, String freed) {
    List<String> parts = new ArrayList<>();
    String words = before.diff(after);
    if (!words.isEmpty()) {
      parts.add("memory: " + words);
    }
    long[] onlyAfter = stateAfter.framesNotIn(stateBefore);
    if (onlyAfter.length > 0) {
      parts.add(kept + AllocatorState.hexList(onlyAfter));
    }
    long[] onlyBefore = stateBefore.framesNotIn(stateAfter);
    if (onlyBefore.length > 0) {
      parts.add(freed + AllocatorState.hexList(onlyBefore));
    }
    return String.join("; ", parts);
  }

  private static String describe(Throwable t) {
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }

  /**
   * Simpler variants, simplest idea first (the runner tries every step's first variant
   * together): without the allocation failure, then smaller ranges, plainer attributes, a
   * plainer physical address, addresses rounded down to a huge-page boundary.
   */
  @Override
  public List<Step<PagingSystem>> shrinks() {
    List<Step<PagingSystem>> out = new ArrayList<>();
    if (failAt > 0) {
      out.add(withAllocationFailure(0));
      if (failAt > 1) {
        out.add(withAllocationFailure(failAt - 1));
      }
    }
    if (kind == Kind.SMASH) {
      for (long alignment : new long[] {1L << 30, 1L << 21}) {
        long aligned = address & -alignment;
        if (aligned != address) {
          out.add(new PagingStep(kind, null, aligned, size, null, null, null, failAt));
        }
      }
      return out;
    }
    for (VirtualRange smaller : smallerRanges(range)) {
      out.add(withRange(smaller));
    }
    if (attributes != null) {
      Attributes plain = attributes.withAccessed(false).withDirty(false).withGlobal(false).withSoftwareBits(0)
          .withMemoryType(0);
      if (!plain.equals(attributes)) {
        out.add(new PagingStep(kind, range, address, size, plain, policy, mode, failAt));
      }
    }
    if (kind == Kind.MAP) {
      // The same offset into a 1 GiB block as the virtual start, so the same pages fit.
      long plain = range.first() & ((1L << 30) - 1);
      if (plain != address) {
        out.add(new PagingStep(kind, range, plain, size, attributes, policy, mode, failAt));
      }
    }
    if (!range.isAll()) {
      for (long alignment : new long[] {1L << 30, 1L << 21}) {
        long first = range.first() & -alignment;
        long moved = range.first() - first;
        // A map's physical start moves along, so the same pages fit and the step needs no more
        // tables than before (a 4 KiB misalignment could turn 1 GiB leaves into 4 KiB ones).
        if (first != range.first() && sameHalf(first, range.first()) && (kind != Kind.MAP || address >= moved)) {
          VirtualRange r = VirtualRange.closed(first, first + (range.last() - range.first()));
          out.add(new PagingStep(kind, r, kind == Kind.MAP ? address - moved : address, size, attributes, policy, mode,
              failAt));
        }
      }
    }
    // Each variant once: two alignments or two piece sizes may give the same step.
    return new ArrayList<>(new LinkedHashSet<>(out));
  }

  /** This step over {@code r}, inside its range; a map's physical start moves along, so each page keeps its frame. */
  private PagingStep withRange(VirtualRange r) {
    long physical = kind == Kind.MAP ? address + (r.first() - range.first()) : address;
    return new PagingStep(kind, r, physical, size, attributes, policy, mode, failAt);
  }

  /**
   * One page at the start, each half, the last page: each strictly smaller than {@code r}. In 4
   * KiB pages, and first in the largest granule (up to 64 KiB) both ends are aligned to, so that
   * a space whose pages are 16 or 64 KiB, where 4 KiB pieces do not {@linkplain #fits fit}, still
   * has smaller ranges to try.
   */
  private static List<VirtualRange> smallerRanges(VirtualRange r) {
    List<VirtualRange> out = new ArrayList<>();
    long ends = r.isAll() ? 0 : r.first() | (r.last() + 1);
    long unit = ends == 0 ? MAX_GRANULE : Math.max(PAGE, Math.min(MAX_GRANULE, Long.lowestOneBit(ends)));
    for (long u = unit; u >= PAGE; u = u == PAGE ? 0 : PAGE) {
      long pages = r.isAll() ? -1L : (r.last() - r.first()) / u + 1;
      if (r.isAll() || Long.compareUnsigned(pages, 1) > 0) {
        out.add(VirtualRange.ofLength(r.first(), u));
        if (!r.isAll() && pages > 2) {
          // Both halves, so that halving reaches the one page that shows a bug wherever it lies.
          out.add(VirtualRange.ofLength(r.first(), pages / 2 * u));
          out.add(VirtualRange.closed(r.first() + pages / 2 * u, r.last()));
        }
        if (!r.isAll()) {
          out.add(VirtualRange.closed(r.last() - u + 1, r.last()));
        }
      }
    }
    return out;
  }

  /**
   * Whether {@code system}'s format can be given this step: the range of a map, unmap or protect
   * (for a map, its physical address too; for a smash, its address and page size) in whole pages
   * of the format's smallest page, which is 16 or 64 KiB with AArch64's larger granules. Collapse
   * and reclaim take any range.
   */
  @Override
  public boolean fits(PagingSystem system) {
    PagingFormat f = system.format();
    if (kind == Kind.SMASH) {
      long page = pageAt(f, address);
      return (address & (page - 1)) == 0 && Long.compareUnsigned(size, page) >= 0;
    }
    if (kind == Kind.COLLAPSE || kind == Kind.RECLAIM || range.isAll()) {
      return true;
    }
    // Each end in its own half's pages, where the halves' granules differ.
    long start = pageAt(f, range.first());
    boolean whole = (range.first() & (start - 1)) == 0 && ((range.last() + 1) & (pageAt(f, range.last()) - 1)) == 0;
    return whole && (kind != Kind.MAP || (address & (start - 1)) == 0);
  }

  /** The smallest page of the half of {@code va}. */
  private static long pageAt(PagingFormat f, long va) {
    List<Level> levels = f.levels(va);
    return levels.get(levels.size() - 1).entrySpan();
  }

  private static boolean sameHalf(long a, long b) {
    return (a < 0) == (b < 0);
  }

  /**
   * One line, every number in hex, that {@link #parse} reads back: {@code map [first, last] to
   * physical rwxugad FAIL}, {@code unmap [first, last]}, {@code protect [first, last] rw-u---},
   * {@code smash address to size}, {@code collapse [first, last]}, {@code reclaim [first, last]
   * COLLECT}, each optionally followed by {@code , allocation k fails}.
   */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    switch (kind) {
      case MAP:
        s.append("map ").append(range).append(" to ").append(hex(address)).append(' ').append(attributes)
            .append(' ').append(policy);
        break;
      case UNMAP:
        s.append("unmap ").append(range);
        break;
      case PROTECT:
        s.append("protect ").append(range).append(' ').append(attributes);
        break;
      case SMASH:
        s.append("smash ").append(hex(address)).append(" to ").append(hex(size));
        break;
      case COLLAPSE:
        s.append("collapse ").append(range);
        break;
      default:
        s.append("reclaim ").append(range).append(' ').append(mode);
        break;
    }
    if (failAt > 0) {
      s.append(", allocation ").append(failAt).append(" fails");
    }
    return s.toString();
  }

  private static final String HEX = "0x([0-9a-f]{16})";
  private static final String RANGE = "\\[" + HEX + ", " + HEX + "\\]";
  private static final String ATTRIBUTES = "([r-][w-][x-][u-][g-][a-][d-](?: type=\\d+)?(?: sw=0x[0-9a-f]+)?(?: extra=0x[0-9a-f]{16})?)";
  private static final Pattern MAP = Pattern.compile("map " + RANGE + " to " + HEX + " " + ATTRIBUTES + " (FAIL|REPLACE)");
  private static final Pattern UNMAP = Pattern.compile("unmap " + RANGE);
  private static final Pattern PROTECT = Pattern.compile("protect " + RANGE + " " + ATTRIBUTES);
  private static final Pattern SMASH = Pattern.compile("smash " + HEX + " to " + HEX);
  private static final Pattern COLLAPSE = Pattern.compile("collapse " + RANGE);
  private static final Pattern RECLAIM = Pattern.compile("reclaim " + RANGE + " (COLLECT|STRICT)");
  private static final Pattern FAILURE = Pattern.compile("(.*), allocation (\\d+) fails");

  /**
   * The step {@code line} spells, as {@link #toString()} writes it.
   *
   * @throws IllegalArgumentException naming the line when it is not a step
   */
  public static PagingStep parse(String line) {
    Objects.requireNonNull(line, "line");
    String text = line.strip();
    int failure = 0;
    Matcher f = FAILURE.matcher(text);
    if (f.matches()) {
      text = f.group(1);
      failure = Integer.parseInt(f.group(2));
    }
    Matcher m;
    PagingStep step;
    if ((m = MAP.matcher(text)).matches()) {
      step = map(range(m, 1), number(m.group(3)), attributes(m.group(4)), ConflictPolicy.valueOf(m.group(5)));
    } else if ((m = UNMAP.matcher(text)).matches()) {
      step = unmap(range(m, 1));
    } else if ((m = PROTECT.matcher(text)).matches()) {
      step = protect(range(m, 1), attributes(m.group(3)));
    } else if ((m = SMASH.matcher(text)).matches()) {
      step = smash(number(m.group(1)), number(m.group(2)));
    } else if ((m = COLLAPSE.matcher(text)).matches()) {
      step = collapse(range(m, 1));
    } else if ((m = RECLAIM.matcher(text)).matches()) {
      step = reclaim(range(m, 1), ReclaimMode.valueOf(m.group(3)));
    } else {
      throw new IllegalArgumentException("not a paging step: '" + line + "'");
    }
    return step.withAllocationFailure(failure);
  }

  private static VirtualRange range(Matcher m, int group) {
    return VirtualRange.closed(number(m.group(group)), number(m.group(group + 1)));
  }

  private static long number(String hexDigits) {
    return Long.parseUnsignedLong(hexDigits, 16);
  }

  private static Attributes attributes(String text) {
    String letters = text.substring(0, 7);
    Attributes a = Attributes.none()
        .withReadable(letters.charAt(0) == 'r')
        .withWritable(letters.charAt(1) == 'w')
        .withExecutable(letters.charAt(2) == 'x')
        .withUser(letters.charAt(3) == 'u')
        .withGlobal(letters.charAt(4) == 'g')
        .withAccessed(letters.charAt(5) == 'a')
        .withDirty(letters.charAt(6) == 'd');
    for (String extra : text.substring(7).trim().split(" ")) {
      if (extra.startsWith("type=")) {
        a = a.withMemoryType(Integer.parseInt(extra.substring(5)));
      } else if (extra.startsWith("sw=0x")) {
        a = a.withSoftwareBits(Long.parseUnsignedLong(extra.substring(5), 16));
      } else if (extra.startsWith("extra=0x")) {
        a = a.withExtraBits(Long.parseUnsignedLong(extra.substring(8), 16));
      }
    }
    return a;
  }

  private static void checkPages(VirtualRange range) {
    Objects.requireNonNull(range, "range");
    if ((range.first() & (PAGE - 1)) != 0 || ((range.last() + 1) & (PAGE - 1)) != 0) {
      throw new IllegalArgumentException("range " + range + " is not whole 4 KiB pages");
    }
  }

  private static void checkPageAligned(long value, String what) {
    if ((value & (PAGE - 1)) != 0) {
      throw new IllegalArgumentException(what + " " + hex(value) + " is not 4 KiB aligned");
    }
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof PagingStep)) {
      return false;
    }
    PagingStep p = (PagingStep) o;
    return p.kind == kind && Objects.equals(p.range, range) && p.address == address && p.size == size
        && Objects.equals(p.attributes, attributes) && p.policy == policy && p.mode == mode && p.failAt == failAt;
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, range, address, size, attributes, policy, mode, failAt);
  }
}
