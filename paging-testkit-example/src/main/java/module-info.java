/** A student's lab submission: a page-table walk by hand, graded with the paging testkit. */
module dev.paging.example {
  requires dev.paging.testkit;

  exports dev.paging.example;
}
