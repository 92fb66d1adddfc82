package dev.paging.cli;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Addresses;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import dev.paging.core.Aarch64Options;
import dev.paging.core.AddressSpace;
import dev.paging.core.Formats;
import dev.paging.core.X86Options;
import dev.paging.images.Architecture;
import dev.paging.images.Cpu;
import dev.paging.images.ImageKind;
import dev.paging.images.MalformedImageException;
import dev.paging.images.MemoryImage;
import dev.paging.images.Root;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options every command that reads a memory image shares (a picocli mixin): the image, where
 * its first byte sits in physical memory, the paging format, and the root table, given directly or
 * as the register that holds it.
 */
final class ImageOptions {
  /** CR3 bits 12..51: the root table's address; the low bits are PCID or PWT/PCD, the top ones flags. */
  static final long CR3_ADDRESS_MASK = 0x000f_ffff_ffff_f000L;
  /** satp bits 43..0: the root table's physical page number. */
  static final long SATP_PPN_MASK = (1L << 44) - 1;

  /** The format names {@code --format} accepts, in the order the help lists them. */
  static final List<String> FORMAT_NAMES =
      List.of("x86-64", "x86-64-5level", "x86-32", "x86-pae", "sv39", "sv48", "sv57", "aarch64");
  /** The format names as a message lists them: {@code x86-64, ..., sv57 or aarch64}. */
  static final String FORMAT_LIST = String.join(", ", FORMAT_NAMES.subList(0, FORMAT_NAMES.size() - 1))
      + " or " + FORMAT_NAMES.get(FORMAT_NAMES.size() - 1);
  /** CR3 in 32-bit paging: the page directory is bits 31..12. */
  static final long CR3_32_ADDRESS_MASK = 0xffff_f000L;
  /** CR3 in PAE paging: the 32-byte aligned PDPT is bits 31..5 (QEMU reads it at CR3 & ~0x1f). */
  static final long CR3_PAE_ADDRESS_MASK = 0xffff_ffe0L;
  /** TTBRn_EL1 bits 47..1: BADDR; ASID (63..48) and CnP (0) are not the table's. */
  static final long TTBR_ADDRESS_MASK = 0x0000_ffff_ffff_fffeL;
  /** Linux's arm64 defaults when no --tcr is given: 4 KiB granules, 48-bit halves, 48-bit output. */
  static final long DEFAULT_TCR = 0x0000_0005_b510_3510L;

  @Spec(Spec.Target.MIXEE)
  private CommandSpec mixee;

  @Option(names = "--image", paramLabel = "FILE", required = true,
      description = "The memory image: raw (QEMU's pmemsave, dd of /dev/mem), an ELF core (QEMU's "
          + "dump-guest-memory, a kdump vmcore) or a LiME capture, told apart by its first bytes. It is only read.")
  private Path image;

  @Option(names = "--image-format", paramLabel = "KIND",
      description = "raw, elf or lime: read the image as this kind whatever its first bytes say.")
  private String imageFormat;

  @Option(names = "--root", paramLabel = "ADDRESS", converter = AddressConverter.class,
      description = "Physical address of the root table (4 KiB aligned; a PAE PDPT 32-byte aligned).")
  private Long root;

  @Option(names = "--cr3", paramLabel = "VALUE", converter = AddressConverter.class,
      description = "x86 CR3: the root is bits 12..51 (x86-32: 12..31; x86-pae: 5..31); PCID, PWT/PCD and "
          + "the top flag bits are ignored.")
  private Long cr3;

  @Option(names = "--satp", paramLabel = "VALUE", converter = AddressConverter.class,
      description = "RISC-V satp: MODE (bits 63..60: 8 Sv39, 9 Sv48, 10 Sv57) selects the format, "
          + "the root is PPN (bits 43..0) << 12, the ASID is ignored.")
  private Long satp;

  @Option(names = "--ttbr0", paramLabel = "VALUE", converter = AddressConverter.class,
      description = "AArch64 TTBR0_EL1: the lower half's root is BADDR (bits 47..1; with 52-bit output also "
          + "bits 5..2 as address bits 51..48); ASID and CnP are ignored. Without it the lower half is not walked.")
  private Long ttbr0;

  @Option(names = "--ttbr1", paramLabel = "VALUE", converter = AddressConverter.class,
      description = "AArch64 TTBR1_EL1: the upper half's root, read as --ttbr0. Without it the upper half is not "
          + "walked.")
  private Long ttbr1;

  @Option(names = "--tcr", paramLabel = "VALUE", converter = AddressConverter.class,
      description = "AArch64 TCR_EL1: the granule (TG0/TG1), the virtual size of each half (T0SZ/T1SZ), the "
          + "output size (IPS); a half with EPD0/EPD1 set is not walked. Default: 0x5b5103510, 4 KiB granules "
          + "and 48-bit halves and output, as Linux sets it up (a line on standard error says so).")
  private Long tcr;

  @Option(names = "--cpu", paramLabel = "N",
      description = "Take the root from CPU N's registers in the dump (QEMU's CPU index, from 0). "
          + "Without --root, --cr3, --satp or --cpu, the root is CPU 0's, else the kernel's from a kdump's "
          + "VMCOREINFO; a line on standard error says which.")
  private Integer cpu;

  @Option(names = "--format", paramLabel = "FORMAT",
      description = "x86-64, x86-64-5level, x86-32, x86-pae, sv39, sv48, sv57 or aarch64, in any case. Default: "
          + "what --satp, --ttbr0/--ttbr1 or the dump's registers say, else x86-64 (and a line on standard error "
          + "says so).")
  private String format;

  @Option(names = "--pse", description = "x86-32: CR4.PSE is set, so a PDE with PS maps a 4 MiB page (with "
      + "PSE-36, up to 40 physical bits). Without it PS is ignored and every PDE points to a page table.")
  private boolean pse;

  @Option(names = "--nxe", description = "x86-pae: EFER.NXE is set, so bit 63 is execute-disable. Without it "
      + "bit 63 is reserved.")
  private boolean nxe;

  @Option(names = "--base", paramLabel = "ADDRESS", converter = AddressConverter.class,
      description = "Physical address of a raw image's first byte (4 KiB aligned). Default: 0. ELF and LiME "
          + "images say where their segments are.")
  private Long base;

  @Option(names = "--phys-bits", paramLabel = "N",
      description = "x86-64 MAXPHYADDR, 32..52: address bits at or above it are reserved. Default: 52.")
  private Integer physBits;

  /**
   * Checks the options and opens the image: the caller closes what it gets. Usage is checked
   * before the file is opened, so the first problem reported is the command line's.
   *
   * @throws ParameterException when the options contradict each other or the image, or a value
   *     is out of range
   * @throws IllegalArgumentException when the image cannot be read or the root is not inside it
   */
  Image open() {
    String name = formatName();
    checkModeFlags(name);
    if ("aarch64".equals(name) || ttbr0 != null || ttbr1 != null || tcr != null) {
      return openAarch64(name);
    }
    List<String> given = rootOptions();
    if (given.size() > 1) {
      throw usage("give exactly one of --root, --cr3 or --satp (got " + String.join(" and ", given) + ")");
    }
    if (cpu != null && !given.isEmpty()) {
      throw usage("--cpu takes the root from the dump's registers; it cannot be given with " + given.get(0));
    }
    if (cpu != null && cpu < 0) {
      throw usage("--cpu " + cpu + " is negative");
    }
    checkBase(base, mixee.commandLine());
    ImageKind kind = imageKind();
    PagingFormat pagingFormat = null;
    long rootTable = 0;
    if (!given.isEmpty()) {
      pagingFormat = resolveFormat(name);
      rootTable = resolveRoot();
    } else {
      checkPhysBits(name == null || name.startsWith("x86-64"), name);
    }
    MemoryImage memory = openChecked(image, kind, base, mixee.commandLine());
    try {
      String source;
      if (pagingFormat != null) {
        source = rootSource();
      } else {
        Root found = dumpRoot(memory);
        pagingFormat = dumpFormat(found, name);
        rootTable = found.address();
        source = " (from " + found.source() + ")";
        mixee.commandLine().getErr().println(mixee.qualifiedName() + ": root " + hex(rootTable) + " from "
            + found.source() + ": " + rootNote(memory, found));
      }
      if (!memory.contains(rootTable, pagingFormat.root().tableBytes())) {
        throw new IllegalArgumentException("root table " + hex(rootTable) + source + " is outside the image "
            + image + ", which holds " + memory.extent());
      }
      return Image.of(pagingFormat, memory, rootTable);
    } catch (RuntimeException e) {
      throw closing(memory, e);
    }
  }

  /**
   * An AArch64 image: the format from --tcr (or Linux's defaults), the roots from --ttbr0 and
   * --ttbr1, a half without one (or with EPDn set) not walked.
   */
  private Image openAarch64(@Nullable String name) {
    if (name != null && !"aarch64".equals(name)) {
      String given = ttbr0 != null ? "--ttbr0" : ttbr1 != null ? "--ttbr1" : "--tcr";
      throw usage(given + " is an AArch64 register; " + name + " takes " + (name.startsWith("x86") ? "--cr3" : "--satp")
          + " or --root");
    }
    List<String> given = rootOptions();
    given.removeIf(o -> o.startsWith("--ttbr"));
    if (!given.isEmpty()) {
      throw usage("aarch64 has a root per half: give --ttbr0 and/or --ttbr1, not " + given.get(0));
    }
    if (cpu != null) {
      throw usage("--cpu: AArch64 CPU notes are not read; give --ttbr0 and/or --ttbr1");
    }
    if (physBits != null) {
      throw usage("--phys-bits applies to x86-64 formats; aarch64's output size is TCR_EL1.IPS (give --tcr)");
    }
    if (ttbr0 == null && ttbr1 == null) {
      throw usage("give --ttbr0 and/or --ttbr1 for aarch64: the roots of the lower and the upper half");
    }
    long control = tcr != null ? tcr : DEFAULT_TCR;
    boolean lower = ttbr0 != null && !Aarch64Options.walksDisabled(control, false);
    boolean upper = ttbr1 != null && !Aarch64Options.walksDisabled(control, true);
    if (!lower && !upper) {
      throw usage("--tcr " + hex(control) + " turns off walks (EPD0/EPD1) of every half a TTBR was given for");
    }
    PagingFormat f = aarch64(tcr, lower, upper, mixee);
    long lowerRoot = lower ? ttbrRoot("--ttbr0", ttbr0, f, f.root()) : AddressSpace.NO_ROOT;
    long upperRoot = upper ? ttbrRoot("--ttbr1", ttbr1, f, f.levels(-1L).get(0)) : AddressSpace.NO_ROOT;
    checkBase(base, mixee.commandLine());
    MemoryImage memory = openChecked(image, imageKind(), base, mixee.commandLine());
    try {
      for (int half = 0; half < 2; half++) {
        long r = half == 0 ? lowerRoot : upperRoot;
        Level top = f.levels(half == 0 ? 0 : -1L).get(0);
        if (r != AddressSpace.NO_ROOT && !memory.contains(r, top.tableBytes())) {
          throw new IllegalArgumentException("root table " + hex(r) + " (from --ttbr" + half + " "
              + hex(half == 0 ? ttbr0 : ttbr1) + ") is outside the image " + image + ", which holds "
              + memory.extent());
        }
      }
      return Image.of(f, memory, lowerRoot, upperRoot);
    } catch (RuntimeException e) {
      throw closing(memory, e);
    }
  }

  /**
   * The AArch64 format of {@code tcr} (Linux's 4 KiB/48-bit setup when null, with a line on
   * standard error saying so) for the halves walked.
   */
  static PagingFormat aarch64(@Nullable Long tcr, boolean lower, boolean upper, CommandSpec spec) {
    long control = tcr != null ? tcr : DEFAULT_TCR;
    if (tcr == null) {
      spec.commandLine().getErr().println(spec.qualifiedName() + ": no --tcr given; reading the tables with "
          + "4 KiB granules and 48-bit halves and output, as Linux sets TCR_EL1 up (" + hex(DEFAULT_TCR) + ")");
    }
    try {
      return Formats.aarch64(Aarch64Options.fromTcr(control, lower, upper));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--tcr " + hex(control) + ": "
          + e.getMessage().replaceFirst("^TCR_EL1 0x[0-9a-f]+: ", ""));
    }
  }

  /**
   * The AArch64 format a scan of every root reads the image as: both halves TCR_EL1 walks (EPD0
   * and EPD1 clear), so roots of either half are found.
   */
  static PagingFormat aarch64ForScan(@Nullable Long tcr, CommandSpec spec) {
    long control = tcr != null ? tcr : DEFAULT_TCR;
    boolean lower = !Aarch64Options.walksDisabled(control, false);
    boolean upper = !Aarch64Options.walksDisabled(control, true);
    if (!lower && !upper) {
      throw new ParameterException(spec.commandLine(), "--tcr " + hex(control)
          + " turns off walks (EPD0 and EPD1) of both halves: no root of it is used");
    }
    return aarch64(tcr, lower, upper, spec);
  }

  /** The root table a TTBR value names, aligned as its half's root level {@code top} must be. */
  private long ttbrRoot(String option, long value, PagingFormat f, Level top) {
    long address = value & TTBR_ADDRESS_MASK;
    if (f.physicalAddressBits() == 52) {
      // With 52-bit output, BADDR bits 51:48 sit in TTBR bits 5:2.
      address = (value & 0x0000_ffff_ffff_ffc0L) | ((value >>> 2) & 0xfL) << 48;
    }
    long alignment = top.tableAlignment();
    if (!Addresses.isAligned(address, alignment)) {
      throw usage(option + " " + hex(value) + ": the table address " + hex(address) + " is not " + alignment
          + "-byte aligned, as an " + f.name() + " root table must be (BADDR's bits below are RES0)");
    }
    return address;
  }

  /**
   * Opens the image alone, for commands that look at every root (the root options must be
   * absent, which the caller checks).
   */
  MemoryImage openFile() {
    formatName();
    checkBase(base, mixee.commandLine());
    return openChecked(image, imageKind(), base, mixee.commandLine());
  }

  /**
   * The format to read every root of {@code memory} as: --format, else what CPU 0's registers
   * select, else x86-64, with a line on standard error saying so (a RISC-V dump must be told).
   */
  PagingFormat scanFormat(MemoryImage memory) {
    String name = formatName();
    checkPhysBits(name == null || name.startsWith("x86-64"), name);
    checkModeFlags(name);
    if ("aarch64".equals(name) || (name == null && tcr != null)) {
      return aarch64ForScan(tcr, mixee);
    }
    if (tcr != null) {
      throw usage("--tcr is an AArch64 register; " + name + " takes none");
    }
    if (name != null && !name.startsWith("x86-64")) {
      return named(name);
    }
    return scanFormat(name, physBits, memory, mixee);
  }

  /**
   * {@link #scanFormat(MemoryImage)} for a command with {@code formatName} (checked) and {@code
   * physBits} (checked, or null) of its own.
   */
  static PagingFormat scanFormat(@Nullable String formatName, @Nullable Integer physBits, MemoryImage memory,
      CommandSpec spec) {
    String name = formatName == null ? null : formatName.toLowerCase(Locale.ROOT);
    if (name == null) {
      Root found = defaultRoot(memory);
      if (found != null) {
        name = found.format().name();
      } else if (memory.architecture().orElse(null) == Architecture.RISCV64) {
        throw new ParameterException(spec.commandLine(), "give --format sv39, sv48 or sv57: " + memory.file()
            + " is a RISC-V dump, which does not say");
      } else {
        spec.commandLine().getErr().println(spec.qualifiedName() + ": no --format given; reading the tables as "
            + "x86-64 with 4 levels (give --format x86-64-5level, x86-32, x86-pae, sv39, sv48 or sv57 for another)");
        name = "x86-64";
      }
    }
    if (physBits != null && !name.startsWith("x86-64")) {
      throw new ParameterException(spec.commandLine(), "--phys-bits applies to x86-64 formats; " + name + " has "
          + named(name, null, false, false).physicalAddressBits() + " physical address bits");
    }
    return named(name, physBits, false, false);
  }

  /** Refuses a --base that is not 4 KiB aligned; checked before the file is opened. */
  static void checkBase(@Nullable Long base, CommandLine commandLine) {
    if (base != null && !Addresses.isAligned(base, Addresses.FRAME_SIZE)) {
      throw new ParameterException(commandLine, "--base " + hex(base) + " is not 4 KiB aligned");
    }
  }

  /**
   * {@link #openImage}, then refuses a --base given for an image that is not raw and an image
   * that holds no memory: every image command's checks of the file itself.
   */
  static MemoryImage openChecked(Path image, @Nullable ImageKind kind, @Nullable Long base, CommandLine commandLine) {
    MemoryImage memory = openImage(image, kind, base);
    try {
      if (base != null && memory.kind() != ImageKind.RAW) {
        throw new ParameterException(commandLine, "--base applies to raw images; " + image + " is "
            + article(memory.kind()) + " image, whose headers say where its memory is");
      }
      if (memory.segments().isEmpty()) {
        throw new IllegalArgumentException("--image " + image + ": " + (memory.kind() == ImageKind.RAW
            ? "the file is empty" : "the " + memory.kind().displayName() + " image holds no memory"));
      }
      return memory;
    } catch (RuntimeException e) {
      throw closing(memory, e);
    }
  }

  /** {@code failure}, after closing {@code memory}; a failure to close is added to it. */
  private static RuntimeException closing(MemoryImage memory, RuntimeException failure) {
    try {
      memory.close();
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
    return failure;
  }

  /** The root options given, in the order the help lists them. */
  List<String> givenRootOptions() {
    List<String> given = rootOptions();
    if (cpu != null) {
      given.add("--cpu");
    }
    return given;
  }

  private @Nullable String formatName() {
    String name = format == null ? null : format.toLowerCase(Locale.ROOT);
    if (name != null && !FORMAT_NAMES.contains(name)) {
      throw usage("unknown format '" + format + "' (expected " + FORMAT_LIST + ")");
    }
    return name;
  }

  private List<String> rootOptions() {
    List<String> given = new ArrayList<>();
    if (root != null) {
      given.add("--root");
    }
    if (cr3 != null) {
      given.add("--cr3");
    }
    if (satp != null) {
      given.add("--satp");
    }
    if (ttbr0 != null) {
      given.add("--ttbr0");
    }
    if (ttbr1 != null) {
      given.add("--ttbr1");
    }
    return given;
  }

  private @Nullable ImageKind imageKind() {
    return imageKind(imageFormat, mixee.commandLine());
  }

  /** The kind {@code --image-format} names, null when it is not given. */
  static @Nullable ImageKind imageKind(@Nullable String imageFormat, CommandLine commandLine) {
    if (imageFormat == null) {
      return null;
    }
    switch (imageFormat.toLowerCase(Locale.ROOT)) {
      case "raw":
        return ImageKind.RAW;
      case "elf":
        return ImageKind.ELF_CORE;
      case "lime":
        return ImageKind.LIME;
      default:
        throw new ParameterException(commandLine,
            "unknown image format '" + imageFormat + "' (expected raw, elf or lime)");
    }
  }

  /** The format of a root given on the command line: exactly one of --root, --cr3 and --satp was. */
  private PagingFormat resolveFormat(@Nullable String name) {
    if (satp != null) {
      String selected = satpFormat(satp);
      if (name != null && !name.equals(selected)) {
        throw usage("--satp " + hex(satp) + " selects " + selected + " (MODE " + (satp >>> 60)
            + ") but --format is " + name);
      }
      name = selected;
    } else if (name == null) {
      name = "x86-64";
      // Nothing said which tables these are: say what they are read as, once, so that a 5-level
      // or RISC-V image read by mistake is not taken for a strange 4-level one.
      mixee.commandLine().getErr().println(mixee.qualifiedName() + ": no --format given; reading the tables as "
          + "x86-64 with 4 levels (give --format x86-64-5level, x86-32, x86-pae, sv39, sv48 or sv57 for another)");
    }
    boolean x86 = name.startsWith("x86");
    if (cr3 != null && !x86) {
      throw usage("--cr3 is an x86 register; " + name + " takes --satp or --root");
    }
    checkPhysBits(name.startsWith("x86-64"), name);
    return named(name);
  }

  /** Refuses --pse without x86-32 and --nxe without x86-pae: each is a bit of that mode only. */
  private void checkModeFlags(@Nullable String name) {
    if (pse && !"x86-32".equals(name)) {
      throw usage("--pse is CR4.PSE of 32-bit paging; give it with --format x86-32"
          + (name == null ? "" : ", not " + name));
    }
    if (nxe && !"x86-pae".equals(name)) {
      throw usage("--nxe is EFER.NXE of PAE paging; give it with --format x86-pae"
          + (name == null ? "" : ", not " + name) + " (x86-64 formats always have NX)");
    }
  }

  private void checkPhysBits(boolean x86, @Nullable String name) {
    if (physBits == null) {
      return;
    }
    if (!x86) {
      throw usage("--phys-bits applies to x86-64 formats; " + name + " has "
          + named(name, null, false, false).physicalAddressBits() + " physical address bits");
    }
    if (physBits < X86Options.MIN_PHYSICAL_ADDRESS_BITS || physBits > X86Options.MAX_PHYSICAL_ADDRESS_BITS) {
      throw usage("--phys-bits " + physBits + " is outside " + X86Options.MIN_PHYSICAL_ADDRESS_BITS + ".."
          + X86Options.MAX_PHYSICAL_ADDRESS_BITS);
    }
  }

  private PagingFormat named(String name) {
    return named(name, physBits, pse, nxe);
  }

  private static PagingFormat named(String name, @Nullable Integer physBits, boolean pse, boolean nxe) {
    X86Options options = physBits == null
        ? X86Options.defaults()
        : X86Options.defaults().withPhysicalAddressBits(physBits);
    switch (name) {
      case "x86-64":
        return Formats.x86_64(options);
      case "x86-64-5level":
        return Formats.x86_64FiveLevel(options);
      case "x86-32":
        return Formats.x86_32(pse);
      case "x86-pae":
        return Formats.x86Pae(nxe);
      case "sv39":
        return Formats.sv39();
      case "sv48":
        return Formats.sv48();
      default:
        return Formats.sv57();
    }
  }

  /**
   * The root the dump records: the one of CPU {@code --cpu}; without it CPU 0's, else the kernel's
   * from VMCOREINFO.
   */
  private Root dumpRoot(MemoryImage memory) {
    List<Cpu> cpus = memory.cpus();
    if (cpu != null) {
      if (cpus.isEmpty()) {
        throw usage("--cpu " + cpu + ": " + image + " (" + memory.kind().displayName() + ") records no CPUs");
      }
      if (cpu >= cpus.size()) {
        throw usage("--cpu " + cpu + ": " + image + " records CPUs 0.." + (cpus.size() - 1));
      }
      Cpu chosen = cpus.get(cpu);
      return chosen.root().orElseThrow(() -> usage("CPU " + cpu + " of " + image + " gives no root: "
          + chosen.rootNote() + "; give --root, --cr3 or --satp (paging roots lists the candidates)"));
    }
    Root found = defaultRoot(memory);
    if (found != null) {
      return found;
    }
    if (memory.kind() != ImageKind.ELF_CORE) {
      throw usage("give one of --root, --cr3 or --satp (paging roots lists the candidates): " + image + " is "
          + article(memory.kind()) + " image, which records no registers");
    }
    String why = (cpus.isEmpty() ? "no CPU notes" : "CPU 0: " + cpus.get(0).rootNote()) + "; "
        + memory.vmcoreInfo().map(v -> v.kernelRootNote()).orElse("no VMCOREINFO note");
    throw usage("give one of --root, --cr3 or --satp (paging roots lists the candidates): " + image
        + " records no root (" + why + ")");
  }

  /** The root a dump gives when no option chooses one: CPU 0's, else the kernel's from VMCOREINFO. */
  private static @Nullable Root defaultRoot(MemoryImage memory) {
    Root cpu0 = memory.cpus().isEmpty() ? null : memory.cpus().get(0).root().orElse(null);
    return cpu0 != null ? cpu0 : memory.kernelRoot().orElse(null);
  }

  private static String rootNote(MemoryImage memory, Root found) {
    for (Cpu c : memory.cpus()) {
      if (c.root().isPresent() && c.root().get() == found) {
        return c.rootNote();
      }
    }
    return memory.vmcoreInfo().map(v -> v.kernelRootNote()).orElse("");
  }

  /** The dump root's format, with --phys-bits; --format, when given, must agree. */
  private PagingFormat dumpFormat(Root found, @Nullable String name) {
    String selected = found.format().name();
    if (name != null && !name.equals(selected)) {
      throw usage("--format is " + name + " but " + found.source() + " in " + image + " selects " + selected);
    }
    checkPhysBits(selected.startsWith("x86"), selected);
    return physBits == null ? found.format() : named(selected);
  }

  private static String article(ImageKind kind) {
    return kind == ImageKind.ELF_CORE ? "an ELF core" : "a " + kind.displayName();
  }

  /** The format satp's MODE field selects. */
  private String satpFormat(long value) {
    int mode = (int) (value >>> 60);
    switch (mode) {
      case 8:
        return "sv39";
      case 9:
        return "sv48";
      case 10:
        return "sv57";
      case 0:
        throw usage("--satp " + hex(value) + " has MODE 0 (Bare): translation is off, there is no page table");
      default:
        throw usage("--satp " + hex(value) + " has MODE " + mode
            + ", which is reserved (expected 8 Sv39, 9 Sv48 or 10 Sv57)");
    }
  }

  private long resolveRoot() {
    String name = formatName();
    if (cr3 != null) {
      long mask = "x86-32".equals(name) ? CR3_32_ADDRESS_MASK
          : "x86-pae".equals(name) ? CR3_PAE_ADDRESS_MASK : CR3_ADDRESS_MASK;
      return cr3 & mask;
    }
    if (satp != null) {
      return (satp & SATP_PPN_MASK) << 12;
    }
    boolean pae = "x86-pae".equals(name);
    if (!Addresses.isAligned(root, pae ? 32 : Addresses.FRAME_SIZE)) {
      throw usage("--root " + hex(root) + " is not " + (pae ? "32-byte" : "4 KiB") + " aligned");
    }
    return root;
  }

  /** Where the root came from, when it was not given directly: {@code  (from --cr3 0x...)}. */
  private String rootSource() {
    if (cr3 != null) {
      return " (from --cr3 " + hex(cr3) + ")";
    }
    if (satp != null) {
      return " (from --satp " + hex(satp) + ")";
    }
    return "";
  }

  /**
   * Opens {@code image} as {@code kind}, or as its first bytes say when null; a raw one at {@code
   * base}, or 0.
   *
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  static MemoryImage openImage(Path image, @Nullable ImageKind kind, @Nullable Long base) {
    if (Files.isDirectory(image)) {
      throw new IllegalArgumentException("--image " + image + ": is a directory");
    }
    // A FIFO, socket or device would block the open or the reads, or never end: only a file
    // has a size to check addresses against.
    if (Files.exists(image) && !Files.isRegularFile(image)) {
      throw new IllegalArgumentException("--image " + image
          + ": is not a regular file (a pipe, socket or device); save the image to a file first");
    }
    try {
      if (kind == ImageKind.RAW || (kind == null && base != null && MemoryImage.detect(image) == ImageKind.RAW)) {
        return MemoryImage.raw(image, base == null ? 0 : base);
      }
      return kind == null ? MemoryImage.open(image) : MemoryImage.open(image, kind);
    } catch (MalformedImageException e) {
      // Its message names the file, the offset and the value already.
      throw new IllegalArgumentException(e.getMessage());
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("--image " + image + ": no such file");
    } catch (AccessDeniedException e) {
      throw new IllegalArgumentException("--image " + image + ": permission denied");
    } catch (FileSystemException e) {
      // Its message repeats the path; the reason alone is the news.
      throw new IllegalArgumentException("--image " + image + ": "
          + (e.getReason() != null ? e.getReason() : e.getMessage()));
    } catch (IOException e) {
      throw new IllegalArgumentException("--image " + image + ": " + e.getMessage());
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(mixee.commandLine(), message);
  }
}
