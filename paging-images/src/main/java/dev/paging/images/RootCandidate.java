package dev.paging.images;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.PagingFormat;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * A page {@link RootFinder} found plausible as a root table, with the evidence: its present
 * entries, how many of them link the upper (kernel) half, the kernel group it shares that half
 * with, a Linux PTI twin, a self-referencing entry (Windows), and how many leaves it maps.
 * Immutable.
 */
public final class RootCandidate {
  private final long address;
  private final PagingFormat format;
  private final int score;
  private final int tables;
  private final int leafEntries;
  private final int upperTables;
  private final int group;
  private final long ptiTwin;
  private final int selfReference;
  private final long leaves;
  private final boolean leavesComplete;

  RootCandidate(long address, PagingFormat format, int score, int tables, int leafEntries, int upperTables, int group,
      long ptiTwin, int selfReference, long leaves, boolean leavesComplete) {
    this.address = address;
    this.format = format;
    this.score = score;
    this.tables = tables;
    this.leafEntries = leafEntries;
    this.upperTables = upperTables;
    this.group = group;
    this.ptiTwin = ptiTwin;
    this.selfReference = selfReference;
    this.leaves = leaves;
    this.leavesComplete = leavesComplete;
  }

  /** The physical address of the page. */
  public long address() {
    return address;
  }

  /** The format it was read as. */
  public PagingFormat format() {
    return format;
  }

  /**
   * How plausible it is, higher first: the upper half populated weighs most (every process of an
   * OS links the kernel's half), then children that are non-empty, well-formed tables, then the
   * number of table entries. Only comparable between candidates of one scan.
   */
  public int score() {
    return score;
  }

  /** Its entries that point to a next-level table. */
  public int tableEntries() {
    return tables;
  }

  /** Its entries that map a page directly (RISC-V roots may hold gigapages; x86 roots never). */
  public int leafEntries() {
    return leafEntries;
  }

  /** Its table entries in the upper half of the index range: the kernel half. */
  public int upperHalfTableEntries() {
    return upperTables;
  }

  /**
   * The kernel group, from 1 in order of the groups' best candidates: candidates linking one same
   * upper-half table are processes of one kernel. 0 when it links none.
   */
  public int kernelGroup() {
    return group;
  }

  /**
   * The other page of a Linux PTI pair: the kernel root is 8 KiB aligned and the user root is the
   * 4 KiB after it, both candidates of one kernel group.
   */
  public OptionalLong ptiTwin() {
    return ptiTwin < 0 ? OptionalLong.empty() : OptionalLong.of(ptiTwin);
  }

  /** The index of an entry that points back to this page (Windows' recursive entry), when there is one. */
  public OptionalInt selfReference() {
    return selfReference < 0 ? OptionalInt.empty() : OptionalInt.of(selfReference);
  }

  /**
   * The leaf entries a walk of the whole space found, within the scan's leaf budget; -1 for a
   * candidate ranked below the best {@value RootFinder#COUNTED}, whose leaves are not counted.
   */
  public long leaves() {
    return leaves;
  }

  /** False when the leaf count stopped at the scan's budget, so {@link #leaves()} is a lower bound. */
  public boolean leavesComplete() {
    return leavesComplete;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof RootCandidate)) {
      return false;
    }
    RootCandidate c = (RootCandidate) o;
    return c.address == address && c.format.equals(format) && c.score == score && c.tables == tables
        && c.leafEntries == leafEntries && c.upperTables == upperTables && c.group == group && c.ptiTwin == ptiTwin
        && c.selfReference == selfReference && c.leaves == leaves && c.leavesComplete == leavesComplete;
  }

  @Override
  public int hashCode() {
    return Objects.hash(address, format, score, group, leaves);
  }

  @Override
  public String toString() {
    return hex(address) + " " + format.name() + " score " + score + " (" + tables + " table entries, "
        + upperTables + " in the upper half" + (group == 0 ? "" : ", kernel group " + group)
        + (ptiTwin < 0 ? "" : ", PTI twin " + hex(ptiTwin))
        + (selfReference < 0 ? "" : ", self-reference at index " + selfReference) + ", "
        + (leavesComplete ? "" : "at least ") + leaves + " leaves)";
  }
}
