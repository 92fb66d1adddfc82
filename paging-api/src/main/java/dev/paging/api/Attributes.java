package dev.paging.api;

import java.util.Objects;
import org.jspecify.annotations.Nullable;
import static dev.paging.api.Addresses.hex;

/**
 * The attributes of an entry, as an immutable portable view that still keeps every
 * architecture bit: decoding an entry and encoding the result gives back the same bits.
 *
 * <p>The portable part is what every supported architecture can say about a mapping: read,
 * write, execute, user, global, accessed, dirty, a memory type and software bits. Polarity is
 * the format's problem: {@link #executable()} is true for an x86 entry whose XD bit is clear.
 * Whatever the portable view does not model (x86 protection keys, ignored bits of a table
 * entry, RISC-V N) stays in {@link #extraBits()} at the positions the architecture gives it.
 *
 * <p>The meaning of {@link #memoryType()} and {@link #softwareBits()} is the format's: for x86,
 * the memory type is the PAT index {@code PAT<<2 | PCD<<1 | PWT} wherever PAT sits in the entry;
 * for RISC-V it is the PBMT field.
 */
public final class Attributes {
  private static final int READ = 1, WRITE = 2, EXECUTE = 4, USER = 8, GLOBAL = 16, ACCESSED = 32,
      DIRTY = 64;
  private static final Attributes NONE = new Attributes(0, 0, 0, 0);

  private final int flags;
  private final int memoryType;
  private final long softwareBits;
  private final long extraBits;

  private Attributes(int flags, int memoryType, long softwareBits, long extraBits) {
    this.flags = flags;
    this.memoryType = memoryType;
    this.softwareBits = softwareBits;
    this.extraBits = extraBits;
  }

  /** No permission, no flag: the starting point for {@code with...} calls. */
  public static Attributes none() {
    return NONE;
  }

  /** Readable only: a kernel read-only, non-executable mapping. */
  public static Attributes readOnly() {
    return NONE.withReadable(true);
  }

  /** Readable and writable, not executable, supervisor only. */
  public static Attributes readWrite() {
    return NONE.withReadable(true).withWritable(true);
  }

  /** Readable and executable: code. */
  public static Attributes readExecute() {
    return NONE.withReadable(true).withExecutable(true);
  }

  public boolean readable() {
    return (flags & READ) != 0;
  }

  public boolean writable() {
    return (flags & WRITE) != 0;
  }

  public boolean executable() {
    return (flags & EXECUTE) != 0;
  }

  /** Accessible from user mode (x86 U/S, RISC-V U). */
  public boolean user() {
    return (flags & USER) != 0;
  }

  /** Global: survives address-space switches in the TLB. */
  public boolean global() {
    return (flags & GLOBAL) != 0;
  }

  public boolean accessed() {
    return (flags & ACCESSED) != 0;
  }

  public boolean dirty() {
    return (flags & DIRTY) != 0;
  }

  /** The format's memory type: x86 PAT index 0..7, RISC-V PBMT 0..3. */
  public int memoryType() {
    return memoryType;
  }

  /** Bits the architecture leaves to software, packed low-first in the format's order. */
  public long softwareBits() {
    return softwareBits;
  }

  /** Architecture bits the portable view does not model, at their positions in the entry. */
  public long extraBits() {
    return extraBits;
  }

  public Attributes withReadable(boolean on) {
    return withFlag(READ, on);
  }

  public Attributes withWritable(boolean on) {
    return withFlag(WRITE, on);
  }

  public Attributes withExecutable(boolean on) {
    return withFlag(EXECUTE, on);
  }

  public Attributes withUser(boolean on) {
    return withFlag(USER, on);
  }

  public Attributes withGlobal(boolean on) {
    return withFlag(GLOBAL, on);
  }

  public Attributes withAccessed(boolean on) {
    return withFlag(ACCESSED, on);
  }

  public Attributes withDirty(boolean on) {
    return withFlag(DIRTY, on);
  }

  public Attributes withMemoryType(int type) {
    if (type < 0 || type > 255) {
      throw new IllegalArgumentException("memory type " + type + " is out of range 0..255");
    }
    return type == memoryType ? this : new Attributes(flags, type, softwareBits, extraBits);
  }

  public Attributes withSoftwareBits(long bits) {
    return bits == softwareBits ? this : new Attributes(flags, memoryType, bits, extraBits);
  }

  public Attributes withExtraBits(long bits) {
    return bits == extraBits ? this : new Attributes(flags, memoryType, softwareBits, bits);
  }

  /** True when this grants every permission {@code other} grants (read, write, execute, user). */
  public boolean permits(Attributes other) {
    Objects.requireNonNull(other, "other");
    int mask = READ | WRITE | EXECUTE | USER;
    return (other.flags & mask & ~flags) == 0;
  }

  private Attributes withFlag(int flag, boolean on) {
    int f = on ? flags | flag : flags & ~flag;
    return f == flags ? this : new Attributes(f, memoryType, softwareBits, extraBits);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof Attributes)) {
      return false;
    }
    Attributes a = (Attributes) o;
    return a.flags == flags && a.memoryType == memoryType && a.softwareBits == softwareBits
        && a.extraBits == extraBits;
  }

  @Override
  public int hashCode() {
    return ((flags * 31 + memoryType) * 31 + Long.hashCode(softwareBits)) * 31 + Long.hashCode(extraBits);
  }

  /** {@code rwxugad} letters ({@code -} when clear), then the non-zero extras. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(32);
    s.append(readable() ? 'r' : '-').append(writable() ? 'w' : '-').append(executable() ? 'x' : '-')
        .append(user() ? 'u' : '-').append(global() ? 'g' : '-').append(accessed() ? 'a' : '-')
        .append(dirty() ? 'd' : '-');
    if (memoryType != 0) {
      s.append(" type=").append(memoryType);
    }
    if (softwareBits != 0) {
      s.append(" sw=0x").append(Long.toHexString(softwareBits));
    }
    if (extraBits != 0) {
      s.append(" extra=").append(hex(extraBits));
    }
    return s.toString();
  }
}
