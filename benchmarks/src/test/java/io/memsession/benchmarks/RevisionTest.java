package io.memsession.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RevisionTest {

    private static final List<String> ARTIFACTS = List.of("core", "tomcat9", "serializer-java", "serializer-kryo");

    @TempDir
    Path directory;

    @Test
    void aRevisionsTomcatLoadsItsMemsessionJarsAndThisBuildsEverythingElse() throws IOException {
        Path jars = jars("revision", "0.0.9");
        String own = String.join(File.pathSeparator, "/m2/tomcat-embed-core-9.0.100.jar",
                "/m2/memsession-samples-0.1.0.jar", "/m2/memsession-tomcat9-0.1.0.jar",
                "/m2/memsession-core-0.1.0.jar", "/m2/memsession-testkit-0.1.0.jar",
                "/m2/memsession-serializer-java-0.1.0.jar", "/m2/memsession-serializer-kryo-0.1.0.jar",
                "/m2/kryo-5.6.2.jar");

        List<String> path = List.of(new Revision("before", jars).classPath(own).split(File.pathSeparator));

        assertEquals(List.of("/m2/tomcat-embed-core-9.0.100.jar", "/m2/memsession-samples-0.1.0.jar",
                "/m2/memsession-testkit-0.1.0.jar", "/m2/kryo-5.6.2.jar"), path.subList(0, 4));
        assertEquals(ARTIFACTS.stream().map(artifact -> jars.resolve("memsession-" + artifact + "-0.0.9.jar")
                .toString()).sorted().toList(), path.subList(4, path.size()));
    }

    @Test
    void aRevisionMissingAJarIsRefusedRatherThanMixedWithThisBuild() throws IOException {
        Path jars = jars("incomplete", "0.0.9");
        Files.delete(jars.resolve("memsession-serializer-kryo-0.0.9.jar"));
        String own = String.join(File.pathSeparator, ARTIFACTS.stream()
                .map(artifact -> "/m2/memsession-" + artifact + "-0.1.0.jar").toList());

        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> new Revision("incomplete", jars).classPath(own));
        assertTrue(refused.getMessage().contains("revision incomplete"), refused.getMessage());
    }

    @Test
    void optionsTakeEachRevisionAsLabelAndDirectory() {
        BenchmarkOptions options = BenchmarkOptions.parse("--revision", "HEAD~1=/tmp/a", "--revision", "v1=/tmp/b");
        assertEquals(List.of(new Revision("HEAD~1", Path.of("/tmp/a")), new Revision("v1", Path.of("/tmp/b"))),
                options.revisions());
        assertThrows(IllegalArgumentException.class, () -> BenchmarkOptions.parse("--revision", "/tmp/a"));
    }

    private Path jars(String name, String version) throws IOException {
        Path jars = Files.createDirectories(directory.resolve(name));
        for (String artifact : ARTIFACTS) {
            Files.createFile(jars.resolve("memsession-" + artifact + "-" + version + ".jar"));
        }
        return jars;
    }
}
