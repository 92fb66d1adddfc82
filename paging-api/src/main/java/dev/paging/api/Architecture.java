package dev.paging.api;

/**
 * The instruction-set family a {@link PagingFormat} belongs to. Views that print an
 * architecture's own bits (ptdump's flag columns, QEMU's {@code info tlb}) and rules that only
 * mean something on one architecture ask the format for it, rather than guessing from its name.
 */
public enum Architecture {
  /** x86-64 with 4- or 5-level paging. */
  X86_64,
  /** 32-bit x86 (IA-32) with 32-bit or PAE paging: x86's entry bits, 32-bit virtual addresses. */
  X86_32,
  /** RISC-V with Sv39, Sv48 or Sv57 paging. */
  RISC_V,
  /** AArch64 stage 1 translation (VMSAv8-64) with a 4, 16 or 64 KiB granule. */
  AARCH64;

  /** True for both x86 families, whose entries share their bit positions. */
  public boolean isX86() {
    return this == X86_64 || this == X86_32;
  }
}
