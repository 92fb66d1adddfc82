package dev.paging.images;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** What a reader found in an image's headers: its physical map, and what the notes record. */
final class ImageLayout {
  final List<Segment> segments;
  final @Nullable Architecture architecture;
  final List<Cpu> cpus;
  final @Nullable VmcoreInfo vmcoreInfo;

  ImageLayout(List<Segment> segments, @Nullable Architecture architecture, List<Cpu> cpus,
      @Nullable VmcoreInfo vmcoreInfo) {
    this.segments = List.copyOf(segments);
    this.architecture = architecture;
    this.cpus = List.copyOf(cpus);
    this.vmcoreInfo = vmcoreInfo;
  }
}
