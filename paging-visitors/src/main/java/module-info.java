/** Every operation as a visitor on the engine, and the PageTables facade. */
module dev.paging.visitors {
  requires transitive dev.paging.core;
  requires com.fasterxml.jackson.core;

  exports dev.paging.visitors;
}
