package dev.paging.images;

import static dev.paging.api.Addresses.hex;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The readers of the three formats: each checks every header field against the file before it
 * uses it and names the first bad one with its offset, so that a hostile image fails in one line
 * and nothing is read past the end of the file. Work and memory are bounded by the caps below,
 * not by what a header claims.
 */
final class ImageReaders {
  static final int ELF_MAGIC = 0x464c_457f; // 7f 'E' 'L' 'F', read little-endian
  static final int LIME_MAGIC = 0x4c69_4d45;
  static final int ELF_HEADER_SIZE = 64;
  static final int PROGRAM_HEADER_SIZE = 56;
  static final int LIME_HEADER_SIZE = 32;
  static final int PT_LOAD = 1;
  static final int PT_NOTE = 4;
  static final int ET_CORE = 4;
  static final int NT_PRSTATUS = 1;
  static final int PN_XNUM = 0xffff;

  /** More segments than any real dump has (QEMU writes one per RAM region, makedumpfile thousands). */
  static final int MAX_SEGMENTS = 1 << 20;
  /** A PT_NOTE segment holds a few notes per CPU and a VMCOREINFO of some KiB. */
  static final int MAX_NOTE_BYTES = 16 << 20;
  static final int MAX_NOTES = 1 << 16;

  private ImageReaders() {}

  static ImageKind detect(FileBytes b) throws IOException {
    if (b.size() >= 4) {
      int magic = b.copy(0, 4).getInt(0);
      if (magic == ELF_MAGIC) {
        return ImageKind.ELF_CORE;
      }
      if (magic == LIME_MAGIC) {
        return ImageKind.LIME;
      }
    }
    return ImageKind.RAW;
  }

  static ImageLayout read(FileBytes b, ImageKind kind, long rawBase) throws IOException {
    switch (kind) {
      case RAW:
        return raw(b, rawBase);
      case ELF_CORE:
        return new Elf(b).read();
      default:
        return lime(b);
    }
  }

  private static ImageLayout raw(FileBytes b, long base) throws IOException {
    long size = b.size();
    if (size > 0 && Long.compareUnsigned(size - 1, -1L - base) > 0) {
      throw new MalformedImageException(b.file(), 0, "a raw image of 0x" + Long.toHexString(size)
          + " bytes at base " + hex(base) + " reaches beyond physical address 0xffffffffffffffff");
    }
    return new ImageLayout(size == 0 ? List.of() : List.of(Segment.of(base, size, 0)), null, List.of(), null);
  }

  private static ImageLayout lime(FileBytes b) throws IOException {
    List<Segment> segments = new ArrayList<>();
    List<Long> headers = new ArrayList<>();
    long size = b.size();
    long at = 0;
    while (at < size) {
      int range = segments.size() + 1;
      if (size - at < LIME_HEADER_SIZE) {
        throw new MalformedImageException(b.file(), at, "truncated LiME header of range " + range + ": 0x"
            + Long.toHexString(size - at) + " bytes left, a header has 0x20");
      }
      if (segments.size() == MAX_SEGMENTS) {
        throw new MalformedImageException(b.file(), at, "more than " + MAX_SEGMENTS + " LiME ranges");
      }
      ByteBuffer h = b.copy(at, LIME_HEADER_SIZE);
      int magic = h.getInt(0);
      if (magic != LIME_MAGIC) {
        throw new MalformedImageException(b.file(), at, "range " + range + " has magic 0x"
            + Integer.toHexString(magic) + ", not LiME's 0x4c694d45");
      }
      int version = h.getInt(4);
      if (version != 1) {
        throw new MalformedImageException(b.file(), at + 4, "range " + range + " has LiME version "
            + Integer.toUnsignedString(version) + "; version 1 is read");
      }
      long start = h.getLong(8);
      long end = h.getLong(16);
      if (Long.compareUnsigned(end, start) < 0) {
        throw new MalformedImageException(b.file(), at + 16, "range " + range + " ends at " + hex(end)
            + ", below its start " + hex(start));
      }
      long length = end - start + 1;
      if (length == 0 || Long.compareUnsigned(length, size - at - LIME_HEADER_SIZE) > 0) {
        throw new MalformedImageException(b.file(), at + 8, "range " + range + " [" + hex(start) + ", "
            + hex(end) + "] runs past the end of the file (0x" + Long.toHexString(size) + " bytes)");
      }
      segments.add(Segment.of(start, length, at + LIME_HEADER_SIZE));
      headers.add(at);
      at += LIME_HEADER_SIZE + length;
    }
    checkOverlaps(b, segments, headers, "range");
    return new ImageLayout(sorted(segments), null, List.of(), null);
  }

  /**
   * Refuses two segments sharing a physical byte, naming the later one's header by its offset in
   * {@code headers} (parallel to {@code segments}).
   */
  private static void checkOverlaps(FileBytes b, List<Segment> segments, List<Long> headers, String what)
      throws MalformedImageException {
    Integer[] order = new Integer[segments.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparing(i -> segments.get(i).start(), Long::compareUnsigned));
    for (int k = 1; k < order.length; k++) {
      Segment before = segments.get(order[k - 1]);
      Segment after = segments.get(order[k]);
      if (Long.compareUnsigned(after.start(), before.last()) <= 0) {
        int first = Math.min(order[k - 1], order[k]);
        int second = Math.max(order[k - 1], order[k]);
        throw new MalformedImageException(b.file(), headers.get(second), what + " " + (second + 1) + " "
            + span(segments.get(second)) + " overlaps " + what + " " + (first + 1) + " " + span(segments.get(first)));
      }
    }
  }

  private static String span(Segment s) {
    return "[" + hex(s.start()) + ", " + hex(s.last()) + "]";
  }

  private static List<Segment> sorted(List<Segment> segments) {
    List<Segment> copy = new ArrayList<>(segments);
    copy.sort(Comparator.comparing(Segment::start, Long::compareUnsigned));
    return copy;
  }

  /** The ELF64 core reader; one per file. */
  private static final class Elf {
    private final FileBytes b;
    private final long size;
    private @Nullable Architecture architecture;
    private final List<Map<String, Long>> prstatus = new ArrayList<>();
    private final List<Map<String, Long>> qemu = new ArrayList<>();
    private @Nullable String vmcoreinfo;

    Elf(FileBytes b) {
      this.b = b;
      this.size = b.size();
    }

    ImageLayout read() throws IOException {
      if (size < 4 || b.copy(0, 4).getInt(0) != ELF_MAGIC) {
        throw new MalformedImageException(b.file(), 0, "not an ELF file: it starts with "
            + firstBytes() + ", not 7f 45 4c 46");
      }
      ByteBuffer ident = b.copy(0, (int) Math.min(6, size));
      if (size >= 5 && ident.get(4) != 2) {
        throw new MalformedImageException(b.file(), 4, "ELF class " + ident.get(4)
            + (ident.get(4) == 1 ? " (32-bit)" : "") + ": only ELF64 cores are read");
      }
      if (size >= 6 && ident.get(5) != 1) {
        throw new MalformedImageException(b.file(), 5, "ELF data encoding " + ident.get(5)
            + (ident.get(5) == 2 ? " (big-endian)" : "") + ": only little-endian cores are read");
      }
      if (size < ELF_HEADER_SIZE) {
        throw new MalformedImageException(b.file(), 0, "truncated ELF header: the file has 0x"
            + Long.toHexString(size) + " bytes, an ELF64 header 0x40");
      }
      ByteBuffer h = b.copy(0, ELF_HEADER_SIZE);
      int type = Short.toUnsignedInt(h.getShort(16));
      if (type != ET_CORE) {
        throw new MalformedImageException(b.file(), 16, "ELF type " + type + " is not a core file (ET_CORE, 4)");
      }
      int machine = Short.toUnsignedInt(h.getShort(18));
      architecture = Architecture.ofElfMachine(machine);
      if (architecture == null) {
        throw new MalformedImageException(b.file(), 18, "ELF machine " + machine
            + " is neither x86-64 (62) nor RISC-V (243)");
      }
      long phoff = h.getLong(32);
      int phentsize = Short.toUnsignedInt(h.getShort(54));
      long phnum = Short.toUnsignedInt(h.getShort(56));
      if (phnum == PN_XNUM) {
        phnum = extendedCount(h);
      }
      if (phnum > 0 && phentsize != PROGRAM_HEADER_SIZE) {
        throw new MalformedImageException(b.file(), 54, "program header size " + phentsize
            + "; ELF64's is 56");
      }
      if (phnum > MAX_SEGMENTS) {
        throw new MalformedImageException(b.file(), 56, phnum + " program headers, more than "
            + MAX_SEGMENTS);
      }
      if (phoff < 0 || Long.compareUnsigned(phnum * PROGRAM_HEADER_SIZE, size) > 0
          || Long.compareUnsigned(phoff, size - phnum * PROGRAM_HEADER_SIZE) > 0) {
        throw new MalformedImageException(b.file(), 32, phnum + " program headers at offset 0x"
            + Long.toHexString(phoff) + " run past the end of the file (0x" + Long.toHexString(size) + " bytes)");
      }
      List<Segment> segments = new ArrayList<>();
      List<Long> headers = new ArrayList<>();
      ByteBuffer table = phnum == 0 ? ByteBuffer.allocate(0) : b.copy(phoff, (int) (phnum * PROGRAM_HEADER_SIZE));
      for (int i = 0; i < phnum; i++) {
        long at = phoff + (long) i * PROGRAM_HEADER_SIZE;
        ByteBuffer p = table.duplicate().position(i * PROGRAM_HEADER_SIZE).slice().order(table.order());
        int pType = p.getInt(0);
        long offset = p.getLong(8);
        long paddr = p.getLong(24);
        long filesz = p.getLong(32);
        long memsz = p.getLong(40);
        String name = "program header " + i;
        if (pType == PT_LOAD || pType == PT_NOTE) {
          if (offset < 0 || filesz < 0 || Long.compareUnsigned(filesz, size) > 0 || offset > size - filesz) {
            throw new MalformedImageException(b.file(), at + 8, name + ": " + (pType == PT_LOAD ? "PT_LOAD" : "PT_NOTE")
                + " bytes at offset 0x" + Long.toHexString(offset) + " of length 0x" + Long.toHexString(filesz)
                + " run past the end of the file (0x" + Long.toHexString(size) + " bytes)");
          }
        }
        if (pType == PT_LOAD) {
          if (Long.compareUnsigned(filesz, memsz) > 0) {
            throw new MalformedImageException(b.file(), at + 32, name + ": p_filesz 0x" + Long.toHexString(filesz)
                + " exceeds p_memsz 0x" + Long.toHexString(memsz));
          }
          if (memsz == 0) {
            continue;
          }
          if (memsz < 0 || Long.compareUnsigned(paddr + memsz - 1, paddr) < 0) {
            throw new MalformedImageException(b.file(), at + 24, name + ": 0x" + Long.toUnsignedString(memsz, 16)
                + " bytes at physical " + hex(paddr) + " run past physical address 2^64");
          }
          segments.add(Segment.of(paddr, memsz, offset, filesz));
          headers.add(at);
        } else if (pType == PT_NOTE) {
          notes(at, offset, filesz);
        }
      }
      checkOverlaps(b, segments, headers, "PT_LOAD of program header");
      return new ImageLayout(sorted(segments), architecture, cpus(), vmcoreinfo == null ? null
          : VmcoreInfo.parse(vmcoreinfo, architecture));
    }

    /** With e_phnum at PN_XNUM, the count is section header 0's sh_info. */
    private long extendedCount(ByteBuffer h) throws IOException {
      long shoff = h.getLong(40);
      if (shoff < 0 || shoff > size - 64) {
        throw new MalformedImageException(b.file(), 40, "e_phnum is PN_XNUM but section header 0 at offset 0x"
            + Long.toHexString(shoff) + " is past the end of the file (0x" + Long.toHexString(size) + " bytes)");
      }
      return Integer.toUnsignedLong(b.copy(shoff + 44, 4).getInt(0));
    }

    private void notes(long header, long offset, long length) throws IOException {
      if (length > MAX_NOTE_BYTES) {
        throw new MalformedImageException(b.file(), header + 32, "a PT_NOTE segment of 0x"
            + Long.toHexString(length) + " bytes, more than 16 MiB");
      }
      ByteBuffer notes = b.copy(offset, (int) length);
      int at = 0;
      int count = 0;
      while (length - at >= 12) {
        count++;
        if (count > MAX_NOTES) {
          throw new MalformedImageException(b.file(), offset + at, "more than " + MAX_NOTES + " notes");
        }
        long namesz = Integer.toUnsignedLong(notes.getInt(at));
        long descsz = Integer.toUnsignedLong(notes.getInt(at + 4));
        int type = notes.getInt(at + 8);
        long total = 12 + align4(namesz) + align4(descsz);
        if (total > length - at) {
          throw new MalformedImageException(b.file(), offset + at, "note " + count + " (name 0x"
              + Long.toHexString(namesz) + " bytes, data 0x" + Long.toHexString(descsz)
              + " bytes) runs past its PT_NOTE segment, which ends at offset 0x" + Long.toHexString(offset + length));
        }
        String name = noteName(notes, at + 12, (int) namesz);
        int desc = at + 12 + (int) align4(namesz);
        note(name, type, notes.duplicate().position(desc).limit(desc + (int) descsz).slice().order(notes.order()),
            offset + desc, count);
        at += (int) total;
      }
    }

    private void note(String name, int type, ByteBuffer data, long fileOffset, int count) throws IOException {
      if (name.equals("CORE") && type == NT_PRSTATUS) {
        boolean x86 = architecture == Architecture.X86_64;
        int need = x86 ? X86Registers.PRSTATUS_SIZE : RiscVRegisters.PRSTATUS_SIZE;
        if (data.capacity() < need) {
          throw new MalformedImageException(b.file(), fileOffset, "NT_PRSTATUS note " + count + " has 0x"
              + Integer.toHexString(data.capacity()) + " bytes of data; " + architecture.displayName()
              + "'s elf_prstatus has 0x" + Integer.toHexString(need));
        }
        prstatus.add(fields(x86 ? X86Registers.PRSTATUS : RiscVRegisters.PRSTATUS, data));
      } else if (name.equals("QEMU") && type == 0 && architecture == Architecture.X86_64) {
        if (data.capacity() < X86Registers.QEMU_STATE_SIZE) {
          throw new MalformedImageException(b.file(), fileOffset, "QEMU CPU-state note " + count + " has 0x"
              + Integer.toHexString(data.capacity()) + " bytes of data; version 1 has 0x1b8");
        }
        int version = data.getInt(0);
        if (version != X86Registers.QEMU_STATE_VERSION) {
          throw new MalformedImageException(b.file(), fileOffset, "QEMU CPU-state note " + count
              + " has version " + Integer.toUnsignedString(version) + "; version 1 is read");
        }
        qemu.add(fields(X86Registers.QEMU_STATE, data));
      } else if (name.equals("VMCOREINFO") && vmcoreinfo == null) {
        byte[] text = new byte[data.capacity()];
        data.get(0, text);
        int end = text.length;
        while (end > 0 && text[end - 1] == 0) {
          end--;
        }
        vmcoreinfo = new String(text, 0, end, StandardCharsets.UTF_8);
      }
    }

    private List<Cpu> cpus() {
      List<Cpu> cpus = new ArrayList<>();
      for (int i = 0; i < Math.max(prstatus.size(), qemu.size()); i++) {
        Map<String, Long> registers = new LinkedHashMap<>();
        if (i < qemu.size()) {
          registers.putAll(qemu.get(i));
        }
        if (i < prstatus.size()) {
          prstatus.get(i).forEach(registers::putIfAbsent);
        }
        cpus.add(Cpu.of(i, architecture, registers));
      }
      return cpus;
    }

    private static Map<String, Long> fields(List<NoteField> fields, ByteBuffer data) {
      Map<String, Long> values = new LinkedHashMap<>();
      for (NoteField f : fields) {
        values.put(f.name, f.get(data));
      }
      return values;
    }

    private static String noteName(ByteBuffer notes, int at, int length) {
      int end = length;
      while (end > 0 && notes.get(at + end - 1) == 0) {
        end--;
      }
      byte[] name = new byte[end];
      notes.get(at, name);
      return new String(name, StandardCharsets.ISO_8859_1);
    }

    private String firstBytes() throws IOException {
      int n = (int) Math.min(4, size);
      if (n == 0) {
        return "nothing (the file is empty)";
      }
      ByteBuffer start = b.copy(0, n);
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < n; i++) {
        s.append(i == 0 ? "" : " ").append(String.format("%02x", start.get(i)));
      }
      return s.toString();
    }

    private static long align4(long n) {
      return (n + 3) & ~3L;
    }
  }
}
