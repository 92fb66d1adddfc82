/**
 * {@link dev.paging.api.PhysicalMemory} over memory a program already holds: a {@code long[]}
 * ({@link dev.paging.memory.LongArrayMemory}) or a {@link java.nio.ByteBuffer}, heap or direct
 * ({@link dev.paging.memory.ByteBufferMemory}), each at a physical base, with the table-at-a-time
 * calls the engine uses done in one pass over the array.
 */
@NullMarked
package dev.paging.memory;

import org.jspecify.annotations.NullMarked;
