package dev.paging.fakes;

import dev.paging.api.Addresses;
import dev.paging.api.PhysicalMemory;
import java.util.Objects;

/**
 * Passes every access through to another memory and fails on purpose at a chosen read or write,
 * so a test can prove that an operation whose memory throws part way leaves the tables as before
 * and keeps no frame, as {@link TrackingFrameAllocator#failAtAllocation} does for allocations.
 *
 * <p>A <em>read point</em> is one call that reads ({@link #read(long)}, a run read, {@link
 * #firstNonZero}, {@link #isZero}); a <em>write point</em> is one call that writes ({@link
 * #write}, {@link #zero}). Points are numbered from 1 since creation or the last {@link
 * #clearFailures()}, counting every call, failed or not, so that "fail at read 7" means the same
 * call on every run of a deterministic operation. A failing call throws {@link
 * InjectedMemoryFailure} before it reads or writes anything. {@link #contains} never fails: it
 * asks about the layout, not the contents. Not thread-safe.
 */
public final class FailingMemory implements PhysicalMemory {
  private static final long NOT_ARMED = Long.MAX_VALUE;

  private final PhysicalMemory memory;
  private long reads;
  private long writes;
  private long failAtRead = NOT_ARMED;
  private long failFromRead = NOT_ARMED;
  private long failAtWrite = NOT_ARMED;
  private long failFromWrite = NOT_ARMED;

  private FailingMemory(PhysicalMemory memory) {
    this.memory = memory;
  }

  /** A view of {@code memory} that fails only when told to. */
  public static FailingMemory over(PhysicalMemory memory) {
    return new FailingMemory(Objects.requireNonNull(memory, "memory"));
  }

  /** What a failing call throws: a runtime exception of the memory's own, as a real one would throw. */
  public static final class InjectedMemoryFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InjectedMemoryFailure(String message) {
      super(message);
    }
  }

  /** Restarts the numbering and fails the {@code n}th read point from now, and only it. */
  public FailingMemory failAtRead(long n) {
    clearFailures();
    failAtRead = positive(n);
    return this;
  }

  /** Restarts the numbering and fails the {@code n}th read point from now and every one after it. */
  public FailingMemory failFromRead(long n) {
    clearFailures();
    failFromRead = positive(n);
    return this;
  }

  /** Restarts the numbering and fails the {@code n}th write point from now, and only it. */
  public FailingMemory failAtWrite(long n) {
    clearFailures();
    failAtWrite = positive(n);
    return this;
  }

  /** Restarts the numbering and fails the {@code n}th write point from now and every one after it. */
  public FailingMemory failFromWrite(long n) {
    clearFailures();
    failFromWrite = positive(n);
    return this;
  }

  /** Disarms every failure and restarts the numbering of points. */
  public FailingMemory clearFailures() {
    failAtRead = NOT_ARMED;
    failFromRead = NOT_ARMED;
    failAtWrite = NOT_ARMED;
    failFromWrite = NOT_ARMED;
    reads = 0;
    writes = 0;
    return this;
  }

  /** Read points since creation or the last {@link #clearFailures()} (or arming), failed ones included. */
  public long readPoints() {
    return reads;
  }

  /** Write points since creation or the last {@link #clearFailures()} (or arming), failed ones included. */
  public long writePoints() {
    return writes;
  }

  private static long positive(long n) {
    if (n < 1) {
      throw new IllegalArgumentException("failure points are numbered from 1, not " + n);
    }
    return n;
  }

  private void read(String what, long address) {
    long n = ++reads;
    if (n == failAtRead || n >= failFromRead) {
      throw new InjectedMemoryFailure("injected failure of read point " + n + " (" + what + " at "
          + Addresses.hex(address) + ")");
    }
  }

  private void write(String what, long address) {
    long n = ++writes;
    if (n == failAtWrite || n >= failFromWrite) {
      throw new InjectedMemoryFailure("injected failure of write point " + n + " (" + what + " at "
          + Addresses.hex(address) + ")");
    }
  }

  @Override
  public long read(long address) {
    read("read", address);
    return memory.read(address);
  }

  @Override
  public void write(long address, long value) {
    write("write", address);
    memory.write(address, value);
  }

  @Override
  public boolean contains(long address, long length) {
    return memory.contains(address, length);
  }

  @Override
  public void read(long address, long[] into, int offset, int count) {
    read("run read", address);
    memory.read(address, into, offset, count);
  }

  @Override
  public int firstNonZero(long address, int count) {
    read("scan", address);
    return memory.firstNonZero(address, count);
  }

  @Override
  public boolean isZero(long address, int count) {
    read("zero check", address);
    return memory.isZero(address, count);
  }

  @Override
  public void zero(long address, int count) {
    write("zeroing", address);
    memory.zero(address, count);
  }

  @Override
  public String toString() {
    return "FailingMemory over " + memory;
  }
}
