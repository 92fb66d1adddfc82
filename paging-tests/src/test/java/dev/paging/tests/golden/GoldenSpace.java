package dev.paging.tests.golden;

import dev.paging.api.Attributes;
import dev.paging.api.EntryKind;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.dump.Dump;
import dev.paging.dump.DumpFormat;
import dev.paging.dump.DumpRenderer;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.fakes.TrackingFrameAllocator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * One of the {@link GoldenSpaces}, built entry by entry in its own simulated memory: the root at
 * 0x100000 and each new table in the next frame, table entries as
 * permissive as a user read-write page needs. Each call of a {@link GoldenSpaces} factory builds a
 * fresh one, which a test may change.
 *
 * <p>Its golden texts are files named {@code NAME.FORMAT} beside {@link GoldenSpaces}, {@code
 * FORMAT} being a {@link DumpFormat}'s name ({@code x86.ptdump}, {@code sv39.qemu-info-mem}...): the
 * exact text the renderer of that format writes for the whole address space.
 */
public final class GoldenSpace {
  /** The bytes an image of the space holds: physical memory from 0, every table included. */
  public static final int IMAGE_SIZE = 2 << 20;

  private final String name;
  private final PagingFormat format;
  private final SimulatedMemory memory;
  private final TrackingFrameAllocator allocator;
  private final AddressSpace space;

  GoldenSpace(String name, PagingFormat format) {
    this.name = name;
    this.format = format;
    this.memory = SimulatedMemory.ofSize(GoldenSpaces.MEMORY);
    this.allocator = TrackingFrameAllocator.over(GoldenSpaces.TABLES_BASE, GoldenSpaces.TABLE_FRAMES);
    this.space = AddressSpace.create(format, memory, allocator);
  }

  /** The name its golden files start with: {@code x86}, {@code x86five}, {@code sv39} or {@code sv48}. */
  public String name() {
    return name;
  }

  public PagingFormat format() {
    return format;
  }

  public SimulatedMemory memory() {
    return memory;
  }

  /** The allocator the tables came from, frames in order from 0x100000. */
  public TrackingFrameAllocator allocator() {
    return allocator;
  }

  public AddressSpace space() {
    return space;
  }

  public long root() {
    return space.root();
  }

  /** What {@code renderer} writes for the whole address space. */
  public String render(Function<Appendable, DumpRenderer> renderer) {
    return render(VirtualRange.all(), renderer);
  }

  /** What {@code renderer} writes for {@code range}. */
  public String render(VirtualRange range, Function<Appendable, DumpRenderer> renderer) {
    StringBuilder out = new StringBuilder();
    try {
      Dump.write(space, range, renderer.apply(out));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** The golden text of {@code format} for this space: what {@link #render} must give with its renderer. */
  public String golden(DumpFormat format) {
    String file = name + "." + format.formatName();
    try (InputStream in = GoldenSpaces.class.getResourceAsStream(file)) {
      if (in == null) {
        throw new IllegalStateException("no golden file " + file + " beside " + GoldenSpaces.class.getName());
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Saves physical memory {@code [0, IMAGE_SIZE)}, which holds every table of the space, to {@code
   * file} as a raw image, the way QEMU's {@code pmemsave} would.
   */
  public Path saveImage(Path file) {
    try {
      return Files.write(file, memory.readBytes(0, IMAGE_SIZE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes a leaf mapping {@code va} to {@code pa} at {@code depth}, creating the tables above it. */
  GoldenSpace leaf(long va, int depth, long pa, Attributes attributes) {
    return raw(va, depth, format.encodeLeaf(level(depth), pa, attributes));
  }

  /** Writes {@code raw} into the entry at {@code depth} covering {@code va}, creating the tables above it. */
  GoldenSpace raw(long va, int depth, long raw) {
    long table = space.root();
    for (int d = 0; d < depth; d++) {
      Level level = level(d);
      long entryAddress = table + 8L * level.index(va);
      long entry = memory.read(entryAddress);
      if (entry == 0) {
        long child = allocator.allocate();
        memory.fill(child, 4096, 0);
        entry = format.encodeTable(level, child, format.tableAttributesFor(Attributes.readWrite().withUser(true)));
        memory.write(entryAddress, entry);
      } else if (format.kind(level, entry) != EntryKind.TABLE) {
        throw new IllegalStateException(name + ": a " + level + " entry that is not a table covers the path");
      }
      table = format.address(level, entry);
    }
    memory.write(table + 8L * level(depth).index(va), raw);
    return this;
  }

  private Level level(int depth) {
    return format.levels().get(depth);
  }

  @Override
  public String toString() {
    return "golden space " + name + " (" + format.name() + ")";
  }
}
