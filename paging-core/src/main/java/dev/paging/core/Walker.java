package dev.paging.core;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Addresses;
import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryProblem;
import dev.paging.api.EntryVerdict;
import dev.paging.api.HoleCursor;
import dev.paging.api.Level;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import dev.paging.api.PhysicalMemory;
import dev.paging.api.TableCursor;
import dev.paging.api.VirtualRange;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The engine: walks a range of virtual addresses through a page-table hierarchy, top-down and in
 * address order, calling a {@link PageTableVisitor}.
 *
 * <ul>
 *   <li>Only entries inside the range are read, and only present table entries are descended:
 *       the cost is proportional to the tables and entries inside the range, never to the number
 *       of pages it spans. Each entry is read once. A visitor that rewrites the entry it is
 *       given, through {@link EntryCursor#write} or {@link TableCursor#write} at its index (turns
 *       a huge leaf into a table, say), is walked into what it wrote, from the cursor, without a
 *       second read; a change made to memory behind the cursors' back is seen by later walks.
 *   <li>Runs of empty entries are reported as holes, clipped to the range; at the root they never
 *       cross the canonical hole, which whole-space walks skip. After the first empty entry of a
 *       run the walker asks the memory for the end of the run in one call ({@link
 *       PhysicalMemory#firstNonZero}), so an empty table costs two calls, not 512 reads; the
 *       entries it spans still count as read, in {@link #entriesRead()} and against the budget.
 *   <li>A visitor may take a whole table at once through {@link TableCursor#readEntries}, inside
 *       the same count and budget: no operation reads tables around the engine.
 *   <li>Untrusted tables are safe: malformed entries and tables outside memory are reported to
 *       {@link PageTableVisitor#onMalformed} and not followed, and a walk never goes deeper than
 *       the format's levels, so every walk terminates. A table linked from several parents is
 *       legal and is walked once per link. So is an entry that points to one of its own
 *       ancestors (a recursive mapping): the walker follows it as the MMU does, reading that
 *       table again one level down, and says so ({@link EntryCursor#recursive()}, {@link
 *       TableCursor#inRecursiveWindow()}). When sharing or recursion could multiply the work (a
 *       hostile image whose entries all point back at the root), set an {@linkplain
 *       #entryBudget(long) entry budget}.
 * </ul>
 *
 * <p>A walker reuses its cursors from walk to walk, so it allocates nothing per walk; it is not
 * thread-safe and not re-entrant (a hook must not start a walk on the same walker).
 */
public final class Walker {
  private final PagingFormat format;
  private final PhysicalMemory memory;
  /**
   * The levels and cursors of the half being walked: {@link #lowerStack}'s or {@link
   * #upperStack}'s, which are one and the same unless the halves' geometries differ.
   */
  private Level[] levels;
  private int depthCount;
  private Table[] tables;
  private Entry[] entries;
  private Hole[] holes;
  private final Stack lowerStack;
  private final Stack upperStack;
  private final long lowerLast;
  private final long upperFirst;
  /** The format gives each half a root table of its own (AArch64 TTBR0 and TTBR1). */
  private final boolean rootPerHalf;

  /** Between walks, a visitor that does nothing, so the field is never null. */
  private static final PageTableVisitor IDLE = new PageTableVisitor() {};

  private PageTableVisitor visitor = IDLE;
  private @Nullable SharedTables sharedTables;
  private long budget = Long.MAX_VALUE;
  /** Counts table visits, so a table's cached path state knows which visit it belongs to. */
  private long visits;
  /** Counts writes through cursors, which may change the path above a table. */
  private long cursorWrites;
  private boolean checked;
  /** In checked mode, counts hook calls: a checked cursor lives for the call it was made for. */
  private long hooks;
  private long entriesRead;
  private long tablesVisited;
  private boolean exhausted;
  private boolean walking;

  private Walker(PagingFormat format, PhysicalMemory memory) {
    this.format = Objects.requireNonNull(format, "format");
    this.memory = Objects.requireNonNull(memory, "memory");
    this.lowerLast = format.lowerHalf().last();
    this.upperFirst = format.upperHalf().first();
    this.rootPerHalf = format.rootPerHalf();
    this.lowerStack = new Stack(format.levels());
    this.upperStack = format.oneGeometry() ? lowerStack : new Stack(format.levels(upperFirst));
    use(lowerStack);
  }

  /** One half's levels, with a table, entry and hole cursor per depth. */
  private final class Stack {
    final Level[] levels;
    final Table[] tables;
    final Entry[] entries;
    final Hole[] holes;

    Stack(List<Level> list) {
      this.levels = list.toArray(new Level[0]);
      int n = levels.length;
      this.tables = new Table[n];
      this.entries = new Entry[n];
      this.holes = new Hole[n];
      for (int d = 0; d < n; d++) {
        tables[d] = new Table(levels[d]);
        entries[d] = new Entry(tables[d]);
        holes[d] = new Hole(tables[d]);
      }
      for (int d = 1; d < n; d++) {
        tables[d].parent = entries[d - 1];
        tables[d].up = tables[d - 1];
      }
    }
  }

  private void use(Stack s) {
    levels = s.levels;
    depthCount = s.levels.length;
    tables = s.tables;
    entries = s.entries;
    holes = s.holes;
  }

  /** A walker over tables in {@code memory} laid out as {@code format} says. */
  public static Walker of(PagingFormat format, PhysicalMemory memory) {
    return new Walker(format, memory);
  }

  /**
   * Limits every later walk to reading {@code maxEntries} entries; a walk that reaches the limit
   * ends with {@link WalkOutcome#BUDGET_EXHAUSTED}. {@link Long#MAX_VALUE}, the default, is no
   * limit.
   */
  public Walker entryBudget(long maxEntries) {
    if (maxEntries <= 0) {
      throw new IllegalArgumentException("entry budget " + maxEntries + " must be positive");
    }
    this.budget = maxEntries;
    return this;
  }

  /**
   * Tells later walks which tables are shared, for {@link TableCursor#shared()}: an address
   * space's walker is given the space's registry.
   */
  public Walker sharedTables(SharedTables registry) {
    this.sharedTables = Objects.requireNonNull(registry, "registry");
    return this;
  }

  /**
   * Checked mode, for tests of visitors: each hook gets cursors of its own that fail, naming the
   * mistake, when used after the hook returns (a cursor kept in a field and read later would
   * silently describe whatever the walker is at by then), and a hook that returns {@code null}
   * fails at once. Costs a few small objects per hook; off by default.
   */
  public Walker checked(boolean on) {
    this.checked = on;
    return this;
  }

  /**
   * Entries read by the last walk: one per entry, the words an empty run's scan passed over and
   * what visitors read through the table cursor included.
   */
  public long entriesRead() {
    return entriesRead;
  }

  /** Tables whose {@code beforeTable} the last walk called. */
  public long tablesVisited() {
    return tablesVisited;
  }

  /** Walks the space's tables over {@code range}, from both roots where the format has two. */
  public static WalkOutcome walk(AddressSpace space, VirtualRange range, PageTableVisitor visitor) {
    Objects.requireNonNull(space, "space");
    Objects.requireNonNull(range, "range");
    return space.walker().walk(space.root(), space.upperRoot(), range, visitor);
  }

  /**
   * Walks the hierarchy rooted at {@code root} over {@code range}. Where the format gives {@linkplain
   * PagingFormat#rootPerHalf() each half a root}, {@code root} serves both, as when TTBR0 and
   * TTBR1 hold the same table; {@link #walk(long, long, VirtualRange, PageTableVisitor)} takes two.
   *
   * @throws IllegalArgumentException if an end of the range is not canonical, or the root is
   *     unaligned or outside memory
   */
  public WalkOutcome walk(long root, VirtualRange range, PageTableVisitor visitor) {
    return walk(root, root, range, visitor);
  }

  /**
   * Walks over {@code range} from {@code lowerRoot} in the lower half and {@code upperRoot} in
   * the upper half, each root visited as a table of its own (AArch64 TTBR0_EL1 and TTBR1_EL1).
   * A format with one root for both halves takes only {@code lowerRoot == upperRoot}.
   *
   * @throws IllegalArgumentException if an end of the range is not canonical, a root is unaligned
   *     or outside memory, or the format has one root and the two differ
   */
  public WalkOutcome walk(long lowerRoot, long upperRoot, VirtualRange range, PageTableVisitor visitor) {
    Objects.requireNonNull(range, "range");
    format.checkCanonical(range);
    return walk(lowerRoot, upperRoot, range.first(), range.last(), visitor);
  }

  /**
   * Walks the hierarchy rooted at {@code root} over {@code [first, last]} (unsigned, inclusive),
   * without allocating a range. Both ends must be canonical unless the range is the whole space.
   * As {@link #walk(long, VirtualRange, PageTableVisitor)}, {@code root} serves both halves.
   */
  public WalkOutcome walk(long root, long first, long last, PageTableVisitor visitor) {
    return walk(root, root, first, last, visitor);
  }

  /**
   * Walks over {@code [first, last]} (unsigned, inclusive) from {@code lowerRoot} and {@code
   * upperRoot}, as {@link #walk(long, long, VirtualRange, PageTableVisitor)}, without allocating a
   * range.
   */
  public WalkOutcome walk(long lowerRoot, long upperRoot, long first, long last, PageTableVisitor visitor) {
    Objects.requireNonNull(visitor, "visitor");
    if (Long.compareUnsigned(first, last) > 0) {
      throw new IllegalArgumentException("reversed range [" + hex(first) + ", " + hex(last) + "]");
    }
    if (!(first == 0 && last == -1L) && !(format.isCanonical(first) && format.isCanonical(last))) {
      format.checkCanonical(VirtualRange.closed(first, last));
    }
    if (!rootPerHalf && lowerRoot != upperRoot) {
      throw new IllegalArgumentException(format.name() + " has one root table for both halves; got "
          + hex(lowerRoot) + " and " + hex(upperRoot));
    }
    if (!rootPerHalf || lowerRoot != AddressSpace.NO_ROOT) {
      checkRoot(lowerRoot, lowerStack.levels[0]);
    }
    if ((upperRoot != lowerRoot || upperStack != lowerStack) && (!rootPerHalf || upperRoot != AddressSpace.NO_ROOT)) {
      checkRoot(upperRoot, upperStack.levels[0]);
    }
    if (walking) {
      throw new IllegalStateException("a walker is not re-entrant: start a nested walk on another walker");
    }
    walking = true;
    this.visitor = visitor;
    entriesRead = 0;
    tablesVisited = 0;
    exhausted = false;
    try {
      Control c;
      if (!rootPerHalf) {
        c = walkTable(0, lowerRoot, 0, -1L, first, last);
      } else {
        c = Control.CONTINUE;
        // Each half is a hierarchy of its own: its root is visited only when the range reaches it.
        // A half without a root (AddressSpace.NO_ROOT) is not translated: nothing to visit.
        if (Long.compareUnsigned(first, lowerLast) <= 0 && lowerRoot != AddressSpace.NO_ROOT) {
          long b = Long.compareUnsigned(last, lowerLast) <= 0 ? last : lowerLast;
          use(lowerStack);
          c = walkTable(0, lowerRoot, 0, lowerLast, first, b);
        }
        if (c != Control.STOP && !exhausted && Long.compareUnsigned(last, upperFirst) >= 0
            && upperRoot != AddressSpace.NO_ROOT) {
          long a = Long.compareUnsigned(first, upperFirst) >= 0 ? first : upperFirst;
          // Where the halves' geometries differ, the upper half is walked through its own levels.
          use(upperStack);
          c = walkTable(0, upperRoot, upperFirst, -1L, a, last);
        }
      }
      if (exhausted) {
        return WalkOutcome.BUDGET_EXHAUSTED;
      }
      return c == Control.STOP ? WalkOutcome.STOPPED : WalkOutcome.COMPLETED;
    } finally {
      this.visitor = IDLE;
      walking = false;
      use(lowerStack);
    }
  }

  private void checkRoot(long root, Level top) {
    if (!Addresses.isAligned(root, top.tableAlignment())) {
      throw new IllegalArgumentException("root table " + hex(root) + " is not " + Tables.alignment(top) + " aligned");
    }
    if (!memory.contains(root, top.tableBytes())) {
      throw new IllegalArgumentException("root table " + hex(root) + " is outside physical memory (" + memory + ")");
    }
  }

  private Control walkTable(int depth, long frame, long tFirst, long tLast, long wFirst, long wLast) {
    Table t = tables[depth];
    t.visit = ++visits;
    t.frame = frame;
    t.window = depth > 0 && (entries[depth - 1].recursive || tables[depth - 1].window);
    t.first = tFirst;
    t.last = tLast;
    t.walkFirst = wFirst;
    t.walkLast = wLast;
    tablesVisited++;
    Control c = checked ? expire(visitor.beforeTable(new CheckedTable(t, hooks))) : visitor.beforeTable(t);
    if (c == Control.STOP || exhausted) {
      return Control.STOP;
    }
    if (c == Control.SKIP_SUBTREE) {
      return Control.CONTINUE;
    }
    if (depth == 0 && !rootPerHalf) {
      // The root's entries map two separate canonical halves; walk each part of the range on
      // its own side so no hole or entry range spans the non-canonical gap.
      if (Long.compareUnsigned(wFirst, lowerLast) <= 0) {
        long b = Long.compareUnsigned(wLast, lowerLast) <= 0 ? wLast : lowerLast;
        if (walkEntries(0, wFirst, b) == Control.STOP) {
          return Control.STOP;
        }
      }
      if (Long.compareUnsigned(wLast, upperFirst) >= 0) {
        long a = Long.compareUnsigned(wFirst, upperFirst) >= 0 ? wFirst : upperFirst;
        if (walkEntries(0, a, wLast) == Control.STOP) {
          return Control.STOP;
        }
      }
    } else if (walkEntries(depth, wFirst, wLast) == Control.STOP) {
      return Control.STOP;
    }
    Control after = checked ? expire(visitor.afterTable(new CheckedTable(t, hooks))) : visitor.afterTable(t);
    return after == Control.STOP ? Control.STOP : Control.CONTINUE;
  }

  /** Walks the entries of the table at {@code depth} covering {@code [a, b]}, one canonical part. */
  private Control walkEntries(int depth, long a, long b) {
    Level level = levels[depth];
    return walkIndices(depth, a, b, level.index(a), level.index(b), true);
  }

  /**
   * Walks entries {@code iFirst..iLast} of the table at {@code depth}, the range part being
   * {@code [a, b]}. {@code mayRevisit} is false while re-walking a hole a visitor filled, so a
   * visitor cannot make the walker revisit the same entries forever.
   */
  private Control walkIndices(int depth, long a, long b, int iFirst, int iLast, boolean mayRevisit) {
    Table t = tables[depth];
    Level level = levels[depth];
    int shift = level.shift();
    long span = 1L << shift;
    long frame = t.frame;
    for (int i = iFirst; i <= iLast; i++) {
      if (entriesRead >= budget) {
        exhausted = true;
        return Control.STOP;
      }
      long raw = level.readEntry(memory, frame, i);
      entriesRead++;
      if (raw == 0) {
        // The rest of the empty run in one call: an empty table costs a read and a scan, which a
        // memory that knows its zero frames answers without reading them.
        int rest = iLast - i;
        long allowed = budget - entriesRead;
        int scan = allowed < rest ? (int) allowed : rest;
        int found = scan == 0 ? -1 : level.firstNonZeroEntry(memory, frame, i + 1, scan);
        if (found < 0) {
          entriesRead += scan;
          if (scan < rest) {
            exhausted = true;
            return Control.STOP;
          }
          return hole(depth, i, iLast, a, b, mayRevisit);
        }
        entriesRead += found;
        if (hole(depth, i, i + found, a, b, mayRevisit) == Control.STOP) {
          return Control.STOP;
        }
        // The loop's increment lands on the non-zero entry, which the next turn reads.
        i += found;
        continue;
      }
      long eFirst = entryFirst(depth, t, i, shift);
      long eLast = eFirst + span - 1;
      Entry e = entries[depth];
      e.index = i;
      e.first = eFirst;
      e.last = eLast;
      EntryProblem problem = e.decode(depth, raw);
      if (problem != null) {
        if (malformed(e, problem) == Control.STOP) {
          return Control.STOP;
        }
        continue;
      }
      Control c = checked ? expire(visitor.onEntry(new CheckedEntry(e, hooks))) : visitor.onEntry(e);
      if (c == Control.STOP) {
        return Control.STOP;
      }
      if (c == Control.SKIP_SUBTREE) {
        continue;
      }
      // What a write through the cursor left; memory is not read again, so the entry costs one read.
      long again = e.raw;
      if (again != raw) {
        if (again == 0) {
          continue;
        }
        // What the visitor wrote is a new entry: one the walker cannot follow is reported as such.
        problem = e.decode(depth, again);
        if (problem != null) {
          if (malformed(e, problem) == Control.STOP) {
            return Control.STOP;
          }
          continue;
        }
      }
      if (e.kind != EntryKind.TABLE) {
        continue;
      }
      long child = e.child;
      long wFirst = Long.compareUnsigned(a, eFirst) >= 0 ? a : eFirst;
      long wLast = Long.compareUnsigned(b, eLast) <= 0 ? b : eLast;
      if (walkTable(depth + 1, child, eFirst, eLast, wFirst, wLast) == Control.STOP) {
        return Control.STOP;
      }
    }
    return Control.CONTINUE;
  }

  /** Whether {@code frame} is the table at one of depths {@code 0..depth} of the current path. */
  private boolean onPath(int depth, long frame) {
    for (int d = 0; d <= depth; d++) {
      if (tables[d].frame == frame) {
        return true;
      }
    }
    return false;
  }

  private Control malformed(Entry e, EntryProblem problem) {
    return checked ? expire(visitor.onMalformed(new CheckedEntry(e, hooks), problem)) : visitor.onMalformed(e, problem);
  }

  /** Ends the life of the checked cursors handed to the hook that just returned {@code c}. */
  private Control expire(Control c) {
    hooks++;
    return Objects.requireNonNull(c, "a hook returned null instead of a Control");
  }

  private long entryFirst(int depth, Table t, int index, int shift) {
    long offset = (long) index << shift;
    // A shared root's upper-half entries map sign-extended addresses; a root of one half starts
    // where its half does.
    return depth == 0 && !rootPerHalf ? format.canonicalAddress(offset) : t.first + offset;
  }

  private Control hole(int depth, int from, int to, long a, long b, boolean mayRevisit) {
    Table t = tables[depth];
    int shift = levels[depth].shift();
    long hFirst = entryFirst(depth, t, from, shift);
    long hLast = entryFirst(depth, t, to, shift) + (1L << shift) - 1;
    Hole h = holes[depth];
    h.firstIndex = from;
    h.lastIndex = to;
    h.first = Long.compareUnsigned(a, hFirst) >= 0 ? a : hFirst;
    h.last = Long.compareUnsigned(b, hLast) <= 0 ? b : hLast;
    h.mayRevisit = mayRevisit;
    h.revisit = false;
    Control c = checked ? expire(visitor.onHole(new CheckedHole(h, hooks))) : visitor.onHole(h);
    if (c == Control.STOP) {
      return Control.STOP;
    }
    if (!h.revisit) {
      return Control.CONTINUE;
    }
    // The visitor filled the hole: walk what it wrote as if it had been there all along.
    long ra = Long.compareUnsigned(a, hFirst) >= 0 ? a : hFirst;
    long rb = Long.compareUnsigned(b, hLast) <= 0 ? b : hLast;
    return walkIndices(depth, ra, rb, from, to, false);
  }

  private final class Table implements TableCursor {
    final Level level;
    @Nullable Entry parent;
    /** The table above, or null for the root. */
    @Nullable Table up;
    long visit;
    /** The effective attributes of the path above this table, for visit {@code aboveVisit}. */
    @Nullable Attributes above;
    long aboveVisit = -1;
    long aboveWrites;
    /** Whether this table or one above is shared, for visit {@code sharedVisit}. */
    boolean sharedPath;
    long sharedVisit = -1;
    long frame;
    long first;
    long last;
    long walkFirst;
    long walkLast;
    /** Reached through a recursive entry: see {@link TableCursor#inRecursiveWindow()}. */
    boolean window;

    Table(Level level) {
      this.level = level;
    }

    @Override
    public Level level() {
      return level;
    }

    @Override
    public long frame() {
      return frame;
    }

    @Override
    public long first() {
      return first;
    }

    @Override
    public long last() {
      return last;
    }

    @Override
    public long walkFirst() {
      return walkFirst;
    }

    @Override
    public long walkLast() {
      return walkLast;
    }

    @Override
    public @Nullable EntryCursor parent() {
      return parent;
    }

    @Override
    public boolean shared() {
      if (sharedVisit != visit) {
        SharedTables registry = sharedTables;
        sharedPath = registry != null && ((up != null && up.shared()) || registry.isShared(frame));
        sharedVisit = visit;
      }
      return sharedPath;
    }

    @Override
    public boolean inRecursiveWindow() {
      return window;
    }

    /** What the entries above this table leave in force; computed once per visit unless a cursor writes. */
    Attributes above() {
      if (aboveVisit != visit || aboveWrites != cursorWrites) {
        above = parent.effectiveAttributes();
        aboveVisit = visit;
        aboveWrites = cursorWrites;
      }
      return above;
    }

    @Override
    public long read(int index) {
      checkIndex(index);
      if (entriesRead >= budget) {
        exhausted = true;
      }
      long raw = level.readEntry(memory, frame, index);
      entriesRead++;
      return raw;
    }

    @Override
    public int readEntries(long[] into) {
      int from = level.index(walkFirst);
      int n = level.index(walkLast) - from + 1;
      if (into.length < level.entries()) {
        throw new IndexOutOfBoundsException(
            "an array of " + into.length + " cannot hold the " + level.entries() + " entries of a " + level + " table");
      }
      long allowed = budget - entriesRead;
      int count = allowed < n ? (int) Math.max(allowed, 0) : n;
      level.readEntries(memory, frame, from, into, count);
      entriesRead += count;
      if (count < n) {
        exhausted = true;
      }
      return count;
    }

    @Override
    public void write(int index, long raw) {
      checkIndex(index);
      level.writeEntry(memory, frame, index, raw);
      cursorWrites++;
      Entry current = entries[level.depth()];
      if (current.index == index) {
        // The entry the walker is at, rewritten through its table: walked as rewritten.
        current.rewritten(raw);
      }
    }

    private void checkIndex(int index) {
      if (index < 0 || index >= level.entries()) {
        throw new IndexOutOfBoundsException("entry index " + index + " of a " + level + " table");
      }
    }

    @Override
    public String toString() {
      return level + " table " + hex(frame) + " [" + hex(first) + ", " + hex(last) + "]";
    }
  }

  private final class Entry implements EntryCursor {
    final Table table;
    int index;
    long first;
    long last;
    long raw;
    EntryKind kind = EntryKind.EMPTY;
    /** The table a {@code TABLE} entry points to, decoded once by {@link #decode}. */
    long child;
    /** A {@code TABLE} entry pointing to a table on the path: see {@link EntryCursor#recursive()}. */
    boolean recursive;

    Entry(Table table) {
      this.table = table;
    }

    void set(long raw, EntryKind kind) {
      this.raw = raw;
      this.kind = kind;
      this.recursive = false;
    }

    /**
     * Takes {@code raw} as this entry's bits, with the kind its format's one verdict gives, and
     * says why the walker cannot follow it, or {@code null} when it can: the format's problem for
     * a malformed entry; for a table pointer, a table outside memory. A pointer to one of the
     * entry's own ancestors is followed, and marked {@linkplain #recursive recursive}. Decided
     * before {@code onEntry}, so each such entry reaches exactly one hook.
     */
    @Nullable EntryProblem decode(int depth, long raw) {
      Level level = table.level;
      EntryVerdict verdict = format.decode(level, raw);
      set(raw, verdict.kind());
      if (verdict != EntryVerdict.TABLE) {
        return verdict.problem();
      }
      if (depth + 1 == depthCount) {
        // The format alone decides what an entry is; one that calls a last-level entry a table
        // breaks its contract, and is named rather than followed off the end of the levels.
        throw new IllegalStateException("format " + format.name() + " decodes " + hex(raw) + " at " + level
            + ", its last level, as a table pointer; PagingFormat.decode must call it TABLE_AT_LAST_LEVEL");
      }
      long next = format.address(level, raw);
      child = next;
      if (!memory.contains(next, levels[depth + 1].tableBytes())) {
        return EntryProblem.TABLE_OUTSIDE_MEMORY;
      }
      recursive = onPath(depth, next);
      return null;
    }

    /** Takes bits written through a cursor, with the kind and recursiveness they have. */
    void rewritten(long value) {
      set(value, format.kind(table.level, value));
      if (kind == EntryKind.TABLE) {
        recursive = onPath(table.level.depth(), format.address(table.level, value));
      }
    }

    @Override
    public TableCursor table() {
      return table;
    }

    @Override
    public int index() {
      return index;
    }

    @Override
    public long first() {
      return first;
    }

    @Override
    public long last() {
      return last;
    }

    @Override
    public long raw() {
      return raw;
    }

    @Override
    public EntryKind kind() {
      return kind;
    }

    @Override
    public long target() {
      return format.address(table.level, raw);
    }

    @Override
    public boolean recursive() {
      return recursive;
    }

    @Override
    public Attributes attributes() {
      return format.attributes(table.level, raw);
    }

    @Override
    public Attributes effectiveAttributes() {
      Attributes own = format.attributes(table.level, raw);
      return table.parent == null ? own : format.effective(table.above(), own);
    }

    @Override
    public void write(long value) {
      table.level.writeEntry(memory, table.frame, index, value);
      cursorWrites++;
      rewritten(value);
    }

    @Override
    public String toString() {
      return table.level + "[" + index + "] " + hex(raw) + " " + kind + " [" + hex(first) + ", " + hex(last) + "]";
    }
  }

  private static final class Hole implements HoleCursor {
    final Table table;
    boolean mayRevisit;
    boolean revisit;
    int firstIndex;
    int lastIndex;
    long first;
    long last;

    Hole(Table table) {
      this.table = table;
    }

    @Override
    public TableCursor table() {
      return table;
    }

    @Override
    public int firstIndex() {
      return firstIndex;
    }

    @Override
    public int lastIndex() {
      return lastIndex;
    }

    @Override
    public long first() {
      return first;
    }

    @Override
    public long last() {
      return last;
    }

    @Override
    public void revisit() {
      if (!mayRevisit) {
        throw new IllegalStateException(
            "a hole met while revisiting a filled hole cannot be revisited again: " + this);
      }
      revisit = true;
    }

    @Override
    public String toString() {
      return table.level + " hole [" + firstIndex + ".." + lastIndex + "] [" + hex(first) + ", " + hex(last) + "]";
    }
  }

  private IllegalStateException expired(String what) {
    return new IllegalStateException(what + " was used after the hook it was given to returned; cursors are"
        + " flyweights the walker moves on: copy what you need (first(), raw(), ...) inside the hook");
  }

  /** A table cursor for one hook call, in checked mode. */
  private final class CheckedTable implements TableCursor {
    private final Table t;
    private final long hook;

    CheckedTable(Table t, long hook) {
      this.t = t;
      this.hook = hook;
    }

    private Table live() {
      if (hook != hooks) {
        throw expired("a TableCursor");
      }
      return t;
    }

    @Override
    public Level level() {
      return live().level();
    }

    @Override
    public long frame() {
      return live().frame();
    }

    @Override
    public long first() {
      return live().first();
    }

    @Override
    public long last() {
      return live().last();
    }

    @Override
    public long walkFirst() {
      return live().walkFirst();
    }

    @Override
    public long walkLast() {
      return live().walkLast();
    }

    @Override
    public @Nullable EntryCursor parent() {
      Entry parent = live().parent;
      return parent == null ? null : new CheckedEntry(parent, hook);
    }

    @Override
    public boolean shared() {
      return live().shared();
    }

    @Override
    public boolean inRecursiveWindow() {
      return live().inRecursiveWindow();
    }

    @Override
    public long read(int index) {
      return live().read(index);
    }

    @Override
    public int readEntries(long[] into) {
      return live().readEntries(into);
    }

    @Override
    public void write(int index, long raw) {
      live().write(index, raw);
    }

    @Override
    public String toString() {
      return t.toString();
    }
  }

  /** An entry cursor for one hook call, in checked mode. */
  private final class CheckedEntry implements EntryCursor {
    private final Entry e;
    private final long hook;

    CheckedEntry(Entry e, long hook) {
      this.e = e;
      this.hook = hook;
    }

    private Entry live() {
      if (hook != hooks) {
        throw expired("an EntryCursor");
      }
      return e;
    }

    @Override
    public TableCursor table() {
      return new CheckedTable(live().table, hook);
    }

    @Override
    public int index() {
      return live().index();
    }

    @Override
    public long first() {
      return live().first();
    }

    @Override
    public long last() {
      return live().last();
    }

    @Override
    public long raw() {
      return live().raw();
    }

    @Override
    public EntryKind kind() {
      return live().kind();
    }

    @Override
    public long target() {
      return live().target();
    }

    @Override
    public boolean recursive() {
      return live().recursive();
    }

    @Override
    public Attributes attributes() {
      return live().attributes();
    }

    @Override
    public Attributes effectiveAttributes() {
      return live().effectiveAttributes();
    }

    @Override
    public void write(long raw) {
      live().write(raw);
    }

    @Override
    public String toString() {
      return e.toString();
    }
  }

  /** A hole cursor for one hook call, in checked mode. */
  private final class CheckedHole implements HoleCursor {
    private final Hole h;
    private final long hook;

    CheckedHole(Hole h, long hook) {
      this.h = h;
      this.hook = hook;
    }

    private Hole live() {
      if (hook != hooks) {
        throw expired("a HoleCursor");
      }
      return h;
    }

    @Override
    public TableCursor table() {
      return new CheckedTable(live().table, hook);
    }

    @Override
    public int firstIndex() {
      return live().firstIndex();
    }

    @Override
    public int lastIndex() {
      return live().lastIndex();
    }

    @Override
    public long first() {
      return live().first();
    }

    @Override
    public long last() {
      return live().last();
    }

    @Override
    public void revisit() {
      live().revisit();
    }

    @Override
    public String toString() {
      return h.toString();
    }
  }
}
