package dev.paging.ops;

import static dev.paging.api.Addresses.hex;

import org.jspecify.annotations.Nullable;

/**
 * One write of an operation to a live table entry: where, what the entry held before and what
 * the operation wrote. An {@link InterruptedChangeException} lists those it could not undo. An
 * immutable value.
 */
public final class EntryWrite {
  private final long address;
  private final long before;
  private final long written;

  private EntryWrite(long address, long before, long written) {
    this.address = address;
    this.before = before;
    this.written = written;
  }

  static EntryWrite of(long address, long before, long written) {
    return new EntryWrite(address, before, written);
  }

  /** The physical address of the entry. */
  public long address() {
    return address;
  }

  /** The entry's bits before the operation. */
  public long before() {
    return before;
  }

  /**
   * The bits the operation wrote. The entry holds them, unless this was the write that failed:
   * then it holds these bits or the ones before, as far as the memory did the write.
   */
  public long written() {
    return written;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof EntryWrite)) {
      return false;
    }
    EntryWrite w = (EntryWrite) o;
    return w.address == address && w.before == before && w.written == written;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(address) * 961 + Long.hashCode(before) * 31 + Long.hashCode(written);
  }

  @Override
  public String toString() {
    return "entry at " + hex(address) + ": " + hex(before) + " -> " + hex(written);
  }
}
