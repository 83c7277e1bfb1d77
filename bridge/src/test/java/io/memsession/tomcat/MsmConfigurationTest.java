package io.memsession.tomcat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

import javax.management.Attribute;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.apache.catalina.LifecycleException;
import org.apache.tomcat.util.IntrospectionUtils;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.WebClient;

/**
 * A memcached-session-manager user's {@code context.xml}, unchanged: msm's Manager class name, msm's attributes set the
 * way Tomcat's digester sets them ({@link IntrospectionUtils#setProperty}, which picks a text setter over a typed
 * one), msm's serializer and converter names. msm-era Java code calling the typed setters, and JMX with msm's types.
 * Memcached nodes {@code n1}, {@code n2}.
 */
class MsmConfigurationTest {

    @RegisterExtension
    static final MemcachedCluster MEMCACHED = new MemcachedCluster("n1", "n2");

    @RegisterExtension
    final RunningTomcats tomcats = new RunningTomcats();
    @AutoClose
    private final WebClient browser = new WebClient();
    @AutoClose
    private final LogRecorder log = LogRecorder.of("org.apache.catalina");

    /** The Manager Tomcat makes for {@code className}, as its digester does. */
    private static Supplier<MemcachedSessionManager> className(String name) {
        return () -> {
            try {
                return (MemcachedSessionManager) Class.forName(name).getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new AssertionError("Tomcat could not make the Manager " + name, e);
            }
        };
    }

    /** Each attribute as the digester sets it, in context.xml's order. */
    private static void digest(MemcachedSessionManager manager, String... attributes) {
        for (int i = 0; i < attributes.length; i += 2) {
            assertTrue(IntrospectionUtils.setProperty(manager, attributes[i], attributes[i + 1]), attributes[i]);
        }
    }

    /** Starts, or fails with what Tomcat logged. */
    private EmbeddedTomcat started(String jvmRoute, Supplier<MemcachedSessionManager> newManager,
                                   Consumer<MemcachedSessionManager> configuration)
            throws Exception {
        try {
            return tomcats.add(EmbeddedTomcat.startWith(jvmRoute, newManager, configuration));
        } catch (LifecycleException e) {
            throw new AssertionError("the context did not start: " + log.warnings(), e);
        }
    }

    @Test
    void theIssuesMsmConfigurationRunsUnchanged() throws Exception {
        EmbeddedTomcat tc1 = started("tc1",
                className("de.javakaffee.web.msm.MemcachedBackupSessionManager"), manager -> digest(manager,
                        "memcachedNodes", MEMCACHED.memcachedNodes("n1", "n2"),
                        "failoverNodes", "n1",
                        "requestUriIgnorePattern", ".*\\.(ico|png|gif|jpg|css|js)$",
                        "sessionBackupAsync", "false",
                        "sessionBackupTimeout", "100",
                        "copyCollectionsForSerialization", "false",
                        "transcoderFactoryClass", "de.javakaffee.web.msm.serializer.kryo.KryoTranscoderFactory",
                        "customConverter", "de.javakaffee.web.msm.serializer.kryo.JodaDateTimeRegistration"));

        assertEquals(1, Page.of(browser.get(tc1.port(), "/")).counter());
        Page second = Page.of(browser.get(tc1.port(), "/"));
        assertEquals(2, second.counter());

        assertTrue(second.id().matches("[0-9A-F]{32}-n2\\.tc1"), "n1 is a failover node: " + second.id());
        byte[] stored = MEMCACHED.inspector("n2").get(second.id());
        assertNotNull(stored, "the session is in memcached");
        assertEquals("kryo", StoredAttributes.session(stored).serializerId());
        assertEquals("de.javakaffee.web.msm.MemcachedBackupSessionManager", tc1.manager().getClass().getName());
    }

    @Test
    void msmEraCodeWithTypedSettersConfiguresTheManager() throws Exception {
        EmbeddedTomcat tc1 = started("tc1",
                className("de.javakaffee.web.msm.MemcachedBackupSessionManager"), manager -> {
                    manager.setMemcachedNodes(MEMCACHED.memcachedNodes("n1"));
                    manager.setSticky(false);
                    manager.setLockingMode("all");
                    manager.setLockExpiration(7);
                    manager.setOperationTimeout(1500L);
                    manager.setSessionBackupAsync(false);
                    manager.setSessionBackupTimeout(200);
                    manager.setBackupThreadCount(2);
                    manager.setEnableStatistics(true);
                    manager.setCopyCollectionsForSerialization(false);
                    manager.setEnabled(true);
                });
        MemcachedSessionManager manager = tc1.manager();
        assertFalse(manager.isSticky());
        assertFalse(manager.isSessionBackupAsync());
        assertTrue(manager.isEnabled());
        assertEquals(1500L, manager.getOperationTimeout());
        assertEquals(200L, manager.getSessionBackupTimeout());
        assertEquals(2, manager.getBackupThreadCount());
        assertEquals("7", manager.getLockExpiration());

        Page first = Page.of(browser.get(tc1.port(), "/"));
        assertEquals(2, Page.of(browser.get(tc1.port(), "/")).counter());
        assertEquals(2, StoredAttributes.counter(MEMCACHED.inspector("n1"), first.id()));
        assertEquals(0, manager.findSessions().length, "non-sticky: the session left this Tomcat with its request");
    }

    @Test
    void msmsSystemPropertiesAreNamedInTheLogAsNotRead() throws Exception {
        System.setProperty("msm.kryo.defaultSerializerFactory",
                "de.javakaffee.web.msm.serializer.kryo.CompatibleFieldSerializerFactory");
        try (LogRecorder memsession = LogRecorder.of("io.memsession")) {
            started("tc1", MemcachedSessionManager::new,
                    manager -> manager.setMemcachedNodes(MEMCACHED.memcachedNodes("n1")));
            assertFalse(memsession.warningsContaining("system property msm.kryo.defaultSerializerFactory is "
                    + "memcached-session-manager's; memsession does not read it").isEmpty(),
                    memsession.warnings().toString());
        } finally {
            System.clearProperty("msm.kryo.defaultSerializerFactory");
        }
    }

    /** msm's statistic of what a request's end cost its thread, in both modes. */
    @Test
    void msmsEffectiveBackupStatisticCountsEachRequestsEnd() throws Exception {
        EmbeddedTomcat sticky = started("tc1", MemcachedSessionManager::new,
                manager -> manager.setMemcachedNodes(MEMCACHED.memcachedNodes("n1")));
        Page.of(browser.get(sticky.port(), "/"));
        Page.of(browser.get(sticky.port(), "/"));
        assertEquals("Count = 2", sticky.manager().getMsmStatEffectiveBackupInfo()[0]);

        browser.clearCookies();
        EmbeddedTomcat nonSticky = started("tc2", MemcachedSessionManager::new, manager -> {
            manager.setMemcachedNodes(MEMCACHED.memcachedNodes("n1"));
            manager.setSticky(false);
        });
        Page.of(browser.get(nonSticky.port(), "/"));
        Page.of(browser.get(nonSticky.port(), "/"));
        Page.of(browser.get(nonSticky.port(), "/"));
        assertEquals("Count = 3", nonSticky.manager().getMsmStatEffectiveBackupInfo()[0]);
        assertEquals(0, nonSticky.manager().getMsmStatNumNonStickySessionsPingFailed());
    }

    /**
     * msm's meaning: under a FORM login, a request the pattern matches still finds its session's login (msm read the
     * session for it in non-sticky mode), or Tomcat's authenticator would answer with the login page and a new
     * session, logging the user out.
     */
    @Test
    void anIgnoredResourceBehindAFormLoginKeepsTheLoginInNonStickyMode() throws Exception {
        EmbeddedTomcat tc1;
        try {
            tc1 = tomcats.add(EmbeddedTomcat.start("tc1", "FORM", manager -> digest(manager,
                    "memcachedNodes", MEMCACHED.memcachedNodes("n1"), "sticky", "false", "lockingMode", "auto",
                    "requestUriIgnorePattern", ".*\\.(ico|png|gif|jpg|css|js)$")));
        } catch (LifecycleException e) {
            throw new AssertionError("the context did not start: " + log.warnings(), e);
        }
        Page loggedIn = Logins.form(browser, tc1.port(), "/protected/page");

        WebClient.Response css = browser.get(tc1.port(), "/protected/site.css");
        assertEquals(200, css.status(), css.toString());
        assertEquals(EmbeddedTomcat.USER, Page.of(css).get("user"), css.toString());
        assertEquals(List.of(), css.setCookies(), "no new session");

        Page after = Page.of(browser.get(tc1.port(), "/protected/page"));
        assertEquals(loggedIn.id(), after.id());
        assertEquals(EmbeddedTomcat.USER, after.get("user"));
    }

    @Test
    void aWrongTextStillStopsTheContextThoughATypedSetterIsThere() {
        // a digester that chose setSticky(boolean) would read "yes" as false and start without a word
        assertThrows(LifecycleException.class, () -> EmbeddedTomcat.startWith("tc1",
                className("de.javakaffee.web.msm.MemcachedBackupSessionManager"), manager -> digest(manager,
                        "memcachedNodes", MEMCACHED.memcachedNodes("n1"), "sticky", "yes")).close());
        assertFalse(log.warningsContaining("sticky=\"yes\"", "expected true or false").isEmpty(),
                log.warnings().toString());

        assertThrows(LifecycleException.class, () -> EmbeddedTomcat.startWith("tc1",
                className("de.javakaffee.web.msm.MemcachedBackupSessionManager"), manager -> digest(manager,
                        "memcachedNodes", MEMCACHED.memcachedNodes("n1"), "operationTimeout", "1s")).close());
        assertFalse(log.warningsContaining("operationTimeout=\"1s\"", "expected a whole number").isEmpty(),
                log.warnings().toString());
    }

    @Test
    void anMsmSerializerWithoutCounterpartStopsTheContextNamingWhatToUse() {
        assertThrows(LifecycleException.class, () -> EmbeddedTomcat.startWith("tc1",
                className("de.javakaffee.web.msm.MemcachedBackupSessionManager"), manager -> digest(manager,
                        "memcachedNodes", MEMCACHED.memcachedNodes("n1"),
                        "transcoderFactoryClass", "de.javakaffee.web.msm.serializer.xstream.XStreamTranscoderFactory"))
                .close());
        assertFalse(log.warningsContaining("transcoderFactoryClass=\""
                + "de.javakaffee.web.msm.serializer.xstream.XStreamTranscoderFactory\"",
                "use io.memsession.serializer.kryo.KryoTranscoderFactory").isEmpty(), log.warnings().toString());
    }

    @Test
    void msmsDummyManagerStopsTheContextNamingWhatToUse() {
        assertThrows(LifecycleException.class, () -> EmbeddedTomcat.startWith("tc1",
                className("de.javakaffee.web.msm.DummyMemcachedBackupSessionManager"),
                manager -> digest(manager, "memcachedNodes", MEMCACHED.memcachedNodes("n1"))).close());
        assertFalse(log.warningsContaining("DummyMemcachedBackupSessionManager", "has no counterpart in memsession",
                "use className=\"de.javakaffee.web.msm.MemcachedBackupSessionManager\"").isEmpty(),
                log.warnings().toString());
    }

    /**
     * JMX shows msm's types where msm had a typed getter, and takes values of them; the text attributes stay text.
     * Tomcat's introspection alone would give each of these attributes whichever of its two setters the JVM lists
     * last.
     */
    @Test
    void jmxShowsMsmsTypesAndTakesValuesOfThem() throws Exception {
        EmbeddedTomcat tc1 = started("tc1",
                className("de.javakaffee.web.msm.MemcachedBackupSessionManager"),
                manager -> manager.setMemcachedNodes(MEMCACHED.memcachedNodes("n1")));
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = server.queryNames(new ObjectName("*:type=Manager,host=localhost,context=/"), null)
                .iterator().next();
        Map<String, MBeanAttributeInfo> attributes = new HashMap<>();
        Arrays.stream(server.getMBeanInfo(name).getAttributes()).forEach(a -> attributes.put(a.getName(), a));
        Map<String, String> types = new HashMap<>();
        for (String attribute : List.of("enabled", "sticky", "sessionBackupAsync", "operationTimeout",
                "sessionBackupTimeout", "backupThreadCount", "lockExpiration", "enableStatistics",
                "copyCollectionsForSerialization", "memcachedNodes")) {
            assertNotNull(attributes.get(attribute), attribute + " in " + attributes.keySet());
            assertTrue(attributes.get(attribute).isReadable() && attributes.get(attribute).isWritable(), attribute);
            types.put(attribute, attributes.get(attribute).getType());
        }
        assertEquals(Map.of("enabled", "boolean", "sticky", "boolean", "sessionBackupAsync", "boolean",
                "operationTimeout", "long", "sessionBackupTimeout", "long", "backupThreadCount", "int",
                "lockExpiration", "java.lang.String", "enableStatistics", "java.lang.String",
                "copyCollectionsForSerialization", "java.lang.String",
                "memcachedNodes", "java.lang.String"), types);

        server.setAttribute(name, new Attribute("operationTimeout", 2500L));
        assertEquals(2500L, server.getAttribute(name, "operationTimeout"));
        assertEquals(2500, tc1.manager().engine().configuration().operationTimeoutMillis(), "the running engine");
        assertThrows(Exception.class, () -> server.setAttribute(name, new Attribute("lockExpiration", "1")));
        assertEquals("5", server.getAttribute(name, "lockExpiration"), "a refused value is not kept");

        server.setAttribute(name, new Attribute("enabled", false));
        assertEquals(false, server.getAttribute(name, "enabled"));
        Page inMemoryOnly = Page.of(browser.get(tc1.port(), "/"));
        assertTrue(inMemoryOnly.id().matches("[0-9A-F]{32}\\.tc1"), "no node: " + inMemoryOnly.id());
        MemcachedInspector inspector = MEMCACHED.inspector("n1");
        assertEquals(0, inspector.stat("cmd_set"), "nothing is written while disabled");
    }
}
