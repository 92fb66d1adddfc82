/**
 * Memory images read as {@link dev.paging.api.PhysicalMemory}: {@link dev.paging.images.MemoryImage}
 * maps a raw, ELF core or LiME file read-only, with its physical map of {@link
 * dev.paging.images.Segment segments}, the {@link dev.paging.images.Cpu CPUs} and {@link
 * dev.paging.images.Root roots} the dump records, and a kdump's {@link dev.paging.images.VmcoreInfo};
 * {@link dev.paging.images.ImageWriter} writes any of the three from memory the caller holds.
 *
 * <p>Images are evidence and may be hostile: every header field is checked against the file
 * before it is used, a bad one is a {@link dev.paging.images.MalformedImageException} naming the
 * file, the offset and the value, and no read goes past the end of the file.
 */
@NullMarked
package dev.paging.images;

import org.jspecify.annotations.NullMarked;
