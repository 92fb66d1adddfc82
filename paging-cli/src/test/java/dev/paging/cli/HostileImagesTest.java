package dev.paging.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import dev.paging.api.Attributes;
import dev.paging.api.PagingFormat;
import dev.paging.core.Formats;
import dev.paging.testkit.stateful.Generators;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded run of the command line, in process, over seeded hostile images of every format:
 * random bytes; realistic tables with bits flipped; tables that link each other (cycles and
 * fan-out through every level); tables that point past the end of the image. Whatever the image
 * holds, every command ends with a status it documents (0 or 1), says nothing of an exception,
 * writes JSON that parses, and keeps within its output budget. The test JVM has a 256 MiB heap
 * (this module's Surefire configuration), so a command that held its whole output or every
 * finding in memory would fail here too.
 */
class HostileImagesTest {
  private static final List<PagingFormat> FORMATS = List.of(Formats.x86_64(), Formats.x86_64FiveLevel(),
      Formats.sv39(), Formats.sv48(), Formats.sv57(), Formats.x86_32(), Formats.x86Pae(), Formats.aarch64());
  private static final int IMAGES = 240;
  private static final int FRAME = 4096;
  private static final long OUTPUT_BUDGET = 200_000;

  @TempDir
  Path dir;

  @Test
  void noHostileImageMakesACommandFailOrRunAway() throws IOException {
    SplittableRandom seeds = new SplittableRandom(0x5eed_13L);
    int runs = 0;
    for (int n = 0; n < IMAGES; n++) {
      long seed = seeds.nextLong();
      SplittableRandom random = new SplittableRandom(seed);
      PagingFormat format = FORMATS.get(n % FORMATS.size());
      int kind = (n / FORMATS.size()) % 4;
      byte[] bytes = image(kind, format, random);
      Path file = Files.write(dir.resolve("hostile-" + n + ".img"), bytes);
      // The realistic tables have their root at 0; elsewhere any frame may be the root.
      long root = kind == 1 ? 0 : (long) random.nextInt(bytes.length / FRAME) * FRAME;
      String what = "image " + n + " (" + KINDS[kind] + ", " + format.name() + ", seed " + seed + ", root 0x"
          + Long.toHexString(root) + ")";
      for (String[] command : commands(format, random)) {
        runs++;
        check(what, file, format, root, command);
      }
    }
    assertThat(runs).isGreaterThan(IMAGES * 4);
  }

  private static final String[] KINDS = {"random bytes", "flipped bits", "linked tables", "beyond the image"};

  private static byte[] image(int kind, PagingFormat format, SplittableRandom random) {
    int frames = 2 + random.nextInt(30);
    switch (kind) {
      case 0: {
        byte[] bytes = new byte[frames * FRAME];
        random.nextBytes(bytes);
        return bytes;
      }
      case 1: {
        ImageBuilder b = ImageBuilder.of(format, 64L * FRAME, 0);
        long upper = format.upperHalf().first();
        // The large page of the level above the last: 2 MiB, or 4 MiB in 32-bit paging.
        long large = format.levels().get(format.levels().size() - 2).entrySpan();
        b.map(0x40_0000L, FRAME, 0x20_0000L, Generators.executableWhereNeeded(format, Attributes.readExecute().withUser(true)));
        b.map(0x7fff_f000L, FRAME, 0x21_0000L, Generators.executableWhereNeeded(format, Attributes.readWrite().withUser(true)));
        b.map(upper + large, large, 2 * large, Generators.executableWhereNeeded(format, Attributes.readWrite().withGlobal(true)));
        b.map(upper + 0x1000L, FRAME, 0x3_0000L, Generators.executableWhereNeeded(format, Attributes.readOnly()));
        byte[] bytes = b.memory.readBytes(0, 32 * FRAME);
        for (int flips = 1 + random.nextInt(64); flips > 0; flips--) {
          bytes[random.nextInt(16 * FRAME)] ^= (byte) (1 << random.nextInt(8));
        }
        return bytes;
      }
      case 2: {
        // Every entry present and pointing at a random table of the image (itself, an ancestor,
        // a sibling), some with leaf bits: cycles and fan-out at every level.
        ByteBuffer b = ByteBuffer.allocate(frames * FRAME).order(ByteOrder.LITTLE_ENDIAN);
        boolean x86 = format.architecture().isX86();
        boolean arm = format.rootPerHalf();
        int size = format.root().entryBytes();
        for (int t = 0; t < frames; t++) {
          for (int i = 0; i < FRAME / size; i++) {
            long target = (long) random.nextInt(frames) * FRAME;
            long entry = x86 ? target | 0x7 | (random.nextInt(8) == 0 ? 0x80 : 0)
                : arm ? target | (random.nextInt(8) == 0 ? 0x1 : 0x3) | (random.nextInt(4) == 0 ? 1L << 52 : 0)
                : (target >>> 12) << 10 | 0x1 | (random.nextInt(8) == 0 ? 0xe : 0);
            put(b, size, t * FRAME + size * i, random.nextInt(4) == 0 ? 0 : entry);
          }
        }
        return b.array();
      }
      default: {
        // Pointers and leaves past the end of the image, and into its last partial words.
        ByteBuffer b = ByteBuffer.allocate(frames * FRAME).order(ByteOrder.LITTLE_ENDIAN);
        boolean x86 = format.architecture().isX86();
        int size = format.root().entryBytes();
        for (int t = 0; t < frames; t++) {
          for (int i = 0; i < FRAME / size; i += 1 + random.nextInt(8)) {
            long target = ((long) frames + random.nextInt(1 << 20)) * FRAME;
            if (random.nextBoolean()) {
              target = (long) random.nextInt(frames) * FRAME;
            }
            put(b, size, t * FRAME + size * i, x86 || format.rootPerHalf() ? target | 0x3 : (target >>> 12) << 10 | 0x1);
          }
        }
        return b.array();
      }
    }
  }

  /** Writes an entry of {@code size} bytes; a 4-byte one keeps the low half of {@code entry}. */
  private static void put(ByteBuffer b, int size, int at, long entry) {
    if (size == 4) {
      b.putInt(at, (int) entry);
    } else {
      b.putLong(at, entry);
    }
  }

  private static List<String[]> commands(PagingFormat format, SplittableRandom random) {
    List<String[]> commands = new ArrayList<>();
    String[] views = format.architecture().isX86()
        ? new String[] {"json", "ptdump", "info-mem", "info-tlb", "vmprint", "dot"}
        : format.rootPerHalf() ? new String[] {"json", "ptdump", "vmprint", "dot"}
        : new String[] {"json", "ptdump", "info-mem", "vmprint", "dot"};
    commands.add(new String[] {"inspect", "--view", "json", "--output-budget", Long.toString(OUTPUT_BUDGET)});
    commands.add(new String[] {"inspect", "--view", views[1 + random.nextInt(views.length - 1)],
        "--output-budget", Long.toString(OUTPUT_BUDGET)});
    commands.add(new String[] {"audit", "--json"});
    commands.add(new String[] {"audit"});
    commands.add(new String[] {"translate", "0x0", "0x400000", "0x7ffff000",
        "0x" + Long.toHexString(format.upperHalf().first() + 0x201000L)});
    return commands;
  }

  private static void check(String what, Path file, PagingFormat format, long root, String[] command)
      throws IOException {
    List<String> args = new ArrayList<>(List.of(command));
    args.addAll(List.of("--image", file.toString()));
    if (format.rootPerHalf()) {
      // The same table for both halves, as when TTBR0 = TTBR1; ASID and CnP bits set on the way.
      args.addAll(List.of("--tcr", "0x5b5103510", "--ttbr0", "0x" + Long.toHexString(root | 0x0001_0000_0000_0001L),
          "--ttbr1", "0x" + Long.toHexString(root)));
    } else {
      args.addAll(List.of("--format", format.name(), "--root", "0x" + Long.toHexString(root)));
    }
    if (!command[0].equals("translate")) {
      args.addAll(List.of("--entry-budget", "200_000"));
    }
    CliRun r = CliRun.of(args.toArray(new String[0]));
    String at = what + ": paging " + String.join(" ", command);
    if (r.status != 0 && r.status != 1) {
      fail(at + " ended with status " + r.status + ": " + r.err);
    }
    assertThat(r.err).as(at).doesNotContain("Exception").doesNotContain("Error:").doesNotContain("Cannot ");
    if (command[0].equals("inspect")) {
      // Past the budget by at most what one hook prints (dot draws a whole table at its end) and
      // the closing of what was open.
      assertThat((long) r.out.length()).as(at).isLessThanOrEqualTo(OUTPUT_BUDGET + 65_536);
    }
    if (List.of(command).contains("json") || List.of(command).contains("--json")) {
      try (JsonParser p = new JsonFactory().createParser(r.out)) {
        while (p.nextToken() != null) {
          // Reading every token is the check: a malformed document throws.
        }
      } catch (IOException e) {
        fail(at + " wrote JSON that does not parse: " + e.getMessage());
      }
    }
  }
}
