package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.api.Attributes;
import dev.paging.api.PhysicalAccessException;
import dev.paging.api.PhysicalMemory;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.fakes.CountingMemory;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.fakes.TrackingFrameAllocator;
import dev.paging.memory.ByteBufferMemory;
import dev.paging.memory.LongArrayMemory;
import dev.paging.ops.MapOptions;
import dev.paging.ops.PageTables;
import dev.paging.testkit.MemoryContract;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * Every memory the project ships keeps the table-at-a-time contract, and so does one that
 * implements only the three word methods and lives on the defaults; the contract check catches
 * memories that break it.
 */
class PhysicalMemoriesTest {
  private static final long BASE = 0x10_0000;
  private static final int BYTES = 4 * 4096;

  /** A memory with only the required methods: every run goes through the defaults. */
  private static class WordsOnly implements PhysicalMemory {
    final PhysicalMemory words;

    WordsOnly(PhysicalMemory words) {
      this.words = words;
    }

    @Override
    public long read(long address) {
      return words.read(address);
    }

    @Override
    public void write(long address, long value) {
      words.write(address, value);
    }

    @Override
    public boolean contains(long address, long length) {
      return words.contains(address, length);
    }

    @Override
    public String toString() {
      return "words-only " + words;
    }
  }

  @Test
  void everyShippedMemoryKeepsTheContract() {
    MemoryContract.check(SimulatedMemory.ofSize(1L << 30), 0x3000_0000L, BYTES);
    MemoryContract.check(SimulatedMemory.ofSize(BYTES), 0, BYTES);
    MemoryContract.check(LongArrayMemory.ofSize(BASE, BYTES), BASE, BYTES);
    MemoryContract.check(ByteBufferMemory.wrap(BASE, ByteBuffer.allocate(BYTES)), BASE, BYTES);
    MemoryContract.check(ByteBufferMemory.wrap(BASE, ByteBuffer.allocateDirect(BYTES)), BASE, BYTES);
    MemoryContract.check(new WordsOnly(LongArrayMemory.ofSize(BASE, BYTES)), BASE, BYTES);
    MemoryContract.check(CountingMemory.over(SimulatedMemory.ofSize(BYTES)), 0, BYTES);
  }

  @Test
  void theContractCatchesAScanThatMissesWrites() {
    // Remembers the frames once zeroed and never notices a later write: stale zero tracking.
    PhysicalMemory stale = new WordsOnly(LongArrayMemory.ofSize(BASE, BYTES)) {
      final java.util.Set<Long> zeroed = new java.util.HashSet<>();

      @Override
      public void zero(long address, int count) {
        super.zero(address, count);
        if (count == 512) {
          zeroed.add(address);
        }
      }

      @Override
      public int firstNonZero(long address, int count) {
        return zeroed.contains(address) ? -1 : super.firstNonZero(address, count);
      }
    };
    assertThatThrownBy(() -> MemoryContract.check(stale, BASE, BYTES))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("after writing the word at 0x0000000000100000 of a zero frame, a scan of the frame gives -1, not 0");
  }

  @Test
  void theContractCatchesARunReadFromTheWrongPlace() {
    PhysicalMemory offByOne = new WordsOnly(LongArrayMemory.ofSize(BASE, BYTES)) {
      @Override
      public void read(long address, long[] into, int offset, int count) {
        for (int i = 0; i < count; i++) {
          into[offset + i] = read(address + 8L * i + (i == 511 ? 8 : 0));
        }
      }
    };
    assertThatThrownBy(() -> MemoryContract.check(offByOne, BASE, BYTES))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("read of 512 words at 0x0000000000100960 gave 0x8000000000000001 for the word at 0x0000000000101958,"
            + " which reads 0x0000000000000000");
  }

  @Test
  void byteBufferWordsAreLittleEndianWhateverTheBufferOrderAndItsPositionIsLeftAlone() {
    ByteBuffer buffer = ByteBuffer.allocate(4096).order(ByteOrder.BIG_ENDIAN);
    buffer.position(100).limit(200);
    ByteBufferMemory memory = ByteBufferMemory.wrap(0x2000, buffer);
    memory.write(0x2008, 0x0102_0304_0506_0708L);
    assertThat(buffer.get(8)).isEqualTo((byte) 0x08);
    assertThat(buffer.get(15)).isEqualTo((byte) 0x01);
    assertThat(buffer.position()).isEqualTo(100);
    assertThat(buffer.limit()).isEqualTo(200);
    assertThat(buffer.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
    assertThat(memory.size()).isEqualTo(4096);
  }

  @Test
  void aReadOnlyBufferRefusesWritesByAddressAndChangesNothing() {
    ByteBuffer bytes = ByteBuffer.allocate(4096);
    bytes.putLong(16, 0x55);
    ByteBufferMemory memory = ByteBufferMemory.wrap(0x2000, bytes.asReadOnlyBuffer());
    assertThat(memory.isReadOnly()).isTrue();
    assertThat(memory.read(0x2010)).isEqualTo(0x5500_0000_0000_0000L);
    assertThatThrownBy(() -> memory.write(0x2010, 1))
        .isInstanceOf(PhysicalAccessException.class).hasMessageContaining("write at 0x0000000000002010 to read-only");
    assertThatThrownBy(() -> memory.zero(0x2000, 512))
        .isInstanceOf(PhysicalAccessException.class).hasMessageContaining("zero of 512 words at 0x0000000000002000");
    assertThat(memory.read(0x2010)).isEqualTo(0x5500_0000_0000_0000L);
  }

  @Test
  void accessesOutsideAnArrayMemoryNameTheAddressAndTheWindow() {
    LongArrayMemory memory = LongArrayMemory.ofSize(0x8000, 4096);
    assertThatThrownBy(() -> memory.read(0x7ff8))
        .isInstanceOf(PhysicalAccessException.class)
        .hasMessage("read at 0x0000000000007ff8 is unaligned or outside memory [0x0000000000008000, 0x0000000000009000)");
    assertThatThrownBy(() -> memory.write(0x9000, 1)).hasMessageContaining("write at 0x0000000000009000");
    assertThatThrownBy(() -> memory.read(0x8004)).hasMessageContaining("read at 0x0000000000008004");
    assertThat(memory.contains(0x8000, 4096)).isTrue();
    assertThat(memory.contains(0x8008, 4096)).isFalse();
    assertThat(memory.contains(0x9000, 0)).isTrue();
    assertThat(memory.contains(0x7000, 8)).isFalse();
  }

  @Test
  void anArrayMemoryAtTheTopOfThePhysicalSpaceWorksAndOneThatWouldWrapIsRefused() {
    long top = -4096L;
    LongArrayMemory memory = LongArrayMemory.ofSize(top, 4096);
    memory.write(-8L, 7);
    assertThat(memory.read(-8L)).isEqualTo(7);
    assertThat(memory.contains(top, 4096)).isTrue();
    assertThat(memory.contains(top, 4097)).isFalse();
    assertThatThrownBy(() -> LongArrayMemory.ofSize(top, 8192))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("run past the top of the physical space");
    assertThatThrownBy(() -> LongArrayMemory.wrap(4, new long[8])).hasMessageContaining("0x0000000000000004");
  }

  @Test
  void anArrayMemoryIsAViewOfTheCallersArray() {
    long[] words = new long[512];
    LongArrayMemory memory = LongArrayMemory.wrap(0x1000, words);
    memory.write(0x1010, 9);
    words[3] = 11;
    assertThat(words[2]).isEqualTo(9);
    assertThat(memory.read(0x1018)).isEqualTo(11);
  }

  /**
   * The operations give bit-for-bit the same tables over every memory: the memory is only where
   * the words live.
   */
  @Test
  void operationsWriteTheSameTablesOverEveryMemory() {
    long tables = 0x10_0000;
    int bytes = 64 * 4096;
    SimulatedMemory simulated = SimulatedMemory.ofSize(tables + bytes);
    LongArrayMemory array = LongArrayMemory.ofSize(tables, bytes);
    ByteBufferMemory direct = ByteBufferMemory.wrap(tables, ByteBuffer.allocateDirect(bytes));
    for (PhysicalMemory memory : new PhysicalMemory[] {simulated, array, direct}) {
      PageTables pt = PageTables.create(Formats.x86_64(), memory, TrackingFrameAllocator.over(tables, 64));
      pt.map(VirtualRange.ofLength(0x4000_0000L, 6L << 20), 0x8000_0000L, Attributes.readWrite(), MapOptions.defaults());
      pt.unmap(VirtualRange.ofLength(0x4010_0000L, 2L << 20));
      pt.protect(VirtualRange.ofLength(0x4000_0000L, 1L << 20), Attributes.readOnly());
      pt.reclaim(VirtualRange.all(), dev.paging.ops.ReclaimMode.COLLECT).pendingFrees().release();
    }
    for (long address = tables; address < tables + bytes; address += 8) {
      long want = simulated.read(address);
      assertThat(array.read(address)).as("word at %x", address).isEqualTo(want);
      assertThat(direct.read(address)).as("word at %x", address).isEqualTo(want);
    }
    assertThat(simulated.nonZeroFrames()).isGreaterThanOrEqualTo(4);
  }
}
