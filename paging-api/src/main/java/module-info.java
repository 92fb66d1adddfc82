/** Contracts of the paging library: addresses, ranges, formats, memory, allocators and visitors. */
module dev.paging.api {
  requires transitive org.jspecify;

  exports dev.paging.api;
}
