package dev.paging.audit;

import static dev.paging.api.Addresses.hex;
import static dev.paging.api.Addresses.sizeName;

import dev.paging.api.Architecture;
import dev.paging.api.Attributes;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryProblem;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import dev.paging.api.TableCursor;
import dev.paging.core.Aarch64Permissions;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The audit rules the library ships, each a fresh {@link AuditRule} from a factory, and their
 * ids. {@link #defaults()} is all of them.
 *
 * <p>There is no rule for present-count metadata that disagrees with its table: the library keeps
 * no such count (tables are the only record of what they hold, and the walker reads them), so
 * there is nothing for such a rule to compare.
 */
public final class AuditRules {
  /**
   * Writable and executable by effective protection (x86 with NX enabled; RISC-V; AArch64, where
   * one exception level may both write and execute).
   */
  public static final String WX = "wx";
  /** An AArch64 mapping that both EL0 and EL1 may execute. */
  public static final String EXEC_BOTH_LEVELS = "exec-el0-el1";
  /** An AArch64 run of entries with the Contiguous hint that do not map one aligned range alike. */
  public static final String CONTIGUOUS_HINT = "contiguous-hint";
  /** A user-accessible mapping in the upper (kernel) half. */
  public static final String USER_KERNEL_HALF = "user-kernel-half";
  /** A user-accessible, executable mapping in the upper (kernel) half. */
  public static final String USER_EXEC_KERNEL_HALF = "user-exec-kernel-half";
  /** A table linked from more than one parent entry. */
  public static final String SHARED_TABLE = "shared-table";
  /** A physical frame mapped writable at two virtual addresses. */
  public static final String WRITABLE_ALIAS = "writable-alias";
  /** A table whose entries are all zero, which reclamation could free. */
  public static final String EMPTY_TABLE = "empty-table";
  /** A table entry that points back to one of its own ancestors: a recursive mapping. */
  public static final String RECURSIVE_MAPPING = "recursive-mapping";

  private static final Map<EntryProblem, String> PROBLEM_IDS = new EnumMap<>(EntryProblem.class);

  static {
    PROBLEM_IDS.put(EntryProblem.RESERVED_BITS, "reserved-bits");
    PROBLEM_IDS.put(EntryProblem.ADDRESS_BEYOND_PHYSICAL_WIDTH, "address-width");
    PROBLEM_IDS.put(EntryProblem.MISALIGNED_LEAF, "misaligned-leaf");
    PROBLEM_IDS.put(EntryProblem.LEAF_NOT_ALLOWED, "leaf-not-allowed");
    PROBLEM_IDS.put(EntryProblem.RESERVED_ENCODING, "reserved-encoding");
    PROBLEM_IDS.put(EntryProblem.NON_LEAF_FLAGS, "non-leaf-flags");
    PROBLEM_IDS.put(EntryProblem.TABLE_AT_LAST_LEVEL, "table-at-last-level");
    PROBLEM_IDS.put(EntryProblem.TABLE_OUTSIDE_MEMORY, "table-outside-memory");
  }

  private AuditRules() {}

  /**
   * Every shipped rule, fresh: W+X, the two kernel-half rules, AArch64's two (execute at both
   * levels, Contiguous-hint runs), one rule per {@link EntryProblem} (malformed entries, tables
   * outside memory), recursive mappings, tables linked twice, writable aliases and empty tables.
   */
  public static List<AuditRule> defaults() {
    List<AuditRule> rules = new ArrayList<>();
    rules.add(writeExecute());
    rules.add(userInKernelHalf());
    rules.add(userExecutableInKernelHalf());
    rules.add(executableAtBothLevels());
    rules.add(contiguousHints());
    for (EntryProblem problem : EntryProblem.values()) {
      rules.add(malformed(problem));
    }
    rules.add(recursiveMappings());
    rules.add(sharedTables());
    rules.add(writableAliases());
    rules.add(emptyTables());
    return rules;
  }

  /** The id of the rule {@link #malformed(EntryProblem)} makes for {@code problem}. */
  public static String idOf(EntryProblem problem) {
    return PROBLEM_IDS.get(Objects.requireNonNull(problem, "problem"));
  }

  /**
   * {@link #WX}, a warning for every leaf whose effective attributes are writable and executable.
   * On x86 without NX every page is executable, so the rule says nothing there (as Linux skips its
   * W+X check without NX). On AArch64 it is a level that may both write and execute ({@link
   * Aarch64Permissions}): EL0 with AP[2:1] = 01 and UXN clear, or EL1 with AP[2] and PXN clear.
   */
  public static AuditRule writeExecute() {
    return new AuditRule() {
      private boolean meaningful;

      @Override
      public String id() {
        return WX;
      }

      @Override
      public void begin(Context context) {
        meaningful = nxMeaningful(context);
      }

      @Override
      public void onEntry(EntryCursor entry, @Nullable Attributes effective, Context context) {
        if (meaningful && entry.kind() == EntryKind.LEAF && writableAndExecutable(context.format(), effective)) {
          context.report(Severity.WARNING, entry, "writable and executable");
        }
      }
    };
  }

  /** {@link #USER_KERNEL_HALF}, a warning for every user-accessible leaf in the upper half. */
  public static AuditRule userInKernelHalf() {
    return new AuditRule() {
      @Override
      public String id() {
        return USER_KERNEL_HALF;
      }

      @Override
      public void onEntry(EntryCursor entry, @Nullable Attributes effective, Context context) {
        if (entry.kind() == EntryKind.LEAF && effective.user()
            && context.format().upperHalf().contains(entry.first())) {
          context.report(Severity.WARNING, entry, "user-accessible mapping in the kernel half");
        }
      }
    };
  }

  /** {@link #USER_EXEC_KERNEL_HALF}, an error for every user-executable leaf in the upper half. */
  public static AuditRule userExecutableInKernelHalf() {
    return new AuditRule() {
      @Override
      public String id() {
        return USER_EXEC_KERNEL_HALF;
      }

      @Override
      public void onEntry(EntryCursor entry, @Nullable Attributes effective, Context context) {
        if (entry.kind() == EntryKind.LEAF && userExecutable(context.format(), effective)
            && context.format().upperHalf().contains(entry.first())) {
          context.report(Severity.ERROR, entry, "user-executable mapping in the kernel half");
        }
      }
    };
  }

  private static boolean writableAndExecutable(PagingFormat format, Attributes effective) {
    if (format.architecture() != Architecture.AARCH64) {
      return effective.writable() && effective.executable();
    }
    Aarch64Permissions p = Aarch64Permissions.of(format, effective);
    return (p.el0Write() && p.el0Execute()) || (p.el1Write() && p.el1Execute());
  }

  /** User mode may execute: on AArch64 EL0, whether or not it may read (execute-only memory). */
  private static boolean userExecutable(PagingFormat format, Attributes effective) {
    if (format.architecture() != Architecture.AARCH64) {
      return effective.user() && effective.executable();
    }
    return Aarch64Permissions.of(format, effective).el0Execute();
  }

  /**
   * {@link #EXEC_BOTH_LEVELS}, a warning for every AArch64 leaf that EL0 and EL1 may both
   * execute: the kernel could be steered into user code, which PXN exists to forbid (Linux sets
   * PXN on every user mapping and UXN on every kernel one). Says nothing on other formats.
   */
  public static AuditRule executableAtBothLevels() {
    return new AuditRule() {
      @Override
      public String id() {
        return EXEC_BOTH_LEVELS;
      }

      @Override
      public void onEntry(EntryCursor entry, @Nullable Attributes effective, Context context) {
        if (entry.kind() != EntryKind.LEAF || context.format().architecture() != Architecture.AARCH64) {
          return;
        }
        Aarch64Permissions p = Aarch64Permissions.of(context.format(), effective);
        if (p.el0Execute() && p.el1Execute()) {
          context.report(Severity.WARNING, entry, "executable by EL0 and EL1 (" + p + ")");
        }
      }
    };
  }

  /**
   * {@link #CONTIGUOUS_HINT}, an error for every aligned run of entries of which one carries the
   * format's contiguous hint ({@link PagingFormat#contiguousRun}: AArch64's Contiguous bit) but
   * which do not all map, with the hint and the same attributes, one contiguous range aligned to
   * the run's size. The Arm ARM makes a TLB that caches such a run free to return any of its
   * entries' translations for the whole run; Linux splits or clears whole runs for this reason.
   * Each run is checked once, when its first hinted entry in the walk is met, reading the run's
   * other entries through the table cursor.
   */
  public static AuditRule contiguousHints() {
    return new AuditRule() {
      private long checkedTable = -1;
      private long checkedRun = -1;

      @Override
      public String id() {
        return CONTIGUOUS_HINT;
      }

      @Override
      public void begin(Context context) {
        checkedTable = -1;
        checkedRun = -1;
      }

      @Override
      public void onEntry(EntryCursor entry, @Nullable Attributes effective, Context context) {
        PagingFormat f = context.format();
        Level level = entry.level();
        if (entry.kind() != EntryKind.LEAF || !f.contiguousHint(level, entry.raw())) {
          return;
        }
        int n = f.contiguousRun(level);
        int from = entry.index() / n * n;
        long runFirst = entry.first() - (long) (entry.index() - from) * level.entrySpan();
        TableCursor table = entry.table();
        if (table.frame() == checkedTable && runFirst == checkedRun) {
          return;
        }
        checkedTable = table.frame();
        checkedRun = runFirst;
        String problem = contiguousProblem(f, entry, from, n);
        if (problem != null) {
          long span = level.entrySpan() * n;
          context.report(Severity.ERROR, runFirst, runFirst + span - 1, level, table.frame(),
              "Contiguous hint on the " + n + " " + level.name() + " entries " + from + ".." + (from + n - 1)
                  + " (" + sizeName(span) + "), which disagree: " + problem);
        }
      }
    };
  }

  private static @Nullable String contiguousProblem(PagingFormat f, EntryCursor entry, int from, int n) {
    Level level = entry.level();
    TableCursor table = entry.table();
    long firstRaw = from == entry.index() ? entry.raw() : table.read(from);
    if (!f.contiguousHint(level, firstRaw)) {
      return "entry " + from + " " + hex(firstRaw) + " is not a " + level.name() + " leaf with the hint";
    }
    long base = f.address(level, firstRaw);
    long size = level.entrySpan() * n;
    if ((base & (size - 1)) != 0) {
      return "the run's output address " + hex(base) + " is not aligned to " + sizeName(size);
    }
    Attributes attributes = f.attributes(level, firstRaw);
    for (int i = from + 1; i < from + n; i++) {
      long raw = i == entry.index() ? entry.raw() : table.read(i);
      if (!f.contiguousHint(level, raw)) {
        return "entry " + i + " " + hex(raw) + " is not a " + level.name() + " leaf with the hint";
      }
      long expected = base + (long) (i - from) * level.entrySpan();
      if (f.address(level, raw) != expected) {
        return "entry " + i + " maps " + hex(f.address(level, raw)) + ", not " + hex(expected);
      }
      if (!f.attributes(level, raw).equals(attributes)) {
        return "entry " + i + " has attributes " + f.attributes(level, raw) + ", entry " + from + " " + attributes;
      }
    }
    return null;
  }

  /**
   * An error for every entry the walker reports with {@code problem}: reserved bits ({@code
   * reserved-bits}), address bits beyond the physical width ({@code address-width}), a misaligned
   * huge leaf ({@code misaligned-leaf}), a leaf where none may be ({@code leaf-not-allowed}), a
   * RISC-V reserved encoding such as W without R ({@code reserved-encoding}), A, D or U on a RISC-V
   * pointer ({@code non-leaf-flags}), a pointer at the last level ({@code table-at-last-level}), a
   * table outside physical memory ({@code table-outside-memory}). The message names the entry, its
   * bits and what is wrong.
   */
  public static AuditRule malformed(EntryProblem problem) {
    String id = idOf(problem);
    return new AuditRule() {
      @Override
      public String id() {
        return id;
      }

      @Override
      public void onMalformed(EntryCursor entry, EntryProblem p, Context context) {
        if (p == problem) {
          context.report(Severity.ERROR, entry, entry.level().name() + " entry " + entry.index() + " "
              + hex(entry.raw()) + ": " + describe(context.format(), entry, p));
        }
      }
    };
  }

  private static String describe(PagingFormat format, EntryCursor entry, EntryProblem problem) {
    long raw = entry.raw();
    Level level = entry.level();
    boolean x86 = format.architecture().isX86();
    boolean legacy = format.architecture() == Architecture.X86_32;
    switch (problem) {
      case RESERVED_BITS:
        if (format.architecture() == Architecture.AARCH64) {
          return aarch64Reserved(raw, level, format.levels(entry.first()));
        }
        if (legacy && level.entryBytes() == 4) {
          return "bit 21 of a 4 MiB page's entry is reserved";
        }
        if (legacy && level.depth() == 0) {
          return "a PAE PDPT entry holds only P, PWT, PCD and the address; the other bits are reserved";
        }
        if (legacy && ((raw >>> 52) & 0x7ff) != 0) {
          return "reserved bits 62:52 are set (PAE reserves them)";
        }
        if (x86 && (raw & 0x80) != 0 && !level.leafAllowed()) {
          return "PS is reserved in a " + level.name() + " entry";
        }
        if (x86 && raw < 0) {
          return "XD is reserved while NX is disabled";
        }
        if (!x86 && ((raw >>> 54) & 0x7f) != 0) {
          return "reserved bits 60:54 are set";
        }
        return "reserved bits are set";
      case ADDRESS_BEYOND_PHYSICAL_WIDTH:
        return "address bits at or above the " + format.physicalAddressBits(level) + "-bit physical address width";
      case MISALIGNED_LEAF:
        return "the " + sizeName(level.entrySpan()) + " page's address " + hex(entry.target())
            + " is not aligned to its size";
      case LEAF_NOT_ALLOWED:
        return "a leaf at " + level.name() + ", which cannot hold one";
      case RESERVED_ENCODING:
        if (format.architecture() == Architecture.AARCH64) {
          return "bits 1:0 = 0b01 at the last level are reserved (a block cannot be there)";
        }
        if (!x86 && (raw & 0x6) == 0x4) {
          return "W without R is reserved";
        }
        if (!x86 && ((raw >>> 61) & 3) == 3) {
          return "PBMT value 3 is reserved";
        }
        return "a reserved encoding";
      case NON_LEAF_FLAGS:
        return flags(raw) + " set on a pointer (reserved on non-leaf entries)";
      case TABLE_AT_LAST_LEVEL:
        return "a pointer at the last level";
      default:
        return "points to a table at " + hex(entry.target()) + ", outside physical memory";
    }
  }

  /** Which of an AArch64 descriptor's RES0 bits are set: the high ones, or the address bits below the granule. */
  private static String aarch64Reserved(long raw, Level level, List<Level> half) {
    boolean table = level.depth() < half.size() - 1 && (raw & 2) != 0;
    long high = raw & (table ? 0x7L << 48 : 0x3L << 48);
    if (high != 0) {
      return "RES0 bits " + (table ? "50:48 of a table descriptor" : "49:48 of a block or page descriptor")
          + " are set (" + hex(high) + ")";
    }
    int granule = half.get(half.size() - 1).shift();
    return "RES0 address bits " + (granule - 1) + ":12, below the " + sizeName(1L << granule) + " granule, are set";
  }

  /** The RISC-V A, D and U bits set in {@code raw}, as {@code A, D and U}. */
  private static String flags(long raw) {
    List<String> set = new ArrayList<>(3);
    if ((raw & 0x40) != 0) {
      set.add("A");
    }
    if ((raw & 0x80) != 0) {
      set.add("D");
    }
    if ((raw & 0x10) != 0) {
      set.add("U");
    }
    if (set.isEmpty()) {
      return "A, D or U";
    }
    if (set.size() == 1) {
      return set.get(0);
    }
    return String.join(", ", set.subList(0, set.size() - 1)) + " and " + set.get(set.size() - 1);
  }

  /**
   * {@link #RECURSIVE_MAPPING}, information: one finding per table entry that points to one of
   * its own ancestors ({@link EntryCursor#recursive()}), over the window it opens. Windows x64
   * and rust-osdev's {@code RecursivePageTable} do this on purpose to make every table
   * addressable, and the MMU follows it, so it is not an error; the message says how many levels
   * up it points and whether the window leaves the tables writable and executable, as a
   * recursive entry without NX does.
   */
  public static AuditRule recursiveMappings() {
    return new AuditRule() {
      @Override
      public String id() {
        return RECURSIVE_MAPPING;
      }

      @Override
      public void onEntry(EntryCursor entry, @Nullable Attributes effective, Context context) {
        if (entry.kind() != EntryKind.TABLE || !entry.recursive()) {
          return;
        }
        int up = 0;
        for (TableCursor t = entry.table(); t.frame() != entry.target(); t = t.parent().table()) {
          up++;
        }
        String target = up == 0 ? "its own table" : "the " + (up == 1 ? "table" : "table " + up + " levels")
            + " above";
        boolean wx = effective != null && effective.writable() && effective.executable() && nxMeaningful(context);
        context.report(Severity.INFO, entry, "recursive mapping at index " + entry.index() + ": " + entry.level()
            + " entry " + hex(entry.raw()) + " points back to " + target + " " + hex(entry.target())
            + ", so this window shows the space's own tables" + (wx ? " (writable and executable)" : ""));
      }
    };
  }

  /** Without NX an x86 leaf with XD set still decodes as executable: nothing can be W^X. */
  private static boolean nxMeaningful(AuditRule.Context context) {
    PagingFormat f = context.format();
    List<Level> levels = f.levels();
    return !f.architecture().isX86()
        || !f.attributes(levels.get(levels.size() - 1), 1L | Long.MIN_VALUE).executable();
  }

  /**
   * {@link #SHARED_TABLE}, information: one finding per table linked from more than one parent
   * entry (distinct entry addresses, so a table below a shared table, reached twice through the
   * same entry, is not one), over the span of its first link. Real kernels do this on purpose
   * (one table mapped at many addresses), hence not a warning. Tracks the frame of every table
   * walked.
   */
  public static AuditRule sharedTables() {
    return new AuditRule() {
      private final Map<Long, Link> links = new LinkedHashMap<>();

      @Override
      public String id() {
        return SHARED_TABLE;
      }

      @Override
      public void begin(Context context) {
        links.clear();
      }

      @Override
      public void beforeTable(TableCursor table, Context context) {
        if (table.parent() == null) {
          return;
        }
        long parentEntry = table.parent().entryAddress();
        Link link = links.get(table.frame());
        if (link == null) {
          links.put(table.frame(), new Link(table.first(), table.last(), table.level(), parentEntry));
        } else if (parentEntry != link.firstParent) {
          if (link.otherParents == null) {
            link.otherParents = new HashSet<>();
          }
          link.otherParents.add(parentEntry);
        }
      }

      @Override
      public void end(Context context) {
        for (Map.Entry<Long, Link> e : links.entrySet()) {
          Link link = e.getValue();
          if (link.otherParents != null) {
            long frame = e.getKey();
            boolean recorded = context.space().sharedTables().isShared(frame);
            context.report(Severity.INFO, link.first, link.last, link.level, frame, link.level.name() + " table "
                + hex(frame) + " is linked from " + (1 + link.otherParents.size()) + " parent entries"
                + (recorded ? " (recorded as shared)" : ""));
          }
        }
        links.clear();
      }
    };
  }

  private static final class Link {
    final long first;
    final long last;
    final Level level;
    final long firstParent;
    Set<Long> otherParents;

    Link(long first, long last, Level level, long firstParent) {
      this.first = first;
      this.last = last;
      this.level = level;
      this.firstParent = firstParent;
    }
  }

  /**
   * {@link #WRITABLE_ALIAS}, information: a leaf, writable by effective protection, that maps
   * physical memory another writable leaf already maps. The finding covers the addresses of the
   * later leaf that map the shared frames and names the earlier mapping's address; aliases that
   * continue each other (virtual, physical and the earlier address) form one finding. Keeps the
   * physical ranges mapped writable, merged where they are contiguous.
   */
  public static AuditRule writableAliases() {
    return new WritableAliases();
  }

  private static final class WritableAliases implements AuditRule {
    /** Physical start to {last, virtual address of start}, non-overlapping. */
    private final TreeMap<Long, long[]> mapped = new TreeMap<>();
    private boolean pending;
    private long vaFirst;
    private long vaLast;
    private long paFirst;
    private long paNext;
    private long otherFirst;
    private long otherNext;
    private @Nullable Level level;
    private long tableFrame;

    @Override
    public String id() {
      return WRITABLE_ALIAS;
    }

    @Override
    public void begin(Context context) {
      mapped.clear();
      pending = false;
    }

    @Override
    public void onEntry(EntryCursor entry, @Nullable Attributes effective, Context context) {
      if (entry.kind() != EntryKind.LEAF || !effective.writable()) {
        return;
      }
      long size = entry.level().entrySpan();
      long pa = entry.target();
      long paLast = pa + size - 1;
      long va = entry.first();
      Map.Entry<Long, long[]> below = mapped.floorEntry(pa);
      Long from = below != null && below.getValue()[0] >= pa ? below.getKey() : mapped.ceilingKey(pa);
      if (from == null || from > paLast) {
        insert(pa, paLast, va);
        return;
      }
      long cursor = pa;
      for (Map.Entry<Long, long[]> e : new ArrayList<>(mapped.subMap(from, true, paLast, true).entrySet())) {
        long start = e.getKey();
        long end = e.getValue()[0];
        long overlapFirst = Math.max(pa, start);
        long overlapLast = Math.min(paLast, end);
        alias(entry, va + (overlapFirst - pa), va + (overlapLast - pa), overlapFirst, overlapLast,
            e.getValue()[1] + (overlapFirst - start), context);
        // Record the parts of this leaf no one mapped before, so a third mapping finds them.
        if (start > cursor) {
          insert(cursor, start - 1, va + (cursor - pa));
        }
        cursor = Math.max(cursor, end + 1);
      }
      if (cursor <= paLast) {
        insert(cursor, paLast, va + (cursor - pa));
      }
    }

    private void insert(long first, long last, long va) {
      Map.Entry<Long, long[]> before = mapped.lowerEntry(first);
      if (before != null && before.getValue()[0] + 1 == first
          && before.getValue()[1] + (first - before.getKey()) == va) {
        before.getValue()[0] = last;
        return;
      }
      mapped.put(first, new long[] {last, va});
    }

    private void alias(EntryCursor entry, long aliasFirst, long aliasLast, long physicalFirst, long physicalLast,
        long otherVa, Context context) {
      long length = aliasLast - aliasFirst + 1;
      if (pending && aliasFirst == vaLast + 1 && physicalFirst == paNext && otherVa == otherNext) {
        vaLast = aliasLast;
        paNext += length;
        otherNext += length;
        return;
      }
      flush(context);
      pending = true;
      vaFirst = aliasFirst;
      vaLast = aliasLast;
      paFirst = physicalFirst;
      paNext = physicalLast + 1;
      otherFirst = otherVa;
      otherNext = otherVa + length;
      level = entry.level();
      tableFrame = entry.table().frame();
    }

    private void flush(Context context) {
      if (pending) {
        pending = false;
        context.report(Severity.INFO, vaFirst, vaLast, level, tableFrame, "physical [" + hex(paFirst) + ", "
            + hex(paNext - 1) + "] is also mapped writable at " + hex(otherFirst));
      }
    }

    @Override
    public void end(Context context) {
      flush(context);
      mapped.clear();
    }
  }

  /**
   * {@link #EMPTY_TABLE}, information: a table below the root, wholly inside the audited range,
   * whose entries are all zero and which is not recorded in the space's {@link
   * dev.paging.core.SharedTables}: what reclamation over the range would free. Reported once per
   * table however many entries link it.
   */
  public static AuditRule emptyTables() {
    return new AuditRule() {
      private boolean[] candidate = new boolean[0];
      private final Set<Long> reported = new HashSet<>();

      @Override
      public String id() {
        return EMPTY_TABLE;
      }

      @Override
      public void begin(Context context) {
        PagingFormat f = context.format();
        candidate = new boolean[Math.max(f.levels().size(), f.levels(-1L).size())];
        reported.clear();
      }

      @Override
      public void beforeTable(TableCursor table, Context context) {
        int depth = table.level().depth();
        candidate[depth] = depth > 0 && table.fullyInRange() && !context.space().sharedTables().isShared(table.frame());
      }

      @Override
      public void onEntry(EntryCursor entry, @Nullable Attributes effective, Context context) {
        candidate[entry.level().depth()] = false;
      }

      @Override
      public void onMalformed(EntryCursor entry, EntryProblem problem, Context context) {
        candidate[entry.level().depth()] = false;
      }

      @Override
      public void afterTable(TableCursor table, Context context) {
        int depth = table.level().depth();
        if (candidate[depth] && reported.add(table.frame())) {
          context.report(Severity.INFO, table.first(), table.last(), table.level(), table.frame(),
              table.level().name() + " table " + hex(table.frame()) + " has no entries; reclamation could free it");
        }
        candidate[depth] = false;
      }
    };
  }
}
