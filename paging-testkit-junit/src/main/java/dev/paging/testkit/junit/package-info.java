/**
 * The JUnit 5 extension: a fresh fixture per test, invariants and leaks checked after it.
 */
@NullMarked
package dev.paging.testkit.junit;

import org.jspecify.annotations.NullMarked;
