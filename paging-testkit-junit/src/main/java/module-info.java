/**
 * The testkit's JUnit 5 extension, apart from the testkit so that the checks, models and grader
 * carry no test library: add it in test scope where tests use {@code @ExtendWith}. On the module
 * path or the class path alike, it needs nothing but JUnit and the testkit.
 */
module dev.paging.testkit.junit {
  requires transitive dev.paging.testkit;
  requires transitive org.junit.jupiter.api;

  exports dev.paging.testkit.junit;
}
