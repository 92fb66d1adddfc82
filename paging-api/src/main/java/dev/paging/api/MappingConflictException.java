package dev.paging.api;

import org.jspecify.annotations.Nullable;

/** A mapping operation met an existing mapping where its policy forbids one; nothing was changed. */
public final class MappingConflictException extends PagingException {
  private static final long serialVersionUID = 1L;

  public MappingConflictException(@Nullable String message) {
    super(message);
  }
}
