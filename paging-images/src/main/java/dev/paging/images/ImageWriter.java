package dev.paging.images;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.PhysicalMemory;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Saves physical memory the caller holds (a simulated space, an emulator's RAM) as a memory image
 * of any {@link ImageKind}, so that tests, course staff and users can hand a real-looking dump to
 * {@link MemoryImage}, the CLI or another tool.
 *
 * <ul>
 *   <li>{@link ImageKind#RAW raw}: the bytes from the lowest segment's start to the highest one's
 *       end, gaps as zeros; read it back with {@link MemoryImage#raw} at that start.
 *   <li>{@link ImageKind#ELF_CORE ELF core}: laid out as QEMU's {@code dump-guest-memory} lays
 *       it out: the ELF header, a {@code PT_NOTE} and one {@code PT_LOAD} per segment ({@code
 *       p_paddr} and {@code p_vaddr} the physical address), the notes (x86-64: an {@code
 *       NT_PRSTATUS} per CPU, then a QEMU CPU-state note per CPU; RISC-V: {@code NT_PRSTATUS}
 *       only; then {@code VMCOREINFO} when given), and the segments' bytes, each 4 KiB aligned.
 *   <li>{@link ImageKind#LIME LiME}: per segment, its 32-byte header and its bytes.
 * </ul>
 *
 * <p>Pages that are all zero are not written, so files are sparse where the file system allows.
 * A writer is a mutable builder, not thread-safe; {@link #write} may be called more than once.
 */
public final class ImageWriter {
  private static final int BLOCK_WORDS = 512;
  private static final int DATA_ALIGNMENT = 4096;
  private static final int MAX_ELF_SEGMENTS = 0xfffe; // e_phnum must stay below PN_XNUM with the PT_NOTE

  private final PhysicalMemory memory;
  private final List<Segment> segments = new ArrayList<>();
  private Architecture architecture = Architecture.X86_64;
  private final List<Map<String, Long>> cpus = new ArrayList<>();
  private @Nullable String vmcoreInfo;

  private ImageWriter(PhysicalMemory memory) {
    this.memory = memory;
  }

  /** A writer of {@code memory}'s contents, with no segment yet. */
  public static ImageWriter of(PhysicalMemory memory) {
    return new ImageWriter(Objects.requireNonNull(memory, "memory"));
  }

  /**
   * Adds the {@code length} bytes of physical memory from {@code start} to the image.
   *
   * @throws IllegalArgumentException if the start or the length is not a multiple of 8, the
   *     length is not positive, the bytes are not all in the memory, or they overlap a segment
   *     already added
   */
  public ImageWriter segment(long start, long length) {
    if ((start & 7) != 0 || (length & 7) != 0 || length <= 0) {
      throw new IllegalArgumentException("segment at " + hex(start) + " of 0x" + Long.toHexString(length)
          + " bytes: the start and the length must be positive multiples of 8");
    }
    if (!memory.contains(start, length)) {
      throw new IllegalArgumentException("segment [" + hex(start) + ", " + hex(start + length - 1) + "] is not all in "
          + memory);
    }
    Segment added = Segment.of(start, length, 0);
    for (Segment s : segments) {
      if (Long.compareUnsigned(added.start(), s.last()) <= 0 && Long.compareUnsigned(s.start(), added.last()) <= 0) {
        throw new IllegalArgumentException("segment [" + hex(added.start()) + ", " + hex(added.last())
            + "] overlaps [" + hex(s.start()) + ", " + hex(s.last()) + "]");
      }
    }
    segments.add(added);
    return this;
  }

  /** The ELF machine and the notes' layout; {@link Architecture#X86_64} unless set. */
  public ImageWriter architecture(Architecture architecture) {
    if (!cpus.isEmpty() && architecture != this.architecture) {
      throw new IllegalStateException("CPUs were added as " + this.architecture.displayName()
          + "; set the architecture before adding them");
    }
    this.architecture = Objects.requireNonNull(architecture, "architecture");
    return this;
  }

  /**
   * Adds a CPU to an ELF core's notes, with these registers by the names {@link Cpu#registers()}
   * uses ({@code cr3}, {@code rip}; {@code pc}, {@code x1}); the ones not given are zero. The
   * CPU's index is the number of CPUs added before it.
   *
   * @throws IllegalArgumentException naming a register the architecture's notes do not hold
   */
  public ImageWriter cpu(Map<String, Long> registers) {
    Objects.requireNonNull(registers, "registers");
    Set<String> known = new HashSet<>();
    for (NoteField f : prstatusFields()) {
      known.add(f.name);
    }
    if (architecture == Architecture.X86_64) {
      for (NoteField f : X86Registers.QEMU_STATE) {
        known.add(f.name);
      }
    }
    for (String name : registers.keySet()) {
      if (!known.contains(name)) {
        throw new IllegalArgumentException("register '" + name + "' is not in a " + architecture.displayName()
            + " dump's notes");
      }
    }
    cpus.add(new LinkedHashMap<>(registers));
    return this;
  }

  /** Adds a kdump {@code VMCOREINFO} note with this text to an ELF core. */
  public ImageWriter vmcoreInfo(String text) {
    this.vmcoreInfo = Objects.requireNonNull(text, "text");
    return this;
  }

  /**
   * Writes the image to {@code file}, replacing it, and returns the segments a reader will find:
   * for a raw image, the one window from the lowest start to the highest end.
   *
   * @throws IllegalStateException if no segment was added, or CPUs or VMCOREINFO were given for a
   *     format without notes
   */
  public List<Segment> write(Path file, ImageKind kind) throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(kind, "kind");
    if (segments.isEmpty()) {
      throw new IllegalStateException("no segment to write: add one with segment(start, length)");
    }
    if (kind != ImageKind.ELF_CORE && (!cpus.isEmpty() || vmcoreInfo != null)) {
      throw new IllegalStateException("a " + kind.displayName() + " image holds no notes: CPUs and VMCOREINFO "
          + "need an ELF core");
    }
    List<Segment> sorted = new ArrayList<>(segments);
    sorted.sort(Comparator.comparing(Segment::start, Long::compareUnsigned));
    if (kind == ImageKind.ELF_CORE && sorted.size() > MAX_ELF_SEGMENTS) {
      throw new IllegalStateException(sorted.size() + " segments: an ELF core written here holds at most "
          + MAX_ELF_SEGMENTS);
    }
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(0);
      FileChannel out = f.getChannel();
      List<Segment> written;
      switch (kind) {
        case RAW:
          written = writeRaw(out, sorted);
          break;
        case ELF_CORE:
          written = writeElf(out, sorted);
          break;
        default:
          written = writeLime(out, sorted);
          break;
      }
      Segment last = written.get(written.size() - 1);
      f.setLength(Math.max(f.length(), last.fileOffset() + last.fileLength()));
      return written;
    }
  }

  private List<Segment> writeRaw(FileChannel out, List<Segment> sorted) throws IOException {
    long base = sorted.get(0).start();
    for (Segment s : sorted) {
      copy(out, s.start(), s.length(), s.start() - base);
    }
    Segment last = sorted.get(sorted.size() - 1);
    return List.of(Segment.of(base, last.last() - base + 1, 0));
  }

  private List<Segment> writeLime(FileChannel out, List<Segment> sorted) throws IOException {
    List<Segment> written = new ArrayList<>();
    long at = 0;
    for (Segment s : sorted) {
      ByteBuffer h = ByteBuffer.allocate(ImageReaders.LIME_HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
      h.putInt(0, ImageReaders.LIME_MAGIC).putInt(4, 1).putLong(8, s.start()).putLong(16, s.last());
      writeFully(out, h, at);
      copy(out, s.start(), s.length(), at + ImageReaders.LIME_HEADER_SIZE);
      written.add(Segment.of(s.start(), s.length(), at + ImageReaders.LIME_HEADER_SIZE));
      at += ImageReaders.LIME_HEADER_SIZE + s.length();
    }
    return written;
  }

  private List<Segment> writeElf(FileChannel out, List<Segment> sorted) throws IOException {
    ByteBuffer notes = notes();
    int phnum = 1 + sorted.size();
    long notesAt = ImageReaders.ELF_HEADER_SIZE + (long) phnum * ImageReaders.PROGRAM_HEADER_SIZE;
    long dataAt = align(notesAt + notes.capacity(), DATA_ALIGNMENT);

    ByteBuffer h = ByteBuffer.allocate(ImageReaders.ELF_HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    h.putInt(0, ImageReaders.ELF_MAGIC).put(4, (byte) 2).put(5, (byte) 1).put(6, (byte) 1);
    h.putShort(16, (short) ImageReaders.ET_CORE).putShort(18, (short) architecture.elfMachine()).putInt(20, 1);
    h.putLong(32, ImageReaders.ELF_HEADER_SIZE).putShort(52, (short) ImageReaders.ELF_HEADER_SIZE);
    h.putShort(54, (short) ImageReaders.PROGRAM_HEADER_SIZE).putShort(56, (short) phnum);
    writeFully(out, h, 0);

    ByteBuffer ph = ByteBuffer.allocate(phnum * ImageReaders.PROGRAM_HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    ph.putInt(0, ImageReaders.PT_NOTE).putLong(8, notesAt).putLong(32, notes.capacity()).putLong(40, notes.capacity());
    List<Segment> written = new ArrayList<>();
    long at = dataAt;
    for (int i = 0; i < sorted.size(); i++) {
      Segment s = sorted.get(i);
      int p = (i + 1) * ImageReaders.PROGRAM_HEADER_SIZE;
      ph.putInt(p, ImageReaders.PT_LOAD).putInt(p + 4, 7).putLong(p + 8, at).putLong(p + 16, s.start())
          .putLong(p + 24, s.start()).putLong(p + 32, s.length()).putLong(p + 40, s.length());
      written.add(Segment.of(s.start(), s.length(), at));
      at = align(at + s.length(), DATA_ALIGNMENT);
    }
    writeFully(out, ph, ImageReaders.ELF_HEADER_SIZE);
    writeFully(out, notes, notesAt);
    for (Segment w : written) {
      copy(out, w.start(), w.length(), w.fileOffset());
    }
    return written;
  }

  /** The PT_NOTE segment's bytes: each CPU's NT_PRSTATUS, then (x86-64) each one's QEMU note, then VMCOREINFO. */
  private ByteBuffer notes() {
    List<byte[]> parts = new ArrayList<>();
    boolean x86 = architecture == Architecture.X86_64;
    for (int i = 0; i < cpus.size(); i++) {
      ByteBuffer d = data(x86 ? X86Registers.PRSTATUS_SIZE : RiscVRegisters.PRSTATUS_SIZE);
      d.putInt(32, i + 1); // pr_pid: QEMU numbers its CPUs from 1 here
      put(d, prstatusFields(), cpus.get(i));
      parts.add(note("CORE", ImageReaders.NT_PRSTATUS, d));
    }
    if (x86) {
      for (Map<String, Long> registers : cpus) {
        ByteBuffer d = data(X86Registers.QEMU_STATE_SIZE);
        d.putInt(0, X86Registers.QEMU_STATE_VERSION).putInt(4, X86Registers.QEMU_STATE_SIZE);
        put(d, X86Registers.QEMU_STATE, registers);
        parts.add(note("QEMU", 0, d));
      }
    }
    if (vmcoreInfo != null) {
      byte[] text = vmcoreInfo.getBytes(StandardCharsets.UTF_8);
      parts.add(note("VMCOREINFO", 0, ByteBuffer.wrap(text)));
    }
    int total = parts.stream().mapToInt(p -> p.length).sum();
    ByteBuffer all = ByteBuffer.allocate(total);
    parts.forEach(all::put);
    return all.flip();
  }

  private List<NoteField> prstatusFields() {
    return architecture == Architecture.X86_64 ? X86Registers.PRSTATUS : RiscVRegisters.PRSTATUS;
  }

  private static ByteBuffer data(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static void put(ByteBuffer data, List<NoteField> fields, Map<String, Long> registers) {
    for (NoteField f : fields) {
      Long value = registers.get(f.name);
      if (value != null) {
        f.put(data, value);
      }
    }
  }

  private static byte[] note(String name, int type, ByteBuffer desc) {
    byte[] n = (name + "\0").getBytes(StandardCharsets.ISO_8859_1);
    int descLength = desc.capacity();
    ByteBuffer b = ByteBuffer.allocate(12 + (int) align(n.length, 4) + (int) align(descLength, 4))
        .order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(n.length).putInt(descLength).putInt(type).put(n);
    b.position(12 + (int) align(n.length, 4));
    b.put(desc.duplicate().clear());
    return b.array();
  }

  /** Copies {@code length} bytes of memory from {@code address} to the file at {@code at}, skipping zero blocks. */
  private void copy(FileChannel out, long address, long length, long at) throws IOException {
    long[] words = new long[BLOCK_WORDS];
    ByteBuffer bytes = ByteBuffer.allocate(8 * BLOCK_WORDS).order(ByteOrder.LITTLE_ENDIAN);
    for (long done = 0; done < length; ) {
      int n = (int) Math.min(BLOCK_WORDS, (length - done) / 8);
      if (!memory.isZero(address + done, n)) {
        memory.read(address + done, words, 0, n);
        bytes.clear();
        for (int i = 0; i < n; i++) {
          bytes.putLong(words[i]);
        }
        bytes.flip();
        writeFully(out, bytes, at + done);
      }
      done += 8L * n;
    }
  }

  private static void writeFully(FileChannel out, ByteBuffer bytes, long at) throws IOException {
    ByteBuffer b = bytes.duplicate();
    b.position(0);
    while (b.hasRemaining()) {
      out.write(b, at + b.position());
    }
  }

  private static long align(long n, int to) {
    return (n + to - 1) & -(long) to;
  }
}
