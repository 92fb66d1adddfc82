package dev.paging.core;

import org.jspecify.annotations.Nullable;

/**
 * The processor features an x86-64 page-table format depends on, as an immutable value: whether
 * 1 GiB pages exist (CPUID Page1GB), whether execute-disable is enabled (EFER.NXE), and the
 * physical address width MAXPHYADDR.
 *
 * <p>Start from {@link #defaults()} (1 GiB pages, NX enabled, 52 physical bits, what a current
 * 64-bit kernel runs with) and change single features with the {@code with...} methods.
 */
public final class X86Options {
  /** The smallest MAXPHYADDR any long-mode processor reports. */
  public static final int MIN_PHYSICAL_ADDRESS_BITS = 32;
  /** The architectural ceiling of MAXPHYADDR: entries have no address bits above 51. */
  public static final int MAX_PHYSICAL_ADDRESS_BITS = 52;

  private static final X86Options DEFAULTS = new X86Options(true, true, MAX_PHYSICAL_ADDRESS_BITS);

  private final boolean gigabytePages;
  private final boolean nx;
  private final int physicalAddressBits;

  private X86Options(boolean gigabytePages, boolean nx, int physicalAddressBits) {
    this.gigabytePages = gigabytePages;
    this.nx = nx;
    this.physicalAddressBits = physicalAddressBits;
  }

  /** 1 GiB pages supported, NX enabled, 52 physical address bits. */
  public static X86Options defaults() {
    return DEFAULTS;
  }

  /** These options with 1 GiB pages supported or not (PS in a PDPT entry). */
  public X86Options withGigabytePages(boolean on) {
    return on == gigabytePages ? this : new X86Options(on, nx, physicalAddressBits);
  }

  /** These options with execute-disable enabled or not; when disabled, bit 63 is reserved. */
  public X86Options withNx(boolean on) {
    return on == nx ? this : new X86Options(gigabytePages, on, physicalAddressBits);
  }

  /**
   * These options with a physical address width of {@code bits}.
   *
   * @throws IllegalArgumentException unless {@code bits} is in 32..52
   */
  public X86Options withPhysicalAddressBits(int bits) {
    if (bits < MIN_PHYSICAL_ADDRESS_BITS || bits > MAX_PHYSICAL_ADDRESS_BITS) {
      throw new IllegalArgumentException("physical address bits " + bits + " is outside "
          + MIN_PHYSICAL_ADDRESS_BITS + ".." + MAX_PHYSICAL_ADDRESS_BITS);
    }
    return bits == physicalAddressBits ? this : new X86Options(gigabytePages, nx, bits);
  }

  /** True when a PDPT entry may map a 1 GiB page. */
  public boolean gigabytePages() {
    return gigabytePages;
  }

  /** True when bit 63 is execute-disable rather than reserved. */
  public boolean nx() {
    return nx;
  }

  /** MAXPHYADDR: address bits at or above it are reserved in every entry. */
  public int physicalAddressBits() {
    return physicalAddressBits;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof X86Options)) {
      return false;
    }
    X86Options other = (X86Options) o;
    return other.gigabytePages == gigabytePages && other.nx == nx
        && other.physicalAddressBits == physicalAddressBits;
  }

  @Override
  public int hashCode() {
    return (Boolean.hashCode(gigabytePages) * 31 + Boolean.hashCode(nx)) * 31 + physicalAddressBits;
  }

  @Override
  public String toString() {
    return "X86Options[gigabytePages=" + gigabytePages + ", nx=" + nx + ", physicalAddressBits="
        + physicalAddressBits + "]";
  }
}
