package dev.paging.images;

import java.util.List;

/**
 * Where a 64-bit RISC-V {@code elf_prstatus} keeps registers: {@code pr_reg} at byte 112 holds pc
 * and x1..x31 (376 bytes in all). QEMU writes nothing else for RISC-V, and no {@code satp}.
 */
final class RiscVRegisters {
  static final int PRSTATUS_SIZE = 376;

  static final List<NoteField> PRSTATUS = fields();

  private static List<NoteField> fields() {
    NoteField[] fields = new NoteField[32];
    fields[0] = new NoteField("pc", 112, 8);
    for (int i = 1; i < 32; i++) {
      fields[i] = new NoteField("x" + i, 112 + 8 * i, 8);
    }
    return List.of(fields);
  }

  private RiscVRegisters() {}
}
