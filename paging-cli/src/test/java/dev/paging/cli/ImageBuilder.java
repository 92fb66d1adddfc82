package dev.paging.cli;

import dev.paging.api.Attributes;
import dev.paging.api.EntryKind;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import dev.paging.fakes.SimulatedMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes page tables entry by entry with a format's encoders into simulated memory, then saves
 * a window of that memory as a raw image, the way {@code pmemsave} would: the CLI is tested on
 * files whose every table entry the test spelled out.
 *
 * <p>Tables come one after the other from {@code tablesAt}; the root is the first.
 */
final class ImageBuilder {
  final PagingFormat format;
  final SimulatedMemory memory;
  final long root;
  private long nextTable;

  private ImageBuilder(PagingFormat format, long memorySize, long tablesAt) {
    this.format = format;
    this.memory = SimulatedMemory.ofSize(memorySize);
    this.nextTable = tablesAt;
    this.root = newTable();
  }

  /** Tables from {@code tablesAt} on, in simulated memory of {@code memorySize} bytes from address 0. */
  static ImageBuilder of(PagingFormat format, long memorySize, long tablesAt) {
    return new ImageBuilder(format, memorySize, tablesAt);
  }

  Level level(int depth) {
    return format.levels().get(depth);
  }

  /**
   * Maps the page of {@code pageSize} bytes at {@code va} to {@code pa}; missing tables on the
   * way get entries with {@code tableAttributes}, tables already there keep theirs.
   */
  ImageBuilder map(long va, long pageSize, long pa, Attributes leaf, Attributes tableAttributes) {
    return map(va, pageSize, pa, leaf, tableAttributes, false);
  }

  /**
   * {@link #map} with table entries as permissive as the leaf needs: existing ones are widened
   * when the leaf needs more (x86 ANDs write and user down the levels), as an OS would.
   */
  ImageBuilder map(long va, long pageSize, long pa, Attributes leaf) {
    return map(va, pageSize, pa, leaf, format.tableAttributesFor(leaf), true);
  }

  private ImageBuilder map(long va, long pageSize, long pa, Attributes leaf, Attributes tableAttributes,
      boolean widen) {
    int depth = depthOf(pageSize);
    long table = table(va, depth, tableAttributes, widen);
    Level level = level(depth);
    level.writeEntry(memory, table, level.index(va), format.encodeLeaf(level, pa, leaf));
    return this;
  }

  /** Writes {@code raw} into the entry at {@code depth} on the path of {@code va}, creating the tables above. */
  ImageBuilder entry(long va, int depth, long raw) {
    long table = table(va, depth, format.tableAttributesFor(Attributes.readWrite().withUser(true)));
    level(depth).writeEntry(memory, table, level(depth).index(va), raw);
    return this;
  }

  /** The physical address of the table at {@code depth} on the path of {@code va}, created if missing. */
  long table(long va, int depth, Attributes tableAttributes) {
    return table(va, depth, tableAttributes, false);
  }

  private long table(long va, int depth, Attributes tableAttributes, boolean widen) {
    long table = root;
    for (int d = 0; d < depth; d++) {
      Level level = level(d);
      int index = level.index(va);
      long raw = level.readEntry(memory, table, index);
      if (raw == 0) {
        raw = format.encodeTable(level, newTable(), tableAttributes);
        level.writeEntry(memory, table, index, raw);
      } else if (format.kind(level, raw) != EntryKind.TABLE) {
        throw new IllegalStateException("a " + level + " entry that is not a table covers the path");
      } else if (widen && !format.attributes(level, raw).permits(tableAttributes)) {
        Attributes present = format.attributes(level, raw);
        Attributes widened = present
            .withWritable(present.writable() || tableAttributes.writable())
            .withUser(present.user() || tableAttributes.user())
            .withExecutable(present.executable() || tableAttributes.executable());
        raw = format.encodeTable(level, format.address(level, raw), widened);
        level.writeEntry(memory, table, index, raw);
      }
      table = format.address(level, raw);
    }
    return table;
  }

  /** Saves physical memory {@code [from, from + length)} to {@code file}, byte 0 being address {@code from}. */
  Path save(Path file, long from, int length) throws IOException {
    return Files.write(file, memory.readBytes(from, length));
  }

  private long newTable() {
    long table = nextTable;
    nextTable += 4096;
    memory.fill(table, 4096, 0);
    return table;
  }

  private int depthOf(long pageSize) {
    for (Level level : format.levels()) {
      if (level.entrySpan() == pageSize) {
        return level.depth();
      }
    }
    throw new IllegalArgumentException(format.name() + " has no level with pages of " + pageSize + " bytes");
  }
}
