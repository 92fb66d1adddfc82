/** Fake physical memory and frame allocators, invariants, generators and the grader. */
module dev.paging.testkit {
  requires transitive dev.paging.core;

  exports dev.paging.testkit;
}
