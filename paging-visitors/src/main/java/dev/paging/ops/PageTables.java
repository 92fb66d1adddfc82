package dev.paging.ops;

import dev.paging.api.Attributes;
import dev.paging.api.FrameAllocator;
import dev.paging.api.PagingFormat;
import dev.paging.api.PhysicalMemory;
import dev.paging.api.VirtualRange;
import dev.paging.audit.Audit;
import dev.paging.audit.AuditReport;
import dev.paging.core.AddressSpace;
import dev.paging.core.WalkOutcome;
import dev.paging.dump.Dump;
import dev.paging.dump.DumpRenderer;
import java.io.IOException;
import java.util.Objects;

/**
 * The operations an OS project calls every day on one address space, without writing a visitor:
 * create, translate, map, unmap, protect, smash, collapse and destroy. Each operation is a
 * visitor on the walking engine ({@link dev.paging.core.Walker}).
 *
 * <p>Every mutating operation
 *
 * <ul>
 *   <li>is all-or-nothing: it checks its arguments and the tables, and takes every table frame it
 *       needs from the allocator, before it writes anything; bad input is an {@link
 *       IllegalArgumentException} naming the offending value in hex, a conflict a {@link
 *       dev.paging.api.MappingConflictException}, a malformed entry in the way a {@link
 *       dev.paging.api.MalformedTableException}, a failing allocator an {@link
 *       dev.paging.api.OutOfFramesException}, and in each case the tables are bit for bit as
 *       before and no frame is kept;
 *   <li>returns an {@link InvalidationPlan}: what the caller must invalidate (INVLPG, SFENCE.VMA,
 *       or a full flush when {@link InvalidationPlan#flushAllSuggested(long)} by your ceiling) before relying on the
 *       change; creating a mapping where nothing was mapped needs nothing;
 *   <li>returns table frames it unlinked as {@link PendingFrees}, to release only after the plan
 *       is applied, since paging-structure caches may still point at them;
 *   <li>writes each new subtree completely before the one entry that links it, so the hardware
 *       never sees half of one.
 * </ul>
 *
 * <p>Entries the operations meet are treated consistently: an entry wholly inside an unmapped
 * range is cleared whatever it holds (a not-present marker or a malformed entry is reported in
 * {@link UnmapResult#removedEntries()}); a map under {@link ConflictPolicy#FAIL} treats any
 * non-empty entry but a table as a conflict; entries an operation would have to look into or split
 * but cannot (a malformed table pointer, a not-present marker straddling an end of the range)
 * stop it before it changes anything.
 *
 * <p>Not thread-safe: like the tables, a {@code PageTables} is used by one thread at a time (the
 * caller's page-table lock). It reuses its walkers between calls.
 */
public final class PageTables {
  private final AddressSpace space;
  private final FormatLayout geometry;
  private Translator translator;
  /** Per half ({@link FormatLayout#halfIndex}): a map and a smash never leave the half they start in. */
  private final Mapper[] mappers = new Mapper[2];
  private Unmapper unmapper;
  private Protector protector;
  private final Smasher[] smashers = new Smasher[2];
  private Collapser collapser;
  private Reclaimer reclaimer;
  private PageTables(AddressSpace space) {
    this(space, false);
  }

  private PageTables(AddressSpace space, boolean throughRecursive) {
    this.space = space;
    this.geometry = new FormatLayout(space, throughRecursive);
  }

  /** A new, empty address space with a root table from {@code allocator}. */
  public static PageTables create(PagingFormat format, PhysicalMemory memory, FrameAllocator allocator) {
    return new PageTables(AddressSpace.create(format, memory, allocator));
  }

  /** The operations over an existing address space. */
  public static PageTables of(AddressSpace space) {
    return new PageTables(Objects.requireNonNull(space, "space"));
  }

  /**
   * A new address space (a process) whose kernel half is the kernel half of {@code template}:
   * its root's upper-half entries point to the template's tables, which are recorded as shared in
   * the template's {@link dev.paging.core.SharedTables} registry, now also the new space's. A
   * mapping made in the kernel half through any of these spaces is seen by all of them.
   *
   * <p>The first time, every empty kernel-half root entry of the template gets a new empty table
   * (256 tables on every supported format), so later kernel mappings never need a root entry the
   * processes lack; this is what kernels do, and it costs 1 MiB once. The new root entries grant
   * everything (the leaves govern), so they never need widening.
   *
   * <p>Where each half has a root of its own (AArch64), the new space gets a new empty lower root
   * and the template's upper root itself (TTBR1_EL1 the same for every process, as on Linux),
   * recorded as shared: one frame, nothing preallocated, whatever the root entries hold. No
   * operation of any space frees that root or reclaims below it.
   *
   * @throws IllegalArgumentException if a kernel-half root entry of the template is a leaf or a
   *     not-present marker, which cannot be shared (one root for both halves), or if the template
   *     has no upper root (a read-only view of one half)
   * @throws dev.paging.api.OutOfFramesException if the allocator runs out; nothing is changed
   */
  public static PageTables createSharingKernelHalf(PageTables template) {
    return createSharingKernelHalf(Objects.requireNonNull(template, "template").live().space);
  }

  /** As {@link #createSharingKernelHalf(PageTables)}, from the template's address space. */
  public static PageTables createSharingKernelHalf(AddressSpace template) {
    return new PageTables(KernelHalf.share(Objects.requireNonNull(template, "template")));
  }

  /** The address space these operations work on. */
  public AddressSpace space() {
    return space;
  }

  /**
   * The same operations on the same space, except that {@link #map map}, {@link #unmap unmap}
   * and {@link #protect protect} (and their one-page forms) also edit inside the window of a
   * recursive entry ({@link dev.paging.api.EntryCursor#recursive()}), which these operations
   * otherwise refuse with a {@link dev.paging.api.MappingConflictException}, changing nothing.
   *
   * <p>In the window the space's own tables are seen one level (or more) below their own, so an
   * edit there is what an OS that manages its tables through a recursive mapping does: unmapping
   * a window page clears a table entry; mapping a frame at a window page links that frame as a
   * table. It is done exactly as the MMU reads the window, entry by entry as the walk meets it;
   * the caller is responsible for what the rewritten tables then mean, and the invalidation plan
   * covers the window's addresses, not what the edit changes elsewhere in the space. Even here
   * nothing frees a table through a recursive link: a huge leaf that replaces a window entry
   * does not free what the window showed below it, and {@link #smash}, {@link #collapse}, {@link
   * #reclaim reclaim} and {@link #destroy} never act through one.
   */
  public PageTables editingThroughRecursiveEntries() {
    live();
    return new PageTables(space, true);
  }

  /**
   * The translation of {@code virtualAddress}: physical address, page size, level, the leaf's
   * attributes and the effective ones, or at which level and why the walk ended.
   *
   * @throws IllegalArgumentException if the address is not canonical
   */
  public Translation translate(long virtualAddress) {
    return translator().translate(virtualAddress);
  }

  /**
   * The physical address {@code virtualAddress} maps to, or {@code ifNotMapped} when nothing maps
   * it; the allocation-free fast path ({@link Translator#physicalAddressOrElse}).
   *
   * @throws IllegalArgumentException if the address is not canonical
   */
  public long physicalAddressOrElse(long virtualAddress, long ifNotMapped) {
    return translator().physicalAddressOrElse(virtualAddress, ifNotMapped);
  }

  /**
   * Translates every address of {@code virtualAddresses} into the same position of {@code
   * physicalAddresses}, {@code ifNotMapped} where nothing maps one, reusing the upper-level
   * entries consecutive addresses share; returns how many were mapped. See {@link
   * Translator#physicalAddresses}, which also takes offsets and reports each address's outcome.
   *
   * @throws IllegalArgumentException naming the first non-canonical address; nothing is written
   * @throws IndexOutOfBoundsException if {@code physicalAddresses} is shorter
   */
  public int physicalAddresses(long[] virtualAddresses, long[] physicalAddresses, long ifNotMapped) {
    Objects.requireNonNull(virtualAddresses, "virtualAddresses");
    Objects.requireNonNull(physicalAddresses, "physicalAddresses");
    return translator().physicalAddresses(virtualAddresses, 0, physicalAddresses, 0, virtualAddresses.length,
        ifNotMapped, null);
  }

  /** Maps {@code range} to physical memory from {@code physicalStart}, failing on conflicts, with the largest pages. */
  public MapResult map(VirtualRange range, long physicalStart, Attributes attributes) {
    return map(range, physicalStart, attributes, MapOptions.defaults());
  }

  /**
   * Maps {@code range} to physically contiguous memory from {@code physicalStart} with leaves
   * carrying {@code attributes}. At each address the largest page is used that the virtual and
   * physical addresses are aligned to, that fits in the rest of the range, that the format (1 GiB
   * pages only where supported) and {@code options} allow. New table entries are present and
   * grant what the leaves need (the leaf governs); existing ones are widened when a new leaf
   * needs more. A table wholly covered by a new huge page is replaced by it, and its tables
   * returned in {@link MapResult#pendingFrees()} (a table shared with other spaces is never
   * replaced: the map goes into it).
   *
   * @throws IllegalArgumentException naming the value in hex for a non-canonical range, a range
   *     crossing the canonical hole, an address not aligned to 4 KiB (or to the page size asked
   *     for), a physical range beyond the format's width, or attributes no allowed leaf can carry
   * @throws dev.paging.api.MappingConflictException under {@link ConflictPolicy#FAIL} when the
   *     range holds anything but empty entries and tables, naming the first such address
   */
  public MapResult map(VirtualRange range, long physicalStart, Attributes attributes, MapOptions options) {
    live();
    Objects.requireNonNull(range, "range");
    return mapper(range.first()).map(range, physicalStart, attributes, options);
  }

  /**
   * Maps the 4 KiB page at {@code virtualAddress} to the frame at {@code physicalAddress}, failing
   * on conflicts: exactly {@code map(VirtualRange.page(virtualAddress), physicalAddress,
   * attributes)}, shaped for a page-fault handler. In the common case (the page's entry is empty,
   * the tables above it grant what the leaf needs) it is one walk from the root that writes where
   * it ends, taking the missing tables on the way down (all or none), with no range, plan or list
   * made; otherwise it takes the general path, with the same result and the same errors.
   */
  public MapResult mapPage(long virtualAddress, long physicalAddress, Attributes attributes) {
    live();
    return mapper(virtualAddress).mapPage(virtualAddress, physicalAddress, attributes);
  }

  /** The mapper of the half {@code va} is in, with that half's levels. */
  private Mapper mapper(long va) {
    FormatLayout half = geometry.half(va);
    Mapper m = mappers[half.halfIndex];
    if (m == null) {
      m = new Mapper(half);
      mappers[half.halfIndex] = m;
    }
    return m;
  }

  /**
   * Unmaps the 4 KiB page at {@code virtualAddress}: exactly {@code
   * unmap(VirtualRange.page(virtualAddress))}, in one walk when a 4 KiB leaf maps it (or nothing
   * does). The result builds its plan and mapping when first asked.
   */
  public UnmapResult unmapPage(long virtualAddress) {
    live();
    if (unmapper == null) {
      unmapper = new Unmapper(geometry);
    }
    return unmapper.unmapPage(virtualAddress);
  }

  /**
   * Gives the 4 KiB page at {@code virtualAddress} the attributes {@code attributes} (keeping its
   * accessed and dirty bits): exactly {@code protect(VirtualRange.page(virtualAddress),
   * attributes)}, in one walk when a 4 KiB leaf maps it and the tables above already grant what
   * it needs: the copy-on-write shape. The result builds its plan and mapping when first asked.
   */
  public ProtectResult protectPage(long virtualAddress, Attributes attributes) {
    live();
    if (protector == null) {
      protector = new Protector(geometry);
    }
    return protector.protectPage(virtualAddress, attributes);
  }

  /**
   * Removes every mapping in {@code range} (4 KiB aligned) and returns what was mapped. A huge
   * page straddling an end of the range is smashed and its part outside stays mapped. Data frames
   * are the caller's and are never freed; neither are tables, even emptied ones (reclaiming them
   * is a separate operation).
   */
  public UnmapResult unmap(VirtualRange range) {
    live();
    if (unmapper == null) {
      unmapper = new Unmapper(geometry);
    }
    return unmapper.unmap(range);
  }

  /**
   * Gives every leaf in {@code range} (4 KiB aligned) the attributes {@code attributes}, except
   * accessed and dirty, which each leaf keeps. A huge page wholly inside the range stays whole;
   * one straddling an end is smashed, only as far as needed.
   */
  public ProtectResult protect(VirtualRange range, Attributes attributes) {
    live();
    if (protector == null) {
      protector = new Protector(geometry);
    }
    return protector.protect(range, attributes);
  }

  /**
   * Splits the huge page mapping {@code address} until the page holding the address is {@code
   * pageSize} bytes, with identical translation and attributes everywhere. Nothing happens if that
   * page is already that small.
   *
   * @throws IllegalArgumentException if nothing is mapped at {@code address}, or {@code pageSize}
   *     is not a page size of the format
   */
  public SmashResult smash(long address, long pageSize) {
    live();
    FormatLayout half = geometry.half(address);
    Smasher s = smashers[half.halfIndex];
    if (s == null) {
      s = new Smasher(half);
      smashers[half.halfIndex] = s;
    }
    return s.smash(address, pageSize);
  }

  /**
   * Replaces each table wholly inside {@code range} whose entries map one aligned, contiguous
   * physical block with identical attributes by one huge leaf, bottom-up. Opt-in only: no other
   * operation ever collapses, because a collapse must invalidate every entry of the table.
   */
  public CollapseResult collapse(VirtualRange range) {
    live();
    if (collapser == null) {
      collapser = new Collapser(geometry);
    }
    return collapser.collapse(range);
  }

  /**
   * Ends the address space: returns every table it owns (never a shared one, nor anything below
   * one) as {@link PendingFrees}, to release once the space is no longer in use and the plan is
   * applied. The space is {@linkplain AddressSpace#markDestroyed() marked destroyed}: every
   * operation on it afterwards, through this object or any other made from the same space
   * ({@link #of}, a {@link Translator}, a {@link Reclaimer}, a dump or an audit), is refused.
   */
  public DestroyResult destroy() {
    live();
    DestroyResult result = new Destroyer(geometry).destroy();
    space.markDestroyed();
    return result;
  }

  /**
   * Frees the empty page tables wholly inside {@code range}, bottom-up (see {@link Reclaimer}):
   * never a mapping, a data frame, the root or a shared table. The frames come back pending, to
   * release after the result's invalidation is applied.
   *
   * @throws dev.paging.api.TableNotEmptyException in {@link ReclaimMode#STRICT} when a candidate is not empty;
   *     nothing was changed
   */
  public ReclaimResult reclaim(VirtualRange range, ReclaimMode mode) {
    return reclaim(range, ReclaimOptions.of(mode));
  }

  /** As {@link #reclaim(VirtualRange, ReclaimMode)}, with tables the caller pins left alone. */
  public ReclaimResult reclaim(VirtualRange range, ReclaimOptions options) {
    live();
    if (reclaimer == null) {
      reclaimer = Reclaimer.of(space);
    }
    return reclaimer.reclaim(range, options);
  }

  /** Streams a dump of {@code range} through {@code renderer} (ptdump, QEMU, vmprint, JSON, DOT). */
  public WalkOutcome dump(VirtualRange range, DumpRenderer renderer) throws IOException {
    Objects.requireNonNull(range, "range");
    live();
    return Dump.write(space, range, renderer);
  }

  /** Audits the whole space with the default rules. */
  public AuditReport audit() {
    live();
    return Audit.run(space, VirtualRange.all());
  }

  private Translator translator() {
    live();
    if (translator == null) {
      translator = Translator.of(space);
    }
    return translator;
  }

  private PageTables live() {
    space.checkNotDestroyed();
    return this;
  }

  @Override
  public String toString() {
    return "PageTables[" + space + (space.isDestroyed() ? ", destroyed" : "")
        + (geometry.throughRecursive ? ", editing through recursive entries" : "") + "]";
  }
}
