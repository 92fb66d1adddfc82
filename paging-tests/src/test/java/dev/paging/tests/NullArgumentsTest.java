package dev.paging.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.testing.ArbitraryInstances;
import dev.paging.api.Addresses;
import dev.paging.api.Attributes;
import dev.paging.api.FrameAllocator;
import dev.paging.api.Level;
import dev.paging.api.PageTableVisitor;
import dev.paging.api.PagingFormat;
import dev.paging.api.PhysicalMemory;
import dev.paging.api.VirtualRange;
import dev.paging.audit.Audit;
import dev.paging.core.AddressSpace;
import dev.paging.core.Formats;
import dev.paging.core.SharedTables;
import dev.paging.core.Walker;
import dev.paging.dump.DumpRenderer;
import dev.paging.fakes.SimulatedMemory;
import dev.paging.fakes.TrackingFrameAllocator;
import dev.paging.images.Architecture;
import dev.paging.images.Cpu;
import dev.paging.images.ImageKind;
import dev.paging.images.ImageWriter;
import dev.paging.images.MemoryImage;
import dev.paging.images.ReverseMap;
import dev.paging.images.RootFinder;
import dev.paging.images.VmcoreInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.paging.memory.LongArrayMemory;
import dev.paging.ops.InvalidationPlan;
import dev.paging.ops.MapOptions;
import dev.paging.ops.PageTables;
import dev.paging.ops.PendingFrees;
import dev.paging.ops.ReclaimMode;
import dev.paging.ops.ReclaimOptions;
import dev.paging.ops.Reclaimer;
import dev.paging.ops.Translator;
import dev.paging.testkit.Invariants;
import dev.paging.testkit.ReferenceModel;
import dev.paging.testkit.grading.Batteries;
import dev.paging.testkit.grading.Battery;
import dev.paging.testkit.grading.Grader;
import dev.paging.testkit.grading.PagingScenarios;
import dev.paging.testkit.grading.PagingSubmission;
import dev.paging.testkit.grading.PagingSystem;
import dev.paging.testkit.grading.Rubric;
import dev.paging.testkit.grading.TranslateSubmission;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.Proxy;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every public constructor and method of the library's exported packages, called with null for
 * each reference parameter not marked {@code @Nullable} in turn (the others given ordinary
 * values): each must throw a {@link NullPointerException} whose message names that parameter,
 * rather than one that says "null", or none, or fails later somewhere else. Static methods are
 * called for every class; instance methods on one sample instance of each class that has one.
 */
class NullArgumentsTest {
  private static final List<String> PACKAGES = List.of("dev.paging.api", "dev.paging.core", "dev.paging.memory",
      "dev.paging.fakes", "dev.paging.images", "dev.paging.ops", "dev.paging.dump", "dev.paging.audit", "dev.paging.testkit",
      "dev.paging.testkit.stateful", "dev.paging.testkit.grading");

  /** Values for parameters of library types, made fresh for each call. */
  private final Map<Class<?>, Supplier<Object>> values = new HashMap<>();

  NullArgumentsTest() {
    values.put(PagingFormat.class, Formats::x86_64);
    values.put(PhysicalMemory.class, () -> SimulatedMemory.ofSize(16L << 20));
    values.put(SimulatedMemory.class, () -> SimulatedMemory.ofSize(16L << 20));
    values.put(FrameAllocator.class, () -> TrackingFrameAllocator.over(0x10_0000, 1024));
    values.put(TrackingFrameAllocator.class, () -> TrackingFrameAllocator.over(0x10_0000, 1024));
    values.put(AddressSpace.class, this::space);
    values.put(PageTables.class, () -> PageTables.of(space()));
    values.put(VirtualRange.class, () -> VirtualRange.ofLength(0x4000_0000L, 0x1000));
    values.put(Attributes.class, Attributes::readWrite);
    values.put(Level.class, () -> Formats.x86_64().levels().get(3));
    values.put(MapOptions.class, MapOptions::defaults);
    values.put(ReclaimMode.class, () -> ReclaimMode.COLLECT);
    values.put(ReclaimOptions.class, () -> ReclaimOptions.of(ReclaimMode.COLLECT));
    values.put(SharedTables.class, SharedTables::create);
    values.put(InvalidationPlan.class, InvalidationPlan::none);
    values.put(InvalidationPlan.Builder.class, InvalidationPlan::builder);
    values.put(Walker.class, () -> Walker.of(Formats.x86_64(), SimulatedMemory.ofSize(16L << 20)));
    values.put(PageTableVisitor.class, () -> new PageTableVisitor() {});
    values.put(Appendable.class, StringBuilder::new);
    values.put(DumpRenderer.class, () -> DumpRenderer.ptdump(new StringBuilder()));
    values.put(ReferenceModel.class, ReferenceModel::empty);
    values.put(PendingFrees.class, PendingFrees::none);
    values.put(PagingScenarios.Mix.class, PagingScenarios.Mix::everything);
    values.put(PagingSubmission.Factory.class, PagingSubmission::library);
    values.put(TranslateSubmission.class, () -> (TranslateSubmission) (space, va) -> -1);
    values.put(PagingSystem.class, () -> PagingSystem.create(Formats.x86_64(), PagingSubmission.library(), false));
    values.put(Class.class, () -> TranslateSubmission.class);
    values.put(Grader.class, Batteries::translate);
    values.put(Battery.class, () -> Batteries.named("translate"));
    values.put(Rubric.class, Rubric::defaults);
    values.put(Path.class, this::imageFile);
    values.put(MemoryImage.class, this::image);
    values.put(ImageKind.class, () -> ImageKind.RAW);
    values.put(Architecture.class, () -> Architecture.X86_64);
  }

  /** A raw image of four zero pages, in a file deleted when the test JVM ends. */
  private Path imageFile() {
    try {
      Path file = Files.createTempFile("null-arguments", ".img");
      file.toFile().deleteOnExit();
      return Files.write(file, new byte[4 << 12]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private MemoryImage image() {
    try {
      return MemoryImage.open(imageFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private AddressSpace space() {
    SimulatedMemory memory = SimulatedMemory.ofSize(16L << 20);
    return AddressSpace.create(Formats.x86_64(), memory, TrackingFrameAllocator.over(0x10_0000, 1024));
  }

  /** Sample instances whose public instance methods are called too. */
  private List<Object> instances() {
    AddressSpace space = space();
    List<Object> list = new ArrayList<>();
    list.add(space);
    list.add(PageTables.of(space));
    list.add(Translator.of(space));
    list.add(Reclaimer.of(space));
    list.add(space.walker());
    list.add(Formats.x86_64());
    list.add(Formats.sv48());
    list.add(Formats.x86_32());
    list.add(Formats.x86Pae());
    list.add(Formats.aarch64());
    list.add(Formats.x86_32().root());
    list.add(VirtualRange.ofLength(0x4000_0000L, 0x1000));
    list.add(Attributes.readWrite());
    list.add(MapOptions.defaults());
    list.add(ReclaimOptions.of(ReclaimMode.COLLECT));
    list.add(InvalidationPlan.builder());
    list.add(InvalidationPlan.none());
    list.add(SharedTables.create());
    list.add(SimulatedMemory.ofSize(16L << 20));
    list.add(LongArrayMemory.ofSize(0, 1 << 20));
    list.add(TrackingFrameAllocator.over(0x10_0000, 1024));
    list.add(Audit.run(space, VirtualRange.all()));
    list.add(Invariants.check(space));
    list.add(image());
    list.add(ImageWriter.of(SimulatedMemory.ofSize(16L << 20)));
    list.add(RootFinder.of(Formats.x86_64()));
    list.add(ReverseMap.of(Formats.x86_64(), SimulatedMemory.ofSize(16L << 20)));
    list.add(VmcoreInfo.parse("OSRELEASE=6.1\n", Architecture.X86_64));
    list.add(Cpu.of(0, Architecture.X86_64, java.util.Map.of("cr3", 0x1000L)));
    return list;
  }

  @Test
  void everyPublicEntryPointNamesTheNullParameter() throws Exception {
    List<String> problems = new ArrayList<>();
    int calls = 0;
    for (Class<?> type : publicClasses()) {
      for (Executable e : entryPoints(type, true)) {
        calls += check(null, e, problems);
      }
    }
    for (Object instance : instances()) {
      for (Executable e : entryPoints(instance.getClass(), false)) {
        calls += check(instance, e, problems);
      }
    }
    assertThat(problems).as("of " + calls + " calls with a null argument").isEmpty();
    assertThat(calls).isGreaterThan(200);
  }

  private static List<Executable> entryPoints(Class<?> type, boolean statics) {
    List<Executable> list = new ArrayList<>();
    if (statics) {
      for (Constructor<?> c : type.getConstructors()) {
        list.add(c);
      }
    }
    for (Method m : type.getMethods()) {
      if (Modifier.isStatic(m.getModifiers()) == statics && m.getDeclaringClass() != Object.class
          && PACKAGES.contains(m.getDeclaringClass().getPackageName())
          && Modifier.isPublic(m.getDeclaringClass().getModifiers()) && !m.isSynthetic()
          && !(m.getName().equals("equals") && m.getParameterCount() == 1)
          // An enum's valueOf is the JDK's own.
          && !(type.isEnum() && m.getName().equals("valueOf") && m.getParameterCount() == 1)) {
        list.add(m);
      }
    }
    list.sort((a, b) -> a.toString().compareTo(b.toString()));
    return list;
  }

  /** Calls {@code e} once per non-nullable reference parameter; returns the number of calls. */
  private int check(Object instance, Executable e, List<String> problems) {
    Parameter[] parameters = e.getParameters();
    AnnotatedType[] annotated = e.getAnnotatedParameterTypes();
    int calls = 0;
    for (int i = 0; i < parameters.length; i++) {
      Class<?> type = parameters[i].getType();
      if (type.isPrimitive() || nullable(annotated[i]) || nullable(parameters[i])) {
        continue;
      }
      Object[] args = new Object[parameters.length];
      String missing = null;
      for (int j = 0; j < parameters.length; j++) {
        if (j != i) {
          args[j] = value(parameters[j].getType());
          if (args[j] == null && !parameters[j].getType().isPrimitive()) {
            missing = parameters[j].getType().getName();
          }
        }
      }
      String what = e.getDeclaringClass().getSimpleName() + "." + (e instanceof Constructor ? "<init>" : e.getName())
          + Arrays.toString(e.getParameterTypes()) + ", " + parameters[i].getName() + " = null";
      if (missing != null) {
        problems.add(what + ": the test has no value for " + missing);
        continue;
      }
      calls++;
      Throwable thrown = call(instance, e, args);
      if (!(thrown instanceof NullPointerException)) {
        problems.add(what + ": " + (thrown == null ? "returned normally" : "threw " + thrown));
      } else if (thrown.getMessage() == null || !thrown.getMessage().contains(parameters[i].getName())
          // The JVM's helpful message ("Cannot invoke ... because "range" is null") names it
          // only while the code runs interpreted: compiled hot code throws with no message.
          || thrown.getMessage().startsWith("Cannot ")) {
        problems.add(what + ": the exception does not name the parameter: " + thrown.getMessage());
      }
    }
    return calls;
  }

  private static Throwable call(Object instance, Executable e, Object[] args) {
    try {
      if (e instanceof Method) {
        ((Method) e).invoke(instance, args);
      } else {
        ((Constructor<?>) e).newInstance(args);
      }
      return null;
    } catch (InvocationTargetException ex) {
      return ex.getCause();
    } catch (ReflectiveOperationException ex) {
      return ex;
    }
  }

  private Object value(Class<?> type) {
    Supplier<Object> s = values.get(type);
    if (s != null) {
      return s.get();
    }
    if (type.isArray() && type.getComponentType().isPrimitive()) {
      return Array.newInstance(type.getComponentType(), 0);
    }
    Object o = ArbitraryInstances.get(type);
    if (o == null && type.isInterface() && !type.getPackageName().startsWith("dev.paging")) {
      // A functional interface of the JDK (a Consumer, a UnaryOperator): one that returns its
      // argument or a default.
      return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
          (proxy, method, margs) -> method.getReturnType().isPrimitive() ? ArbitraryInstances.get(method.getReturnType())
              : margs != null && margs.length > 0 && method.getReturnType().isInstance(margs[0]) ? margs[0]
              : ArbitraryInstances.get(method.getReturnType()));
    }
    return o;
  }

  private static boolean nullable(AnnotatedType type) {
    return Arrays.stream(type.getAnnotations()).anyMatch(a -> a.annotationType().getSimpleName().equals("Nullable"));
  }

  private static boolean nullable(Parameter p) {
    return Arrays.stream(p.getAnnotations()).anyMatch(a -> a.annotationType().getSimpleName().equals("Nullable"));
  }

  /** The public top-level and nested classes of the exported packages, from the modules' class directories or jars. */
  private static List<Class<?>> publicClasses() throws IOException {
    List<Class<?>> classes = new ArrayList<>();
    for (Class<?> anchor : List.of(Addresses.class, Formats.class, SimulatedMemory.class, PageTables.class,
        Invariants.class)) {
      Path root;
      try {
        root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
      } catch (URISyntaxException ex) {
        throw new IllegalStateException(ex);
      }
      List<String> names = new ArrayList<>();
      if (Files.isDirectory(root)) {
        try (Stream<Path> files = Files.walk(root)) {
          files.filter(f -> f.toString().endsWith(".class")).forEach(f -> names.add(root.relativize(f).toString()));
        }
      } else {
        try (JarFile jar = new JarFile(root.toFile())) {
          jar.stream().map(JarEntry::getName).filter(n -> n.endsWith(".class")).forEach(names::add);
        }
      }
      for (String name : names) {
        String className = name.replace('/', '.').replace('\\', '.').replaceAll("\\.class$", "");
        if (className.endsWith("module-info") || className.endsWith("package-info")) {
          continue;
        }
        Class<?> c;
        try {
          c = Class.forName(className, false, anchor.getClassLoader());
        } catch (ClassNotFoundException ex) {
          throw new UncheckedIOException(new IOException(ex));
        }
        if (PACKAGES.contains(c.getPackageName()) && Modifier.isPublic(c.getModifiers()) && !c.isAnonymousClass()
            && (c.getEnclosingClass() == null || Modifier.isPublic(c.getEnclosingClass().getModifiers()))) {
          classes.add(c);
        }
      }
    }
    classes.sort((a, b) -> a.getName().compareTo(b.getName()));
    return classes;
  }
}
