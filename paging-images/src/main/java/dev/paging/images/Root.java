package dev.paging.images;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.PagingFormat;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A root table a dump names, with the format its tables are read in and where the dump says so:
 * {@code CPU 0: CR3 0x...; CR4.LA57 clear}. Immutable.
 */
public final class Root {
  private final long address;
  private final PagingFormat format;
  private final String source;

  private Root(long address, PagingFormat format, String source) {
    this.address = address;
    this.format = format;
    this.source = source;
  }

  /** The root table at physical {@code address}, of {@code format}, found as {@code source} says. */
  public static Root of(long address, PagingFormat format, String source) {
    return new Root(address, Objects.requireNonNull(format, "format"), Objects.requireNonNull(source, "source"));
  }

  /** The physical address of the root table. */
  public long address() {
    return address;
  }

  /** The format the dump's registers select. */
  public PagingFormat format() {
    return format;
  }

  /** Which register or note gave it, and how it was decoded. */
  public String source() {
    return source;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Root
        && ((Root) o).address == address
        && ((Root) o).format.equals(format)
        && ((Root) o).source.equals(source);
  }

  @Override
  public int hashCode() {
    return Objects.hash(address, format, source);
  }

  /** {@code 0x... (x86-64 4-level, from CPU 0: CR3 0x...)}. */
  @Override
  public String toString() {
    return hex(address) + " (" + format.name() + ", from " + source + ")";
  }
}
