package dev.paging.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The demo's whole output, character for character: every step it claims (shared kernel half,
 * largest pages, a smash invalidating one entry, unmap keeping tables, reclaim freeing three,
 * destroy keeping the shared half) shows here with the library's real numbers.
 */
class DemoCommandTest {
  @Test
  void demoShowsEveryStepWithItsDumpAndInvalidationPlan() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(new String[] {"demo"}, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(status).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("""
        paging demo: an x86-64 kernel and two processes in 4 GiB of simulated memory; page tables come from a tracking allocator at 0x0000000000100000.

        == 1. The kernel: a template address space
          map the direct map, 64 MiB of RAM at 0xffff888000000000, rw global
            -> nothing to invalidate
          map the kernel text at 0xffffffff80000000, r-x global
            -> nothing to invalidate
          largest pages fit: 2 MiB leaves, 5 tables in all

        == 2. Two processes share the kernel half
          each process root links the template's 256 kernel-half tables (created once, empty ones
          included, so later kernel mappings reach every process); shared tables recorded: 256
          process A: map code [0x0000000000400000, +16K) r-x user
            -> nothing to invalidate
          process A: map stack [0x00007fffffff8000, +32K) rw user
            -> nothing to invalidate
          process B: map code [0x0000000000400000, +8K) r-x user
            -> nothing to invalidate

          process A, ptdump (holes hidden):
            ---[ User Space ]---
            0x0000000000400000-0x0000000000404000          16K USR ro                     x  pte
            0x00007fffffff8000-0x0000800000000000          32K USR RW                     NX pte
            ---[ Kernel Space ]---
            0xffff888000000000-0xffff888004000000          64M     RW         PSE     GLB NX pmd
            0xffffffff80000000-0xffffffff80200000           2M     ro         PSE     GLB x  pmd

        == 3. One walk, two visitors composed: a tree printer and a page census of process A's user half
        0x0000000000000000..0x00007fffffffffff  PML4 table 0x0000000000105000
        0x0000000000000000..0x0000007fffffffff    PDPT table 0x0000000000205000  via PML4[0] r-xu---
        0x0000000000000000..0x000000003fffffff      PD table 0x0000000000206000  via PDPT[0] r-xu---
        0x0000000000000000..0x00000000003fffff        PD[0..1] hole, 2 x 2 MiB
        0x0000000000400000..0x00000000005fffff        PT table 0x0000000000207000  via PD[2] r-xu---
        0x0000000000400000..0x0000000000400fff          PT[0] 4 KiB page -> 0x0000000002000000  r-xu---
        0x0000000000401000..0x0000000000401fff          PT[1] 4 KiB page -> 0x0000000002001000  r-xu---
        0x0000000000402000..0x0000000000402fff          PT[2] 4 KiB page -> 0x0000000002002000  r-xu---
        0x0000000000403000..0x0000000000403fff          PT[3] 4 KiB page -> 0x0000000002003000  r-xu---
        0x0000000000404000..0x00000000005fffff          PT[4..511] hole, 508 x 4 KiB
        0x0000000000600000..0x000000003fffffff        PD[3..511] hole, 509 x 2 MiB
        0x0000000040000000..0x0000007fffffffff      PDPT[1..511] hole, 511 x 1 GiB
        0x0000008000000000..0x00007f7fffffffff    PML4[1..254] hole, 254 x 512 GiB
        0x00007f8000000000..0x00007fffffffffff    PDPT table 0x0000000000208000  via PML4[255] rwxu---
        0x00007f8000000000..0x00007fffbfffffff      PDPT[0..510] hole, 511 x 1 GiB
        0x00007fffc0000000..0x00007fffffffffff      PD table 0x0000000000209000  via PDPT[511] rwxu---
        0x00007fffc0000000..0x00007fffffdfffff        PD[0..510] hole, 511 x 2 MiB
        0x00007fffffe00000..0x00007fffffffffff        PT table 0x000000000020a000  via PD[511] rwxu---
        0x00007fffffe00000..0x00007fffffff7fff          PT[0..503] hole, 504 x 4 KiB
        0x00007fffffff8000..0x00007fffffff8fff          PT[504] 4 KiB page -> 0x0000000002100000  rw-u---
        0x00007fffffff9000..0x00007fffffff9fff          PT[505] 4 KiB page -> 0x0000000002101000  rw-u---
        0x00007fffffffa000..0x00007fffffffafff          PT[506] 4 KiB page -> 0x0000000002102000  rw-u---
        0x00007fffffffb000..0x00007fffffffbfff          PT[507] 4 KiB page -> 0x0000000002103000  rw-u---
        0x00007fffffffc000..0x00007fffffffcfff          PT[508] 4 KiB page -> 0x0000000002104000  rw-u---
        0x00007fffffffd000..0x00007fffffffdfff          PT[509] 4 KiB page -> 0x0000000002105000  rw-u---
        0x00007fffffffe000..0x00007fffffffefff          PT[510] 4 KiB page -> 0x0000000002106000  rw-u---
        0x00007ffffffff000..0x00007fffffffffff          PT[511] 4 KiB page -> 0x0000000002107000  rw-u---
          walk COMPLETED: 7 tables, 3346 entries read; leaves: 12 x 4 KiB (49152 bytes); user-reachable: 12 x 4 KiB (49152 bytes)

        == 4. A kernel mapping made through process B is seen by process A and the kernel
          process B: map [0xffffc90000000000, +4K) rw global
            -> nothing to invalidate
          kernel:    0xffffc90000000123 -> 0x0000000003000123 4K PT rw--g-- (leaf rw--g--)
          process A: 0xffffc90000000123 -> 0x0000000003000123 4K PT rw--g-- (leaf rw--g--)

        == 5. Smash: make one 4 KiB page of the direct map read-only
          protect [0xffff888000203000, +4K) r-- global
            -> invalidate 1 entry in [0xffff888000200000, 0xffff8880003fffff] (global, shared tables)
          the 2 MiB page around it became 512 4 KiB pages in a new table; only the old huge entry
          needs invalidating, since every other address keeps its translation. Direct map now:
            ---[ Kernel Space ]---
            0xffff888000000000-0xffff888000200000           2M     RW         PSE     GLB NX pmd
            0xffff888000200000-0xffff888000203000          12K     RW                 GLB NX pte
            0xffff888000203000-0xffff888000204000           4K     ro                 GLB NX pte
            0xffff888000204000-0xffff888000400000        2032K     RW                 GLB NX pte
            0xffff888000400000-0xffff888000600000           2M     RW         PSE     GLB NX pmd

        == 6. Unmap process A's stack
          was [0x00007fffffff8000, 0x00007fffffffffff] -> 0x0000000002100000 4K PT rw-u---
          unmap
            -> invalidate 8 entries in [0x00007fffffff8000, 0x00007fffffffffff]
          the tables stay (unmap never frees them): 273 tables allocated

        == 7. Reclaim process A's empty tables, bottom-up
          COLLECT reclaim of [0x0000000000000000, 0x00007fffffffffff]: 3 tables freed (PDPT 1, PD 1, PT 1), pending, first 0x000000000020a000; invalidate 3 entries in [0x00007f8000000000, 0x00007fffffffffff] (paging structures)
          apply the plan, then release: 3 frames back
          270 tables allocated; process A, ptdump:
            ---[ User Space ]---
            0x0000000000400000-0x0000000000404000          16K USR ro                     x  pte
            ---[ Kernel Space ]---
            0xffff888000000000-0xffff888000200000           2M     RW         PSE     GLB NX pmd
            0xffff888000200000-0xffff888000203000          12K     RW                 GLB NX pte
            0xffff888000203000-0xffff888000204000           4K     ro                 GLB NX pte
            0xffff888000204000-0xffff888000400000        2032K     RW                 GLB NX pte
            0xffff888000400000-0xffff888004000000          60M     RW         PSE     GLB NX pmd
            0xffffc90000000000-0xffffc90000001000           4K     RW                 GLB NX pte
            0xffffffff80000000-0xffffffff80200000           2M     ro         PSE     GLB x  pmd

        == 8. Destroy process B
          destroyed: 4 frames pending: 0x000000000020d000, 0x000000000020c000, 0x000000000020b000, 0x0000000000204000; invalidate 5 entries in [0x0000000000000000, 0x0000007fffffffff] (paging structures)
          266 tables allocated: the kernel's and process A's; the shared
          kernel half is intact: 0xffffc90000000123 -> 0x0000000003000123 4K PT rw--g-- (leaf rw--g--)
        """);
  }
}
