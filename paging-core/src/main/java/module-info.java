/** The walking engine and the architecture formats. */
module dev.paging.core {
  requires transitive dev.paging.api;
  requires com.google.common;

  exports dev.paging.core;
}
