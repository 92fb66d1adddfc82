/** Contracts of the paging library: addresses, ranges, formats, memory, allocators and visitors. */
module dev.paging.api {
  exports dev.paging.api;
}
