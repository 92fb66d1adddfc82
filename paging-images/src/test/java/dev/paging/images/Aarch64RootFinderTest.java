package dev.paging.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.paging.api.Attributes;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.Aarch64Options;
import dev.paging.core.Formats;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.fakes.TrackingFrameAllocator;
import dev.paging.ops.PageTables;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The root finder where each half has a root of its own: a kernel's TTBR1 root, processes'
 * TTBR0 roots, a root whose leaves are half user and half kernel, and decoys; the half of each
 * told by its leaves, or, where the halves' geometries differ, by the levels that read it.
 */
class Aarch64RootFinderTest {
  private static final PagingFormat A64 = Formats.aarch64();
  private static final long MEMORY = 32L << 20;
  private static final long LINEAR_MAP = 0xffff_0000_0000_0000L;
  private static final long KERNEL_TEXT = 0xffff_8000_1000_0000L;
  /** Data pages past the image's end, so lower-level tables read as roots lead outside it. */
  private static final long DATA = 0x1000_0000L;
  private static final Attributes KERNEL_RW = Attributes.readWrite().withGlobal(true).withAccessed(true);
  private static final Attributes KERNEL_RX = Attributes.readExecute().withGlobal(true).withAccessed(true);
  private static final Attributes USER_RX = Attributes.readExecute().withUser(true).withAccessed(true);
  private static final Attributes USER_RW = Attributes.readWrite().withUser(true).withAccessed(true);

  @TempDir
  Path dir;

  private List<RootCandidate> scan(SimulatedMemory memory, long size, PagingFormat format) throws IOException {
    Path file = dir.resolve(format.name().replace('/', '-') + ".elf");
    ImageWriter.of(memory).segment(0, 0xa_0000).segment(0x10_0000, size - 0x10_0000).write(file, ImageKind.ELF_CORE);
    try (MemoryImage image = MemoryImage.open(file)) {
      return RootFinder.of(format).scan(image);
    }
  }

  private static RootCandidate at(List<RootCandidate> found, long address) {
    return found.stream().filter(c -> c.address() == address).findFirst()
        .orElseThrow(() -> new AssertionError("no candidate at 0x" + Long.toHexString(address) + " in " + found));
  }

  private static PageTables process(PageTables kernel, long code) {
    PageTables p = PageTables.createSharingKernelHalf(kernel);
    p.map(VirtualRange.ofLength(0x40_0000L, 0x4000), code, USER_RX);
    p.map(VirtualRange.ofLength(0xffff_ffff_8000L, 0x8000), code + 0x10_0000, USER_RW);
    return p;
  }

  @Test
  void kernelAndProcessRootsAreFoundAndToldApartByTheirLeaves() throws IOException {
    SimulatedMemory memory = SimulatedMemory.ofSize(MEMORY);
    TrackingFrameAllocator frames = TrackingFrameAllocator.over(0x10_0000, 2048);
    PageTables kernel = PageTables.create(A64, memory, frames);
    // 16 MiB of linear map in 2 MiB blocks and 64 KiB of text in 4 KiB pages: 8 + 16 leaves.
    kernel.map(VirtualRange.ofLength(LINEAR_MAP, 16L << 20), 0, KERNEL_RW);
    kernel.map(VirtualRange.ofLength(KERNEL_TEXT, 0x1_0000), DATA, KERNEL_RX);
    PageTables a = process(kernel, DATA + 0x100_0000);
    PageTables b = process(kernel, DATA + 0x200_0000);
    // Half user pages, half kernel pages, all in one lower half: the leaves cannot tell.
    PageTables mixed = PageTables.create(A64, memory, frames);
    mixed.map(VirtualRange.ofLength(0x1000_0000L, 0x4000), DATA + 0x300_0000, USER_RW);
    mixed.map(VirtualRange.ofLength(0x2000_0000L, 0x4000), DATA + 0x310_0000, KERNEL_RW);
    List<Long> decoys = decoys(memory, 0x180_0000L);

    List<RootCandidate> found = scan(memory, MEMORY, A64);

    RootCandidate k = at(found, kernel.space().upperRoot());
    assertThat(k.half()).isEqualTo(RootCandidate.Half.UPPER);
    assertThat(k.leaves()).isEqualTo(8 + 16);
    assertThat(k.leavesComplete()).isTrue();
    // Root entries 0 (the linear map at the half's bottom) and 256 (the text, 2^47 above it).
    assertThat(k.tableEntries()).isEqualTo(2);
    assertThat(k.upperHalfTableEntries()).isZero();
    assertThat(k.kernelGroup()).isZero();
    assertThat(k.ptiTwin()).isEmpty();
    for (PageTables p : List.of(a, b)) {
      RootCandidate c = at(found, p.space().root());
      assertThat(c.half()).isEqualTo(RootCandidate.Half.LOWER);
      // Its own 4 code and 8 stack pages: the kernel's half is another root's.
      assertThat(c.leaves()).isEqualTo(12);
      assertThat(c.tableEntries()).isEqualTo(2);
    }
    RootCandidate m = at(found, mixed.space().root());
    assertThat(m.half()).isEqualTo(RootCandidate.Half.EITHER);
    assertThat(m.leaves()).isEqualTo(8);
    assertThat(m.toString()).contains("a TTBR0 or TTBR1 root, 1 table entries").doesNotContain("upper half");
    // Every real root ranks above anything else the scan kept; no decoy is kept.
    List<Long> real = List.of(kernel.space().upperRoot(), a.space().root(), b.space().root(), mixed.space().root());
    assertThat(found.subList(0, real.size())).extracting(RootCandidate::address)
        .containsExactlyInAnyOrderElementsOf(real);
    assertThat(found).extracting(RootCandidate::address).doesNotContainAnyElementsOf(decoys);
    // The kernel's own TTBR0 root and the mixed space's TTBR1 root map nothing: all zero, never candidates.
    assertThat(found).extracting(RootCandidate::address)
        .doesNotContain(kernel.space().root(), mixed.space().upperRoot());
  }

  /** Random bytes, table descriptors into zero pages, and one table linked 512 times. */
  private static List<Long> decoys(SimulatedMemory memory, long at) {
    List<Long> decoys = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(2026);
    for (int k = 0; k < 512; k++) {
      memory.write(at + 8L * k, random.nextLong());
    }
    decoys.add(at);
    at += 0x1000;
    for (int k = 0; k < 20; k++) {
      memory.write(at + 8L * (k * 12), A64.encodeTable(A64.root(), 0x1e0_0000L + 0x1000 * k, Attributes.readWrite()));
    }
    decoys.add(at);
    at += 0x1000;
    long table = A64.encodeTable(A64.root(), 0x100_0000L, Attributes.readWrite());
    for (int k = 0; k < 512; k++) {
      memory.write(at + 8L * k, table);
    }
    decoys.add(at);
    return decoys;
  }

  @Test
  void whereTheHalvesGeometriesDifferTheLevelsThatReadARootSayItsHalf() throws IOException {
    PagingFormat split = Formats.aarch64(Aarch64Options.defaults().withGranules(4096, 65536)
        .withVirtualAddressBits(39, 42));
    SimulatedMemory memory = SimulatedMemory.ofSize(MEMORY);
    PageTables tables = PageTables.create(split, memory, TrackingFrameAllocator.over(0x100_0000, 64, 65536));
    tables.map(VirtualRange.ofLength(0x40_0000L, 0x3000), DATA, USER_RX);
    tables.map(VirtualRange.ofLength(split.upperHalf().first(), 0x2_0000), DATA + 0x10_0000, KERNEL_RW);

    List<RootCandidate> found = scan(memory, MEMORY, split);

    // TTBR0's root read with the 4 KiB levels: its 3 user pages. Read with TTBR1's 64 KiB levels
    // it is a root too: its entry links the 4 KiB level 2 table, whose one descriptor (0b11 to
    // the level 3 table) reads as a 64 KiB page there, not EL0's. A page that reads as a root of
    // both geometries is listed once for each; only the registers can say which it is.
    long lower = tables.space().root();
    long upper = tables.space().upperRoot();
    assertThat(found).extracting(RootCandidate::address, RootCandidate::half, RootCandidate::leaves)
        .containsExactly(
            tuple(lower, RootCandidate.Half.LOWER, 3L),
            tuple(lower, RootCandidate.Half.UPPER, 1L),
            tuple(upper, RootCandidate.Half.UPPER, 2L));
  }

  /**
   * A hostile image: 512 pages whose every entry links one of the 512, so each page is a root
   * and each walk a complete graph four levels deep, its last level read as pages. The scan ends,
   * and the counts stop at their budget and say so.
   */
  @Test
  void aPageGraphWhereEveryPageLinksEveryPageEndsWithinItsBudgets() throws IOException {
    SimulatedMemory hostile = SimulatedMemory.ofSize(2L << 20);
    for (long page = 0; page < 512; page++) {
      for (int k = 0; k < 512; k++) {
        hostile.write(page * 4096 + 8L * k, A64.encodeTable(A64.root(), k * 4096L, Attributes.readWrite()));
      }
    }
    Path file = dir.resolve("hostile.raw");
    ImageWriter.of(hostile).segment(0, 2L << 20).write(file, ImageKind.RAW);
    try (MemoryImage image = MemoryImage.open(file)) {
      List<RootCandidate> found = RootFinder.of(A64).withLeafBudget(10_000).scan(image);
      assertThat(found).hasSize(512);
      assertThat(found.subList(0, RootFinder.COUNTED)).allSatisfy(c -> {
        assertThat(c.leavesComplete()).isFalse();
        assertThat(c.leaves()).isPositive();
      });
      assertThat(found.get(RootFinder.COUNTED).leaves()).isEqualTo(-1);
    }
  }

  @Test
  void rootsOfAFewEntriesAreRefusedByName() {
    // 16 KiB granules with 48-bit halves: level 0 has 2 entries.
    PagingFormat small = Formats.aarch64(Aarch64Options.defaults().withGranules(16384, 16384));
    assertThatThrownBy(() -> RootFinder.of(small)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("aarch64-16k: a root table is 16 bytes (2 entries), too few to be told from data by scanning; "
            + "the root must be given (TTBR0_EL1, TTBR1_EL1)");
  }
}
