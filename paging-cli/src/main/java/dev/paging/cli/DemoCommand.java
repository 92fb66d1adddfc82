package dev.paging.cli;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Addresses;
import dev.paging.api.Attributes;
import dev.paging.api.VirtualRange;
import dev.paging.core.Aarch64Permissions;
import dev.paging.core.Formats;
import dev.paging.core.Visitors;
import dev.paging.core.WalkOutcome;
import dev.paging.dump.DumpRenderer;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.fakes.TrackingFrameAllocator;
import dev.paging.images.ImageKind;
import dev.paging.images.ImageWriter;
import dev.paging.ops.InvalidationPlan;
import dev.paging.ops.Mapping;
import dev.paging.ops.PageTables;
import dev.paging.ops.ReclaimMode;
import dev.paging.ops.ReclaimResult;
import dev.paging.ops.Translation;
import dev.paging.ops.UnmapResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code paging demo}: a small x86-64 kernel and two processes in simulated memory, then map,
 * smash, unmap and reclaim step by step, each with a dump and the invalidation plan it returns.
 */
@Command(
    name = "demo",
    description = {
        "Builds, in simulated memory, an x86-64 kernel and two processes that share its kernel half, "
            + "then shows map, smash, unmap, reclaim and destroy step by step with dumps and the "
            + "invalidation plan of each step.",
    })
final class DemoCommand implements Callable<Integer> {
  static final long MEMORY = 4L << 30;
  static final long TABLES_BASE = 0x10_0000L;
  static final long TABLE_FRAMES = 2048;

  static final long DIRECT_MAP = 0xffff_8880_0000_0000L;
  static final long DIRECT_MAP_SIZE = 64L << 20;
  static final long KERNEL_TEXT = 0xffff_ffff_8000_0000L;
  static final long KERNEL_TEXT_PHYS = 0x100_0000L;
  static final long CODE = 0x40_0000L;
  static final long STACK_TOP = 0x7fff_ffff_f000L;
  static final long VMALLOC = 0xffff_c900_0000_0000L;

  private static final Attributes KERNEL_DATA = Attributes.readWrite().withGlobal(true);
  private static final Attributes KERNEL_CODE = Attributes.readExecute().withGlobal(true);
  private static final Attributes USER_CODE = Attributes.readExecute().withUser(true);
  /** Where an arm64 Linux kernel with 48-bit VAs puts its image: the start of the vmalloc area. */
  private static final long ARM_KERNEL = 0xffff_8000_0800_0000L;
  private static final Attributes USER_DATA = Attributes.readWrite().withUser(true);

  /** CR0 with PE, MP, ET, NE, WP, AM and PG set, as a running Linux kernel has it. */
  static final long SAVED_CR0 = 0x8005_0033L;
  /** CR4 with PAE, PGE, OSFXSR, OSXMMEXCPT, FSGSBASE and SMEP/SMAP set, LA57 clear: 4-level. */
  static final long SAVED_CR4 = 0x0036_06e0L;
  /** The RAM a saved image holds: the legacy 640 KiB, then the tables from 1 MiB. */
  static final long LOW_RAM = 0xa_0000L;

  @Spec
  private CommandSpec spec;

  @Option(names = "--save", paramLabel = "FILE",
      description = "At the end, save the simulated memory as a memory image: the legacy 640 KiB and the "
          + "tables from 1 MiB, with a gap between as on a pc machine. An ELF core records two CPUs, CPU 0 "
          + "running process A and CPU 1 the kernel's template, so the image commands need no --cr3.")
  private Path save;

  @Option(names = "--save-format", paramLabel = "KIND", defaultValue = "elf",
      description = "elf (QEMU dump-guest-memory's layout), lime or raw. Default: ${DEFAULT-VALUE}.")
  private String saveFormat;

  private PrintWriter out;

  @Override
  public Integer call() throws IOException {
    ImageKind saveKind = ImageOptions.imageKind(saveFormat, spec.commandLine());
    out = spec.commandLine().getOut();
    SimulatedMemory memory = SimulatedMemory.ofSize(MEMORY);
    TrackingFrameAllocator allocator = TrackingFrameAllocator.over(TABLES_BASE, TABLE_FRAMES);

    out.println("paging demo: an x86-64 kernel and two processes in " + Sizes.name(MEMORY)
        + " of simulated memory; page tables come from a tracking allocator at " + hex(TABLES_BASE) + ".");

    heading("1. The kernel: a template address space");
    PageTables kernel = PageTables.create(Formats.x86_64(), memory, allocator);
    step("map the direct map, " + Sizes.name(DIRECT_MAP_SIZE) + " of RAM at " + hex(DIRECT_MAP) + ", rw global",
        kernel.map(VirtualRange.ofLength(DIRECT_MAP, DIRECT_MAP_SIZE), 0, KERNEL_DATA).plan());
    step("map the kernel text at " + hex(KERNEL_TEXT) + ", r-x global",
        kernel.map(VirtualRange.ofLength(KERNEL_TEXT, 2L << 20), KERNEL_TEXT_PHYS, KERNEL_CODE).plan());
    out.println("  largest pages fit: 2 MiB leaves, " + allocator.allocatedCount() + " tables in all");

    heading("2. Two processes share the kernel half");
    PageTables a = PageTables.createSharingKernelHalf(kernel);
    PageTables b = PageTables.createSharingKernelHalf(kernel);
    out.println("  each process root links the template's 256 kernel-half tables (created once, empty ones");
    out.println("  included, so later kernel mappings reach every process); shared tables recorded: "
        + kernel.space().sharedTables().size());
    step("process A: map code [" + hex(CODE) + ", +16K) r-x user",
        a.map(VirtualRange.ofLength(CODE, 16 << 10), 0x200_0000L, USER_CODE).plan());
    step("process A: map stack [" + hex(STACK_TOP - 0x7000) + ", +32K) rw user",
        a.map(VirtualRange.ofLength(STACK_TOP - 0x7000, 32 << 10), 0x210_0000L, USER_DATA).plan());
    step("process B: map code [" + hex(CODE) + ", +8K) r-x user",
        b.map(VirtualRange.ofLength(CODE, 8 << 10), 0x220_0000L, USER_CODE).plan());
    out.println();
    out.println("  process A, ptdump (holes hidden):");
    dump(a, VirtualRange.all());

    heading("3. One walk, two visitors composed: a tree printer and a page census of process A's user half");
    TreePrinter printer = new TreePrinter(out);
    PageCensus census = new PageCensus(a.space().format());
    memory.resetCounters();
    WalkOutcome outcome = a.space().walker().walk(a.space().root(), a.space().format().lowerHalf(),
        Visitors.compose(printer, census));
    out.println("  walk " + outcome + ": " + printer.tables() + " tables, " + memory.reads()
        + " entries read; leaves: " + census.leaves() + "; user-reachable: " + census.userLeaves());

    heading("4. A kernel mapping made through process B is seen by process A and the kernel");
    step("process B: map [" + hex(VMALLOC) + ", +4K) rw global",
        b.map(VirtualRange.ofLength(VMALLOC, 4096), 0x300_0000L, KERNEL_DATA).plan());
    for (PageTables space : new PageTables[] {kernel, a}) {
      Translation t = space.translate(VMALLOC + 0x123);
      out.println("  " + (space == kernel ? "kernel:    " : "process A: ") + t);
    }

    heading("5. Smash: make one 4 KiB page of the direct map read-only");
    long page = DIRECT_MAP + 0x20_3000L;
    step("protect [" + hex(page) + ", +4K) r-- global",
        kernel.protect(VirtualRange.ofLength(page, 4096), Attributes.readOnly().withGlobal(true)).plan());
    out.println("  the 2 MiB page around it became 512 4 KiB pages in a new table; only the old huge entry");
    out.println("  needs invalidating, since every other address keeps its translation. Direct map now:");
    dump(kernel, VirtualRange.ofLength(DIRECT_MAP, 6L << 20));

    heading("6. Unmap process A's stack");
    UnmapResult unmapped = a.unmap(VirtualRange.ofLength(STACK_TOP - 0x7000, 32 << 10));
    for (Mapping m : unmapped.unmapped()) {
      out.println("  was " + m);
    }
    step("unmap", unmapped.plan());
    out.println("  the tables stay (unmap never frees them): " + allocator.allocatedCount() + " tables allocated");

    heading("7. Reclaim process A's empty tables, bottom-up");
    ReclaimResult reclaimed = a.reclaim(a.space().format().lowerHalf(), ReclaimMode.COLLECT);
    out.println("  " + reclaimed);
    out.println("  apply the plan, then release: " + reclaimed.pendingFrees().count() + " frames back");
    reclaimed.pendingFrees().release();
    out.println("  " + allocator.allocatedCount() + " tables allocated; process A, ptdump:");
    dump(a, VirtualRange.all());

    heading("8. Destroy process B");
    var destroyed = b.destroy();
    out.println("  " + destroyed);
    destroyed.pendingFrees().release();
    out.println("  " + allocator.allocatedCount() + " tables allocated: the kernel's and process A's; the shared");
    out.println("  kernel half is intact: " + a.translate(VMALLOC + 0x123));
    aarch64();
    if (save != null) {
      save(memory, saveKind, a.space().root(), kernel.space().root());
    }
    out.flush();
    return 0;
  }

  /** The same engine on AArch64: a root per half, Linux's arm64 ptdump columns, each exception level's rights. */
  private void aarch64() throws IOException {
    heading("9. AArch64: a root per half, TTBR0 for the process and TTBR1 for the kernel");
    SimulatedMemory memory = SimulatedMemory.ofSize(16L << 20);
    TrackingFrameAllocator allocator = TrackingFrameAllocator.over(TABLES_BASE, 64);
    PageTables arm = PageTables.create(Formats.aarch64(), memory, allocator);
    out.println("  an " + arm.space().format() + " space in " + Sizes.name(16L << 20) + " of its own: TTBR0 root "
        + hex(arm.space().root()) + ", TTBR1 root " + hex(arm.space().upperRoot()));
    Attributes kernelImage = Attributes.readExecute().withGlobal(true).withAccessed(true);
    Attributes userCode = Attributes.readExecute().withUser(true).withAccessed(true);
    step("map the kernel image [" + hex(ARM_KERNEL) + ", +2M) r-x for EL1, global",
        arm.map(VirtualRange.ofLength(ARM_KERNEL, 2L << 20), 0x4020_0000L, kernelImage).plan());
    step("map user code [" + hex(CODE) + ", +4K) r-x for EL0",
        arm.map(VirtualRange.ofLength(CODE, 4096), 0x4100_0000L, userCode).plan());
    out.println("  ptdump, arm64 columns (holes hidden):");
    dump(arm, VirtualRange.all());
    out.println("  user code: " + Aarch64Permissions.of(arm.space().format(), arm.translate(CODE).effectiveAttributes())
        + "; kernel image: " + Aarch64Permissions.of(arm.space().format(),
            arm.translate(ARM_KERNEL).effectiveAttributes()) + " (PXN and UXN keep each level to its own)");
  }

  private void save(SimulatedMemory memory, ImageKind kind, long processRoot, long kernelRoot) throws IOException {
    heading("Saved");
    ImageWriter writer = ImageWriter.of(memory).segment(0, LOW_RAM)
        .segment(TABLES_BASE, TABLE_FRAMES * Addresses.FRAME_SIZE);
    if (kind == ImageKind.ELF_CORE) {
      writer.cpu(cpu(processRoot)).cpu(cpu(kernelRoot));
    }
    writer.write(save, kind);
    out.println("  " + save + ", " + (kind == ImageKind.ELF_CORE ? "an ELF core" : "a " + kind.displayName()
        + " image") + ": physical [0, " + Sizes.name(LOW_RAM) + ") and [" + Sizes.name(TABLES_BASE) + ", "
        + Sizes.name(TABLES_BASE + TABLE_FRAMES * Addresses.FRAME_SIZE) + ")" + (kind == ImageKind.ELF_CORE
            ? "; CPU 0 runs process A (CR3 " + hex(processRoot) + "), CPU 1 the kernel (CR3 " + hex(kernelRoot) + ")"
            : ""));
    out.println("  try: ./paging image-info --image " + save);
    out.println("       ./paging inspect --image " + save + (kind == ImageKind.ELF_CORE ? "" : " --cr3 " + hex(processRoot))
        + " --view info-tlb");
  }

  private static Map<String, Long> cpu(long root) {
    Map<String, Long> registers = new LinkedHashMap<>();
    registers.put("rip", KERNEL_TEXT);
    registers.put("cr0", SAVED_CR0);
    registers.put("cr3", root);
    registers.put("cr4", SAVED_CR4);
    return registers;
  }

  private void heading(String title) {
    out.println();
    out.println("== " + title);
  }

  private void step(String what, InvalidationPlan plan) {
    out.println("  " + what);
    out.println("    -> " + plan);
  }

  private void dump(PageTables tables, VirtualRange range) throws IOException {
    StringBuilder text = new StringBuilder();
    tables.dump(range, DumpRenderer.ptdump(text, false));
    for (String line : text.toString().split("\n")) {
      out.println("    " + line);
    }
  }
}
