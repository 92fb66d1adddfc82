/**
 * The engine: the {@link dev.paging.core.Walker} that walks a range of virtual addresses through a
 * page-table hierarchy and calls a visitor, composition of visitors, address spaces, tables
 * shared between spaces, and the shipped formats (x86-64 4- and 5-level, RISC-V Sv39/48/57).
 */
@NullMarked
package dev.paging.core;

import org.jspecify.annotations.NullMarked;
