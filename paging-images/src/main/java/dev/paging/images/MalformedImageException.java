package dev.paging.images;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A memory image whose headers are not what its format allows: truncated, of an unsupported
 * kind, or pointing outside the file. The message is one line naming the file, the byte offset of
 * the offending field and its value: {@code guest.elf: offset 0x4: ELF class 1 (32-bit) ...}.
 */
public final class MalformedImageException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long offset;

  MalformedImageException(Path file, long offset, String problem) {
    super(file + ": offset 0x" + Long.toHexString(offset) + ": " + problem);
    this.file = file;
    this.offset = offset;
  }

  /** The image file. */
  public Path file() {
    return file;
  }

  /** The byte offset in the file of the field at fault. */
  public long offset() {
    return offset;
  }
}
