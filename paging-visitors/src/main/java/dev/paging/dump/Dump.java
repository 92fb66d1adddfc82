package dev.paging.dump;

import dev.paging.api.Attributes;
import dev.paging.api.Control;
import dev.paging.api.EntryCursor;
import dev.paging.api.EntryKind;
import dev.paging.api.EntryProblem;
import dev.paging.api.HoleCursor;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import dev.paging.api.TableCursor;
import dev.paging.api.VirtualRange;
import dev.paging.core.AddressSpace;
import dev.paging.core.WalkOutcome;
import dev.paging.core.Walker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The dump visitor: walks a range and hands every table, entry, hole and malformed entry to a
 * {@link DumpRenderer}, with each entry's effective attributes (those of the table entries above
 * it combined as the format says: {@link dev.paging.api.EntryCursor#effectiveAttributes}, which
 * the walker keeps per table). The renderer writes as
 * events arrive, so the dump is never built in memory.
 *
 * <p>The simplest use is {@link #write(AddressSpace, VirtualRange, DumpRenderer)}. As a visitor it
 * composes with others ({@link dev.paging.core.Visitors#compose}): the renderer is ended when the
 * root table is done; if the walk may stop earlier, call {@link #finish()} after it. Where each
 * half has its own root (AArch64), the renderer sees one dump whose depth-0 tables are the
 * lower root and then the upper root; it is ended after the upper root, and a walk whose range
 * ends at the top of the lower half is ended by {@link #finish()}, which must then be called.
 *
 * <p>An {@link IOException} from the renderer surfaces from the walk as an {@link
 * UncheckedIOException}; {@link #write} unwraps it. A dump keeps per-walk state: one walk at a
 * time.
 */
public final class Dump implements PageTableVisitor {
  private final PagingFormat format;
  private final DumpRenderer renderer;
  private boolean begun;
  private boolean ended;
  /** The lower half's root is done, and the upper half's may follow in the same walk. */
  private boolean lowerRootDone;

  private Dump(PagingFormat format, DumpRenderer renderer) {
    this.format = Objects.requireNonNull(format, "format");
    this.renderer = Objects.requireNonNull(renderer, "renderer");
  }

  /** A dump of tables laid out as {@code format} into {@code renderer}. */
  public static Dump of(PagingFormat format, DumpRenderer renderer) {
    return new Dump(format, renderer);
  }

  /**
   * Dumps {@code range} of {@code space} into {@code renderer}.
   *
   * @return how the walk ended; the renderer has been ended either way
   * @throws IOException if the renderer's output fails
   */
  public static WalkOutcome write(AddressSpace space, VirtualRange range, DumpRenderer renderer)
      throws IOException {
    Objects.requireNonNull(space, "space");
    Objects.requireNonNull(range, "range");
    return write(space.walker(), space.format(), space.root(), space.upperRoot(), range, renderer);
  }

  /**
   * Dumps {@code range} of the tables under {@code root} with {@code walker}, which the caller
   * configures (an {@linkplain Walker#entryBudget entry budget} for untrusted images).
   *
   * @throws IOException if the renderer's output fails
   */
  public static WalkOutcome write(Walker walker, PagingFormat format, long root, VirtualRange range,
      DumpRenderer renderer) throws IOException {
    return write(walker, format, root, root, range, renderer);
  }

  /**
   * Dumps {@code range} of the tables under {@code lowerRoot} and {@code upperRoot} (one table,
   * given twice, for a format with one root) with {@code walker}, which the caller configures.
   *
   * @throws IOException if the renderer's output fails
   */
  public static WalkOutcome write(Walker walker, PagingFormat format, long lowerRoot, long upperRoot,
      VirtualRange range, DumpRenderer renderer) throws IOException {
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(walker, "walker");
    Dump dump = of(format, renderer);
    try {
      WalkOutcome outcome = walker.walk(lowerRoot, upperRoot, range, dump);
      dump.finish();
      return outcome;
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /**
   * Ends the renderer if the walk did not reach the end of the root table (it then learns the
   * dump is incomplete), or, where each half has its own root, if the walk ended with the lower
   * half's root (complete). Does nothing after a complete walk or a second call.
   */
  public void finish() {
    if (begun && !ended) {
      ended = true;
      try {
        renderer.end(lowerRootDone);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Override
  public Control beforeTable(TableCursor table) {
    try {
      if (table.level().depth() == 0 && !lowerRootDone) {
        begun = true;
        ended = false;
        renderer.begin(format, table);
      }
      lowerRootDone = false;
      renderer.beforeTable(table);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Control.CONTINUE;
  }

  @Override
  public Control onEntry(EntryCursor entry) {
    try {
      entry(entry);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Control.CONTINUE;
  }

  private void entry(EntryCursor entry) throws IOException {
    Attributes effective = null;
    EntryKind kind = entry.kind();
    if (kind == EntryKind.TABLE || kind == EntryKind.LEAF) {
      effective = entry.effectiveAttributes();
    }
    renderer.entry(entry, effective);
  }

  @Override
  public Control onHole(HoleCursor hole) {
    try {
      renderer.hole(hole);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Control.CONTINUE;
  }

  @Override
  public Control onMalformed(EntryCursor entry, EntryProblem problem) {
    try {
      if (entry.kind() == EntryKind.TABLE) {
        // A well-formed pointer the walker cannot follow: every dump format shows the pointer
        // itself, so the renderer gets it as an entry first, then learns why nothing follows.
        entry(entry);
      }
      renderer.malformed(entry, problem);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Control.CONTINUE;
  }

  @Override
  public Control afterTable(TableCursor table) {
    try {
      renderer.afterTable(table);
      if (table.level().depth() == 0) {
        if (format.rootPerHalf() && table.first() == 0 && table.walkLast() == format.lowerHalf().last()) {
          // The upper half's root may come next: the walk's range, not this table, says.
          lowerRootDone = true;
        } else {
          ended = true;
          renderer.end(true);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Control.CONTINUE;
  }
}
