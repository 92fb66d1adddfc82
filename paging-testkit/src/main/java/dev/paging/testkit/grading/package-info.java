/**
 * Grading page-table code: the contracts a submission implements, the paging scenarios that drive
 * them against the reference model, the grader with its time budgets, the batteries of named
 * checks and the score cards they produce.
 */
@NullMarked
package dev.paging.testkit.grading;

import org.jspecify.annotations.NullMarked;
