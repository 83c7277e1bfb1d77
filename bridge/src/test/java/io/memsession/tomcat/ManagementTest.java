package io.memsession.tomcat;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Set;

import javax.management.Attribute;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.WebClient;

/**
 * What operators rely on: asynchronous backup (the production default) loses no change, and the Manager's JMX
 * bean shows the statistics and takes runtime changes. Tomcats {@code tc1}/{@code tc2}, memcached node {@code n1}.
 */
class ManagementTest {

    @RegisterExtension
    static final MemcachedCluster MEMCACHED = new MemcachedCluster("n1");

    private final MemcachedInspector inspector = MEMCACHED.inspector("n1");
    @RegisterExtension
    final RunningTomcats tomcats = new RunningTomcats();
    @AutoClose
    private final WebClient browser = new WebClient();

    private EmbeddedTomcat start(String jvmRoute, String... attributes) throws Exception {
        return tomcats.start(jvmRoute, MEMCACHED.memcachedNodes("n1"), attributes);
    }

    private Page get(EmbeddedTomcat tomcat, String path) {
        return Page.of(browser.get(tomcat.port(), path));
    }

    @Test
    void asynchronousBackupStoresEveryChangeEventually() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "sessionBackupAsync", "true");
        EmbeddedTomcat tc2 = start("tc2", "sessionBackupAsync", "true");
        int requests = 200;
        String id = null;
        for (int i = 1; i <= requests; i++) {
            Page page = get(tc1, "/");
            assertEquals(i, page.counter());
            id = page.id();
        }
        String stored = id;

        await().atMost(10, SECONDS).until(() -> StoredAttributes.counter(inspector, stored), is(requests));

        assertNotEquals("Count = 0", tc1.manager().getMsmStatBackupLagInfo()[0],
                "the lag between request end and write is measured");
        assertTrue(inspector.stat("cmd_set") <= requests, "at most one write per request");
        assertEquals(requests + 1, get(tc2, "/").counter());
    }

    @Test
    void managerBeanShowsStatisticsAndTakesRuntimeChanges() throws Exception {
        EmbeddedTomcat tc1 = start("tc1");
        get(tc1, "/");
        get(tc1, "/read");
        get(tc1, "/noSession");
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> names = server.queryNames(new ObjectName("*:type=Manager,host=localhost,context=/"), null);
        assertEquals(1, names.size(), names.toString());
        ObjectName manager = names.iterator().next();
        assertEquals(tc1.context().getParent().getParent().getName(), manager.getDomain(),
                "Tomcat names the bean after its Engine (Catalina in a standalone Tomcat)");

        assertEquals(3L, server.getAttribute(manager, "msmStatNumRequestsWithSession"));
        assertEquals(0L, server.getAttribute(manager, "msmStatNumRequestsWithoutSession"));
        assertEquals(1L, server.getAttribute(manager, "msmStatNumNoSessionModification"));
        assertEquals(0L, server.getAttribute(manager, "msmStatNumOversizedSessions"));
        assertEquals("Count = 1", ((String[]) server.getAttribute(manager, "msmStatBackupInfo"))[0]);
        assertEquals("n1:" + MEMCACHED.process("n1").address(), server.getAttribute(manager, "memcachedNodes"));

        server.setAttribute(manager, new Attribute("enabled", false));
        browser.clearCookies();
        Page inMemoryOnly = get(tc1, "/");
        assertTrue(inMemoryOnly.id().matches("[0-9A-F]{32}\\.tc1"), "no node: " + inMemoryOnly.id());
        assertEquals(1, inspector.stat("cmd_set"), "nothing more is written");
        assertArrayEquals(new String[] {"Count = 0", "Min = 0", "Avg = 0", "Max = 0"},
                (String[]) server.getAttribute(manager, "msmStatBackupInfo"));
    }
}
