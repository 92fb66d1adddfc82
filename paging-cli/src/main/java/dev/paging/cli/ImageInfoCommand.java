package dev.paging.cli;

import static dev.paging.api.Addresses.hex;

import dev.paging.images.Cpu;
import dev.paging.images.MemoryImage;
import dev.paging.images.Segment;
import dev.paging.images.VmcoreInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code paging image-info}: what a memory image's headers say: its kind, its physical map, the
 * CPUs and their registers, and the root each CPU and the kernel's VMCOREINFO give.
 */
@Command(
    name = "image-info",
    description = {
        "Shows what a memory image's headers say: its kind, its segments of physical memory, the CPUs and "
            + "their registers, the root each CPU's registers select, and a kdump's VMCOREINFO with the "
            + "kernel's root. Nothing of the memory itself is read.",
    },
    footer = {
        "",
        "Output: 'image', 'kind' and 'memory' lines; a 'segment' line per piece of the physical map "
            + "(first and last address, size, where it is in the file); per CPU a 'cpu N' line with its root "
            + "or why it has none, then its registers four to a line; a 'vmcoreinfo' section with the note's "
            + "lines and the kernel's root. Addresses in 16 hex digits.",
        "",
        "Exit status: 0 when the image was read, 2 on bad input (the line names the file, offset and value).",
    })
final class ImageInfoCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Mixin
  private ImageFileOptions imageFile;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    try (MemoryImage memory = imageFile.open()) {
      out.println("image      " + memory.file());
      out.println("kind       " + memory.kind().displayName()
          + memory.architecture().map(a -> " (" + a.displayName() + ")").orElse(""));
      out.println("memory     " + hex(memory.size()) + " bytes (" + Sizes.name(memory.size()) + ") in "
          + memory.segments().size() + (memory.segments().size() == 1 ? " segment" : " segments"));
      for (Segment s : memory.segments()) {
        out.println("segment    " + hex(s.start()) + "-" + hex(s.last()) + "  " + Sizes.name(s.length())
            + "  file offset 0x" + Long.toHexString(s.fileOffset())
            + (s.fileLength() == s.length() ? "" : ", " + Sizes.name(s.fileLength()) + " in the file, the rest zero"));
      }
      for (Cpu c : memory.cpus()) {
        out.println("cpu " + c.index() + "      " + c.root().map(r -> "root " + hex(r.address()) + " " + r.format().name()
            + ": " + c.rootNote()).orElse("no root: " + c.rootNote()));
        printRegisters(out, c.registers());
      }
      if (memory.vmcoreInfo().isPresent()) {
        VmcoreInfo v = memory.vmcoreInfo().get();
        out.println("vmcoreinfo " + v.entries().size() + " entries");
        v.entries().forEach((key, value) -> out.println("  " + key + "=" + value));
        out.println("kernel     " + v.kernelRoot().map(r -> "root " + hex(r.address()) + " " + r.format().name()
            + ": " + v.kernelRootNote()).orElse("no root: " + v.kernelRootNote()));
      }
      out.flush();
    }
    return 0;
  }

  private static void printRegisters(PrintWriter out, Map<String, Long> registers) {
    StringBuilder line = new StringBuilder();
    int n = 0;
    for (Map.Entry<String, Long> r : registers.entrySet()) {
      line.append("  ").append(String.format("%-6s", r.getKey())).append(' ')
          .append(hex(r.getValue()));
      if (++n % 4 == 0) {
        out.println(line);
        line.setLength(0);
      }
    }
    if (line.length() > 0) {
      out.println(line);
    }
  }
}
