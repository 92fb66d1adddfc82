package dev.paging.dump;

import dev.paging.api.Attributes;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryProblem;
import dev.paging.api.HoleCursor;
import dev.paging.api.PagingFormat;
import dev.paging.api.TableCursor;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Turns the walk a {@link Dump} sees into text, one event at a time, writing as it goes: no
 * renderer holds more than a few tables' worth of state, so a dump of any size streams.
 *
 * <p>The events follow the walk: {@link #begin} once at the root, then for each table {@link
 * #beforeTable}, its entries, holes and malformed entries in address order (a child table's
 * events come right after the entry pointing to it), {@link #afterTable}; then {@link #end}.
 * Cursors are the walker's flyweights: read them during the call, never keep them.
 *
 * <p>The library's renderers come from the static factories; implement this interface for
 * another format. Renderers keep per-dump state and serve one dump at a time.
 */
public interface DumpRenderer {
  /**
   * The walk starts at {@code root}, whose walk range is the range being dumped.
   *
   * @throws IllegalArgumentException if this renderer cannot render {@code format}
   */
  default void begin(PagingFormat format, TableCursor root) throws IOException {}

  default void beforeTable(TableCursor table) throws IOException {}

  /**
   * A table pointer, a leaf or a not-present entry. {@code effective} is the entry's attributes
   * combined with those of the table entries above it ({@link PagingFormat#effective}); {@code
   * null} for a not-present entry.
   */
  default void entry(EntryCursor entry, @Nullable Attributes effective) throws IOException {}

  default void hole(HoleCursor hole) throws IOException {}

  /**
   * An entry the walker does not follow. For {@link EntryProblem#TABLE_OUTSIDE_MEMORY}, the
   * problem of a well-formed table pointer, {@link Dump} announces the same entry just before
   * through {@link #entry}, as a table pointer, since every dump shows the pointer itself; for the
   * format's problems this is the entry's only call.
   */
  default void malformed(EntryCursor entry, EntryProblem problem) throws IOException {}

  default void afterTable(TableCursor table) throws IOException {}

  /**
   * The dump is over: write what is pending. {@code complete} is false when the walk stopped
   * before the root table was done (an entry budget ran out, or a composed visitor stopped it).
   */
  void end(boolean complete) throws IOException;

  /**
   * Linux's {@code /sys/kernel/debug/page_tables} layout, holes included. See {@link
   * #ptdump(Appendable, boolean)}.
   */
  static DumpRenderer ptdump(Appendable out) {
    return new PtdumpRenderer(out, true);
  }

  /**
   * Linux's ptdump layout: one line per run of pages whose flags, effective protection and level
   * are the same, with the exclusive end and the size in the largest unit that divides it.
   *
   * <p>x86-64 (arch/x86/mm/dump_pagetables.c): {@code
   * 0x<start>-0x<end>   <size><unit> <USR|    ><RW |ro ><PWT ><PCD ><PSE ><PAT ><GLB ><NX |x  ><level>}
   * where the columns are the leaf's own bits and {@code PSE} never shows on pte lines; a run
   * that maps nothing prints 30 blanks instead of the columns. Levels are pgd, pud, pmd, pte
   * (4-level) or pgd, p4d, pud, pmd, pte (5-level). 32-bit x86 prints what an i386 kernel prints:
   * 8-digit addresses ({@code 0x%08lx}, its {@code unsigned long}), so the top's end is {@code
   * 0x00000000}; NX always {@code x  } without PAE; levels pgd, pmd, pte with PAE (the PDPT is
   * the folded pgd), and without it pgd for an empty PD entry, pmd for a 4 MiB page and pte, as
   * the kernel's folded walk names them. {@code ---[ User Space ]---} and {@code ---[
   * Kernel Space ]---} head the two canonical halves; the lower half's last run ends at the end of
   * the lower half (where Linux prints the start of the upper half), and a run that reaches the
   * top of the address space ends at {@code 0x0000000000000000}, as in Linux. Entries the walker
   * cannot follow are runs of their own, showing their bits and marked, after the level (on both
   * architectures), {@code  ! <problem>} with the {@link EntryProblem} name, so a garbage image
   * does not read as a healthy space; Linux's layout, which walks only tables the kernel made, has
   * no such mark.
   *
   * <p>RISC-V (arch/riscv/mm/ptdump.c): {@code 0x<start>-0x<end>    0x<pa> <size><unit> <LEVEL>}
   * then the columns {@code N}, {@code MT(NC|IO|??)}, {@code RSW(n)}, {@code D A G U X W R V}
   * ({@code .} or {@code ..} when clear); levels PGD, (P4D,) (PUD,) PMD, PTE; only runs with bits
   * set are printed, as in Linux, so {@code showHoles} does not apply. The address-space markers
   * of a RISC-V kernel are the kernel's own and are not printed.
   *
   * <p>arm64 (arch/arm64/mm/ptdump.c, Linux 6.1): {@code 0x<start>-0x<end>   <size><unit> <LEVEL>}
   * then, for a run whose compared bits (4:0, 11:6, 50, 54:52) are not all clear, the columns
   * {@code " "|F} (valid), {@code USR}, {@code ro|RW}, {@code NX|x }, {@code SHD}, {@code AF},
   * {@code NG}, {@code CON}, {@code BLK}, {@code UXN}, {@code GP} (blank when clear) and the memory
   * type Linux assigns to AttrIndx 0 to 4 ({@code MEM/NORMAL}, {@code MEM/NORMAL-TAGGED}, {@code
   * MEM/NORMAL-NC}, {@code DEVICE/nGnRnE}, {@code DEVICE/nGnRE}); each column is preceded by a
   * space. Sizes start at KiB. Levels are PGD, PUD, PMD, PTE with four levels, PGD, PMD, PTE with
   * three and PGD, PTE with two, the names Linux up to 6.8 gives a folded walk (6.9 names a
   * 2-level top-level block PMD). Runs split on the compared bits and the level, never on the
   * output address, as in Linux; holes print as bare {@code range size LEVEL} lines, which Linux
   * prints too, unless {@code showHoles} is false. The kernel's region markers ({@code ---[
   * Linear Mapping start ]---} and the rest) depend on its layout and are not printed; Linux dumps
   * only the kernel's half, this view both halves, TTBR0's first.
   *
   * @param showHoles whether runs that map nothing (empty or not-present entries) are printed
   */
  static DumpRenderer ptdump(Appendable out, boolean showHoles) {
    return new PtdumpRenderer(out, showHoles);
  }

  /**
   * QEMU's {@code info mem}. x86: {@code <start>-<end> <size> <u|-><r><w|->}, one line per run of
   * mapped pages with the same effective user and write permission (ANDed down the levels;
   * execute-disable and physical contiguity are ignored, as QEMU ignores them). RISC-V: a header,
   * then {@code <vaddr> <paddr> <size> <rwxugad>} per run of leaves whose low eight bits are equal
   * and whose virtual and physical addresses both continue the run.
   *
   * <p>Both work, as QEMU does, on linear addresses (without sign extension), so a run may
   * continue across the canonical hole, and print addresses sign-extended when their top
   * implemented bit is set. As in QEMU, an x86 run that reaches the top of the address space ends
   * at {@code 2^48} ({@code 2^57} with 5 levels) and sizes are sign-extended like addresses. QEMU's
   * RISC-V listing restarts its contiguity check in every table it enters, splitting runs at table
   * boundaries; this renderer merges them, as the contiguity rule says.
   */
  static DumpRenderer qemuInfoMem(Appendable out) {
    return new QemuInfoMemRenderer(out);
  }

  /**
   * QEMU's {@code info tlb} for x86: one line {@code <vaddr>: <paddr> XGPDACTUW} per leaf, the
   * virtual address sign-extended, the letters the leaf's own NX, G, PS, D, A, PCD, PWT, U/S and
   * R/W bits ({@code -} when clear; PS never shows on a 4 KiB leaf). QEMU has no {@code info tlb}
   * for RISC-V, so neither does this renderer: it refuses other formats.
   */
  static DumpRenderer qemuInfoTlb(Appendable out) {
    return new QemuInfoTlbRenderer(out);
  }

  /**
   * xv6's {@code vmprint}, the older variant: {@code page table 0x<root>}, then one line per
   * present entry, depth first, {@code ..<index>: pte 0x<raw> pa 0x<address>} with one {@code ..}
   * per depth, separated by spaces ({@code .. ..3: ...} at depth 2). Generalised to every format:
   * present means the format's present bit, and the walk goes as deep as the format does.
   */
  static DumpRenderer vmprintByIndex(Appendable out) {
    return new VmprintRenderer(out, false);
  }

  /**
   * xv6's {@code vmprint}, the newer variant: like {@link #vmprintByIndex} but each line is {@code
   * <prefix>0x<va>: pte 0x<raw> pa 0x<address>}, where the prefix is {@code " .."} once per depth
   * and {@code va} is the first virtual address the entry maps, sign-extended (xv6 itself never
   * maps the upper half).
   */
  static DumpRenderer vmprintByAddress(Appendable out) {
    return new VmprintRenderer(out, true);
  }

  /**
   * A JSON document of the walk, written with jackson-core's streaming generator as the walk goes,
   * two-space indented, with the small objects (attributes, range, levels, summary) on one line.
   * The schema, {@code "paging-dump/1"}, is stable: fields may be added under the same schema
   * name, never renamed or removed.
   *
   * <p>Addresses, raw entries and other 64-bit values that may exceed 2^53 are strings {@code
   * "0x"} + 16 hex digits; counts, sizes and indices are numbers.
   *
   * <pre>
   * {
   *   "schema": "paging-dump/1",
   *   "format": "x86-64",                      the format's name
   *   "levels": [ { "name": "PML4", "depth": 0, "shift": 39, "entries": 512, "leafAllowed": false }, ... ],
   *   "root": "0x...",                         the root table's frame
   *   "range": { "first": "0x...", "last": "0x..." },   the walk range, both ends inclusive
   *   "table": TABLE,                          the root table
   *     where each half has its own root (AArch64), "root", "range" and "table" are replaced by
   *   "halves": [ { "half": "lower", "root": "0x...", "range": {...}, "table": TABLE }, ... ],
   *     one per half the walk range reaches, lower first; "range" is the part in that half
   *   "complete": true,                        false when the walk stopped early (entry budget)
   *   "summary": { "tables": n, "leaves": n, "notPresent": n, "holes": n, "malformed": n, "mappedBytes": n }
   *     malformed counts every entry the walker did not follow, refused pointers included
   * }
   * TABLE = { "level": "PML4", "depth": 0, "frame": "0x...", "first": "0x...", "last": "0x...", "entries": [ ENTRY, ... ] }
   *   first/last: the virtual span the table maps; entries: those inside the walk range, in address order
   * ENTRY, by "kind":
   *   "table"       { "index", "kind", "first", "last", "raw", "address", "attributes": ATTRIBUTES,
   *                   "effective": ATTRIBUTES, "recursive": true when it points back to one of
   *                   its own ancestors (a recursive mapping, walked into as the MMU does), then
   *                   "table": TABLE when walked into, or "problem": "TABLE_OUTSIDE_MEMORY" when
   *                   the walker refused to follow it }
   *   "leaf"        { "index", "kind", "first", "last", "raw", "address", "pageSize": bytes,
   *                   "attributes": ATTRIBUTES, "effective": ATTRIBUTES }
   *   "not-present" { "index", "kind", "first", "last", "raw" }
   *   "malformed"   { "index", "kind", "first", "last", "raw", "problem": an EntryProblem name }
   *   "hole"        { "index", "lastIndex", "kind", "first", "last" }   a run of empty entries
   *   first/last: the virtual addresses the entry maps (a hole's are clipped to the walk range)
   * ATTRIBUTES = { "read", "write", "execute", "user", "global", "accessed", "dirty": booleans,
   *                "memoryType": n, "softwareBits": n, "extraBits": "0x..." }
   *   "effective": the attributes combined with those of the table entries above, as the format
   *   combines them (x86: write and user ANDed, execute-disable ORed; RISC-V: the leaf's own;
   *   AArch64: APTable and the XNTable bits applied, "execute" being the right of the level the
   *   mapping is for, EL0 for a user mapping, EL1 otherwise)
   * </pre>
   *
   * <p>JSON is written with jackson-core's streaming generator, an optional dependency of this
   * library: add {@code com.fasterxml.jackson.core:jackson-core} to use this renderer (on the
   * module path, also {@code requires com.fasterxml.jackson.core}).
   *
   * @throws IllegalStateException if jackson-core is absent, naming the artifact to add
   */
  static DumpRenderer json(Appendable out) {
    return json(out, true);
  }

  /**
   * {@link #json(Appendable)}, leaving the {@code "hole"} entries out when {@code showHoles} is
   * false: holes are most of a real space's JSON. The summary still counts them.
   *
   * @throws IllegalStateException if jackson-core is absent, naming the artifact to add
   */
  static DumpRenderer json(Appendable out, boolean showHoles) {
    OptionalDependency.require("com.fasterxml.jackson.core.JsonFactory", "com.fasterxml.jackson.core:jackson-core",
        "JSON dumps (DumpRenderer.json)");
    return new JsonDumpRenderer(out, showHoles);
  }

  /**
   * A Graphviz {@code digraph} of the tree: each table a node headed by its level, frame and the
   * virtual span it covers (for a table linked from several parents, the span it was first
   * reached for), whose rows are runs of its entries (ports {@code e<index>}): leaves of one size
   * and attributes (with their first physical address when the run is physically contiguous),
   * empty entries, not-present entries, and entries that point to one table, which have one edge
   * between them, labelled {@code x<count>}. A recursive entry is a dashed edge back to its
   * ancestor labelled "recursive" (its window, the same tables again, is not drawn), tables
   * outside memory red boxes, malformed entries red rows. A table linked from several parents is
   * one node with several incoming edges. Render it with {@code dot -Tsvg}.
   */
  static DumpRenderer dot(Appendable out) {
    return new DotRenderer(out);
  }
}
