package dev.paging.tests;

import static dev.paging.api.Addresses.hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.TableCursor;
import dev.paging.api.TableNotEmptyException;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.core.Walker;
import dev.paging.ops.ReclaimMode;
import dev.paging.testkit.grading.Batteries;
import dev.paging.testkit.grading.ReclaimSubmission;
import dev.paging.testkit.grading.ScoreCard;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The grading example for the README, run as written: a student's reclaim visitor graded in ten lines. */
class GradingExampleTest {
  /** A student's visitor: counts live entries, frees empty tables in afterTable, but forgets that a freed child empties its parent. */
  static final class AliceVisitor implements PageTableVisitor {
    final AddressSpace space;
    final ReclaimMode mode;
    final int[] live = new int[5];
    final List<long[]> toFree = new ArrayList<>();
    String notEmpty;

    AliceVisitor(AddressSpace space, ReclaimMode mode) {
      this.space = space;
      this.mode = mode;
    }

    @Override
    public Control beforeTable(TableCursor table) {
      live[table.level().depth()] = 0;
      return Control.CONTINUE;
    }

    @Override
    public Control onEntry(EntryCursor entry) {
      live[entry.level().depth()]++;
      boolean shared = entry.kind() == EntryKind.TABLE && space.sharedTables().isShared(entry.target());
      return shared ? Control.SKIP_SUBTREE : Control.CONTINUE;
    }

    @Override
    public Control afterTable(TableCursor table) {
      int d = table.level().depth();
      if (d > 0 && table.fullyInRange()) {
        if (live[d] == 0) {
          toFree.add(new long[] {table.parent().entryAddress(), table.frame()});
        } else if (mode == ReclaimMode.STRICT) {
          notEmpty = "table " + hex(table.frame()) + " is not empty";
          return Control.STOP;
        }
      }
      return Control.CONTINUE;
    }

    void unlinkAndFree() {
      if (notEmpty != null) {
        throw new TableNotEmptyException(notEmpty);
      }
      for (long[] link : toFree) {
        space.memory().write(link[0], 0);
        space.allocator().free(link[1]);
      }
    }
  }

  // readme:grading
  /** Alice's submission: her reclaim visitor, run over the range. */
  static class AliceReclaimer implements ReclaimSubmission {
    @Override
    public void reclaim(AddressSpace space, VirtualRange range, ReclaimMode mode) {
      AliceVisitor visitor = new AliceVisitor(space, mode);   // decides in afterTable, bottom-up
      Walker.walk(space, range, visitor);
      visitor.unlinkAndFree();                                // or throws TableNotEmptyException
    }
  }

  static String grade() {
    ScoreCard card = Batteries.reclaim().grade("alice", AliceReclaimer::new);
    return card.toMarkdown();   // or card.toJson() for the gradebook
  }
  // readme:end

  @Test
  void aliceLosesOnlyThePointsOfTheCheckOfHerMissingCascade() {
    String markdown = grade();
    assertThat(markdown).startsWith("# reclaim: alice\n\n"
        + "Score: **7 / 10**\n\n"
        + "| check | points | status |\n|---|---:|---|\n"
        + "| emptied tables are freed, cascading up | 0 / 3 | FAILED |\n"
        + "| huge pages and partly covered tables stay | 2 / 2 | PASSED |\n"
        + "| STRICT fails without changing anything | 2 / 2 | PASSED |\n"
        + "| shared kernel tables are never freed | 2 / 2 | PASSED |\n"
        + "| random sequences of every operation | 1 / 1 | PASSED |\n"
        + "\n## emptied tables are freed, cascading up — FAILED\n\n");
    // The check's own scenario: a page 3 GiB up, unmapped, its root entry reclaimed. Alice frees
    // the last-level table but neither table above it, which that freeing emptied.
    assertThat(markdown).contains("frames the library freed and the submission did not: 0x0000000001001000, "
        + "0x0000000001002000\n").contains("Minimal scenario:\n\n```\n"
        + "map [0x00000000c0000000, 0x00000000c0000fff] to 0x0000000000005000 rw----- FAIL\n"
        + "unmap [0x00000000c0000000, 0x00000000c0000fff]\n"
        + "reclaim [0x0000000000000000, 0x0000007fffffffff] COLLECT\n```\n");
    assertThat(grade()).isEqualTo(markdown);
  }
}
