package dev.paging.images;

import static dev.paging.api.Addresses.hex;

import dev.paging.core.Formats;
import dev.paging.core.X86Options;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where x86-64 dumps keep registers, for the reader and the writer alike, and the one rule that
 * turns CR0, CR3 and CR4 into a root.
 *
 * <p>Layouts: Linux's {@code elf_prstatus} for x86-64 (336 bytes, {@code user_regs_struct} at
 * byte 112) in the {@code CORE} note of type {@code NT_PRSTATUS}, and QEMU's {@code QEMUCPUState}
 * (version 1, 440 bytes) in its {@code QEMU} note of type 0: sixteen general registers, rip,
 * rflags, ten 24-byte segment records (selector, limit, flags, padding, base) for cs ds es fs gs ss
 * ldt tr gdt idt, cr[5] and kernel_gs_base.
 */
final class X86Registers {
  /** CR3 bits 12..51: the root's address, without PCID or PWT/PCD below and the flags above. */
  static final long CR3_ADDRESS_MASK = 0x000f_ffff_ffff_f000L;
  static final long CR0_PG = 1L << 31;
  static final long CR4_PAE = 1L << 5;
  static final long CR4_LA57 = 1L << 12;

  static final int PRSTATUS_SIZE = 336;
  static final int QEMU_STATE_SIZE = 440;
  static final int QEMU_STATE_VERSION = 1;

  /** {@code user_regs_struct}, from byte 112 of {@code elf_prstatus}; eflags named as QEMU names it. */
  static final List<NoteField> PRSTATUS = words(112, "r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9",
      "r8", "rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "rflags", "rsp", "ss", "fs_base", "gs_base",
      "ds", "es", "fs", "gs");

  static final List<NoteField> QEMU_STATE = qemuState();

  private static List<NoteField> qemuState() {
    List<NoteField> fields = new java.util.ArrayList<>(words(8, "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags"));
    String[] segments = {"cs", "ds", "es", "fs", "gs", "ss", "ldt", "tr", "gdt", "idt"};
    for (int i = 0; i < segments.length; i++) {
      int at = 152 + 24 * i;
      String s = segments[i];
      if (i < 8) {
        fields.add(new NoteField(s, at, 4));
      } else {
        fields.add(new NoteField(s + "_limit", at + 4, 4));
      }
      if (s.equals("fs") || s.equals("gs") || i >= 8) {
        fields.add(new NoteField(s + "_base", at + 16, 8));
      }
    }
    fields.add(new NoteField("cr0", 392, 8));
    fields.add(new NoteField("cr2", 408, 8));
    fields.add(new NoteField("cr3", 416, 8));
    fields.add(new NoteField("cr4", 424, 8));
    fields.add(new NoteField("kernel_gs_base", 432, 8));
    return List.copyOf(fields);
  }

  private static List<NoteField> words(int from, String... names) {
    NoteField[] fields = new NoteField[names.length];
    for (int i = 0; i < names.length; i++) {
      fields[i] = new NoteField(names[i], from + 8 * i, 8);
    }
    return List.of(fields);
  }

  /** What a CPU's registers select: a root, or why none, and how. */
  static final class Selection {
    final @Nullable Root root;
    final String note;

    Selection(@Nullable Root root, String note) {
      this.root = root;
      this.note = note;
    }
  }

  /**
   * The root CPU {@code index}'s control registers select. The dump does not hold EFER: a QEMU
   * dump is ELF64 only when the first CPU is in long mode (QEMU's x86 {@code cpu_get_dump_info}
   * picks ELF32 otherwise), so CR0.PG and CR4.PAE set mean 4- or 5-level paging, and NXE, which
   * the dump cannot tell, is taken as set, as every 64-bit Linux and Windows kernel sets it.
   */
  static Selection select(int index, Map<String, Long> registers) {
    Long cr0 = registers.get("cr0");
    Long cr3 = registers.get("cr3");
    Long cr4 = registers.get("cr4");
    if (cr0 == null || cr3 == null || cr4 == null) {
      return new Selection(null, "the dump holds no control registers for CPU " + index
          + " (no QEMU CPU-state note)");
    }
    if ((cr0 & CR0_PG) == 0) {
      return new Selection(null, "paging is off (CR0 " + hex(cr0) + ", PG clear)");
    }
    if ((cr4 & CR4_PAE) == 0) {
      return new Selection(null, "CR4 " + hex(cr4) + " has PAE clear: 32-bit paging, not 4- or 5-level");
    }
    boolean fiveLevel = (cr4 & CR4_LA57) != 0;
    long address = cr3 & CR3_ADDRESS_MASK;
    String how = "CR3 " + hex(cr3) + " bits 12..51; CR4 " + hex(cr4) + " LA57 " + (fiveLevel ? "set: 5-level" : "clear: 4-level")
        + "; EFER is not in the dump, NXE taken as set";
    Root root = Root.of(address,
        fiveLevel ? Formats.x86_64FiveLevel(X86Options.defaults()) : Formats.x86_64(X86Options.defaults()),
        "CPU " + index + " CR3");
    return new Selection(root, how);
  }

  private X86Registers() {}
}
