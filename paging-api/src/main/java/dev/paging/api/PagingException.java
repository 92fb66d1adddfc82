package dev.paging.api;

import org.jspecify.annotations.Nullable;

/**
 * The root of the library's exceptions: conditions of the tables or the machine, not
 * programming errors (those are {@link IllegalArgumentException}s naming the offending value).
 */
public class PagingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PagingException(@Nullable String message) {
    super(message);
  }

  public PagingException(@Nullable String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
