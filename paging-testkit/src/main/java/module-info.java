/**
 * For tests of page-table code, the library's and yours: checks and models ({@code
 * dev.paging.testkit}), seeded generators and a shrinking stateful runner ({@code
 * dev.paging.testkit.stateful}), and a grader for submissions ({@code
 * dev.paging.testkit.grading}). The fakes it checks come from {@code dev.paging.fakes}; the JUnit
 * 5 extension that runs the checks after every test is the module {@code
 * dev.paging.testkit.junit}, so this one requires no test library at all.
 */
module dev.paging.testkit {
  requires transitive dev.paging.core;
  requires transitive dev.paging.visitors;
  requires transitive dev.paging.fakes;
  requires com.google.common;
  requires com.fasterxml.jackson.core;
  requires java.xml;

  exports dev.paging.testkit;
  exports dev.paging.testkit.stateful;
  exports dev.paging.testkit.grading;
}
