package dev.paging.images;

import org.jspecify.annotations.Nullable;

/** The processor architectures whose dumps a {@link MemoryImage} understands, by ELF machine number. */
public enum Architecture {
  /** {@code EM_X86_64}. */
  X86_64(62, "x86-64"),
  /** {@code EM_RISCV}, 64-bit. */
  RISCV64(243, "RISC-V");

  private final int elfMachine;
  private final String displayName;

  Architecture(int elfMachine, String displayName) {
    this.elfMachine = elfMachine;
    this.displayName = displayName;
  }

  /** The {@code e_machine} value of its ELF files. */
  public int elfMachine() {
    return elfMachine;
  }

  /** {@code x86-64} or {@code RISC-V}. */
  public String displayName() {
    return displayName;
  }

  static @Nullable Architecture ofElfMachine(int machine) {
    for (Architecture a : values()) {
      if (a.elfMachine == machine) {
        return a;
      }
    }
    return null;
  }
}
