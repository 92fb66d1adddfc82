package dev.paging.api;

import org.jspecify.annotations.Nullable;

/** The frame allocator has no frame to give. Operations that meet it leave the tables as they were. */
public final class OutOfFramesException extends PagingException {
  private static final long serialVersionUID = 1L;

  public OutOfFramesException(@Nullable String message) {
    super(message);
  }
}
