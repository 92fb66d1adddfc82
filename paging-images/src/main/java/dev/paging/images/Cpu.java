package dev.paging.images;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One processor's state as a dump records it: its registers by name, in the dump's order, and
 * the root its registers select, or why they select none (paging off; a RISC-V dump, which does
 * not record {@code satp}). Immutable.
 */
public final class Cpu {
  private final int index;
  private final Architecture architecture;
  private final Map<String, Long> registers;
  private final @Nullable Root root;
  private final String rootNote;

  private Cpu(int index, Architecture architecture, Map<String, Long> registers, @Nullable Root root,
      String rootNote) {
    this.index = index;
    this.architecture = architecture;
    this.registers = registers;
    this.root = root;
    this.rootNote = rootNote;
  }

  /**
   * A CPU of {@code architecture} with these registers (copied, in their iteration order); its
   * root is what the registers select: x86's CR0, CR3 and CR4, nothing for RISC-V.
   *
   * @throws IllegalArgumentException if {@code index} is negative
   */
  public static Cpu of(int index, Architecture architecture, Map<String, Long> registers) {
    if (index < 0) {
      throw new IllegalArgumentException("CPU index " + index + " is negative");
    }
    Objects.requireNonNull(architecture, "architecture");
    Objects.requireNonNull(registers, "registers");
    Map<String, Long> copy = Collections.unmodifiableMap(new LinkedHashMap<>(registers));
    copy.forEach((name, value) -> Objects.requireNonNull(value, name));
    if (architecture == Architecture.X86_64) {
      X86Registers.Selection s = X86Registers.select(index, copy);
      return new Cpu(index, architecture, copy, s.root, s.note);
    }
    return new Cpu(index, architecture, copy, null,
        "a RISC-V dump records pc and x1..x31, not satp");
  }

  /** Its position among the dump's CPUs, from 0 (QEMU's CPU index). */
  public int index() {
    return index;
  }

  public Architecture architecture() {
    return architecture;
  }

  /** Register values by lower-case name ({@code rip}, {@code cr3}, {@code pc}, {@code x1}), in the dump's order. */
  public Map<String, Long> registers() {
    return registers;
  }

  /** The register's value, when the dump holds it. */
  public Optional<Long> register(String name) {
    return Optional.ofNullable(registers.get(Objects.requireNonNull(name, "name")));
  }

  /** The root table its registers select, when they select one. */
  public Optional<Root> root() {
    return Optional.ofNullable(root);
  }

  /**
   * How the root was decoded ({@code CR3 0x...: bits 12..51; CR4.LA57 clear: 4-level}), or why
   * there is none.
   */
  public String rootNote() {
    return rootNote;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Cpu
        && ((Cpu) o).index == index
        && ((Cpu) o).architecture == architecture
        && ((Cpu) o).registers.equals(registers);
  }

  @Override
  public int hashCode() {
    return Objects.hash(index, architecture, registers);
  }

  @Override
  public String toString() {
    return "CPU " + index + " (" + architecture.displayName() + ", " + registers.size() + " registers, "
        + (root == null ? "no root" : "root " + root) + ")";
  }
}
