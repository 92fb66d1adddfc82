package dev.paging.cli;

import dev.paging.images.MemoryImage;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options of the commands that read an image without walking one root (a picocli mixin):
 * the file, its kind, and a raw image's base. {@link ImageOptions} has the same three, with the
 * root options beside them.
 */
final class ImageFileOptions {
  @Spec(Spec.Target.MIXEE)
  private CommandSpec mixee;

  @Option(names = "--image", paramLabel = "FILE", required = true,
      description = "The memory image: raw, ELF core or LiME, told apart by its first bytes. It is only read.")
  private Path image;

  @Option(names = "--image-format", paramLabel = "KIND",
      description = "raw, elf or lime: read the image as this kind whatever its first bytes say.")
  private String imageFormat;

  @Option(names = "--base", paramLabel = "ADDRESS", converter = AddressConverter.class,
      description = "Physical address of a raw image's first byte (4 KiB aligned). Default: 0.")
  private Long base;

  /**
   * Checks the options and opens the image: the caller closes it.
   *
   * @throws picocli.CommandLine.ParameterException when an option is wrong
   * @throws IllegalArgumentException when the image cannot be read
   */
  MemoryImage open() {
    ImageOptions.checkBase(base, mixee.commandLine());
    return ImageOptions.openChecked(image, ImageOptions.imageKind(imageFormat, mixee.commandLine()), base,
        mixee.commandLine());
  }
}
