package io.memsession.tomcat;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Paths;
import java.util.Enumeration;
import java.util.Set;
import java.util.TreeSet;

/**
 * memcached-session-manager's jars left where memsession's is, in Tomcat's {@code lib/}. Both hold a class
 * {@code de.javakaffee.web.msm.MemcachedBackupSessionManager}, and Tomcat lists {@code lib/} in the order the file
 * system gives: whichever jar comes first would run, the other fail on a class of the first. A start error that
 * names the jars to remove is what an operator can act on.
 */
final class MsmJars {

    /** A class of each of memcached-session-manager's jars: its core, its Tomcat adapters and its serializers. */
    private static final String[] MSM_CLASSES = {
        "de/javakaffee/web/msm/MemcachedSessionService.class",
        "de/javakaffee/web/msm/MemcachedBackupSessionManager.class",
        "de/javakaffee/web/msm/serializer/kryo/KryoTranscoderFactory.class",
        "de/javakaffee/web/msm/serializer/xstream/XStreamTranscoderFactory.class",
        "de/javakaffee/web/msm/serializer/json/JSONTranscoderFactory.class",
        "de/javakaffee/web/msm/serializer/javolution/JavolutionTranscoderFactory.class",
    };

    private MsmJars() {
    }

    /**
     * What to tell the operator when memcached-session-manager's jars are visible to memsession's class loader.
     *
     * @return null when there are none
     */
    static String leftOver() {
        ClassLoader loader = MsmJars.class.getClassLoader();
        String ours = containerOf(MsmJars.class.getResource("MsmJars.class"), "io/memsession/tomcat/MsmJars.class");
        Set<String> jars = new TreeSet<>();
        try {
            for (String name : MSM_CLASSES) {
                for (Enumeration<URL> found = loader.getResources(name); found.hasMoreElements(); ) {
                    String container = containerOf(found.nextElement(), name);
                    if (!container.equals(ours)) {
                        jars.add(printable(container));
                    }
                }
            }
        } catch (IOException e) {
            return null; // the class loader cannot list its jars: nothing to say about them
        }
        return jars.isEmpty() ? null : "memcached-session-manager's jars are still next to memsession's, and the two"
                + " cannot run together: remove " + String.join(", ", jars) + " (memsession replaces them; its jar"
                + " answers to memcached-session-manager's class names, see docs/migration.md)";
    }

    /** The jar or directory a resource was found in, as a URL. */
    private static String containerOf(URL resource, String name) {
        String url = resource.toExternalForm();
        String container = url.endsWith(name) ? url.substring(0, url.length() - name.length()) : url;
        if (container.startsWith("jar:") && container.endsWith("!/")) {
            container = container.substring("jar:".length(), container.length() - "!/".length());
        }
        return container;
    }

    private static String printable(String container) {
        try {
            return container.startsWith("file:") ? Paths.get(new URI(container)).toString() : container;
        } catch (URISyntaxException | RuntimeException e) {
            return container;
        }
    }
}
