/**
 * Fakes of the two things the library asks its users for, physical memory and a frame
 * allocator, that count and check what the library does with them. No test library: the demo,
 * the benchmarks and an OS project's own harness use them as freely as tests do.
 */
module dev.paging.fakes {
  requires transitive dev.paging.api;

  exports dev.paging.fakes;
}
