/** Fake physical memory and frame allocators, invariants, generators and the grader. */
module dev.paging.testkit {
  requires transitive dev.paging.core;
  requires transitive dev.paging.visitors;
  requires transitive org.junit.jupiter.api;
  requires com.google.common;
  requires com.fasterxml.jackson.core;

  exports dev.paging.testkit;
}
