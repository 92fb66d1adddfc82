package dev.paging.cli;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Addresses;
import dev.paging.api.PagingFormat;
import dev.paging.core.Formats;
import dev.paging.core.X86Options;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
  static final List<String> FORMAT_NAMES = List.of("x86-64", "x86-64-5level", "sv39", "sv48", "sv57");

  @Spec(Spec.Target.MIXEE)
  private CommandSpec mixee;

  @Option(names = "--image", paramLabel = "FILE", required = true,
      description = "The raw memory image (for example from QEMU's pmemsave); it is only read.")
  private Path image;

  @Option(names = "--root", paramLabel = "ADDRESS", converter = AddressConverter.class,
      description = "Physical address of the root table (4 KiB aligned).")
  private Long root;

  @Option(names = "--cr3", paramLabel = "VALUE", converter = AddressConverter.class,
      description = "x86 CR3: the root is bits 12..51; PCID, PWT/PCD and the top flag bits are ignored.")
  private Long cr3;

  @Option(names = "--satp", paramLabel = "VALUE", converter = AddressConverter.class,
      description = "RISC-V satp: MODE (bits 63..60: 8 Sv39, 9 Sv48, 10 Sv57) selects the format, "
          + "the root is PPN (bits 43..0) << 12, the ASID is ignored.")
  private Long satp;

  @Option(names = "--format", paramLabel = "FORMAT",
      description = "x86-64, x86-64-5level, sv39, sv48 or sv57, in any case. Default: what --satp says, "
          + "else x86-64 (and a line on standard error says so).")
  private String format;

  @Option(names = "--base", paramLabel = "ADDRESS", converter = AddressConverter.class, defaultValue = "0",
      description = "Physical address of the image's first byte (4 KiB aligned). Default: 0.")
  private long base;

  @Option(names = "--phys-bits", paramLabel = "N",
      description = "x86 MAXPHYADDR, 32..52: address bits at or above it are reserved. Default: 52.")
  private Integer physBits;

  /**
   * Checks the options and opens the image: the caller closes what it gets.
   *
   * @throws ParameterException when the options contradict each other or a value is out of range
   * @throws IllegalArgumentException when the image cannot be read or the root is not inside it
   */
  Image open() {
    PagingFormat pagingFormat = resolveFormat();
    long rootTable = resolveRoot();
    if (!Addresses.isAligned(base, Addresses.FRAME_SIZE)) {
      throw usage("--base " + hex(base) + " is not 4 KiB aligned");
    }
    ImageMemory memory = openImage();
    try {
      if (memory.size() == 0) {
        throw new IllegalArgumentException("--image " + image + ": the file is empty");
      }
      if (!memory.contains(rootTable, Addresses.FRAME_SIZE)) {
        throw new IllegalArgumentException("root table " + hex(rootTable) + rootSource() + " is outside the image "
            + image + ", which holds " + memory.extent());
      }
      return Image.of(pagingFormat, memory, rootTable);
    } catch (RuntimeException e) {
      try {
        memory.close();
      } catch (IOException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  private PagingFormat resolveFormat() {
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
    if (given.size() != 1) {
      throw usage("give exactly one of --root, --cr3 or --satp"
          + (given.isEmpty() ? "" : " (got " + String.join(" and ", given) + ")"));
    }
    String name = format == null ? null : format.toLowerCase(Locale.ROOT);
    if (name != null && !FORMAT_NAMES.contains(name)) {
      throw usage("unknown format '" + format + "' (expected x86-64, x86-64-5level, sv39, sv48 or sv57)");
    }
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
          + "x86-64 with 4 levels (give --format x86-64-5level, sv39, sv48 or sv57 for another)");
    }
    boolean x86 = name.startsWith("x86");
    if (cr3 != null && !x86) {
      throw usage("--cr3 is an x86 register; " + name + " takes --satp or --root");
    }
    if (physBits != null) {
      if (!x86) {
        throw usage("--phys-bits applies to x86 formats; " + name + " has 56 physical address bits");
      }
      if (physBits < X86Options.MIN_PHYSICAL_ADDRESS_BITS || physBits > X86Options.MAX_PHYSICAL_ADDRESS_BITS) {
        throw usage("--phys-bits " + physBits + " is outside " + X86Options.MIN_PHYSICAL_ADDRESS_BITS + ".."
            + X86Options.MAX_PHYSICAL_ADDRESS_BITS);
      }
    }
    X86Options options = physBits == null
        ? X86Options.defaults()
        : X86Options.defaults().withPhysicalAddressBits(physBits);
    switch (name) {
      case "x86-64":
        return Formats.x86_64(options);
      case "x86-64-5level":
        return Formats.x86_64FiveLevel(options);
      case "sv39":
        return Formats.sv39();
      case "sv48":
        return Formats.sv48();
      default:
        return Formats.sv57();
    }
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
    if (cr3 != null) {
      return cr3 & CR3_ADDRESS_MASK;
    }
    if (satp != null) {
      return (satp & SATP_PPN_MASK) << 12;
    }
    if (!Addresses.isAligned(root, Addresses.FRAME_SIZE)) {
      throw usage("--root " + hex(root) + " is not 4 KiB aligned");
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

  private ImageMemory openImage() {
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
      return ImageMemory.open(image, base);
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
