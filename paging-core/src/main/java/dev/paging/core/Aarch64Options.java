package dev.paging.core;

import static dev.paging.api.Addresses.hex;

import org.jspecify.annotations.Nullable;

/**
 * The translation controls an AArch64 stage 1 format depends on, as an immutable value: the
 * translation granule of each half (TCR_EL1.TG0 for TTBR0's, TG1 for TTBR1's), the virtual
 * address size of each half ({@code 64 - T0SZ}, {@code 64 - T1SZ}), the output address size
 * (TCR_EL1.IPS) and whether 52-bit addresses with the 64 KiB granule are in use (FEAT_LPA and
 * FEAT_LVA).
 *
 * <p>Start from {@link #defaults()} (4 KiB granule, 48-bit virtual and physical addresses, what a
 * Linux arm64 kernel with 4 levels runs with) and change single controls with the {@code with...}
 * methods: the one-argument ones set both halves alike, {@link #withGranules} and {@link
 * #withVirtualAddressBits(int, int)} each half. Halves that differ give each its own walk: the
 * upper half may start at another level or use another granule (see {@link
 * dev.paging.api.PagingFormat#levels(long)}).
 */
public final class Aarch64Options {
  /** The largest {@code TxSZ} is 39 (without FEAT_TTST): 25 virtual address bits. */
  public static final int MIN_VIRTUAL_ADDRESS_BITS = 25;
  /** 48 virtual address bits; 52 only with {@link #largeAddresses()}. */
  public static final int MAX_VIRTUAL_ADDRESS_BITS = 48;

  private static final int[] IPS = {32, 36, 40, 42, 44, 48, 52};
  private static final Aarch64Options DEFAULTS = new Aarch64Options(12, 12, 48, 48, 48, false);

  private final int granuleShift;
  private final int upperGranuleShift;
  private final int virtualAddressBits;
  private final int upperVirtualAddressBits;
  private final int physicalAddressBits;
  private final boolean largeAddresses;

  private Aarch64Options(int granuleShift, int upperGranuleShift, int virtualAddressBits, int upperVirtualAddressBits,
      int physicalAddressBits, boolean largeAddresses) {
    this.granuleShift = granuleShift;
    this.upperGranuleShift = upperGranuleShift;
    this.virtualAddressBits = virtualAddressBits;
    this.upperVirtualAddressBits = upperVirtualAddressBits;
    this.physicalAddressBits = physicalAddressBits;
    this.largeAddresses = largeAddresses;
  }

  /** A 4 KiB granule, 48-bit virtual addresses in each half and 48-bit output addresses. */
  public static Aarch64Options defaults() {
    return DEFAULTS;
  }

  /**
   * These options with a translation granule of {@code bytes} in both halves: 4096, 16384 or
   * 65536.
   *
   * @throws IllegalArgumentException for another size, or for 4 or 16 KiB while {@link
   *     #largeAddresses()}
   */
  public Aarch64Options withGranule(int bytes) {
    return withGranules(bytes, bytes);
  }

  /**
   * These options with a translation granule of {@code lower} bytes in the lower half (TG0) and
   * {@code upper} in the upper half (TG1), each 4096, 16384 or 65536.
   *
   * @throws IllegalArgumentException for another size, naming it, or for 4 or 16 KiB while
   *     {@link #largeAddresses()}
   */
  public Aarch64Options withGranules(int lower, int upper) {
    int shift = granuleShift(lower);
    int upperShift = granuleShift(upper);
    return shift == granuleShift && upperShift == upperGranuleShift ? this
        : new Aarch64Options(shift, upperShift, virtualAddressBits, upperVirtualAddressBits, physicalAddressBits,
            largeAddresses);
  }

  private int granuleShift(int bytes) {
    if (bytes != 4096 && bytes != 16384 && bytes != 65536) {
      throw new IllegalArgumentException("translation granule " + bytes + " is not 4096, 16384 or 65536 bytes");
    }
    int shift = Integer.numberOfTrailingZeros(bytes);
    if (largeAddresses && shift != 16) {
      throw new IllegalArgumentException("52-bit addresses (FEAT_LPA, FEAT_LVA) need the 64 KiB granule, not "
          + bytes + " bytes");
    }
    return shift;
  }

  /**
   * These options with {@code bits} virtual address bits in each half ({@code 64 - TxSZ}).
   *
   * @throws IllegalArgumentException unless {@code bits} is in 25..48, or 25..52 with {@link
   *     #largeAddresses()}
   */
  public Aarch64Options withVirtualAddressBits(int bits) {
    return withVirtualAddressBits(bits, bits);
  }

  /**
   * These options with {@code lower} virtual address bits in the lower half ({@code 64 - T0SZ})
   * and {@code upper} in the upper half ({@code 64 - T1SZ}).
   *
   * @throws IllegalArgumentException unless each is in 25..48, or 25..52 with {@link
   *     #largeAddresses()}, naming the one that is not
   */
  public Aarch64Options withVirtualAddressBits(int lower, int upper) {
    checkVirtualAddressBits(lower);
    checkVirtualAddressBits(upper);
    return lower == virtualAddressBits && upper == upperVirtualAddressBits ? this
        : new Aarch64Options(granuleShift, upperGranuleShift, lower, upper, physicalAddressBits, largeAddresses);
  }

  private void checkVirtualAddressBits(int bits) {
    int max = largeAddresses ? 52 : MAX_VIRTUAL_ADDRESS_BITS;
    if (bits < MIN_VIRTUAL_ADDRESS_BITS || bits > max) {
      throw new IllegalArgumentException("virtual address bits " + bits + " is outside " + MIN_VIRTUAL_ADDRESS_BITS
          + ".." + max + (largeAddresses ? "" : " (52 needs the 64 KiB granule with FEAT_LVA)"));
    }
  }

  /**
   * These options with an output address size of {@code bits}, one of TCR_EL1.IPS's sizes: 32,
   * 36, 40, 42, 44, 48, or 52 with {@link #largeAddresses()}.
   *
   * @throws IllegalArgumentException for another size
   */
  public Aarch64Options withPhysicalAddressBits(int bits) {
    boolean known = false;
    for (int size : IPS) {
      known |= size == bits;
    }
    if (!known || (bits == 52 && !largeAddresses)) {
      throw new IllegalArgumentException("physical address bits " + bits + " is not an IPS size (32, 36, 40, 42, "
          + "44, 48" + (largeAddresses ? ", 52)" : "; 52 needs the 64 KiB granule with FEAT_LPA)"));
    }
    return bits == physicalAddressBits ? this : new Aarch64Options(granuleShift, upperGranuleShift, virtualAddressBits,
        upperVirtualAddressBits, bits, largeAddresses);
  }

  /**
   * These options with 52-bit addresses allowed or not (FEAT_LPA and FEAT_LVA, 64 KiB granule
   * only): output address bits 51:48 in descriptor bits 15:12, and level 1 blocks of 4 TiB.
   * Turning it on keeps the sizes; turning it off brings sizes above 48 bits down to 48.
   *
   * @throws IllegalArgumentException when turned on while a half has another granule
   */
  public Aarch64Options withLargeAddresses(boolean on) {
    if (on == largeAddresses) {
      return this;
    }
    if (on && (granuleShift != 16 || upperGranuleShift != 16)) {
      throw new IllegalArgumentException("52-bit addresses (FEAT_LPA, FEAT_LVA) need the 64 KiB granule, not "
          + (1 << (granuleShift != 16 ? granuleShift : upperGranuleShift)) + " bytes");
    }
    return new Aarch64Options(granuleShift, upperGranuleShift, Math.min(virtualAddressBits, 48),
        Math.min(upperVirtualAddressBits, 48), Math.min(physicalAddressBits, 48), on);
  }

  /**
   * The options TCR_EL1 holds for the halves that are walked: {@code lower} for TTBR0's (T0SZ,
   * TG0), {@code upper} for TTBR1's (T1SZ, TG1), and the output size IPS (bits 34:32). A half
   * that is not walked takes the other's geometry, since none of it is read (its TxSZ and TGx
   * may hold anything then). An IPS of 52 bits selects {@link #largeAddresses()} with the 64 KiB
   * granule.
   * The EPD0/EPD1 bits (7 and 23), which turn a half's walks off, are the caller's to read:
   * {@link #walksDisabled}.
   *
   * @throws IllegalArgumentException naming the field and its value when a granule or IPS
   *     encoding is reserved, a TxSZ gives a size outside what the granule allows, 52-bit output
   *     or virtual addresses are asked with a 4 or 16 KiB granule (FEAT_LPA2, TCR_EL1.DS, which
   *     this library does not read), or neither half is walked
   */
  public static Aarch64Options fromTcr(long tcr, boolean lower, boolean upper) {
    if (!lower && !upper) {
      throw new IllegalArgumentException("TCR_EL1 " + hex(tcr) + ": neither half is walked");
    }
    int g0 = (int) (tcr >>> 14) & 3;
    int g1 = (int) (tcr >>> 30) & 3;
    int shift0 = g0 == 0 ? 12 : g0 == 1 ? 16 : g0 == 2 ? 14 : -1;
    int shift1 = g1 == 2 ? 12 : g1 == 3 ? 16 : g1 == 1 ? 14 : -1;
    if (lower && shift0 < 0) {
      throw new IllegalArgumentException("TCR_EL1 " + hex(tcr) + ": TG0 = 0b11 is reserved");
    }
    if (upper && shift1 < 0) {
      throw new IllegalArgumentException("TCR_EL1 " + hex(tcr) + ": TG1 = 0b00 is reserved");
    }
    int va0 = 64 - (int) (tcr & 0x3f);
    int va1 = 64 - (int) ((tcr >>> 16) & 0x3f);
    // A half that is not walked takes the other's geometry: nothing of it is ever read.
    if (!lower) {
      shift0 = shift1;
      va0 = va1;
    } else if (!upper) {
      shift1 = shift0;
      va1 = va0;
    }
    int ips = (int) (tcr >>> 32) & 7;
    if (ips == 7) {
      throw new IllegalArgumentException("TCR_EL1 " + hex(tcr) + ": IPS = 0b111 is reserved");
    }
    int pa = IPS[ips];
    boolean large = pa == 52 || va0 > MAX_VIRTUAL_ADDRESS_BITS || va1 > MAX_VIRTUAL_ADDRESS_BITS;
    for (int half = 0; half < 2; half++) {
      int shift = half == 0 ? shift0 : shift1;
      int va = half == 0 ? va0 : va1;
      if (large && shift != 16) {
        throw new IllegalArgumentException("TCR_EL1 " + hex(tcr) + ": " + (pa == 52 ? "52-bit output (IPS 0b110)"
            : Math.max(va0, va1) + "-bit virtual addresses") + " with a " + (1 << shift >>> 10) + " KiB granule (TG"
            + half + ") needs FEAT_LPA2 (TCR_EL1.DS), which is not supported; with 64 KiB it is FEAT_LPA/LVA");
      }
      try {
        defaults().withGranule(1 << shift).withLargeAddresses(large).withVirtualAddressBits(va);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("TCR_EL1 " + hex(tcr) + ": T" + half + "SZ = " + (64 - va) + ": "
            + e.getMessage(), e);
      }
    }
    return defaults().withGranules(1 << shift0, 1 << shift1).withLargeAddresses(large)
        .withVirtualAddressBits(va0, va1).withPhysicalAddressBits(pa);
  }

  /** Whether TCR_EL1 {@code tcr} turns off walks of the upper half (EPD1, bit 23) or the lower (EPD0, bit 7). */
  public static boolean walksDisabled(long tcr, boolean upper) {
    return (tcr & (upper ? 1L << 23 : 1L << 7)) != 0;
  }

  /**
   * The lower half's translation granule (TG0) in bytes: the size of a last-level page and of a
   * full table there.
   */
  public int granule() {
    return 1 << granuleShift;
  }

  /** The upper half's translation granule (TG1) in bytes. */
  public int upperGranule() {
    return 1 << upperGranuleShift;
  }

  /** log2 of {@link #granule()} or, for the upper half, of {@link #upperGranule()}. */
  int granuleShift(boolean upper) {
    return upper ? upperGranuleShift : granuleShift;
  }

  /** The lower half's virtual address bits: TTBR0 maps {@code [0, 2^bits)}. */
  public int virtualAddressBits() {
    return virtualAddressBits;
  }

  /** The upper half's virtual address bits: TTBR1 maps the top {@code 2^bits} bytes. */
  public int upperVirtualAddressBits() {
    return upperVirtualAddressBits;
  }

  /** Whether the halves differ in granule or virtual size, so that each has a walk of its own. */
  public boolean halvesDiffer() {
    return granuleShift != upperGranuleShift || virtualAddressBits != upperVirtualAddressBits;
  }

  /** The output address size: descriptors with address bits at or above it are malformed. */
  public int physicalAddressBits() {
    return physicalAddressBits;
  }

  /** True when 52-bit virtual and output addresses may be used (64 KiB granule only). */
  public boolean largeAddresses() {
    return largeAddresses;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof Aarch64Options)) {
      return false;
    }
    Aarch64Options other = (Aarch64Options) o;
    return other.granuleShift == granuleShift && other.upperGranuleShift == upperGranuleShift
        && other.virtualAddressBits == virtualAddressBits && other.upperVirtualAddressBits == upperVirtualAddressBits
        && other.physicalAddressBits == physicalAddressBits && other.largeAddresses == largeAddresses;
  }

  @Override
  public int hashCode() {
    return ((((granuleShift * 31 + upperGranuleShift) * 31 + virtualAddressBits) * 31 + upperVirtualAddressBits) * 31
        + physicalAddressBits) * 31 + Boolean.hashCode(largeAddresses);
  }

  @Override
  public String toString() {
    String granules = halvesDiffer() ? "granules=" + granule() + "/" + upperGranule() + ", virtualAddressBits="
        + virtualAddressBits + "/" + upperVirtualAddressBits : "granule=" + granule() + ", virtualAddressBits="
        + virtualAddressBits;
    return "Aarch64Options[" + granules + ", physicalAddressBits=" + physicalAddressBits + ", largeAddresses="
        + largeAddresses + "]";
  }
}
