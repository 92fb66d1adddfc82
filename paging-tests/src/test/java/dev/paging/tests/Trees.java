package dev.paging.tests;

import dev.paging.api.Attributes;
import dev.paging.api.EntryKind;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import dev.paging.core.AddressSpace;
import dev.paging.core.Formats;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.fakes.TrackingFrameAllocator;
import dev.paging.testkit.PagingFixture;
import dev.paging.testkit.stateful.Generators;
import dev.paging.tests.golden.GoldenSpace;

/**
 * Builds page-table trees entry by entry, independently of the library's map operation, so the
 * engine is tested against hand-placed entries rather than against its own operations.
 */
final class Trees {
  static final long MEMORY = 64L << 20;
  static final long TABLES_BASE = 0x10_0000;
  static final long TABLE_FRAMES = 2048;

  final PagingFormat format;
  final SimulatedMemory memory;
  final TrackingFrameAllocator allocator;
  final AddressSpace space;

  private Trees(PagingFormat format, SimulatedMemory memory, TrackingFrameAllocator allocator, AddressSpace space) {
    this.format = format;
    this.memory = memory;
    this.allocator = allocator;
    this.space = space;
  }

  static Trees of(PagingFormat format) {
    SimulatedMemory memory = SimulatedMemory.ofSize(MEMORY);
    long frame = PagingFixture.frameBytes(format);
    TrackingFrameAllocator allocator = TrackingFrameAllocator.over(TABLES_BASE, TABLE_FRAMES * 4096 / frame, frame);
    return new Trees(format, memory, allocator, AddressSpace.create(format, memory, allocator));
  }

  /** A golden space, to change or build on further entry by entry: its memory, allocator and root. */
  static Trees over(GoldenSpace golden) {
    return new Trees(golden.format(), golden.memory(), golden.allocator(), golden.space());
  }

  long root() {
    return space.root();
  }

  Level level(int depth) {
    return format.levels().get(depth);
  }

  /** The table at {@code depth} covering {@code va}, created (with its parents) if missing. */
  long table(long va, int depth) {
    long table = space.rootFor(va);
    for (int d = 0; d < depth; d++) {
      Level level = level(d);
      int index = level.index(va);
      long raw = level.readEntry(memory, table, index);
      if (format.kind(level, raw) != EntryKind.TABLE) {
        long child = allocator.allocate();
        memory.fill(child, (int) level(d + 1).tableBytes(), 0);
        raw = format.encodeTable(level, child, format.tableAttributesFor(Attributes.readWrite().withUser(true)));
        level.writeEntry(memory, table, index, raw);
      }
      table = format.address(level, raw);
    }
    return table;
  }

  /** Writes a leaf mapping {@code va} to {@code pa} at {@code depth}. */
  Trees leaf(long va, int depth, long pa, Attributes attributes) {
    return raw(va, depth, format.encodeLeaf(level(depth), pa, attributes));
  }

  /** A read-write leaf; executable too where the format cannot say otherwise (32-bit paging). */
  Trees leaf(long va, int depth, long pa) {
    return leaf(va, depth, pa, Generators.executableWhereNeeded(format, Attributes.readWrite()));
  }

  /** Writes {@code raw} into the entry at {@code depth} covering {@code va}. */
  Trees raw(long va, int depth, long raw) {
    level(depth).writeEntry(memory, table(va, depth), level(depth).index(va), raw);
    return this;
  }

  long entryAddress(long va, int depth) {
    return level(depth).entryAddress(table(va, depth), level(depth).index(va));
  }

  /** Links the entry at {@code depth} covering {@code va} to an existing table. */
  Trees link(long va, int depth, long childTable) {
    return raw(va, depth, format.encodeTable(level(depth), childTable,
        format.tableAttributesFor(Attributes.readWrite().withUser(true))));
  }

  /** A PD with an empty PT at 2 MiB, a PT holding one leaf at 4 MiB + 12 KiB, an empty PT at 6 MiB. */
  static Trees oneLeafAmongEmptyTables() {
    Trees t = Trees.of(Formats.x86_64());
    t.table(0x20_0000L, 3);
    t.leaf(0x40_3000L, 3, 0xabc000L);
    t.table(0x60_0000L, 3);
    return t;
  }
}
