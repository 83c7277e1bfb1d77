package io.memsession.tomcat;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.apache.commons.collections.functors.InvokerTransformer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.WebClient;

/**
 * Sessions planted in memcached by whoever can write to it: a class whose {@code readObject} runs code is never
 * read, in the default configuration, with {@code classAllowList}, with Tomcat's own filters, in sticky and
 * non-sticky mode and with both serializers. The planting Tomcat {@code tc1} stands for the attacker: it writes the
 * bytes an attacker would. {@code tc2} reads them; its user gets a new session, and the planted key is deleted.
 */
class PlantedSessionTest {

    private static final String KRYO = "io.memsession.serializer.kryo.KryoTranscoderFactory";
    private static final String EXPOSURE = "anyone who can write to memcached";

    @RegisterExtension
    static final MemcachedCluster MEMCACHED = new MemcachedCluster("n1");

    private final MemcachedInspector inspector = MEMCACHED.inspector("n1");
    @RegisterExtension
    final RunningTomcats tomcats = new RunningTomcats();
    @AutoClose
    private final WebClient browser = new WebClient();
    @AutoClose
    private final LogRecorder log = LogRecorder.of("io.memsession");

    private EmbeddedTomcat start(String jvmRoute, String... attributes) throws Exception {
        return tomcats.start(jvmRoute, MEMCACHED.memcachedNodes("n1"), attributes);
    }

    private Page get(EmbeddedTomcat tomcat, String path) {
        return Page.of(browser.get(tomcat.port(), path));
    }

    /** tc1 stores a session holding the gadget; memcached has it when this returns. */
    private String plant(EmbeddedTomcat attacker) {
        String id = get(attacker, "/plantGadget").id();
        await().atMost(5, SECONDS).until(() -> inspector.get(id), notNullValue());
        return id;
    }

    private void assertRefused(EmbeddedTomcat victim, String plantedId, int readsBefore, String... inWarning) {
        Page page = get(victim, "/");

        assertNotEquals(plantedId.substring(0, 32), page.id().substring(0, 32), "a new session");
        assertEquals(1, page.counter());
        assertNull(page.get("planted"));
        assertEquals(readsBefore, InvokerTransformer.READS.get(), "the planted readObject never ran");
        assertNull(inspector.get(plantedId), "the planted key is deleted");
        assertEquals(1, log.warningsContaining(plantedId, "cannot be read").size(), log.warnings().toString());
        for (String fragment : inWarning) {
            assertEquals(1, log.warningsContaining(plantedId, fragment).size(), log.warnings().toString());
        }
        assertEquals(1, victim.manager().getMsmStatNumUnreadableSessions());
    }

    @Test
    void stickyTakeOverRefusesTheGadgetInTheDefaultConfiguration() throws Exception {
        EmbeddedTomcat tc1 = start("tc1");
        EmbeddedTomcat tc2 = start("tc2");
        int reads = InvokerTransformer.READS.get();
        String planted = plant(tc1);

        assertRefused(tc2, planted, reads, InvokerTransformer.class.getName(), "gadget");
    }

    @Test
    void nonStickyReadRefusesTheGadgetInTheDefaultConfiguration() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "sticky", "false");
        EmbeddedTomcat tc2 = start("tc2", "sticky", "false");
        int reads = InvokerTransformer.READS.get();
        String planted = plant(tc1);

        assertRefused(tc2, planted, reads, InvokerTransformer.class.getName(), "gadget");
    }

    @Test
    void kryoRefusesTheGadgetInTheDefaultConfiguration() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "transcoderFactoryClass", KRYO);
        EmbeddedTomcat tc2 = start("tc2", "transcoderFactoryClass", KRYO);
        int reads = InvokerTransformer.READS.get();
        String planted = plant(tc1);

        assertRefused(tc2, planted, reads, InvokerTransformer.class.getName(), "gadget");
    }

    @Test
    void kryoNonStickyRefusesTheGadget() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "transcoderFactoryClass", KRYO, "sticky", "false");
        EmbeddedTomcat tc2 = start("tc2", "transcoderFactoryClass", KRYO, "sticky", "false");
        int reads = InvokerTransformer.READS.get();
        String planted = plant(tc1);

        assertRefused(tc2, planted, reads, InvokerTransformer.class.getName());
    }

    @Test
    void anAllowListNamingTheGadgetsPackageStillRefusesIt() throws Exception {
        EmbeddedTomcat tc1 = start("tc1");
        EmbeddedTomcat tc2 = start("tc2", "classAllowList", "io.memsession.tomcat.*, org.apache.commons.*");
        int reads = InvokerTransformer.READS.get();
        String planted = plant(tc1);

        assertRefused(tc2, planted, reads, "gadget");
    }

    @Test
    void tomcatsValueClassFilterRefusesWhatItDoesNotName() throws Exception {
        EmbeddedTomcat tc1 = start("tc1");
        EmbeddedTomcat tc2 = start("tc2", "sessionAttributeValueClassNameFilter",
                "java\\.lang\\.(?:Boolean|Integer|Long|Number|String)");
        int reads = InvokerTransformer.READS.get();
        String planted = plant(tc1);
        assertRefused(tc2, planted, reads);

        String listener = get(tc1, "/listener").id(); // not a gadget: only Tomcat's filter refuses it
        await().atMost(5, SECONDS).until(() -> inspector.get(listener), notNullValue());
        browser.setCookie("JSESSIONID", listener);
        Page page = get(tc2, "/");
        assertEquals(1, page.counter(), "a new session");
        assertNull(inspector.get(listener));
        assertEquals(1, log.warningsContaining(listener, "sessionAttributeValueClassNameFilter").size(),
                log.warnings().toString());
    }

    @Test
    void tomcatsValueClassFilterSetAtRuntimeApplies() throws Exception {
        EmbeddedTomcat tc1 = start("tc1");
        EmbeddedTomcat tc2 = start("tc2");
        tc2.manager().setSessionAttributeValueClassNameFilter("java\\.lang\\.(?:Integer|Number|String)");
        String listener = get(tc1, "/listener").id();
        await().atMost(5, SECONDS).until(() -> inspector.get(listener), notNullValue());

        Page page = get(tc2, "/");

        assertEquals(1, page.counter(), "a new session");
        assertNull(inspector.get(listener));
        assertEquals(1, log.warningsContaining(listener, "sessionAttributeValueClassNameFilter").size(),
                log.warnings().toString());
    }

    @Test
    void tomcatsValueClassFilterKeepsOtherValuesOutOfMemcached() throws Exception {
        EmbeddedTomcat tc1 = tomcats.add(EmbeddedTomcat.start("tc1", manager -> {
            manager.setMemcachedNodes(MEMCACHED.memcachedNodes("n1"));
            manager.setSessionAttributeValueClassNameFilter("java\\.lang\\.(?:Integer|Number|String)");
            manager.setWarnOnSessionAttributeFilterFailure(true);
        }));
        EmbeddedTomcat tc2 = start("tc2");
        get(tc1, "/set?a=1");
        String id = get(tc1, "/listener").id();

        Page onTc2 = get(tc2, "/");

        assertEquals(id.replace(".tc1", ".tc2"), onTc2.id(), "the session moved");
        assertEquals("1", onTc2.get("a"));
        assertEquals(1, onTc2.counter());
        assertNull(onTc2.get("listener"), "not stored");
        assertEquals(1, log.warningsContaining("'listener'", TestServlet.ActivationRecorder.class.getName(),
                "sessionAttributeValueClassNameFilter").size(), log.warnings().toString());
    }

    @Test
    void tomcatsNameFilterKeepsOtherAttributesOutOfMemcached() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "sessionAttributeNameFilter", "counter|a");
        EmbeddedTomcat tc2 = start("tc2", "sessionAttributeNameFilter", "counter|a");
        get(tc1, "/set?a=1&b=2");
        assertEquals("2", get(tc1, "/read").get("b"), "the application keeps every attribute");

        Page onTc2 = get(tc2, "/read");

        assertEquals("1", onTc2.get("a"));
        assertNull(onTc2.get("b"), onTc2.toString());
    }

    @Test
    void tomcatsNameFilterAlsoAppliesToWhatIsRead() throws Exception {
        EmbeddedTomcat tc1 = start("tc1");
        EmbeddedTomcat tc2 = start("tc2", "sessionAttributeNameFilter", "counter|a");
        String id = get(tc1, "/set?a=1&b=2").id();
        await().atMost(5, SECONDS).until(() -> StoredAttributes.of(inspector.get(id)).get("b"), notNullValue());

        Page onTc2 = get(tc2, "/read");

        assertEquals("1", onTc2.get("a"));
        assertNull(onTc2.get("b"), onTc2.toString());
    }

    @Test
    void startUpSaysOnceWhatIsOpenWithoutAKeyOrAnAllowList() throws Exception {
        start("tc1");
        List<String> open = log.warningsContaining(EXPOSURE, "classAllowList", "encryptionKeyFile", "ROOT");
        assertEquals(1, open.size(), log.warnings().toString());

        start("tc2", "classAllowList", "io.memsession.tomcat.*", "classAllowListMode", "report");
        assertEquals(2, log.warningsContaining(EXPOSURE).size(), "report mode leaves it open");

        start("tc3", "classAllowList", "io.memsession.tomcat.*");
        assertEquals(2, log.warningsContaining(EXPOSURE).size(), "an enforced list closes it");
    }

    @Test
    void reportModeReadsAndNamesEachClassOutsideTheListOnce() throws Exception {
        EmbeddedTomcat tc1 = start("tc1");
        EmbeddedTomcat tc2 = start("tc2", "classAllowListMode", "report");
        String id = get(tc1, "/listener").id();
        get(tc1, "/set?a=1");

        Page onTc2 = get(tc2, "/");

        assertEquals(id.replace(".tc1", ".tc2"), onTc2.id(), "read, not refused");
        assertEquals("recorder", onTc2.get("listener"));
        String entry = TestServlet.ActivationRecorder.class.getName();
        assertEquals(1, log.warningsContaining("add this entry: " + entry).size(), log.warnings().toString());
    }
}
