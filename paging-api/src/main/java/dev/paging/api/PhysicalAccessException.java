package dev.paging.api;

/** A read or write of physical memory at an address the memory does not back, or a write to read-only memory. */
public final class PhysicalAccessException extends PagingException {
  private static final long serialVersionUID = 1L;

  public PhysicalAccessException(String message) {
    super(message);
  }
}
