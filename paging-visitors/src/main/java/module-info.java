/** Every operation as a visitor on the engine, and the PageTables facade. */
module dev.paging.visitors {
  requires transitive dev.paging.core;

  exports dev.paging.visitors;
}
