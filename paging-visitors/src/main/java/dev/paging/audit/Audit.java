package dev.paging.audit;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryProblem;
import dev.paging.api.HoleCursor;
import dev.paging.api.Level;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import dev.paging.api.TableCursor;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.core.WalkOutcome;
import dev.paging.core.Walker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The audit visitor: walks a range once and runs every {@link AuditRule} on what it sees, with
 * each entry's effective attributes, then gathers the findings into an {@link AuditReport}.
 *
 * <p>A recursive entry ({@link EntryCursor#recursive()}) is shown to the rules (the default
 * {@code recursive-mapping} rule reports it as information) and not walked into: the tables its
 * window shows are audited where they hang.
 *
 * <p>Safe on corrupt tables (a memory image of random bytes, pointers anywhere): the
 * walker reports what it cannot follow instead of following it, the shipped rules never throw,
 * and {@link #run(AddressSpace, VirtualRange)} gives the walk an {@linkplain Walker#entryBudget
 * entry budget} so that tables shared many times over cannot make it run for ever. A walk that
 * does not finish the range adds an {@value #INCOMPLETE_WALK} warning over what was not audited.
 *
 * <p>Present-count metadata (a per-table count of present entries, checked against the table)
 * is not audited: this library keeps no such count; see {@link AuditRules}.
 *
 * <p>As a visitor it composes with others; call {@link #report()} after the walk. One walk at a
 * time.
 *
 * <p><b>Held or streamed.</b> An audit made by {@link #of} holds its findings and gives them in
 * address order in its {@link AuditReport}; it lists at most {@value #MAX_FINDINGS}, so its
 * memory stays bounded. A {@linkplain #streaming streaming} audit keeps none: it hands each
 * finding to a sink as soon as it is final, which is in walk order, not address order:
 * <ul>
 *   <li>a finding about entries once the rule's next finding does not continue it (findings that
 *       continue each other are coalesced first), or at the end of the walk;
 *   <li>a finding a rule can make only at the end ({@code shared-table}: a table is shared once a
 *       second entry links it) at the end;
 *   <li>the folded count of a rule's findings about one table (past {@value
 *       #FINDINGS_PER_RULE_AND_TABLE}) at the end, since a shared table is met again later.
 * </ul>
 * Its memory is the rules' own state and a few words per rule and table met, whatever the
 * number of findings, and it lists every finding that folding leaves: {@link #MAX_FINDINGS} does not
 * apply. It ends with an {@link AuditSummary} ({@link #summary()}).
 */
public final class Audit implements PageTableVisitor {
  /** The entry budget {@link #run(AddressSpace, VirtualRange)} gives its walk: 2^24 entries. */
  public static final long DEFAULT_ENTRY_BUDGET = 1L << 24;
  /** The id of the finding an audit adds when its walk stopped before the end of the range. */
  public static final String INCOMPLETE_WALK = "incomplete-walk";
  /**
   * How many findings one rule reports about one table before the rest are folded: a table
   * full of bad entries, or one that hostile tables link millions of times, then costs one more
   * finding, which counts what was folded, rather than a finding per entry.
   */
  public static final int FINDINGS_PER_RULE_AND_TABLE = 16;
  /**
   * How many findings a held audit lists in all; past it, every rule folds what it finds about
   * each table into that table's one counting finding, so that memory stays bounded on any image.
   * A streaming audit keeps no findings and has no such limit.
   */
  public static final int MAX_FINDINGS = 100_000;
  /** The id of the finding an audit adds for a table it stopped walking into (see {@link #LINKS_WALKED}). */
  public static final String LINKS_NOT_WALKED = "links-not-walked";
  /**
   * How many links to one table an audit walks into. Tables that link each other from every
   * entry make a small image a walk of billions of entries; past this many links a table is
   * reported once and not entered again. Real kernels stay far below it: Linux's ESPFIX, the most
   * shared table there is, is linked from 512 entries.
   */
  public static final int LINKS_WALKED = 1024;

  private final AddressSpace space;
  private final PagingFormat format;
  private final List<AuditRule> rules;
  private final RuleContext[] contexts;
  /** Where findings go as they are final: null when they are held in {@link #findings}. */
  private final @Nullable Consumer<? super Finding> sink;
  private final List<Finding> findings = new ArrayList<>();
  private final AuditSummary.Counter counter = new AuditSummary.Counter();
  private boolean incompleteAdded;
  /** Per table frame entered through a table entry: how many links to it the walk met. */
  private final Map<Long, int[]> links = new HashMap<>();
  private boolean begun;
  private boolean ended;
  private Level rootLevel;
  private long rootFrame;
  /** The lower half's root is done, and the upper half's may follow in the same walk (AArch64). */
  private boolean lowerRootDone;
  private long walkLast;
  /** The address after the last one an event covered; where an interrupted walk stopped. */
  private long covered;
  private boolean coveredAll;

  private Audit(AddressSpace space, List<? extends AuditRule> rules, @Nullable Consumer<? super Finding> sink) {
    this.space = Objects.requireNonNull(space, "space");
    this.sink = sink;
    this.format = space.format();
    this.rules = List.copyOf(rules);
    if (this.rules.isEmpty()) {
      throw new IllegalArgumentException("an audit needs at least one rule");
    }
    this.contexts = new RuleContext[this.rules.size()];
    for (int i = 0; i < contexts.length; i++) {
      String id = this.rules.get(i).id();
      if (id == null || id.isBlank()) {
        throw new IllegalArgumentException("audit rule " + i + " (" + this.rules.get(i) + ") has no id");
      }
      contexts[i] = new RuleContext(id);
    }
  }

  /** An audit of {@code space} with {@link AuditRules#defaults()}. */
  public static Audit of(AddressSpace space) {
    return new Audit(space, AuditRules.defaults(), null);
  }

  /** An audit of {@code space} with {@code rules}, shipped or a user's own. */
  public static Audit of(AddressSpace space, List<? extends AuditRule> rules) {
    return new Audit(Objects.requireNonNull(space, "space"), Objects.requireNonNull(rules, "rules"), null);
  }

  /**
   * A streaming audit of {@code space} with {@code rules}: each finding goes to {@code sink} as
   * soon as it is final (see the class comment for when), none is kept, and {@link #summary()}
   * counts them. An exception the sink throws ends the walk and reaches the walk's caller.
   */
  public static Audit streaming(AddressSpace space, List<? extends AuditRule> rules,
      Consumer<? super Finding> sink) {
    return new Audit(Objects.requireNonNull(space, "space"), Objects.requireNonNull(rules, "rules"),
        Objects.requireNonNull(sink, "sink"));
  }

  /** Audits {@code range} of {@code space} with the default rules and entry budget. */
  public static AuditReport run(AddressSpace space, VirtualRange range) {
    return run(space, range, AuditRules.defaults(), DEFAULT_ENTRY_BUDGET);
  }

  /**
   * Audits {@code range} of {@code space} with {@code rules}, reading at most {@code entryBudget}
   * entries.
   *
   * @throws IllegalArgumentException if the range is not canonical or the budget not positive
   */
  public static AuditReport run(AddressSpace space, VirtualRange range, List<? extends AuditRule> rules,
      long entryBudget) {
    Objects.requireNonNull(space, "space");
    Objects.requireNonNull(range, "range");
    return of(space, rules).walk(range, entryBudget).report();
  }

  /**
   * Audits {@code range} of {@code space} with {@code rules}, reading at most {@code entryBudget}
   * entries, and hands each finding to {@code sink} as soon as it is final, in walk order (see
   * the class comment); keeps none.
   *
   * @return the findings counted
   * @throws IllegalArgumentException if the range is not canonical or the budget not positive
   */
  public static AuditSummary stream(AddressSpace space, VirtualRange range, List<? extends AuditRule> rules,
      long entryBudget, Consumer<? super Finding> sink) {
    Objects.requireNonNull(space, "space");
    Objects.requireNonNull(range, "range");
    return streaming(space, rules, sink).walk(range, entryBudget).summary();
  }

  private Audit walk(VirtualRange range, long entryBudget) {
    WalkOutcome outcome = space.walker().entryBudget(entryBudget).walk(space.root(), space.upperRoot(), range, this);
    if (outcome == WalkOutcome.BUDGET_EXHAUSTED) {
      incomplete("the walk read its budget of " + entryBudget + " entries and stopped");
    }
    return this;
  }

  /**
   * The findings so far. After a walk that did not finish the root table, ends the rules and adds
   * an {@value #INCOMPLETE_WALK} finding; later calls return the same report.
   *
   * @throws IllegalStateException for a {@linkplain #streaming streaming} audit, which keeps no
   *     findings: ask it for its {@link #summary()}
   */
  public AuditReport report() {
    if (sink != null) {
      throw new IllegalStateException("a streaming audit keeps no findings to report; its summary() counts them");
    }
    endIfStopped();
    return AuditReport.of(findings, !begun || !incompleteAdded);
  }

  /**
   * The findings so far, counted. After a walk that did not finish the root table, ends the
   * rules and adds (a streaming audit: hands on) an {@value #INCOMPLETE_WALK} finding first.
   */
  public AuditSummary summary() {
    endIfStopped();
    return counter.summary(!begun || !incompleteAdded);
  }

  private void endIfStopped() {
    if (begun && !ended) {
      incomplete("the walk stopped before the end of the range");
    }
  }

  private void emit(Finding f) {
    counter.add(f);
    if (sink != null) {
      sink.accept(f);
    } else {
      findings.add(f);
    }
  }

  /** Whether one more finding may be listed rather than folded into its table's count. */
  private boolean roomToList() {
    return sink != null || findings.size() < MAX_FINDINGS;
  }

  private void incomplete(String why) {
    if (incompleteAdded) {
      return;
    }
    finishRules();
    if (coveredAll) {
      return;
    }
    long from = covered;
    incompleteAdded = true;
    emit(Finding.of(INCOMPLETE_WALK, Severity.WARNING, from, walkLast, rootLevel, rootFrame,
        why + "; [" + hex(from) + ", " + hex(walkLast) + "] was not audited"));
  }

  private void finishRules() {
    if (!ended) {
      ended = true;
      for (int i = 0; i < rules.size(); i++) {
        rules.get(i).end(contexts[i]);
        contexts[i].flush();
        contexts[i].addFolded();
      }
    }
  }

  private void covered(long last) {
    if (last == walkLast) {
      coveredAll = true;
    } else {
      covered = last + 1;
    }
  }

  @Override
  public Control beforeTable(TableCursor table) {
    if (table.level().depth() == 0 && lowerRootDone) {
      // The upper half's root of a two-root walk: the same audit goes on.
      lowerRootDone = false;
      rootFrame = table.frame();
      walkLast = table.walkLast();
      covered = table.walkFirst();
      coveredAll = false;
    } else if (table.level().depth() == 0) {
      begun = true;
      ended = false;
      findings.clear();
      counter.clear();
      incompleteAdded = false;
      links.clear();
      rootLevel = table.level();
      rootFrame = table.frame();
      walkLast = table.walkLast();
      covered = table.walkFirst();
      coveredAll = false;
      for (int i = 0; i < rules.size(); i++) {
        contexts[i].start();
        rules.get(i).begin(contexts[i]);
      }
    }
    for (int i = 0; i < rules.size(); i++) {
      rules.get(i).beforeTable(table, contexts[i]);
    }
    return Control.CONTINUE;
  }

  @Override
  public Control onEntry(EntryCursor entry) {
    Attributes effective = null;
    EntryKind kind = entry.kind();
    if (kind == EntryKind.TABLE || kind == EntryKind.LEAF) {
      effective = entry.effectiveAttributes();
    }
    for (int i = 0; i < rules.size(); i++) {
      rules.get(i).onEntry(entry, effective, contexts[i]);
    }
    if (kind == EntryKind.TABLE && entry.recursive()) {
      // The window shows the space's own tables, each audited where it hangs: walking it too
      // would report every table twice (linked twice, aliased, empty) for one design choice.
      covered(entry.last());
      return Control.SKIP_SUBTREE;
    }
    if (kind == EntryKind.TABLE) {
      int[] n = links.computeIfAbsent(entry.target(), frame -> new int[1]);
      if (++n[0] > LINKS_WALKED) {
        if (n[0] == LINKS_WALKED + 1) {
          emit(Finding.of(LINKS_NOT_WALKED, Severity.WARNING, entry.first(), entry.last(), entry.level(),
              entry.table().frame(), entry.level() + " entry " + entry.index() + " " + hex(entry.raw())
                  + " links table " + hex(entry.target()) + ", already entered through " + LINKS_WALKED
                  + " other entries; this link and the later ones to it were not walked"));
        }
        covered(entry.last());
        return Control.SKIP_SUBTREE;
      }
    }
    if (kind != EntryKind.TABLE) {
      covered(entry.last());
    }
    return Control.CONTINUE;
  }

  @Override
  public Control onHole(HoleCursor hole) {
    for (int i = 0; i < rules.size(); i++) {
      rules.get(i).onHole(hole, contexts[i]);
    }
    covered(hole.last());
    return Control.CONTINUE;
  }

  @Override
  public Control onMalformed(EntryCursor entry, EntryProblem problem) {
    for (int i = 0; i < rules.size(); i++) {
      rules.get(i).onMalformed(entry, problem, contexts[i]);
    }
    covered(entry.last());
    return Control.CONTINUE;
  }

  @Override
  public Control afterTable(TableCursor table) {
    for (int i = 0; i < rules.size(); i++) {
      rules.get(i).afterTable(table, contexts[i]);
    }
    if (table.level().depth() == 0) {
      coveredAll = true;
      PagingFormat f = space.format();
      if (f.rootPerHalf() && table.first() == 0 && table.walkLast() == f.lowerHalf().last()) {
        // Whether the upper half's root follows is the walk's range's to say: the report ends the rules then.
        lowerRootDone = true;
      } else {
        finishRules();
      }
    }
    return Control.CONTINUE;
  }

  /**
   * One rule's view: reports carry its id, a report continuing the previous one extends it, and
   * past {@link #FINDINGS_PER_RULE_AND_TABLE} findings about one table the rest are counted.
   */
  private final class RuleContext implements AuditRule.Context {
    final String id;
    @Nullable Finding pending;
    /** Per table frame: findings kept, and what was folded once the table had its share. */
    private final Map<Long, Share> shares = new LinkedHashMap<>();

    RuleContext(String id) {
      this.id = id;
    }

    void start() {
      pending = null;
      shares.clear();
    }

    @Override
    public AddressSpace space() {
      return space;
    }

    @Override
    public void report(Severity severity, long first, long last, Level level, long tableFrame, String message) {
      Finding p = pending;
      if (p != null && p.last() != -1L && p.last() + 1 == first && p.severity() == severity
          && p.level().depth() == level.depth() && p.message().equals(message)) {
        pending = p.extendedTo(last);
        return;
      }
      flush();
      pending = Finding.of(id, severity, first, last, level, tableFrame, message);
    }

    void flush() {
      Finding f = pending;
      if (f == null) {
        return;
      }
      pending = null;
      Share share = shares.computeIfAbsent(f.tableFrame(), frame -> new Share());
      if (share.kept < FINDINGS_PER_RULE_AND_TABLE && roomToList()) {
        share.kept++;
        emit(f);
      } else {
        share.fold(f);
      }
    }

    /** One finding per table that had findings folded, saying how many and over what span. */
    void addFolded() {
      for (Map.Entry<Long, Share> e : shares.entrySet()) {
        Share share = e.getValue();
        if (share.folded == 0) {
          continue;
        }
        long frame = e.getKey();
        emit(Finding.of(id, share.severity, share.first, share.last, share.level, frame,
            share.folded + (share.folded == 1 ? " more finding" : " more findings") + " of this rule about this "
                + "table in this span were folded into this one (" + share.kept
                + (share.kept == 1 ? " is" : " are") + " listed); the first: " + share.sample));
      }
      shares.clear();
    }
  }

  /** What one rule reported about one table. */
  private static final class Share {
    int kept;
    long folded;
    Severity severity;
    long first;
    long last;
    Level level;
    String sample;

    void fold(Finding f) {
      if (folded == 0) {
        severity = f.severity();
        first = f.first();
        level = f.level();
        sample = f.message();
      } else if (f.severity().compareTo(severity) < 0) {
        // ERROR comes first: the folded finding is as serious as the most serious it counts.
        severity = f.severity();
      }
      if (Long.compareUnsigned(f.first(), first) < 0) {
        first = f.first();
      }
      if (folded == 0 || Long.compareUnsigned(f.last(), last) > 0) {
        last = f.last();
      }
      folded++;
    }
  }
}
