/**
 * Fakes of what the library asks its users for — physical memory and a frame allocator — that
 * count and check what the library does with them, with no test library inside.
 */
@NullMarked
package dev.paging.fakes;

import org.jspecify.annotations.NullMarked;
