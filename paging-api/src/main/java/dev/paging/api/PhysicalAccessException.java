package dev.paging.api;

import org.jspecify.annotations.Nullable;

/** A read or write of physical memory at an address the memory does not back, or a write to read-only memory. */
public final class PhysicalAccessException extends PagingException {
  private static final long serialVersionUID = 1L;

  public PhysicalAccessException(@Nullable String message) {
    super(message);
  }
}
