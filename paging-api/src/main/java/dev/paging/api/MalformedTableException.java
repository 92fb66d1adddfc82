package dev.paging.api;

import org.jspecify.annotations.Nullable;

/** An operation that changes the tables met an entry it cannot interpret; nothing was changed. */
public final class MalformedTableException extends PagingException {
  private static final long serialVersionUID = 1L;

  public MalformedTableException(@Nullable String message) {
    super(message);
  }
}
