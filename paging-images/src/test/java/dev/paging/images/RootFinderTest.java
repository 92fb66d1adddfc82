package dev.paging.images;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paging.api.Attributes;
import dev.paging.api.Level;
import dev.paging.api.PagingFormat;
import dev.paging.api.VirtualRange;
import dev.paging.core.Formats;
import dev.paging.fakes.BumpFrameAllocator;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.ops.PageTables;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The root finder on a simulated machine: two kernels, each with processes sharing its kernel
 * half; a Linux PTI pair; a Windows-style self-referencing root; and decoys: pages of random
 * bytes, valid-looking entries that lead to random bytes, to nothing, or to one table 512 times,
 * and a real lower-level table. Saved as raw, ELF and LiME, every real root is found, ranked above
 * every decoy, and grouped by its kernel.
 */
class RootFinderTest {
  private static final PagingFormat X86 = Formats.x86_64();
  private static final long MEMORY = 32L << 20;
  private static final long DIRECT_MAP = 0xffff_8880_0000_0000L;
  private static final long KERNEL_TEXT = 0xffff_ffff_8000_0000L;
  private static final long PTI_KERNEL = 0x180_0000L;
  private static final long PTI_USER = PTI_KERNEL + 0x1000;
  private static final long SELF_REFERENCING = 0x180_4000L;
  private static final long DECOYS = 0x140_0000L;

  @TempDir
  Path dir;

  private final SimulatedMemory memory = SimulatedMemory.ofSize(MEMORY);
  private final Map<String, Long> roots = new HashMap<>();
  private final List<Long> decoys = new ArrayList<>();
  private PageTables process1a;

  private PageTables kernel(long tablesAt, long textPhysical) {
    PageTables k = PageTables.create(X86, memory, BumpFrameAllocator.over(tablesAt, 2048));
    k.map(VirtualRange.ofLength(DIRECT_MAP, 16L << 20), 0, Attributes.readWrite().withGlobal(true));
    k.map(VirtualRange.ofLength(KERNEL_TEXT, 2L << 20), textPhysical, Attributes.readExecute().withGlobal(true));
    return k;
  }

  private PageTables process(PageTables kernel, long codePhysical) {
    PageTables p = PageTables.createSharingKernelHalf(kernel);
    p.map(VirtualRange.ofLength(0x40_0000L, 0x4000), codePhysical, Attributes.readExecute().withUser(true));
    p.map(VirtualRange.ofLength(0x7fff_ffff_8000L, 0x8000), codePhysical + 0x10_0000,
        Attributes.readWrite().withUser(true));
    return p;
  }

  @BeforeEach
  void buildTheMachine() {
    PageTables k1 = kernel(0x10_0000, 0x200_0000);
    PageTables k2 = kernel(0x90_0000, 0x400_0000);
    roots.put("kernel 1", k1.space().root());
    roots.put("kernel 2", k2.space().root());
    process1a = process(k1, 0x300_0000);
    roots.put("process 1a", process1a.space().root());
    roots.put("process 1b", process(k1, 0x320_0000).space().root());
    roots.put("process 1c", process(k1, 0x340_0000).space().root());
    roots.put("process 2a", process(k2, 0x500_0000).space().root());
    roots.put("process 2b", process(k2, 0x520_0000).space().root());

    // Linux PTI: the kernel PGD 8 KiB aligned, the user PGD after it with the user half and one kernel entry.
    long[] words = words(process1a.space().root());
    write(PTI_KERNEL, words);
    long[] user = new long[512];
    System.arraycopy(words, 0, user, 0, 256);
    user[511] = words[511];
    write(PTI_USER, user);
    roots.put("PTI kernel", PTI_KERNEL);
    roots.put("PTI user", PTI_USER);
    // Windows: a root entry at 0x1ed pointing back to the root.
    long[] windows = words(roots.get("process 1b"));
    windows[0x1ed] = X86.encodeTable(X86.root(), SELF_REFERENCING, Attributes.readWrite());
    write(SELF_REFERENCING, windows);
    roots.put("self-referencing", SELF_REFERENCING);

    SplittableRandom random = new SplittableRandom(2026);
    Level root = X86.root();
    long at = DECOYS;
    for (int i = 0; i < 4; i++, at += 0x1000) { // random bytes
      long[] noise = new long[512];
      for (int k = 0; k < 512; k++) {
        noise[k] = random.nextLong();
      }
      write(at, noise);
      decoys.add(at);
    }
    long[] toNoise = new long[512]; // valid-looking entries into the random pages
    long[] toNothing = new long[512]; // valid-looking entries into zero pages
    for (int k = 0; k < 20; k++) {
      toNoise[256 + k * 12] = X86.encodeTable(root, DECOYS + 0x1000 * (k % 4), Attributes.readWrite());
      toNothing[256 + k * 12] = X86.encodeTable(root, 0x1e0_0000L + 0x1000 * k, Attributes.readWrite());
    }
    write(at, toNoise);
    decoys.add(at);
    at += 0x1000;
    write(at, toNothing);
    decoys.add(at);
    at += 0x1000;
    long[] repeated = new long[512]; // one real PDPT linked 512 times
    java.util.Arrays.fill(repeated, words(process1a.space().root())[511]);
    write(at, repeated);
    decoys.add(at);
    at += 0x1000;
    // A real lower-level table copied as a decoy: process 1a's PDPT of its code.
    long pdpt = X86.address(root, words(process1a.space().root())[0]);
    write(at, words(pdpt));
    decoys.add(at);
  }

  private long[] words(long table) {
    long[] w = new long[512];
    memory.read(table, w, 0, 512);
    return w;
  }

  private void write(long table, long[] words) {
    for (int i = 0; i < words.length; i++) {
      memory.write(table + 8L * i, words[i]);
    }
  }

  private List<RootCandidate> scan(ImageKind kind) throws IOException {
    Path file = dir.resolve("machine." + kind);
    ImageWriter writer = ImageWriter.of(memory);
    if (kind == ImageKind.RAW) {
      writer.segment(0, MEMORY);
    } else {
      writer.segment(0, 0xa_0000).segment(0x10_0000, MEMORY - 0x10_0000);
    }
    writer.write(file, kind);
    try (MemoryImage image = MemoryImage.open(file)) {
      return RootFinder.of(X86).scan(image);
    }
  }

  private static RootCandidate at(List<RootCandidate> found, long address) {
    return found.stream().filter(c -> c.address() == address).findFirst()
        .orElseThrow(() -> new AssertionError("no candidate at 0x" + Long.toHexString(address) + " in " + found));
  }

  @Test
  void everyRealRootIsFoundAboveEveryDecoyInEveryKindOfImage() throws IOException {
    for (ImageKind kind : ImageKind.values()) {
      List<RootCandidate> found = scan(kind);
      int worstReal = -1;
      for (long root : roots.values()) {
        worstReal = Math.max(worstReal, found.indexOf(at(found, root)));
      }
      for (int i = 0; i <= worstReal; i++) {
        assertThat(roots.values()).as("%s: candidate %d of %s", kind, i, found).contains(found.get(i).address());
      }
      assertThat(found).as("%s", kind).extracting(RootCandidate::address).doesNotContainAnyElementsOf(decoys);
    }
  }

  @Test
  void processesAreGroupedByTheirKernel() throws IOException {
    List<RootCandidate> found = scan(ImageKind.ELF_CORE);
    int first = at(found, roots.get("kernel 1")).kernelGroup();
    int second = at(found, roots.get("kernel 2")).kernelGroup();
    assertThat(first).isPositive();
    assertThat(second).isPositive().isNotEqualTo(first);
    for (String name : List.of("process 1a", "process 1b", "process 1c", "PTI kernel", "PTI user", "self-referencing")) {
      assertThat(at(found, roots.get(name)).kernelGroup()).as(name).isEqualTo(first);
    }
    for (String name : List.of("process 2a", "process 2b")) {
      assertThat(at(found, roots.get(name)).kernelGroup()).as(name).isEqualTo(second);
    }
  }

  @Test
  void theEvidenceIsTheTwinTheSelfReferenceAndTheLeaves() throws IOException {
    List<RootCandidate> found = scan(ImageKind.LIME);
    assertThat(at(found, PTI_KERNEL).ptiTwin()).hasValue(PTI_USER);
    assertThat(at(found, PTI_USER).ptiTwin()).hasValue(PTI_KERNEL);
    assertThat(at(found, roots.get("process 1b")).ptiTwin()).isEmpty();
    assertThat(at(found, SELF_REFERENCING).selfReference()).hasValue(0x1ed);
    assertThat(at(found, roots.get("process 1a")).selfReference()).isEmpty();

    // Kernel: 8 leaves of 2 MiB for the 16 MiB direct map and one for the text; a process adds
    // 4 code pages and 8 stack pages.
    RootCandidate kernel = at(found, roots.get("kernel 1"));
    assertThat(kernel.leaves()).isEqualTo(9);
    assertThat(kernel.leavesComplete()).isTrue();
    RootCandidate process = at(found, roots.get("process 1a"));
    assertThat(process.leaves()).isEqualTo(9 + 4 + 8);
    assertThat(process.tableEntries()).isEqualTo(2 + 256);
    assertThat(process.upperHalfTableEntries()).isEqualTo(256);
    assertThat(process.leafEntries()).isZero();
    assertThat(at(found, PTI_USER).tableEntries()).isEqualTo(3);
    // The user PGD links one kernel table, the kernel's root all 256: both rank above user-only pages.
    assertThat(kernel.score()).isGreaterThan(1000);
  }

  /**
   * A hostile image: 512 pages, each linking all 512 (itself included) from every entry, so every
   * page is a candidate and every walk from one is a complete graph four levels deep. The scan
   * ends, and each count stops at its budget and says so.
   */
  @Test
  void aPageGraphWhereEveryPageLinksEveryPageEndsWithinItsBudgets() throws IOException {
    SimulatedMemory hostile = SimulatedMemory.ofSize(2L << 20);
    for (long page = 0; page < 512; page++) {
      for (int k = 0; k < 512; k++) {
        hostile.write(page * 4096 + 8L * k, X86.encodeTable(X86.root(), k * 4096L, Attributes.readWrite()));
      }
    }
    Path file = dir.resolve("hostile.raw");
    ImageWriter.of(hostile).segment(0, 2L << 20).write(file, ImageKind.RAW);
    try (MemoryImage image = MemoryImage.open(file)) {
      List<RootCandidate> found = RootFinder.of(X86).withLeafBudget(10_000).scan(image);
      assertThat(found).hasSize(512);
      assertThat(found.subList(0, RootFinder.COUNTED)).allSatisfy(c -> {
        assertThat(c.leavesComplete()).isFalse();
        assertThat(c.kernelGroup()).isEqualTo(1);
      });
      assertThat(found.get(RootFinder.COUNTED).leaves()).isEqualTo(-1);
      assertThat(found).extracting(c -> c.selfReference().orElseThrow()).containsExactlyInAnyOrderElementsOf(
          java.util.stream.IntStream.range(0, 512).boxed().toList());
    }
  }

  @Test
  void theLeafBudgetBoundsTheCountAndSaysSo() throws IOException {
    Path file = dir.resolve("small.raw");
    ImageWriter.of(memory).segment(0, MEMORY).write(file, ImageKind.RAW);
    try (MemoryImage image = MemoryImage.open(file)) {
      List<RootCandidate> found = RootFinder.of(X86).withLeafBudget(300).scan(image);
      RootCandidate process = at(found, roots.get("process 1a"));
      assertThat(process.leavesComplete()).isFalse();
      assertThat(process.leaves()).isLessThan(21);
      List<Long> progress = new ArrayList<>();
      RootFinder.of(X86).scan(image, progress::add);
      assertThat(progress).endsWith(MEMORY / 4096).hasSize((int) (MEMORY / 4096 / 256) + 1);
    }
  }
}
