package dev.paging.api;

import org.jspecify.annotations.Nullable;

/** A strict reclamation met a table that is not empty; nothing was freed. */
public final class TableNotEmptyException extends PagingException {
  private static final long serialVersionUID = 1L;

  public TableNotEmptyException(@Nullable String message) {
    super(message);
  }
}
