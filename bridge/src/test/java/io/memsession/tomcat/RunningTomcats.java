package io.memsession.tomcat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The embedded Tomcats of one test, stopped when it ends, so that no scenario class repeats that bookkeeping.
 * Register it on an instance field:
 *
 * <pre>{@code @RegisterExtension
 * final RunningTomcats tomcats = new RunningTomcats();}</pre>
 */
final class RunningTomcats implements AfterEachCallback {

    private final List<EmbeddedTomcat> tomcats = new ArrayList<>();

    /** Starts a Tomcat on {@code memcachedNodes} with {@code attributes} given as name, value, name, value, ... */
    EmbeddedTomcat start(String jvmRoute, String memcachedNodes, String... attributes) throws Exception {
        return add(EmbeddedTomcat.start(jvmRoute, ManagerAttributes.configuration(memcachedNodes, attributes)));
    }

    /** A Tomcat the test started itself, to be stopped with the others. */
    EmbeddedTomcat add(EmbeddedTomcat tomcat) {
        tomcats.add(tomcat);
        return tomcat;
    }

    /** In the order they were started. */
    List<EmbeddedTomcat> all() {
        return tomcats;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        tomcats.forEach(EmbeddedTomcat::close);
        tomcats.clear();
    }
}
