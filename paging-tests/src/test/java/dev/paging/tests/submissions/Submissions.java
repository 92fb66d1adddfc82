package dev.paging.tests.submissions;

import dev.paging.core.AddressSpace;
import dev.paging.testkit.grading.TranslateSubmission;
import java.util.ArrayList;
import java.util.List;

/**
 * Translate submissions as students hand them in, each packed into its own jar by the tests: a
 * correct one, and hostile ones that are correct on canonical addresses (so the other checks
 * pass) and misbehave on the first non-canonical one, in the check that rejects them.
 */
public final class Submissions {
  private Submissions() {}

  private static final TranslateSubmission LIBRARY = TranslateSubmission.library();

  /** Correct: the library's translation. */
  public static final class Correct implements TranslateSubmission {
    @Override
    public long translate(AddressSpace space, long virtualAddress) {
      return LIBRARY.translate(space, virtualAddress);
    }
  }

  /** Forgets that a non-canonical address is an error: returns NOT_MAPPED for it. */
  public static final class AcceptsNonCanonical implements TranslateSubmission {
    @Override
    public long translate(AddressSpace space, long virtualAddress) {
      if (!space.format().isCanonical(virtualAddress)) {
        System.out.println("student debug: " + Long.toHexString(virtualAddress) + " is not mapped, I think");
        return NOT_MAPPED;
      }
      return LIBRARY.translate(space, virtualAddress);
    }
  }

  /** Base of the hostile ones: correct, except on a non-canonical address. */
  abstract static class Hostile implements TranslateSubmission {
    @Override
    public final long translate(AddressSpace space, long virtualAddress) {
      if (!space.format().isCanonical(virtualAddress)) {
        misbehave();
      }
      return LIBRARY.translate(space, virtualAddress);
    }

    abstract void misbehave();
  }

  /** Ends the grading JVM. */
  public static final class Exits extends Hostile {
    @Override
    void misbehave() {
      System.exit(42);
    }
  }

  /** Allocates until the heap is gone. */
  public static final class RunsOutOfMemory extends Hostile {
    static final List<long[]> HOARD = new ArrayList<>();

    @Override
    void misbehave() {
      while (true) {
        HOARD.add(new long[1 << 20]);
      }
    }
  }

  /** Recurses for ever. */
  public static final class OverflowsItsStack extends Hostile {
    @Override
    void misbehave() {
      deeper(0);
    }

    private static int deeper(int n) {
      return deeper(n + 1) + 1;
    }
  }

  /** Spins, swallowing every interrupt. */
  public static final class IgnoresInterrupts extends Hostile {
    @Override
    void misbehave() {
      while (true) {
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          // carry on regardless
        }
      }
    }
  }

  /** Correct, but leaves a thread that never ends (not a daemon: it would keep a JVM alive). */
  public static final class LeavesAThreadRunning implements TranslateSubmission {
    static {
      Thread t = new Thread(() -> {
        while (true) {
          Thread.onSpinWait();
        }
      }, "student's forgotten thread");
      t.start();
    }

    @Override
    public long translate(AddressSpace space, long virtualAddress) {
      return LIBRARY.translate(space, virtualAddress);
    }
  }

  /** Correct, after printing 50 MB. */
  public static final class PrintsFiftyMegabytes implements TranslateSubmission {
    private static boolean printed;

    @Override
    public long translate(AddressSpace space, long virtualAddress) {
      if (!printed) {
        printed = true;
        String line = "x".repeat(1023) + "\n";
        for (int i = 0; i < 50 * 1024; i++) {
          System.out.print(line);
        }
        System.out.flush();
      }
      return LIBRARY.translate(space, virtualAddress);
    }
  }

  /** Not a submission at all: implements nothing. */
  public static final class ImplementsNothing {
    public long translate(AddressSpace space, long virtualAddress) {
      return LIBRARY.translate(space, virtualAddress);
    }
  }
}
