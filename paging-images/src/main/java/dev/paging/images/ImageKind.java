package dev.paging.images;

/** The file formats a {@link MemoryImage} reads and an {@link ImageWriter} writes. */
public enum ImageKind {
  /**
   * The bytes of one contiguous window of physical memory and nothing else, as QEMU's {@code
   * pmemsave} or {@code dd} of {@code /dev/mem} write them; where the window starts is not in the
   * file and must be given.
   */
  RAW("raw"),
  /**
   * An ELF64 little-endian core file ({@code ET_CORE}): QEMU's {@code dump-guest-memory}, a kdump
   * {@code vmcore}. Each {@code PT_LOAD} is a segment at its {@code p_paddr}; the notes hold the
   * CPUs' registers and, for kdump, {@code VMCOREINFO}.
   */
  ELF_CORE("ELF core"),
  /** A LiME capture: ranges of physical memory, each behind a 32-byte header naming its extent. */
  LIME("LiME");

  private final String displayName;

  ImageKind(String displayName) {
    this.displayName = displayName;
  }

  /** How messages and {@code paging image-info} name it: {@code raw}, {@code ELF core}, {@code LiME}. */
  public String displayName() {
    return displayName;
  }
}
