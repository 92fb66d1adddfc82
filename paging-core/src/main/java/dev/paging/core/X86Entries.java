package dev.paging.core;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Attributes;
import java.util.Objects;

/**
 * What every x86 paging mode (long mode, 32-bit, PAE) shares, kept once for {@link X86Format}
 * and {@link X86LegacyFormat}: where the rights live in an entry, and how they combine down the
 * levels.
 */
final class X86Entries {
  static final long RW = 1L << 1;
  static final long US = 1L << 2;
  static final long A = 1L << 5;
  static final long XD = 1L << 63;

  private X86Entries() {}

  /** R/W, U/S, A and XD as {@code attributes} ask for them. */
  static long rightsBits(Attributes attributes) {
    long raw = 0;
    if (attributes.writable()) {
      raw |= RW;
    }
    if (attributes.user()) {
      raw |= US;
    }
    if (attributes.accessed()) {
      raw |= A;
    }
    if (!attributes.executable()) {
      raw |= XD;
    }
    return raw;
  }

  /** Write and user are ANDed down the levels and execute-disable ORed; the rest is the lower entry's. */
  static Attributes effective(Attributes upper, Attributes lower) {
    Objects.requireNonNull(upper, "upper");
    Objects.requireNonNull(lower, "lower");
    return lower.withWritable(upper.writable() && lower.writable())
        .withUser(upper.user() && lower.user())
        .withExecutable(upper.executable() && lower.executable());
  }

  /**
   * Readable, writable and user only when the leaf is, never execute-disable, nothing else: the
   * leaf then decides, since the effective rights are the AND over the levels.
   */
  static Attributes tableAttributesFor(Attributes leaf) {
    Objects.requireNonNull(leaf, "leaf");
    return Attributes.none()
        .withReadable(true)
        .withWritable(leaf.writable())
        .withUser(leaf.user())
        .withExecutable(true);
  }

  /** Refuses extra bits outside {@code allowed}, naming format {@code name} and the kind of entry. */
  static void checkExtra(String name, long extra, long allowed, String what) {
    if ((extra & ~allowed) != 0) {
      throw new IllegalArgumentException(name + ": extra bits " + hex(extra) + " of a " + what
          + " entry overlap bits the format models or reserves; only " + hex(allowed) + " may be given");
    }
  }
}
