package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Attributes;
import dev.paging.api.VirtualRange;
import dev.paging.audit.Audit;
import dev.paging.core.AddressSpace;
import dev.paging.core.Formats;
import dev.paging.core.Visitors;
import dev.paging.core.WalkOutcome;
import dev.paging.core.Walker;
import dev.paging.dump.Dump;
import dev.paging.dump.DumpRenderer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The dump and audit shown in the README, produced in one walk by composing the two visitors,
 * and the README showing them as they are: if this text changes, the README must change with it.
 */
class ReadmeDemoTest {
  @Test
  void dumpAndAuditOfTheDemoSpaceInOnePass() throws IOException {
    Trees t = Trees.of(Formats.x86_64());
    t.leaf(0x40_0000L, 3, 0x20_0000L, Attributes.readExecute().withUser(true));           // user text
    t.leaf(0x40_1000L, 3, 0x20_1000L, Attributes.readExecute().withUser(true));
    t.leaf(0x60_0000L, 3, 0x30_0000L, Attributes.readWrite().withUser(true));             // user data
    t.leaf(0xffff_8000_0000_0000L, 2, 0x100_0000L, Attributes.readWrite().withGlobal(true)); // direct map
    t.leaf(0xffff_ffff_8000_0000L, 3, 0x30_0000L,                                          // kernel text, W+X,
        Attributes.readWrite().withExecutable(true).withGlobal(true));                    // aliasing user data
    t.leaf(0xffff_ffff_ffff_f000L, 3, 0x7000L, Attributes.readOnly().withGlobal(true).withUser(true));

    AddressSpace space = t.space;
    StringBuilder out = new StringBuilder();

    // readme:dump-and-audit
    Dump dump = Dump.of(space.format(), DumpRenderer.ptdump(out, false));   // holes hidden
    Audit audit = Audit.of(space);
    WalkOutcome outcome = Walker.walk(space, VirtualRange.all(), Visitors.compose(dump, audit));
    // readme:end

    assertThat(outcome).isEqualTo(WalkOutcome.COMPLETED);
    assertThat(out.toString()).isEqualTo("""
        ---[ User Space ]---
        0x0000000000400000-0x0000000000402000           8K USR ro                     x  pte
        0x0000000000600000-0x0000000000601000           4K USR RW                     NX pte
        ---[ Kernel Space ]---
        0xffff800000000000-0xffff800000200000           2M     RW         PSE     GLB NX pmd
        0xffffffff80000000-0xffffffff80001000           4K     RW                 GLB x  pte
        0xfffffffffffff000-0x0000000000000000           4K USR ro                 GLB NX pte
        """);
    assertThat(audit.report().toString()).isEqualTo("""
        INFO    writable-alias         [0xffffffff80000000, 0xffffffff80000fff] PT   table 0x0000000000109000: physical [0x0000000000300000, 0x0000000000300fff] is also mapped writable at 0x0000000000600000
        WARNING wx                     [0xffffffff80000000, 0xffffffff80000fff] PT   table 0x0000000000109000: writable and executable
        WARNING user-kernel-half       [0xfffffffffffff000, 0xffffffffffffffff] PT   table 0x000000000010b000: user-accessible mapping in the kernel half
        summary: 3 findings: 0 errors, 2 warnings, 1 information
          user-kernel-half       1
          writable-alias         1
          wx                     1
        """);
    // And the README shows both, as they are.
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    assertThat(readme).contains("```\n" + out + "```\n", "```\n" + audit.report() + "```\n");
  }
}
