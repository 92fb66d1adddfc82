/**
 * Checks and models for page-table code: structural invariants and leak accounting, a reference
 * model of the mappings a space should have, a TLB model that shows a missing invalidation, and
 * the fixture the JUnit extension hands to tests.
 */
@NullMarked
package dev.paging.testkit;

import org.jspecify.annotations.NullMarked;
