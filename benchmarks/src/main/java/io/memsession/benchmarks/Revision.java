package io.memsession.benchmarks;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Another build of memsession, measured in the same run as this one: every memsession configuration asked for also
 * runs on its jars, so a change is judged against the code before it with the machine's drift hitting both alike.
 * {@code bin/benchmark --revisions} builds each revision and passes its jars here.
 *
 * @param label what the run's tables call it (the revision as the user named it)
 * @param jars the directory holding that build's memsession jars
 */
record Revision(String label, Path jars) {

    /**
     * The memsession jars a Tomcat JVM of the benchmark loads: the Tomcat 9 bridge (with core inside), core and
     * the serializers. The sample application, the test kit and everything else stay this build's.
     */
    private static final Pattern MEMSESSION_JAR =
            Pattern.compile("memsession-(core|tomcat9|serializer-java|serializer-kryo)-.+\\.jar");
    private static final int MEMSESSION_JARS = 4;

    /** {@code LABEL=DIRECTORY}, as {@code --revision} takes it. */
    static Revision parse(String value) {
        int equals = value.indexOf('=');
        if (equals <= 0 || equals == value.length() - 1) {
            throw new IllegalArgumentException("--revision expects LABEL=DIRECTORY, not " + value);
        }
        return new Revision(value.substring(0, equals), Path.of(value.substring(equals + 1)));
    }

    /** {@code classPath} with its memsession jars replaced by this revision's. */
    String classPath(String classPath) {
        List<String> path = new ArrayList<>();
        int replaced = 0;
        for (String entry : classPath.split(File.pathSeparator)) {
            if (isMemsessionJar(Path.of(entry))) {
                replaced++;
            } else {
                path.add(entry);
            }
        }
        List<String> own = ownJars();
        if (replaced != MEMSESSION_JARS || own.size() != MEMSESSION_JARS) {
            // a layout the replacement does not know would mix two builds' classes in one JVM
            throw new IllegalStateException("revision " + label + ": expected the " + MEMSESSION_JARS
                    + " memsession jars (core, tomcat9, serializer-java, serializer-kryo) on the class path and in "
                    + jars + ", found " + replaced + " and " + own);
        }
        path.addAll(own);
        return String.join(File.pathSeparator, path);
    }

    private List<String> ownJars() {
        try (Stream<Path> files = Files.list(jars)) {
            return files.filter(Revision::isMemsessionJar).map(Path::toString).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("revision " + label + ": cannot list its jars in " + jars, e);
        }
    }

    private static boolean isMemsessionJar(Path file) {
        return file.getFileName() != null && MEMSESSION_JAR.matcher(file.getFileName().toString()).matches();
    }
}
