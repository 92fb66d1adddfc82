package dev.paging.bench;

import dev.paging.api.Attributes;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.fakes.BumpFrameAllocator;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.images.ImageKind;
import dev.paging.images.ImageWriter;
import dev.paging.images.MemoryImage;
import dev.paging.images.RootCandidate;
import dev.paging.images.RootFinder;
import dev.paging.ops.PageTables;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The root finder's scan over a 4 GiB sparse raw image: a kernel and eight processes sharing its
 * half in the first 16 MiB, zeros after (a guest that used little of its RAM, the common case of
 * a dump). {@code scan4GiB} is {@link RootFinder#scan} (9 candidates found, leaves counted);
 * MB/s is 4096 / the time in seconds. Its floor, {@code floorScan4GiB}, reads every page of the
 * same file by hand through 1 GiB mapped buffers and stops each page at its first non-zero word:
 * what any scan must do.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class RootFinderBenchmark {
  static final long IMAGE_SIZE = 4L << 30;
  static final long TABLES = 16L << 20;

  /** The image file, written once per trial into the temporary directory and deleted after. */
  @State(Scope.Benchmark)
  public static class SparseImage {
    final PagingFormat format = Formats.x86_64();
    Path file;
    MemoryImage image;
    MappedByteBuffer[] chunks;
    private FileChannel channel;

    @Setup(Level.Trial)
    public void write() throws IOException {
      SimulatedMemory memory = SimulatedMemory.ofSize(TABLES);
      PageTables kernel = PageTables.create(format, memory, BumpFrameAllocator.over(0x10_0000, 2048));
      kernel.map(VirtualRange.ofLength(0xffff_8880_0000_0000L, 1L << 30), 0, Attributes.readWrite().withGlobal(true));
      for (int p = 0; p < 8; p++) {
        PageTables process = PageTables.createSharingKernelHalf(kernel);
        process.map(VirtualRange.ofLength(0x40_0000L, 1L << 20), 0x1_0000_0000L + (p << 20),
            Attributes.readExecute().withUser(true));
      }
      file = Files.createTempFile("paging-roots", ".raw");
      ImageWriter.of(memory).segment(0, TABLES).write(file, ImageKind.RAW);
      try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
        f.setLength(IMAGE_SIZE);
      }
      image = MemoryImage.open(file);
      channel = FileChannel.open(file);
      chunks = new MappedByteBuffer[(int) (IMAGE_SIZE >>> 30)];
      for (int i = 0; i < chunks.length; i++) {
        chunks[i] = channel.map(FileChannel.MapMode.READ_ONLY, (long) i << 30, 1L << 30);
        chunks[i].order(ByteOrder.LITTLE_ENDIAN);
      }
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
      image.close();
      channel.close();
      Files.deleteIfExists(file);
    }
  }

  @Benchmark
  public List<RootCandidate> scan4GiB(SparseImage s) {
    return RootFinder.of(s.format).scan(s.image);
  }

  @Benchmark
  public long floorScan4GiB(SparseImage s) {
    long pagesWithData = 0;
    for (MappedByteBuffer chunk : s.chunks) {
      for (int page = 0; page < (1 << 30); page += 4096) {
        for (int w = 0; w < 4096; w += 8) {
          if (chunk.getLong(page + w) != 0) {
            pagesWithData++;
            break;
          }
        }
      }
    }
    return pagesWithData;
  }
}
