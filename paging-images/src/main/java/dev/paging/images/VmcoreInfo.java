package dev.paging.images;

import static dev.paging.api.Addresses.hex;

import dev.paging.api.Addresses;
import dev.paging.api.PagingFormat;
import dev.paging.core.Formats;
import dev.paging.core.X86Options;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * A kdump {@code VMCOREINFO} note: the kernel's {@code KEY=VALUE} lines ({@code OSRELEASE=6.1.0},
 * {@code SYMBOL(init_top_pgt)=ffffffff9c40a000}, {@code NUMBER(phys_base)=...}), and the kernel's
 * root table they give.
 *
 * <p>How the root is found, per architecture, following how the kernel prints the note:
 * <ul>
 *   <li>x86-64: {@code SYMBOL(init_top_pgt)} (before Linux 4.13 {@code init_level4_pgt}, else
 *       {@code swapper_pg_dir}) is a kernel-image address, already moved by KASLR; its physical
 *       address is {@code symbol - __START_KERNEL_map (0xffffffff80000000) + NUMBER(phys_base)},
 *       the kernel's own {@code __pa_symbol}. {@code NUMBER(pgtable_l5_enabled)=1} means 5 levels.
 *   <li>RISC-V: {@code SYMBOL(swapper_pg_dir)}, translated with {@code NUMBER(va_kernel_pa_offset)}
 *       when it lies in the kernel image (at or above {@code NUMBER(KERNEL_LINK_ADDR)}), else
 *       through the linear map ({@code NUMBER(PAGE_OFFSET)}, {@code NUMBER(phys_ram_base)});
 *       {@code NUMBER(VA_BITS)} of 39, 48 or 57 picks Sv39, Sv48 or Sv57.
 * </ul>
 * Symbols are printed in hex without {@code 0x}; numbers in decimal, or in hex with {@code 0x}
 * (the kernel prints both). A value that does not parse gives no root and a note saying which.
 */
public final class VmcoreInfo {
  static final long START_KERNEL_MAP = 0xffff_ffff_8000_0000L;

  private final String text;
  private final Map<String, String> entries;
  private final @Nullable Root kernelRoot;
  private final String kernelRootNote;

  private VmcoreInfo(String text, Map<String, String> entries, Architecture architecture) {
    this.text = text;
    this.entries = entries;
    String[] note = new String[1];
    this.kernelRoot = architecture == Architecture.X86_64 ? x86Root(note) : riscVRoot(note);
    this.kernelRootNote = note[0];
  }

  /**
   * Parses the note's text, lines of {@code KEY=VALUE}: a line without {@code =} is kept in
   * {@link #text()} only; a repeated key keeps its first value.
   */
  public static VmcoreInfo parse(String text, Architecture architecture) {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(architecture, "architecture");
    Map<String, String> entries = new LinkedHashMap<>();
    for (String line : text.split("\n", -1)) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        entries.putIfAbsent(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return new VmcoreInfo(text, Collections.unmodifiableMap(entries), architecture);
  }

  /** The note's text as the kernel wrote it. */
  public String text() {
    return text;
  }

  /** The lines' keys and values, in the note's order. */
  public Map<String, String> entries() {
    return entries;
  }

  /** The value of {@code key}, when the note has it. */
  public Optional<String> value(String key) {
    return Optional.ofNullable(entries.get(Objects.requireNonNull(key, "key")));
  }

  /** {@code NUMBER(name)}, decimal or {@code 0x} hex, when present and a number. */
  public OptionalLong number(String name) {
    String v = entries.get("NUMBER(" + Objects.requireNonNull(name, "name") + ")");
    return v == null ? OptionalLong.empty() : parseNumber(v.trim());
  }

  /** {@code SYMBOL(name)}, hex without {@code 0x}, when present and a number. */
  public OptionalLong symbol(String name) {
    String v = entries.get("SYMBOL(" + Objects.requireNonNull(name, "name") + ")");
    return v == null ? OptionalLong.empty() : parseHex(v.trim());
  }

  /** The kernel's root table, when the note gives what it takes (see the class comment). */
  public Optional<Root> kernelRoot() {
    return Optional.ofNullable(kernelRoot);
  }

  /** How the kernel's root was computed, or which line is missing or wrong. */
  public String kernelRootNote() {
    return kernelRootNote;
  }

  @Override
  public String toString() {
    return "VMCOREINFO (" + entries.size() + " entries" + (kernelRoot == null ? "" : ", kernel root " + kernelRoot)
        + ")";
  }

  private @Nullable Root x86Root(String[] note) {
    String name = null;
    for (String candidate : new String[] {"init_top_pgt", "init_level4_pgt", "swapper_pg_dir"}) {
      if (entries.containsKey("SYMBOL(" + candidate + ")")) {
        name = candidate;
        break;
      }
    }
    if (name == null) {
      note[0] = "VMCOREINFO has no SYMBOL(init_top_pgt), SYMBOL(init_level4_pgt) or SYMBOL(swapper_pg_dir)";
      return null;
    }
    OptionalLong symbol = symbol(name);
    OptionalLong physBase = number("phys_base");
    if (symbol.isEmpty() || physBase.isEmpty()) {
      note[0] = symbol.isEmpty()
          ? "VMCOREINFO SYMBOL(" + name + ")=" + entries.get("SYMBOL(" + name + ")") + " is not a hex number"
          : "VMCOREINFO has no NUMBER(phys_base) that is a number"
              + (entries.containsKey("NUMBER(phys_base)") ? " (" + entries.get("NUMBER(phys_base)") + ")" : "");
      return null;
    }
    long va = symbol.getAsLong();
    if (Long.compareUnsigned(va, START_KERNEL_MAP) < 0) {
      note[0] = "VMCOREINFO SYMBOL(" + name + ") " + hex(va) + " is below __START_KERNEL_map "
          + hex(START_KERNEL_MAP) + ": not a kernel-image address";
      return null;
    }
    long pa = va - START_KERNEL_MAP + physBase.getAsLong();
    OptionalLong l5 = number("pgtable_l5_enabled");
    boolean fiveLevel = l5.isPresent() && l5.getAsLong() != 0;
    String how = "SYMBOL(" + name + ") " + hex(va) + " - __START_KERNEL_map " + hex(START_KERNEL_MAP)
        + " + NUMBER(phys_base) " + hex(physBase.getAsLong()) + "; "
        + (fiveLevel ? "NUMBER(pgtable_l5_enabled)=1: 5-level" : "4-level");
    return root(pa, fiveLevel ? Formats.x86_64FiveLevel(X86Options.defaults()) : Formats.x86_64(X86Options.defaults()),
        how, note);
  }

  private @Nullable Root riscVRoot(String[] note) {
    OptionalLong symbol = symbol("swapper_pg_dir");
    if (symbol.isEmpty()) {
      note[0] = entries.containsKey("SYMBOL(swapper_pg_dir)")
          ? "VMCOREINFO SYMBOL(swapper_pg_dir)=" + entries.get("SYMBOL(swapper_pg_dir)") + " is not a hex number"
          : "VMCOREINFO has no SYMBOL(swapper_pg_dir)";
      return null;
    }
    OptionalLong vaBits = number("VA_BITS");
    PagingFormat format;
    long bits = vaBits.orElse(-1);
    if (bits == 39) {
      format = Formats.sv39();
    } else if (bits == 48) {
      format = Formats.sv48();
    } else if (bits == 57) {
      format = Formats.sv57();
    } else {
      note[0] = "VMCOREINFO NUMBER(VA_BITS)=" + entries.get("NUMBER(VA_BITS)") + " is not 39, 48 or 57";
      return null;
    }
    long va = symbol.getAsLong();
    OptionalLong offset = number("va_kernel_pa_offset");
    OptionalLong link = number("KERNEL_LINK_ADDR");
    OptionalLong pageOffset = number("PAGE_OFFSET");
    OptionalLong ramBase = number("phys_ram_base");
    String how;
    long pa;
    if (offset.isPresent() && link.isPresent() && Long.compareUnsigned(va, link.getAsLong()) >= 0) {
      pa = va - offset.getAsLong();
      how = "SYMBOL(swapper_pg_dir) " + hex(va) + " - NUMBER(va_kernel_pa_offset) " + hex(offset.getAsLong());
    } else if (pageOffset.isPresent() && ramBase.isPresent()
        && Long.compareUnsigned(va, pageOffset.getAsLong()) >= 0) {
      pa = va - pageOffset.getAsLong() + ramBase.getAsLong();
      how = "SYMBOL(swapper_pg_dir) " + hex(va) + " - NUMBER(PAGE_OFFSET) " + hex(pageOffset.getAsLong())
          + " + NUMBER(phys_ram_base) " + hex(ramBase.getAsLong());
    } else {
      note[0] = "VMCOREINFO SYMBOL(swapper_pg_dir) " + hex(va) + " cannot be translated: it needs "
          + "NUMBER(va_kernel_pa_offset) and NUMBER(KERNEL_LINK_ADDR) below it, or NUMBER(PAGE_OFFSET) and "
          + "NUMBER(phys_ram_base)";
      return null;
    }
    return root(pa, format, how + "; NUMBER(VA_BITS)=" + bits + ": " + format.name(), note);
  }

  private static @Nullable Root root(long pa, PagingFormat format, String how, String[] note) {
    if (!Addresses.isAligned(pa, Addresses.FRAME_SIZE)) {
      note[0] = how + " gives " + hex(pa) + ", which is not 4 KiB aligned";
      return null;
    }
    note[0] = how;
    return Root.of(pa, format, "VMCOREINFO");
  }

  static OptionalLong parseNumber(String v) {
    if (v.startsWith("0x") || v.startsWith("0X")) {
      return parseHex(v.substring(2));
    }
    try {
      return OptionalLong.of(Long.parseLong(v));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  static OptionalLong parseHex(String v) {
    if (v.isEmpty() || v.length() > 16 || v.startsWith("-") || v.startsWith("+")) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseUnsignedLong(v, 16));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
