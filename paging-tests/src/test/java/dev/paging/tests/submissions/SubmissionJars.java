package dev.paging.tests.submissions;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Packs test classes into a jar as a student would hand it in. */
public final class SubmissionJars {
  private SubmissionJars() {}

  /**
   * A jar at {@code file} holding {@code top} and every class nested in it, with, when {@code
   * service} is not null, a {@code META-INF/services/SERVICE} file listing {@code provider}.
   */
  public static Path jar(Path file, Class<?> top, Class<?> service, Class<?> provider) {
    List<Class<?>> classes = new ArrayList<>();
    collect(top, classes);
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
    try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, manifest)) {
      for (Class<?> c : classes) {
        String name = c.getName().replace('.', '/') + ".class";
        try (InputStream in = c.getClassLoader().getResourceAsStream(name)) {
          if (in == null) {
            throw new IllegalStateException("no class file for " + c.getName());
          }
          jar.putNextEntry(new JarEntry(name));
          in.transferTo(jar);
          jar.closeEntry();
        }
      }
      if (service != null) {
        jar.putNextEntry(new JarEntry("META-INF/services/" + service.getName()));
        jar.write(("# the class to grade\n" + provider.getName() + "\n").getBytes(StandardCharsets.UTF_8));
        jar.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  private static void collect(Class<?> c, List<Class<?>> into) {
    into.add(c);
    for (Class<?> nested : c.getDeclaredClasses()) {
      collect(nested, into);
    }
  }
}
