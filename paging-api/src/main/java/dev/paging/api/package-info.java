/**
 * The contracts of the paging library: virtual ranges over unsigned addresses, page-table
 * formats and their levels, entry attributes, the physical memory and frame allocator a user
 * supplies, and the visitor hooks and cursors of a walk. Nothing here may be null unless
 * annotated {@code @Nullable}.
 */
@NullMarked
package dev.paging.api;

import org.jspecify.annotations.NullMarked;
