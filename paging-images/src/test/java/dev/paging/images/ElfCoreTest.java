package dev.paging.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.PhysicalAccessException;
import dev.paging.core.Formats;
import dev.paging.core.X86Options;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ELF cores laid out as QEMU's dump-guest-memory and kdump write them, built byte by byte. */
class ElfCoreTest {
  @TempDir
  Path dir;

  private static final long CR0_PG_PE = 0x8005_0033L;
  private static final long CR4_PAE = 0x0036_06e0L;
  private static final long CR4_PAE_LA57 = 0x0036_16e0L;

  /** Two CPUs, RAM at 0 (8 KiB) and at 4 GiB (8 KiB, the second half not in the file), a gap between. */
  private Path qemuDump() throws IOException {
    CoreFile core = new CoreFile(0x4000)
        .load(0, 0x1000, 0x2000, 0x2000)
        .load(0x1_0000_0000L, 0x3000, 0x1000, 0x2000)
        .note("CORE", 1, CoreFile.x86Prstatus(1, 0xffff_ffff_8100_0000L, 0xffff_c900_0000_0000L))
        .note("CORE", 1, CoreFile.x86Prstatus(2, 0xffff_ffff_8100_0040L, 0))
        .note("QEMU", 0, CoreFile.qemuState(0xffff_ffff_8100_0000L, CR0_PG_PE, 0x1234_5005L, CR4_PAE))
        .note("QEMU", 0, CoreFile.qemuState(0xffff_ffff_8100_0040L, CR0_PG_PE, 0x8000_0000_0020_0000L, CR4_PAE_LA57))
        .assemble();
    core.bytes.putLong(0x1010, 0x1122_3344_5566_7788L);
    core.bytes.putLong(0x3008, 0x0102_0304_0506_0708L);
    core.bytes.putLong(0x3ff8, 0xaaaa_bbbb_cccc_ddddL);
    return Files.write(dir.resolve("guest.elf"), core.array());
  }

  @Test
  void segmentsAreTheLoadsByPhysicalAddressWithTheirGap() throws IOException {
    try (MemoryImage image = MemoryImage.open(qemuDump())) {
      assertThat(image.kind()).isEqualTo(ImageKind.ELF_CORE);
      assertThat(image.architecture()).contains(Architecture.X86_64);
      assertThat(image.segments()).containsExactly(
          Segment.of(0, 0x2000, 0x1000),
          Segment.of(0x1_0000_0000L, 0x2000, 0x3000, 0x1000));
      assertThat(image.size()).isEqualTo(0x4000);
      assertThat(image.extent())
          .isEqualTo("2 segments in physical 0x0000000000000000..0x0000000100001fff");
    }
  }

  @Test
  void wordsComeFromEachLoadsFileBytesAndThePartPastTheFileIsZero() throws IOException {
    try (MemoryImage image = MemoryImage.open(qemuDump())) {
      assertThat(image.read(0x10)).isEqualTo(0x1122_3344_5566_7788L);
      assertThat(image.read(0x1_0000_0008L)).isEqualTo(0x0102_0304_0506_0708L);
      assertThat(image.read(0x1_0000_0ff8L)).isEqualTo(0xaaaa_bbbb_cccc_ddddL);
      assertThat(image.read(0x1_0000_1000L)).isZero();
      assertThat(image.contains(0x1_0000_1000L, 0x1000)).isTrue();
      assertThat(image.contains(0x1000, 0x1000)).isTrue();
      assertThat(image.contains(0x1000, 0x1001)).isFalse();
      assertThat(image.contains(0x2000, 8)).isFalse();
      assertThatThrownBy(() -> image.read(0x2000))
          .isInstanceOf(PhysicalAccessException.class)
          .hasMessage("read at 0x0000000000002000 is outside the memory image " + image.file()
              + " (2 segments in physical 0x0000000000000000..0x0000000100001fff)");
    }
  }

  @Test
  void eachCpuPairsItsPrstatusWithItsQemuStateAndTheQemuValuesWin() throws IOException {
    try (MemoryImage image = MemoryImage.open(qemuDump())) {
      assertThat(image.cpus()).hasSize(2);
      Cpu cpu0 = image.cpus().get(0);
      assertThat(cpu0.index()).isZero();
      assertThat(cpu0.register("rip")).contains(0xffff_ffff_8100_0000L);
      assertThat(cpu0.register("cr0")).contains(CR0_PG_PE);
      assertThat(cpu0.register("cr3")).contains(0x1234_5005L);
      assertThat(cpu0.register("cr4")).contains(CR4_PAE);
      // r15 is in both notes: the QEMU note's 0 wins over NT_PRSTATUS's 0xf15; orig_rax is only in NT_PRSTATUS.
      assertThat(cpu0.register("r15")).contains(0L);
      assertThat(cpu0.register("orig_rax")).contains(0L);
      assertThat(cpu0.register("rax")).contains(0x1111L);
      assertThat(cpu0.registers().keySet()).startsWith("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp", "r8");
      assertThat(image.cpus().get(1).register("rip")).contains(0xffff_ffff_8100_0040L);
    }
  }

  @Test
  void rootsComeFromCr3WithTheDepthCr4Selects() throws IOException {
    try (MemoryImage image = MemoryImage.open(qemuDump())) {
      Root root0 = image.cpus().get(0).root().orElseThrow();
      assertThat(root0.address()).isEqualTo(0x1234_5000L); // PCID 5 dropped
      assertThat(root0.format()).isEqualTo(Formats.x86_64(X86Options.defaults()));
      assertThat(root0.source()).isEqualTo("CPU 0 CR3");
      assertThat(image.cpus().get(0).rootNote()).isEqualTo("CR3 0x0000000012345005 bits 12..51; CR4 "
          + "0x00000000003606e0 LA57 clear: 4-level; EFER is not in the dump, NXE taken as set");
      Root root1 = image.cpus().get(1).root().orElseThrow();
      assertThat(root1.address()).isEqualTo(0x20_0000L); // bit 63 (no-flush) dropped
      assertThat(root1.format()).isEqualTo(Formats.x86_64FiveLevel(X86Options.defaults()));
    }
  }

  @Test
  void aCpuWithPagingOffOrWithoutControlRegistersHasNoRootAndSaysWhy() throws IOException {
    CoreFile core = new CoreFile(0x2000)
        .load(0, 0x1000, 0x1000, 0x1000)
        .note("CORE", 1, CoreFile.x86Prstatus(1, 0, 0))
        .note("CORE", 1, CoreFile.x86Prstatus(2, 0, 0))
        .note("CORE", 1, CoreFile.x86Prstatus(3, 0, 0))
        .note("QEMU", 0, CoreFile.qemuState(0xfff0, 0x10, 0, 0))
        .note("QEMU", 0, CoreFile.qemuState(0, CR0_PG_PE, 0x5000, 0x10))
        .assemble();
    try (MemoryImage image = MemoryImage.open(Files.write(dir.resolve("off.elf"), core.array()))) {
      assertThat(image.cpus()).hasSize(3);
      assertThat(image.cpus().get(0).root()).isEmpty();
      assertThat(image.cpus().get(0).rootNote()).isEqualTo("paging is off (CR0 0x0000000000000010, PG clear)");
      assertThat(image.cpus().get(1).rootNote())
          .isEqualTo("CR4 0x0000000000000010 has PAE clear: 32-bit paging, not 4- or 5-level");
      assertThat(image.cpus().get(2).root()).isEmpty();
      assertThat(image.cpus().get(2).rootNote()).isEqualTo("the dump holds no control registers for CPU 2 "
          + "(no QEMU CPU-state note)");
      assertThat(image.cpus().get(2).registers()).doesNotContainKey("cr3").containsKey("rip");
    }
  }

  @Test
  void kdumpVmcoreinfoGivesTheKernelRootThroughPhysBase() throws IOException {
    // A KASLR kernel: init_top_pgt at 0xffffffff9e40a000, loaded 0x1d000000 above where it was linked.
    String info = "OSRELEASE=6.1.0-13-amd64\nPAGESIZE=4096\nSYMBOL(init_top_pgt)=ffffffff9e40a000\n"
        + "NUMBER(phys_base)=-503316480\nKERNELOFFSET=1d000000\nNUMBER(pgtable_l5_enabled)=0\n";
    CoreFile core = new CoreFile(0x2000)
        .load(0, 0x1000, 0x1000, 0x1000)
        .note("CORE", 1, CoreFile.x86Prstatus(1, 0, 0))
        .note("VMCOREINFO", 0, info.getBytes(StandardCharsets.US_ASCII))
        .assemble();
    try (MemoryImage image = MemoryImage.open(Files.write(dir.resolve("vmcore"), core.array()))) {
      VmcoreInfo v = image.vmcoreInfo().orElseThrow();
      assertThat(v.text()).isEqualTo(info);
      assertThat(v.value("OSRELEASE")).contains("6.1.0-13-amd64");
      assertThat(v.symbol("init_top_pgt")).hasValue(0xffff_ffff_9e40_a000L);
      assertThat(v.number("phys_base")).hasValue(-0x1e00_0000L);
      // 0xffffffff9e40a000 - 0xffffffff80000000 - 0x1e000000 = 0x40a000
      Root root = image.kernelRoot().orElseThrow();
      assertThat(root.address()).isEqualTo(0x40_a000L);
      assertThat(root.format()).isEqualTo(Formats.x86_64(X86Options.defaults()));
      assertThat(v.kernelRootNote()).isEqualTo("SYMBOL(init_top_pgt) 0xffffffff9e40a000 - __START_KERNEL_map "
          + "0xffffffff80000000 + NUMBER(phys_base) 0xffffffffe2000000; 4-level");
      // kdump's NT_PRSTATUS has no control registers.
      assertThat(image.cpus()).hasSize(1);
      assertThat(image.cpus().get(0).root()).isEmpty();
    }
  }

  @Test
  void vmcoreinfoWithFiveLevelsAndHexNumbers() {
    VmcoreInfo v = VmcoreInfo.parse("SYMBOL(init_top_pgt)=ffffffff82a0a000\nNUMBER(phys_base)=0x7e000000\n"
        + "NUMBER(pgtable_l5_enabled)=1\n", Architecture.X86_64);
    assertThat(v.kernelRoot().orElseThrow().address()).isEqualTo(0x02a0_a000L + 0x7e00_0000L);
    assertThat(v.kernelRoot().orElseThrow().format()).isEqualTo(Formats.x86_64FiveLevel(X86Options.defaults()));
  }

  @Test
  void vmcoreinfoThatLacksOrGarblesALineSaysWhich() {
    assertThat(VmcoreInfo.parse("OSRELEASE=5.4\n", Architecture.X86_64).kernelRootNote())
        .isEqualTo("VMCOREINFO has no SYMBOL(init_top_pgt), SYMBOL(init_level4_pgt) or SYMBOL(swapper_pg_dir)");
    assertThat(VmcoreInfo.parse("SYMBOL(init_top_pgt)=zz\nNUMBER(phys_base)=0\n", Architecture.X86_64)
        .kernelRootNote()).isEqualTo("VMCOREINFO SYMBOL(init_top_pgt)=zz is not a hex number");
    assertThat(VmcoreInfo.parse("SYMBOL(init_top_pgt)=ffffffff82a0a000\n", Architecture.X86_64).kernelRootNote())
        .isEqualTo("VMCOREINFO has no NUMBER(phys_base) that is a number");
    assertThat(VmcoreInfo.parse("SYMBOL(init_top_pgt)=ffff888000001000\nNUMBER(phys_base)=0\n",
        Architecture.X86_64).kernelRootNote()).isEqualTo("VMCOREINFO SYMBOL(init_top_pgt) 0xffff888000001000 "
            + "is below __START_KERNEL_map 0xffffffff80000000: not a kernel-image address");
    assertThat(VmcoreInfo.parse("SYMBOL(init_top_pgt)=ffffffff82a0a000\nNUMBER(phys_base)=0x800\n",
        Architecture.X86_64).kernelRoot()).isEmpty();
  }

  @Test
  void riscVVmcoreinfoTranslatesSwapperPgDirThroughTheKernelMapping() {
    VmcoreInfo v = VmcoreInfo.parse("SYMBOL(swapper_pg_dir)=ffffffff81a3d000\nNUMBER(VA_BITS)=48\n"
        + "NUMBER(phys_ram_base)=0x80000000\nNUMBER(PAGE_OFFSET)=0xffffaf8000000000\n"
        + "NUMBER(KERNEL_LINK_ADDR)=0xffffffff80000000\nNUMBER(va_kernel_pa_offset)=0xffffffff00000000\n",
        Architecture.RISCV64);
    assertThat(v.kernelRoot().orElseThrow().address()).isEqualTo(0x81a3_d000L);
    assertThat(v.kernelRoot().orElseThrow().format()).isEqualTo(Formats.sv48());
    // Without the kernel mapping's offset, through the linear map.
    VmcoreInfo linear = VmcoreInfo.parse("SYMBOL(swapper_pg_dir)=ffffffd800a3d000\nNUMBER(VA_BITS)=39\n"
        + "NUMBER(phys_ram_base)=0x80000000\nNUMBER(PAGE_OFFSET)=0xffffffd800000000\n", Architecture.RISCV64);
    assertThat(linear.kernelRoot().orElseThrow().address()).isEqualTo(0x80a3_d000L);
    assertThat(linear.kernelRoot().orElseThrow().format()).isEqualTo(Formats.sv39());
    assertThat(VmcoreInfo.parse("SYMBOL(swapper_pg_dir)=ffffffd800a3d000\nNUMBER(VA_BITS)=32\n",
        Architecture.RISCV64).kernelRootNote()).isEqualTo("VMCOREINFO NUMBER(VA_BITS)=32 is not 39, 48 or 57");
  }

  @Test
  void riscVPrstatusGivesPcAndTheIntegerRegistersButNoRoot() throws IOException {
    ByteBuffer prstatus = ByteBuffer.allocate(376).order(ByteOrder.LITTLE_ENDIAN);
    prstatus.putLong(112, 0x8020_0000L).putLong(112 + 8 * 2, 0x8030_0000L); // pc, x2 (sp)
    CoreFile core = new CoreFile(0x2000).machine(243)
        .load(0x8000_0000L, 0x1000, 0x1000, 0x1000)
        .note("CORE", 1, prstatus.array())
        .assemble();
    try (MemoryImage image = MemoryImage.open(Files.write(dir.resolve("riscv.elf"), core.array()))) {
      assertThat(image.architecture()).contains(Architecture.RISCV64);
      Cpu cpu = image.cpus().get(0);
      assertThat(cpu.registers()).hasSize(32).containsEntry("pc", 0x8020_0000L).containsEntry("x2", 0x8030_0000L);
      assertThat(cpu.root()).isEmpty();
      assertThat(cpu.rootNote()).isEqualTo("a RISC-V dump records pc and x1..x31, not satp");
      assertThat(image.segments()).containsExactly(Segment.of(0x8000_0000L, 0x1000, 0x1000));
    }
  }

  @Test
  void aCoreWithoutNotesHasNoCpus() throws IOException {
    CoreFile core = new CoreFile(0x2000).load(0, 0x1000, 0x1000, 0x1000).assemble();
    try (MemoryImage image = MemoryImage.open(Files.write(dir.resolve("bare.elf"), core.array()))) {
      assertThat(image.cpus()).isEmpty();
      assertThat(image.vmcoreInfo()).isEmpty();
      assertThat(image.kernelRoot()).isEmpty();
    }
  }
}
