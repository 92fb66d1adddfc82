package dev.paging.testkit.grading;

import java.util.Locale;

/**
 * Who sees a check's result, as Gradescope defines it: {@link #VISIBLE} at once, {@link #HIDDEN}
 * never (staff only), {@link #AFTER_DUE_DATE} and {@link #AFTER_PUBLISHED} once the assignment's
 * due date has passed or its grades are published.
 */
public enum Visibility {
  VISIBLE, HIDDEN, AFTER_DUE_DATE, AFTER_PUBLISHED;

  /** The name Gradescope's {@code results.json} and a rubric use: {@code visible}, {@code after_due_date}, ... */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The visibility a rubric or Gradescope calls {@code key}, or null for none. */
  static Visibility ofKey(String key) {
    for (Visibility v : values()) {
      if (v.key().equals(key)) {
        return v;
      }
    }
    return null;
  }
}
