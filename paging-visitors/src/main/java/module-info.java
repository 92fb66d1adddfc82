/**
 * Everything built on the engine, one package per family: {@code dev.paging.ops} (the {@code
 * PageTables} facade and every operation, their options, results and invalidation plans), {@code
 * dev.paging.dump} (streaming dumps in the formats people already read) and {@code
 * dev.paging.audit} (rules kernels rely on, and their findings).
 */
module dev.paging.visitors {
  requires transitive dev.paging.core;
  // Only the JSON dump renderer needs jackson-core; DumpRenderer.json names it when it is absent.
  requires static com.fasterxml.jackson.core;

  exports dev.paging.ops;
  exports dev.paging.dump;
  exports dev.paging.audit;
}
