package dev.paging.testkit.grading;

import org.jspecify.annotations.Nullable;

/**
 * A grading run cannot start: a rubric line that does not parse or names no check, a submission
 * jar that does not exist or holds no usable class. Nothing was graded; the message says what to
 * fix (the line, the class, the interface it must implement).
 */
public final class GradingInputException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public GradingInputException(@Nullable String message) {
    super(message);
  }

  public GradingInputException(@Nullable String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
