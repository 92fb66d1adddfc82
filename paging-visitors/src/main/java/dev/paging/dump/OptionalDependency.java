package dev.paging.dump;

/**
 * Checks for a library the module declares optional, so that a missing one is a sentence naming
 * the artifact to add rather than a {@link NoClassDefFoundError} from deep inside a renderer.
 */
final class OptionalDependency {
  private OptionalDependency() {}

  /**
   * Returns when {@code className} can be loaded by this module's loader.
   *
   * @throws IllegalStateException naming {@code artifact} and the {@code feature} that needs it
   */
  static void require(String className, String artifact, String feature) {
    try {
      Class.forName(className, false, OptionalDependency.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException(feature + " need " + artifact + ", an optional dependency of paging-visitors"
          + " that is not on the class path or module path (" + className + " is missing): add it to your build", e);
    }
  }
}
