package dev.paging.dump;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The library's dump renderers by name, for front ends that let a user choose one ({@code
 * --format ptdump}). Each constant makes a fresh renderer; see the {@link DumpRenderer} factory
 * it names for the exact text.
 */
public enum DumpFormat {
  /** {@link DumpRenderer#ptdump(Appendable)}: Linux ptdump, holes included. */
  PTDUMP("ptdump", DumpRenderer::ptdump),
  /** {@link DumpRenderer#ptdump(Appendable, boolean)} without the runs that map nothing. */
  PTDUMP_MAPPED("ptdump-mapped", out -> DumpRenderer.ptdump(out, false)),
  /** {@link DumpRenderer#qemuInfoMem}. */
  QEMU_INFO_MEM("qemu-info-mem", DumpRenderer::qemuInfoMem),
  /** {@link DumpRenderer#qemuInfoTlb} (x86 only). */
  QEMU_INFO_TLB("qemu-info-tlb", DumpRenderer::qemuInfoTlb),
  /** {@link DumpRenderer#vmprintByIndex}: xv6's older variant. */
  VMPRINT("vmprint", DumpRenderer::vmprintByIndex),
  /** {@link DumpRenderer#vmprintByAddress}: xv6's newer variant. */
  VMPRINT_VA("vmprint-va", DumpRenderer::vmprintByAddress),
  /** {@link DumpRenderer#json}. */
  JSON("json", DumpRenderer::json),
  /** {@link DumpRenderer#json(Appendable, boolean)} without the holes. */
  JSON_MAPPED("json-mapped", out -> DumpRenderer.json(out, false)),
  /** {@link DumpRenderer#dot}. */
  DOT("dot", DumpRenderer::dot);

  private final String formatName;
  private final Function<Appendable, DumpRenderer> factory;

  DumpFormat(String formatName, Function<Appendable, DumpRenderer> factory) {
    this.formatName = formatName;
    this.factory = factory;
  }

  /** The name a user types: {@code ptdump}, {@code qemu-info-mem}, {@code vmprint-va}... */
  public String formatName() {
    return formatName;
  }

  /** A new renderer of this format writing to {@code out}. */
  public DumpRenderer renderer(Appendable out) {
    return factory.apply(Objects.requireNonNull(out, "out"));
  }

  /**
   * The format called {@code name} (case-insensitive).
   *
   * @throws IllegalArgumentException naming the known formats when none is called so
   */
  public static DumpFormat named(String name) {
    Objects.requireNonNull(name, "name");
    String wanted = name.toLowerCase(Locale.ROOT);
    for (DumpFormat f : values()) {
      if (f.formatName.equals(wanted)) {
        return f;
      }
    }
    throw new IllegalArgumentException("unknown dump format '" + name + "'; known: "
        + Arrays.stream(values()).map(DumpFormat::formatName).collect(Collectors.joining(", ")));
  }

  @Override
  public String toString() {
    return formatName;
  }
}
