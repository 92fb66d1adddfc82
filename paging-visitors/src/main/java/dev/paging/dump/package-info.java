/**
 * Dumps that stream a walk to a renderer in the formats people already read: Linux ptdump, QEMU
 * {@code info mem} and {@code info tlb}, xv6 vmprint, JSON and Graphviz DOT.
 */
@NullMarked
package dev.paging.dump;

import org.jspecify.annotations.NullMarked;
