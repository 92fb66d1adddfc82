/**
 * Audits of an address space against the rules kernels rely on: pluggable {@link
 * dev.paging.audit.AuditRule}s, the shipped rules, and the findings they report.
 */
@NullMarked
package dev.paging.audit;

import org.jspecify.annotations.NullMarked;
