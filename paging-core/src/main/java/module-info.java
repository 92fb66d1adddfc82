/** The walking engine, the architecture formats, and memories over arrays and buffers. */
module dev.paging.core {
  requires transitive dev.paging.api;
  // Only VirtualRanges, the Guava adapter, needs Guava; its callers bring it.
  requires static com.google.common;

  exports dev.paging.core;
  exports dev.paging.memory;
}
