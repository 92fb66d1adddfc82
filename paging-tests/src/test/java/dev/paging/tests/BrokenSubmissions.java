package dev.paging.tests;

import dev.paging.api.Attributes;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.ops.ConflictPolicy;
import dev.paging.ops.PageTables;
import dev.paging.ops.ReclaimMode;
import dev.paging.testkit.grading.PagingSubmission;
import java.util.List;
import java.util.function.Supplier;

/** Whole implementations with one deliberate bug each, wrapping the library's correct one. */
final class BrokenSubmissions {
  private BrokenSubmissions() {}

  /** Forwards every operation to the library. */
  abstract static class Wrapper implements PagingSubmission {
    final PagingSubmission library;

    Wrapper(AddressSpace space) {
      this.library = PagingSubmission.of(PageTables.of(space));
    }

    /** Runs one operation of the library; the bug goes here. */
    abstract Outcome wrap(Supplier<Outcome> operation);

    @Override
    public AddressSpace space() {
      return library.space();
    }

    @Override
    public Outcome map(VirtualRange range, long physicalStart, Attributes attributes, ConflictPolicy policy) {
      return wrap(() -> library.map(range, physicalStart, attributes, policy));
    }

    @Override
    public Outcome unmap(VirtualRange range) {
      return wrap(() -> library.unmap(range));
    }

    @Override
    public Outcome protect(VirtualRange range, Attributes attributes) {
      return wrap(() -> library.protect(range, attributes));
    }

    @Override
    public Outcome smash(long address, long pageSize) {
      return wrap(() -> library.smash(address, pageSize));
    }

    @Override
    public Outcome collapse(VirtualRange range) {
      return wrap(() -> library.collapse(range));
    }

    @Override
    public Outcome reclaim(VirtualRange range, ReclaimMode mode) {
      return wrap(() -> library.reclaim(range, mode));
    }
  }

  /** Changes the tables right but tells the caller to invalidate nothing. */
  static final class DropsInvalidations extends Wrapper {
    DropsInvalidations(AddressSpace space) {
      super(space);
    }

    @Override
    Outcome wrap(Supplier<Outcome> operation) {
      return Outcome.of(List.of(), operation.get().pendingFrees());
    }
  }

  /** Takes a scratch frame before each operation and gives it back only when the operation succeeds. */
  static final class LeaksFrameOnAllocationFailure extends Wrapper {
    LeaksFrameOnAllocationFailure(AddressSpace space) {
      super(space);
    }

    @Override
    Outcome wrap(Supplier<Outcome> operation) {
      long scratch = space().allocator().allocate();
      Outcome outcome = operation.get();
      space().allocator().free(scratch);
      return outcome;
    }
  }

  /** Unmaps right but tells the caller to invalidate nothing; every other operation is right. */
  static final class UnmapWithoutInvalidations extends Wrapper {
    UnmapWithoutInvalidations(AddressSpace space) {
      super(space);
    }

    @Override
    Outcome wrap(Supplier<Outcome> operation) {
      return operation.get();
    }

    @Override
    public Outcome unmap(VirtualRange range) {
      return Outcome.of(List.of(), library.unmap(range).pendingFrees());
    }
  }

  /** Protects right but tells the caller to invalidate nothing; every other operation is right. */
  static final class ProtectWithoutInvalidations extends Wrapper {
    ProtectWithoutInvalidations(AddressSpace space) {
      super(space);
    }

    @Override
    Outcome wrap(Supplier<Outcome> operation) {
      return operation.get();
    }

    @Override
    public Outcome protect(VirtualRange range, Attributes attributes) {
      return Outcome.of(List.of(), library.protect(range, attributes).pendingFrees());
    }
  }
}
