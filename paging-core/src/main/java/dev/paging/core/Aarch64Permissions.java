package dev.paging.core;

import dev.paging.api.Architecture;
import dev.paging.api.Attributes;
import dev.paging.api.PagingFormat;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What EL0 and EL1 may do with a mapping of an AArch64 format, from its effective attributes
 * (the leaf's after every table descriptor above it, {@code EntryCursor.effectiveAttributes()}),
 * as the Arm ARM's stage 1 permission rules for the EL1&amp;0 regime give it:
 *
 * <ul>
 *   <li>EL1 reads every valid mapping; EL0 reads when AP[1] is set and no APTable[0] above denies it;
 *   <li>either level writes when AP[2] is clear and no APTable[1] above denies it (EL0 only where it
 *       reads);
 *   <li>EL0 executes when UXN is clear and no UXNTable above is set, whether or not it may read
 *       (execute-only memory);
 *   <li>EL1 executes when PXN is clear and no PXNTable above is set, and never where EL0 may
 *       write (the architecture treats such memory as privileged execute-never).
 * </ul>
 *
 * <p>PAN, SCTLR_EL1.WXN and the permission indirection of newer cores are controls of the
 * running processor, not of the tables, and are not modelled.
 */
public final class Aarch64Permissions {
  private final boolean el0Read;
  private final boolean el0Write;
  private final boolean el0Execute;
  private final boolean el1Write;
  private final boolean el1Execute;

  private Aarch64Permissions(boolean el0Read, boolean el0Write, boolean el0Execute, boolean el1Write,
      boolean el1Execute) {
    this.el0Read = el0Read;
    this.el0Write = el0Write;
    this.el0Execute = el0Execute;
    this.el1Write = el1Write;
    this.el1Execute = el1Execute;
  }

  /**
   * The permissions {@code effective}, attributes of {@code format}, grant.
   *
   * @throws IllegalArgumentException if {@code format} is not an AArch64 format
   */
  public static Aarch64Permissions of(PagingFormat format, Attributes effective) {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(effective, "effective");
    if (format.architecture() != Architecture.AARCH64) {
      throw new IllegalArgumentException(format.name() + " is not an AArch64 format; its attributes say nothing of "
          + "EL0 and EL1");
    }
    boolean el0Read = effective.user();
    boolean el0Write = el0Read && effective.writable();
    return new Aarch64Permissions(el0Read, el0Write, Aarch64Format.el0Executes(effective), effective.writable(),
        Aarch64Format.el1Executes(effective) && !el0Write);
  }

  public boolean el0Read() {
    return el0Read;
  }

  public boolean el0Write() {
    return el0Write;
  }

  public boolean el0Execute() {
    return el0Execute;
  }

  /** Always true: EL1 may read every valid mapping. */
  public boolean el1Read() {
    return true;
  }

  public boolean el1Write() {
    return el1Write;
  }

  public boolean el1Execute() {
    return el1Execute;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof Aarch64Permissions)) {
      return false;
    }
    Aarch64Permissions p = (Aarch64Permissions) o;
    return p.el0Read == el0Read && p.el0Write == el0Write && p.el0Execute == el0Execute && p.el1Write == el1Write
        && p.el1Execute == el1Execute;
  }

  @Override
  public int hashCode() {
    return (el0Read ? 1 : 0) | (el0Write ? 2 : 0) | (el0Execute ? 4 : 0) | (el1Write ? 8 : 0) | (el1Execute ? 16 : 0);
  }

  /** {@code EL0 r-x EL1 r--}: read, write, execute for each level. */
  @Override
  public String toString() {
    return "EL0 " + (el0Read ? 'r' : '-') + (el0Write ? 'w' : '-') + (el0Execute ? 'x' : '-')
        + " EL1 r" + (el1Write ? 'w' : '-') + (el1Execute ? 'x' : '-');
  }
}
