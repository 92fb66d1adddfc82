package dev.paging.testkit.grading;

import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import dev.paging.dump.Dump;
import dev.paging.dump.DumpRenderer;

/**
 * The contract of xv6's {@code vmprint} lab, as a visitor: walked over a whole address space, it
 * prints the table tree. {@link Batteries#vmprint()} grades an implementation against the
 * library's {@link DumpRenderer#vmprintByIndex} and {@link DumpRenderer#vmprintByAddress}.
 *
 * <p>What a correct visitor appends to {@code out}, line by line, each ending in {@code \n}:
 *
 * <ul>
 *   <li>first {@code page table 0x} and the root table's physical address in 16 hex digits;
 *   <li>then, in walk order, one line per present entry: a table pointer (after which the lines of
 *       the table it points to follow), a leaf, or a malformed entry (printed, not followed);
 *       not-present entries print nothing. A table pointer the walker does not follow (a table
 *       outside memory) reaches {@code onMalformed} only, and is printed all the same;
 *   <li>a line starts with the entry's place: by index, {@code ..} for a root entry and one more
 *       {@code " .."} per level below it, then its index in decimal ({@code .. ..3}); by
 *       address, {@code " .."} per level from the root down to the entry's, then its first
 *       virtual address as {@code 0x} and 16 hex digits ({@code " .. ..0x0000000000600000"});
 *   <li>then {@code : pte 0x} and the entry's bits, {@code  pa 0x} and the physical address
 *       the entry holds, each in 16 hex digits.
 * </ul>
 */
@FunctionalInterface
public interface VmprintSubmission {
  /**
   * A visitor that prints the tables of a space of {@code format} to {@code out}, by address when
   * {@code byAddress}, by index otherwise; the grader walks it over the whole space.
   */
  PageTableVisitor visitor(PagingFormat format, Appendable out, boolean byAddress);

  /** The library's own {@code vmprint} renderers: the reference. */
  static VmprintSubmission library() {
    return (format, out, byAddress) -> Dump.of(format,
        byAddress ? DumpRenderer.vmprintByAddress(out) : DumpRenderer.vmprintByIndex(out));
  }
}
