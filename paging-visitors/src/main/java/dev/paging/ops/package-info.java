/**
 * Every operation on page tables, built on the engine: the {@link dev.paging.ops.PageTables} facade,
 * translate, map, unmap, protect, smash, collapse, destroy and reclaim, their options and
 * results, the {@link dev.paging.ops.InvalidationPlan} each mutation returns and the {@link
 * dev.paging.ops.PendingFrees} released after it is applied.
 */
@NullMarked
package dev.paging.ops;

import org.jspecify.annotations.NullMarked;
