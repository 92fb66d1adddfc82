package dev.paging.bench;

import dev.paging.api.PagingFormat;
import dev.paging.api.PhysicalMemory;
import dev.paging.core.Aarch64Options;
import dev.paging.core.Formats;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.fakes.TrackingFrameAllocator;
import dev.paging.memory.LongArrayMemory;
import dev.paging.ops.MapOptions;
import dev.paging.ops.PageTables;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Translation on AArch64 stage 1 with 48-bit halves, the {@link OperationsBenchmark} protocol's
 * 1 GiB at {@code 0x0000_1000_0000_0000} (in TTBR0's half) in pages of the granule: 4 KiB pages
 * under four levels of 512 entries, or 64 KiB pages under a 64-entry level 1 and two levels of
 * 8,192 entries. 10^6 xorshift64 addresses, summing the physical addresses.
 *
 * <p>The floor ({@code floorTranslate}) reads the same tables, in the same {@code long[]} the
 * flat memory wraps, by hand: per level one load, the descriptor's low two bits (0b11 a table or
 * a page), the output address bits 47 to the granule's shift. The ratio library/floor is the
 * figure to quote.
 *
 * <p>Run: {@code java -jar paging-bench/target/benchmarks.jar Aarch64Benchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@State(Scope.Thread)
public class Aarch64Benchmark {
  static final long VA_BASE = OperationsBenchmark.VA_BASE;
  static final long SIZE = OperationsBenchmark.SIZE;
  static final long PA_BASE = OperationsBenchmark.PA_BASE;
  static final int TRANSLATIONS = OperationsBenchmark.TRANSLATIONS;
  static final long TABLES = OperationsBenchmark.TABLES;
  /** 4 MiB of tables: 1 GiB of 4 KiB pages takes 515 frames of 4 KiB, of 64 KiB pages 4 of 64 KiB. */
  static final int WINDOW = 4 << 20;

  @Param({"4k", "64k"})
  public String granule;

  @Param({"simulated", "flat"})
  public String memory;

  long[] words;
  long root;
  int granuleShift;
  PageTables tables;

  @Setup(Level.Trial)
  public void machine() {
    int bytes = granule.equals("4k") ? 4096 : 65536;
    granuleShift = Long.numberOfTrailingZeros(bytes);
    PagingFormat format = Formats.aarch64(Aarch64Options.defaults().withGranule(bytes));
    words = new long[WINDOW >>> 3];
    PhysicalMemory physical = memory.equals("flat") ? LongArrayMemory.wrap(TABLES, words)
        : SimulatedMemory.ofSize(OperationsBenchmark.MEMORY);
    tables = PageTables.create(format, physical, TrackingFrameAllocator.over(TABLES, WINDOW / bytes, bytes));
    tables.map(OperationsBenchmark.RANGE, PA_BASE, OperationsBenchmark.LEAF, MapOptions.defaults().withPageSize(bytes));
    root = tables.space().root();
    if (!memory.equals("flat")) {
      // The floor reads a copy of the simulated memory's tables: the same words, by hand.
      physical.read(TABLES, words, 0, words.length);
    }
    long library = translate();
    long floor = floorTranslate();
    if (library != floor) {
      throw new IllegalStateException("the floor's translations sum to " + floor + ", the library's to " + library);
    }
  }

  @Benchmark
  @OperationsPerInvocation(TRANSLATIONS)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public long translate() {
    return OperationsBenchmark.translate(tables);
  }

  @Benchmark
  @OperationsPerInvocation(TRANSLATIONS)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public long floorTranslate() {
    long x = 0x9E3779B97F4A7C15L;
    long sum = 0;
    boolean small = granuleShift == 12;
    for (int i = 0; i < TRANSLATIONS; i++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      long va = VA_BASE + (x & (SIZE - 1));
      sum += small ? translate4k(words, root, va) : translate64k(words, root, va);
    }
    return sum;
  }

  /** Descriptor bits 1:0: 0b11 is a table above the last level and a page at it. */
  private static final long VALID_TABLE = 0b11;
  private static final long ADDRESS_4K = 0x0000_ffff_ffff_f000L;
  private static final long ADDRESS_64K = 0x0000_ffff_ffff_0000L;

  /** L0..L3, 512 entries each; every level a table (the protocol maps no blocks). */
  static long translate4k(long[] w, long root, long va) {
    long e = w[(int) ((root - TABLES) >>> 3) + (int) ((va >>> 39) & 511)];
    if ((e & 0b11) != VALID_TABLE) {
      return -1;
    }
    e = w[(int) (((e & ADDRESS_4K) - TABLES) >>> 3) + (int) ((va >>> 30) & 511)];
    if ((e & 0b11) != VALID_TABLE) {
      return -1;
    }
    e = w[(int) (((e & ADDRESS_4K) - TABLES) >>> 3) + (int) ((va >>> 21) & 511)];
    if ((e & 0b11) != VALID_TABLE) {
      return -1;
    }
    e = w[(int) (((e & ADDRESS_4K) - TABLES) >>> 3) + (int) ((va >>> 12) & 511)];
    if ((e & 0b11) != VALID_TABLE) {
      return -1;
    }
    return (e & ADDRESS_4K) | (va & 0xfff);
  }

  /** L1 of 64 entries (bits 47:42), L2 and L3 of 8,192 (41:29, 28:16). */
  static long translate64k(long[] w, long root, long va) {
    long e = w[(int) ((root - TABLES) >>> 3) + (int) ((va >>> 42) & 63)];
    if ((e & 0b11) != VALID_TABLE) {
      return -1;
    }
    e = w[(int) (((e & ADDRESS_64K) - TABLES) >>> 3) + (int) ((va >>> 29) & 8191)];
    if ((e & 0b11) != VALID_TABLE) {
      return -1;
    }
    e = w[(int) (((e & ADDRESS_64K) - TABLES) >>> 3) + (int) ((va >>> 16) & 8191)];
    if ((e & 0b11) != VALID_TABLE) {
      return -1;
    }
    return (e & ADDRESS_64K) | (va & 0xffff);
  }
}
