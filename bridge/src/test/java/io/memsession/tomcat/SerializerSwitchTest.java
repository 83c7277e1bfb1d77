package io.memsession.tomcat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.WebClient;

/**
 * A deployment that switches {@code transcoderFactoryClass} keeps its users' sessions: a stored session is read by
 * the serializer that wrote it, and written from then on by the configured one. Tomcats take over from each other
 * ({@code tc1} to {@code tc2} to {@code tc3}), as a rolling deployment would.
 */
class SerializerSwitchTest {

    private static final String KRYO = "io.memsession.serializer.kryo.KryoTranscoderFactory";

    @RegisterExtension
    static final MemcachedCluster MEMCACHED = new MemcachedCluster("n1");

    private final MemcachedInspector n1 = MEMCACHED.inspector("n1");
    @RegisterExtension
    final RunningTomcats tomcats = new RunningTomcats();
    @AutoClose
    private final WebClient browser = new WebClient();
    @AutoClose
    private final LogRecorder log = LogRecorder.of("io.memsession");

    private EmbeddedTomcat start(String jvmRoute, String... attributes) throws Exception {
        return tomcats.start(jvmRoute, MEMCACHED.memcachedNodes("n1"), attributes);
    }

    private String writerOf(String sessionId) {
        return StoredAttributes.session(n1.get(sessionId)).serializerId();
    }

    @Test
    void javaToKryoAndBackKeepsTheSession() throws Exception {
        EmbeddedTomcat java = start("tc1");
        EmbeddedTomcat kryo = start("tc2", "transcoderFactoryClass", KRYO);
        EmbeddedTomcat javaAgain = start("tc3");

        Page.of(browser.get(java.port(), "/set?colour=blue"));
        Page first = Page.of(browser.get(java.port(), "/"));
        assertEquals(1, first.counter());
        assertEquals("java", writerOf(first.id()));

        Page onKryo = Page.of(browser.get(kryo.port(), "/"));
        assertEquals(2, onKryo.counter());
        assertEquals("blue", onKryo.get("colour"));
        assertEquals("kryo", writerOf(onKryo.id()));

        Page back = Page.of(browser.get(javaAgain.port(), "/"));
        assertEquals(3, back.counter());
        assertEquals("blue", back.get("colour"));
        assertEquals("java", writerOf(back.id()));
        assertEquals(List.of(), log.warningsBesidesStartUpExposure());
    }

    @Test
    void aSessionOfAnUnknownSerializerCostsANewSessionAndIsLogged() throws Exception {
        EmbeddedTomcat tc1 = start("tc1");
        EmbeddedTomcat tc2 = start("tc2");
        Page first = Page.of(browser.get(tc1.port(), "/"));
        byte[] blob = n1.get(first.id());
        blob[7 + 3] = '?'; // the serializer id "java" starts at offset 7 of the header: now "jav?"
        n1.set(first.id(), blob, 0);

        Page onTc2 = Page.of(browser.get(tc2.port(), "/"));

        assertEquals(1, onTc2.counter(), "a new session");
        assertEquals(1, log.warningsContaining(first.id(), "jav?", "not installed").size(), log.warnings().toString());
        assertTrue(onTc2.id().endsWith(".tc2"));
    }
}
