/**
 * Seeded generators that seek the edges of address spaces, and a stateful runner that runs random
 * step sequences and shrinks a failing one to a minimal scenario with the seed that replays it.
 */
@NullMarked
package dev.paging.testkit.stateful;

import org.jspecify.annotations.NullMarked;
