package dev.paging.fakes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paging.fakes.FailingMemory.InjectedMemoryFailure;
import org.junit.jupiter.api.Test;

class FailingMemoryTest {
  private final SimulatedMemory below = SimulatedMemory.ofSize(1 << 20);
  private final FailingMemory memory = FailingMemory.over(below);

  @Test
  void failsTheNthReadPointOnlyAndCountsEveryCallAsOnePoint() {
    below.write(0x1000, 7);
    memory.failAtRead(3);
    assertThat(memory.read(0x1000)).isEqualTo(7);
    long[] table = new long[512];
    memory.read(0x1000, table, 0, 512);
    assertThat(table[0]).isEqualTo(7);
    assertThatThrownBy(() -> memory.firstNonZero(0x1000, 512))
        .isInstanceOf(InjectedMemoryFailure.class)
        .hasMessage("injected failure of read point 3 (scan at 0x0000000000001000)");
    assertThat(memory.isZero(0x2000, 512)).isTrue();
    assertThat(memory.readPoints()).isEqualTo(4);
    // Writes are numbered apart and were never armed.
    memory.write(0x2000, 1);
    assertThat(below.read(0x2000)).isEqualTo(1);
  }

  @Test
  void failsEveryWriteFromTheNthOnAndWritesNothingWhenItFails() {
    memory.failFromWrite(2);
    memory.write(0x1000, 1);
    assertThatThrownBy(() -> memory.write(0x1008, 2)).hasMessage(
        "injected failure of write point 2 (write at 0x0000000000001008)");
    assertThatThrownBy(() -> memory.zero(0x1000, 512)).hasMessage(
        "injected failure of write point 3 (zeroing at 0x0000000000001000)");
    assertThat(below.read(0x1000)).isEqualTo(1);
    assertThat(below.read(0x1008)).isZero();
    assertThat(memory.writePoints()).isEqualTo(3);
    // Layout questions never fail, and clearing disarms and renumbers.
    assertThat(memory.contains(0x1000, 4096)).isTrue();
    memory.clearFailures();
    assertThat(memory.writePoints()).isZero();
    memory.write(0x1008, 2);
    assertThat(below.read(0x1008)).isEqualTo(2);
  }

  @Test
  void pointsAreNumberedFromOne() {
    assertThatThrownBy(() -> memory.failAtWrite(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("failure points are numbered from 1, not 0");
  }
}
