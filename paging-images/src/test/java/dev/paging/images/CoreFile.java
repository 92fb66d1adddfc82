package dev.paging.images;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An ELF64 core assembled byte by byte from the ELF and QEMU layouts as the specifications give
 * them, independently of {@link ImageWriter}: the reader's tests state every field, and can set
 * any of them wrong. Program headers follow the header; the notes follow them; segment data is
 * placed where each test says.
 */
final class CoreFile {
  final ByteBuffer bytes;
  private final List<byte[]> notes = new ArrayList<>();
  private final List<long[]> loads = new ArrayList<>();
  private int machine = 62;

  CoreFile(int size) {
    bytes = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  CoreFile machine(int value) {
    machine = value;
    return this;
  }

  /** A PT_LOAD of {@code filesz} file bytes at {@code offset}, {@code memsz} bytes at physical {@code paddr}. */
  CoreFile load(long paddr, long offset, long filesz, long memsz) {
    loads.add(new long[] {paddr, offset, filesz, memsz});
    return this;
  }

  CoreFile note(String name, int type, byte[] desc) {
    byte[] n = (name + "\0").getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(12 + pad(n.length) + pad(desc.length)).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(n.length).putInt(desc.length).putInt(type).put(n);
    b.position(12 + pad(n.length));
    b.put(desc);
    notes.add(b.array());
    return this;
  }

  /** QEMUCPUState version 1: rip at 136, cr0 at 392, cr3 at 416, cr4 at 424. */
  static byte[] qemuState(long rip, long cr0, long cr3, long cr4) {
    ByteBuffer d = ByteBuffer.allocate(440).order(ByteOrder.LITTLE_ENDIAN);
    d.putInt(0, 1).putInt(4, 440).putLong(8, 0x1111).putLong(136, rip).putLong(392, cr0).putLong(416, cr3)
        .putLong(424, cr4);
    return d.array();
  }

  /** x86-64 elf_prstatus: pr_pid at 32, user_regs_struct at 112 (r15 first, rip 17th, rsp 20th). */
  static byte[] x86Prstatus(int pid, long rip, long rsp) {
    ByteBuffer d = ByteBuffer.allocate(336).order(ByteOrder.LITTLE_ENDIAN);
    d.putInt(32, pid).putLong(112, 0xf15).putLong(112 + 16 * 8, rip).putLong(112 + 19 * 8, rsp);
    return d.array();
  }

  /** The header at 0, the program headers at 0x40 (PT_NOTE first when there are notes), the notes after them. */
  CoreFile assemble() {
    int phnum = loads.size() + (notes.isEmpty() ? 0 : 1);
    long notesAt = 64 + 56L * phnum;
    int notesLength = notes.stream().mapToInt(n -> n.length).sum();
    bytes.put(0, (byte) 0x7f).put(1, (byte) 'E').put(2, (byte) 'L').put(3, (byte) 'F');
    bytes.put(4, (byte) 2).put(5, (byte) 1).put(6, (byte) 1);
    bytes.putShort(16, (short) 4).putShort(18, (short) machine).putInt(20, 1);
    bytes.putLong(32, 64).putShort(52, (short) 8); // e_ehsize 8, as QEMU 7.2 writes it
    bytes.putShort(54, (short) 56).putShort(56, (short) phnum);
    int ph = 64;
    if (!notes.isEmpty()) {
      bytes.putInt(ph, 4).putLong(ph + 8, notesAt).putLong(ph + 32, notesLength).putLong(ph + 40, notesLength);
      ph += 56;
    }
    for (long[] l : loads) {
      bytes.putInt(ph, 1).putLong(ph + 8, l[1]).putLong(ph + 16, l[0]).putLong(ph + 24, l[0])
          .putLong(ph + 32, l[2]).putLong(ph + 40, l[3]);
      ph += 56;
    }
    int at = (int) notesAt;
    for (byte[] n : notes) {
      bytes.put(at, n);
      at += n.length;
    }
    return this;
  }

  /** The offset of program header {@code i}. */
  static int programHeader(int i) {
    return 64 + 56 * i;
  }

  /** The offset of the first note's header: after {@code phnum} program headers. */
  static int notesAt(int phnum) {
    return 64 + 56 * phnum;
  }

  byte[] array() {
    return bytes.array();
  }

  private static int pad(int n) {
    return (n + 3) & ~3;
  }
}
