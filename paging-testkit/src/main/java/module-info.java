/**
 * For tests of page-table code, the library's and yours: checks and models ({@code
 * dev.paging.testkit}), a JUnit 5 extension that checks them after every test ({@code
 * dev.paging.testkit.junit}), seeded generators and a shrinking stateful runner ({@code
 * dev.paging.testkit.stateful}), and a grader for submissions ({@code
 * dev.paging.testkit.grading}). The fakes it checks come from {@code dev.paging.fakes}.
 *
 * <p>JUnit is needed only by the extension, so it is a static requirement: a consumer that uses
 * the extension runs JUnit and requires it itself; one that only grades or checks does not.
 */
module dev.paging.testkit {
  requires transitive dev.paging.core;
  requires transitive dev.paging.visitors;
  requires transitive dev.paging.fakes;
  requires static org.junit.jupiter.api;
  requires com.google.common;
  requires com.fasterxml.jackson.core;

  exports dev.paging.testkit;
  exports dev.paging.testkit.junit;
  exports dev.paging.testkit.stateful;
  exports dev.paging.testkit.grading;
}
