package dev.paging.cli;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.VirtualRange;
import dev.paging.core.Visitors;
import dev.paging.core.WalkOutcome;
import dev.paging.core.Walker;
import dev.paging.testkit.SimulatedMemory;
import dev.paging.visitors.Translation;
import dev.paging.visitors.Translator;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code paging demo}: builds a small address space, walks it with two visitors at once, prints what they saw. */
@Command(
    name = "demo",
    description = {
        "Builds a tiny x86-64 kernel and process in simulated memory, walks the whole address space "
            + "with a tree printer and a page census composed into one visitor, and prints what they saw.",
    })
final class DemoCommand implements Callable<Integer> {
  /** An address inside the process's code, translated at the end to show what one walk costs. */
  static final long CODE_ADDRESS = 0x0000_0000_0040_1234L;

  @Spec
  private CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    DemoSpace demo = DemoSpace.kernelAndProcess();
    SimulatedMemory memory = demo.memory();
    out.println("A tiny x86-64 kernel and one process, written entry by entry into " + Sizes.name(memory.size())
        + " of simulated memory");
    out.println("with table frames from a tracking allocator. One walk over " + VirtualRange.all() + ",");
    out.println("root " + hex(demo.space().root()) + ", with a tree printer and a page census composed into one visitor:");
    out.println();

    TreePrinter printer = new TreePrinter(out);
    PageCensus census = new PageCensus(demo.format());
    Walker walker = demo.space().walker();
    memory.resetCounters();
    WalkOutcome outcome = walker.walk(demo.space().root(), VirtualRange.all(), Visitors.compose(printer, census));
    long reads = memory.reads();

    out.println();
    out.println("walk:           " + outcome);
    out.println("tables visited: " + printer.tables() + " (" + demo.allocator().allocatedCount()
        + " frames allocated)");
    out.println("entries read:   " + reads
        + " (SimulatedMemory.reads(): each entry of each table, each non-empty one again after onEntry)");
    out.println("leaves:         " + census.leaves());
    out.println("user-reachable: " + census.userLeaves());

    // One address costs one entry per level, read twice (the walker re-reads after onEntry):
    // the cost follows the tables on the path, not the size of the space.
    memory.resetCounters();
    Translation t = Translator.of(demo.space()).translate(CODE_ADDRESS);
    out.println("translate:      " + hex(CODE_ADDRESS) + " -> " + hex(t.physicalAddress()) + ", "
        + Sizes.name(t.pageSize()) + " page at " + t.level() + ", effective " + t.effectiveAttributes()
        + ", " + memory.reads() + " entries read");
    out.flush();
    return 0;
  }
}
