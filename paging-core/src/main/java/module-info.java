/** The walking engine and the architecture formats. */
module dev.paging.core {
  requires transitive dev.paging.api;
  // Only VirtualRanges, the Guava adapter, needs Guava; its callers bring it.
  requires static com.google.common;

  exports dev.paging.core;
}
