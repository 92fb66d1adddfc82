/**
 * The engine's and the operations' own tests, filed by the behaviour they check. Tests that answer
 * a concern raised elsewhere say where it came from with a tag and a display name:
 *
 * <ul>
 *   <li>{@code forum}: the caveats of the OSDev forum thread "Page table manipulation"
 *       (songziming and nullplan), each test quoting the caveat it answers;
 *   <li>{@code pr-review}: the points the reviewers of rust-osdev/x86_64 pull request 32 ("Reclaim
 *       page tables") raised, each test quoting the point it answers;
 *   <li>{@code reference-lessons}: bugs users reported against that crate's paging module (the
 *       reference library), each test checking here the behaviour that went wrong there.
 * </ul>
 *
 * <p>Run only one provenance with, for example, {@code mvn verify -pl paging-tests -am -Dgroups=forum}.
 */
package dev.paging.tests;
