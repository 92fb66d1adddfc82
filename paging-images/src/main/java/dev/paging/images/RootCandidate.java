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
  /** Which addresses a root translates. */
  public enum Half {
    /** The whole space: the format has one root (x86, RISC-V). */
    WHOLE,
    /** The lower half, a TTBR0_EL1 root: a user space. */
    LOWER,
    /** The upper half, a TTBR1_EL1 root: a kernel. */
    UPPER,
    /** A root of one half that the scan could not tell: no leaf met, or as many of each kind. */
    EITHER
  }

  private final long address;
  private final PagingFormat format;
  private final Half half;
  private final int score;
  private final int tables;
  private final int leafEntries;
  private final int upperTables;
  private final int group;
  private final long ptiTwin;
  private final int selfReference;
  private final long leaves;
  private final boolean leavesComplete;

  RootCandidate(long address, PagingFormat format, Half half, int score, int tables, int leafEntries, int upperTables,
      int group, long ptiTwin, int selfReference, long leaves, boolean leavesComplete) {
    this.address = address;
    this.format = format;
    this.half = half;
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
   * The half it translates. Where each half has a root (AArch64) and the halves share one
   * geometry, the scan judges it by the leaves its checks met: {@link Half#LOWER} when at least
   * three in four are EL0-accessible (AP[1], as Linux maps every user page), {@link Half#UPPER}
   * when at most one in four is; where the geometries differ, the levels that read the root say.
   */
  public Half half() {
    return half;
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

  /**
   * Its table entries in the upper half of the index range: the kernel half. 0 for a root of
   * one half, whose index range is all one half's.
   */
  public int upperHalfTableEntries() {
    return upperTables;
  }

  /**
   * The kernel group, from 1 in order of the groups' best candidates: candidates linking one same
   * upper-half table are processes of one kernel. 0 when it links none, and for every root of one
   * half: processes' TTBR0 roots link no table of the kernel's.
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
    return c.address == address && c.format.equals(format) && c.half == half && c.score == score
        && c.tables == tables && c.leafEntries == leafEntries && c.upperTables == upperTables && c.group == group
        && c.ptiTwin == ptiTwin && c.selfReference == selfReference && c.leaves == leaves && c.leavesComplete == leavesComplete;
  }

  @Override
  public int hashCode() {
    return Objects.hash(address, format, half, score, group, leaves);
  }

  @Override
  public String toString() {
    return hex(address) + " " + format.name() + " score " + score + " (" + halfName() + tables + " table entries"
        + (half == Half.WHOLE ? ", " + upperTables + " in the upper half" : "")
        + (group == 0 ? "" : ", kernel group " + group)
        + (ptiTwin < 0 ? "" : ", PTI twin " + hex(ptiTwin))
        + (selfReference < 0 ? "" : ", self-reference at index " + selfReference) + ", "
        + (leavesComplete ? "" : "at least ") + leaves + " leaves)";
  }

  private String halfName() {
    switch (half) {
      case LOWER:
        return "a TTBR0 root, ";
      case UPPER:
        return "a TTBR1 root, ";
      case EITHER:
        return "a TTBR0 or TTBR1 root, ";
      default:
        return "";
    }
  }
}
