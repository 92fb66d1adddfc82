package dev.paging.testkit.grading;

import dev.paging.core.AddressSpace;
import dev.paging.ops.Translator;

/**
 * The contract of a translation, as a student or a library user implements it: walk the tables
 * of {@code space} (its format, memory and root) and say where {@code virtualAddress} goes.
 * {@link Batteries#translate()} grades an implementation against the library's {@link
 * Translator}.
 *
 * <p>What a correct implementation does, as hardware would:
 *
 * <ul>
 *   <li>returns the physical address of the byte, page offset included, for a mapped address,
 *       whatever the page size (4 KiB, 2 MiB, 1 GiB, ...);
 *   <li>returns {@link #NOT_MAPPED} for an address with no leaf on its path, and for one whose
 *       walk meets a malformed entry (reserved bits, a leaf where the level allows none, a table
 *       outside memory, a table pointer at the last level);
 *   <li>follows a table entry that points back to one of its own ancestors (a recursive mapping)
 *       like any other, reading that table again one level down, and stops after as many levels
 *       as the format has: on x86-64 the address whose every index is a self-referencing root
 *       entry maps the root table itself;
 *   <li>throws {@link IllegalArgumentException} for an address that is not canonical;
 *   <li>changes nothing (it only reads memory) and terminates on any tables.
 * </ul>
 */
@FunctionalInterface
public interface TranslateSubmission {
  /** What {@link #translate} returns for an address that is not mapped. */
  long NOT_MAPPED = Translator.NOT_MAPPED;

  /** The physical address {@code virtualAddress} maps to in {@code space}, or {@link #NOT_MAPPED}. */
  long translate(AddressSpace space, long virtualAddress);

  /** The library's own translation ({@link Translator#physicalAddressOrElse}): the reference. */
  static TranslateSubmission library() {
    return (space, virtualAddress) -> Translator.of(space).physicalAddressOrElse(virtualAddress, Translator.NOT_MAPPED);
  }
}
