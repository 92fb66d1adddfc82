package dev.paging.cli;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Attributes;
import dev.paging.api.EntryKind;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import dev.paging.core.AddressSpace;
import dev.paging.core.Formats;
import dev.paging.testkit.SimulatedMemory;
import dev.paging.testkit.TrackingFrameAllocator;

/**
 * The demo's address space: a tiny x86-64 kernel and one process, written entry by entry with
 * the format's encoders into simulated memory, table frames coming from a tracking allocator.
 *
 * <p>It places leaves directly rather than through a map operation so that the demo shows the
 * engine on tables whose every bit is spelled out here.
 */
final class DemoSpace {
  /** A machine with 4 GiB of RAM; the memory is sparse, so only the tables cost heap. */
  static final long MEMORY_SIZE = 4L << 30;
  /** Page tables come from the frames at 1 MiB and up, as early boot code often places them. */
  static final long TABLES_BASE = 0x10_0000;
  static final long TABLE_FRAMES = 64;

  static final long KIB_4 = 4L << 10;
  static final long MIB_2 = 2L << 20;
  static final long GIB_1 = 1L << 30;

  private final PagingFormat format;
  private final SimulatedMemory memory;
  private final TrackingFrameAllocator allocator;
  private final AddressSpace space;

  private DemoSpace() {
    this.format = Formats.x86_64();
    this.memory = SimulatedMemory.ofSize(MEMORY_SIZE);
    this.allocator = TrackingFrameAllocator.over(TABLES_BASE, TABLE_FRAMES);
    this.space = AddressSpace.create(format, memory, allocator);
  }

  /** An empty x86-64 4-level address space: a root table and nothing mapped. */
  static DemoSpace empty() {
    return new DemoSpace();
  }

  /**
   * The demo's machine: a process with code, data and a stack in the lower half, and a kernel
   * with a direct map (2 MiB and 1 GiB pages), its image, and the local APIC in the top page.
   */
  static DemoSpace kernelAndProcess() {
    DemoSpace s = empty();
    Attributes userCode = Attributes.readExecute().withUser(true);
    Attributes userData = Attributes.readWrite().withUser(true);
    s.map(0x0000_0000_0040_0000L, KIB_4, 0x0200_0000L, userCode);
    s.map(0x0000_0000_0040_1000L, KIB_4, 0x0200_1000L, userCode);
    s.map(0x0000_0000_0040_3000L, KIB_4, 0x0200_2000L, userData);
    s.map(0x0000_7fff_ffff_e000L, KIB_4, 0x0200_4000L, userData);
    s.map(0x0000_7fff_ffff_f000L, KIB_4, 0x0200_5000L, userData);

    Attributes kernelData = Attributes.readWrite().withGlobal(true);
    // The direct map: physical memory seen at a fixed offset, in the largest pages that fit.
    s.map(0xffff_8880_0000_0000L, MIB_2, 0x0000_0000L, kernelData);
    s.map(0xffff_8880_0020_0000L, MIB_2, 0x0020_0000L, kernelData);
    s.map(0xffff_8880_4000_0000L, GIB_1, 0x4000_0000L, kernelData);
    // The kernel image: text executable and read-only, data writable and never executable.
    s.map(0xffff_ffff_8100_0000L, MIB_2, 0x0100_0000L, Attributes.readExecute().withGlobal(true));
    s.map(0xffff_ffff_8120_0000L, MIB_2, 0x0120_0000L, kernelData);
    // Device registers are uncached: PAT index 3 is UC with the power-on PAT.
    s.map(0xffff_ffff_ffff_f000L, KIB_4, 0xfee0_0000L, kernelData.withMemoryType(3));
    return s;
  }

  PagingFormat format() {
    return format;
  }

  SimulatedMemory memory() {
    return memory;
  }

  TrackingFrameAllocator allocator() {
    return allocator;
  }

  AddressSpace space() {
    return space;
  }

  /**
   * Maps the page of {@code pageSize} bytes at {@code va} to {@code pa}, creating the tables on
   * the way and widening their entries' rights when the new leaf needs more (x86 ANDs write and
   * user down the levels).
   *
   * @throws IllegalArgumentException if no level has that page size, or a leaf or a table is in
   *     the way
   */
  void map(long va, long pageSize, long pa, Attributes attributes) {
    Level leafLevel = levelFor(pageSize);
    long table = space.root();
    for (Level level : format.levels()) {
      long entryAddress = table + 8L * level.index(va);
      long raw = memory.read(entryAddress);
      if (level == leafLevel) {
        if (raw != 0) {
          throw new IllegalArgumentException("page " + hex(va) + " is already mapped at " + level);
        }
        memory.write(entryAddress, format.encodeLeaf(level, pa, attributes));
        return;
      }
      Attributes needed = format.tableAttributesFor(attributes);
      if (raw == 0) {
        long child = allocator.allocate();
        for (int i = 0; i < level.entries(); i++) {
          memory.write(child + 8L * i, 0);
        }
        raw = format.encodeTable(level, child, needed);
        memory.write(entryAddress, raw);
      } else if (format.kind(level, raw) != EntryKind.TABLE) {
        throw new IllegalArgumentException(
            "cannot map " + hex(va) + ": a " + level + " leaf covers it");
      } else {
        Attributes present = format.attributes(level, raw);
        if (!present.permits(needed)) {
          Attributes widened = present
              .withWritable(present.writable() || needed.writable())
              .withUser(present.user() || needed.user())
              .withExecutable(true);
          raw = format.encodeTable(level, format.address(level, raw), widened);
          memory.write(entryAddress, raw);
        }
      }
      table = format.address(level, raw);
    }
  }

  private Level levelFor(long pageSize) {
    for (Level level : format.levels()) {
      if (level.leafAllowed() && level.entrySpan() == pageSize) {
        return level;
      }
    }
    throw new IllegalArgumentException(
        "no " + format.name() + " level maps pages of " + hex(pageSize) + " bytes");
  }
}
