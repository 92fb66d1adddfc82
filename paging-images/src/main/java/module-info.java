/**
 * Memory images as physical memory: raw files, ELF cores (QEMU {@code dump-guest-memory}, kdump
 * {@code vmcore}) and LiME captures, with the registers and roots the dumps record, and writers
 * that save a space as any of them.
 */
module dev.paging.images {
  requires transitive dev.paging.core;

  exports dev.paging.images;
}
