package dev.paging.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OptionalDependencyTest {
  @Test
  void aMissingLibraryIsASentenceNamingTheArtifactToAdd() {
    assertThatThrownBy(() -> OptionalDependency.require("com.example.Absent", "com.example:absent", "Widgets"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Widgets need com.example:absent, an optional dependency of paging-visitors that is not on the"
            + " class path or module path (com.example.Absent is missing): add it to your build")
        .hasCauseInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void aPresentLibraryPassesAndTheJsonRendererIsMadeWithIt() {
    assertThatCode(() -> OptionalDependency.require("com.fasterxml.jackson.core.JsonFactory",
        "com.fasterxml.jackson.core:jackson-core", "JSON dumps")).doesNotThrowAnyException();
    assertThat(DumpRenderer.json(new StringBuilder())).isInstanceOf(JsonDumpRenderer.class);
  }
}
