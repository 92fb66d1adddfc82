package dev.paging.images;

import java.nio.ByteBuffer;

/** A register's name, byte offset and width (4 or 8 bytes, little-endian) in an ELF note's data. */
final class NoteField {
  final String name;
  final int offset;
  final int width;

  NoteField(String name, int offset, int width) {
    this.name = name;
    this.offset = offset;
    this.width = width;
  }

  /** Its value in {@code data} (little-endian), zero-extended when 4 bytes wide. */
  long get(ByteBuffer data) {
    return width == 8 ? data.getLong(offset) : Integer.toUnsignedLong(data.getInt(offset));
  }

  /** Writes {@code value} into {@code data}, truncated to the field's width. */
  void put(ByteBuffer data, long value) {
    if (width == 8) {
      data.putLong(offset, value);
    } else {
      data.putInt(offset, (int) value);
    }
  }
}
