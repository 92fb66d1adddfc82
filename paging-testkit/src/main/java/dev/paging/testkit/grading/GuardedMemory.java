package dev.paging.testkit.grading;

import dev.paging.api.PhysicalMemory;

/**
 * The memory a graded submission works on: the fixture's memory, except that once the thread has
 * been interrupted, every access throws. The {@link Grader} interrupts a check whose time budget
 * ran out, and Java cannot stop a thread that ignores interrupts; but code that loops forever over
 * page tables reads memory on every turn, so this ends it instead of leaving it to spin on a core
 * for the rest of the JVM's life. It throws an {@link Error}, which student code rarely catches.
 */
final class GuardedMemory implements PhysicalMemory {
  /** Thrown into a check's code after the grader abandoned it. */
  static final class Abandoned extends Error {
    private static final long serialVersionUID = 1L;

    Abandoned() {
      super("the grader abandoned this check (its time budget ran out); memory refuses further access");
    }
  }

  private final PhysicalMemory memory;

  GuardedMemory(PhysicalMemory memory) {
    this.memory = memory;
  }

  @Override
  public long read(long address) {
    guard();
    return memory.read(address);
  }

  @Override
  public void write(long address, long value) {
    guard();
    memory.write(address, value);
  }

  @Override
  public boolean contains(long address, long length) {
    guard();
    return memory.contains(address, length);
  }

  @Override
  public void read(long address, long[] into, int offset, int count) {
    guard();
    memory.read(address, into, offset, count);
  }

  @Override
  public int firstNonZero(long address, int count) {
    guard();
    return memory.firstNonZero(address, count);
  }

  @Override
  public void zero(long address, int count) {
    guard();
    memory.zero(address, count);
  }

  private static void guard() {
    // isInterrupted() leaves the flag set, so every later access throws too.
    if (Thread.currentThread().isInterrupted()) {
      throw new Abandoned();
    }
  }

  @Override
  public String toString() {
    return memory.toString();
  }
}
