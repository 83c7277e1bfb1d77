package io.memsession.tomcat;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.memsession.core.format.StoredSession;
import io.memsession.serializer.ClassAllowList;
import io.memsession.serializer.TranscoderFactory;
import io.memsession.serializer.TranscoderSettings;
import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.WebClient;

/**
 * A stored session of a few hundred bytes whose string length field says 2 GB, planted in memcached: before the
 * read limits every request of that session ended without a response ({@code OutOfMemoryError}, SEVERE) and the key
 * stayed. Now it costs its user a new session, the key is deleted, and no Error reaches the log; for both
 * serializers, sticky (take-over) and non-sticky.
 */
class HugeLengthFieldsTest {

    private static final String KRYO = "io.memsession.serializer.kryo.KryoTranscoderFactory";
    private static final String JAVA = "io.memsession.serializer.java.JavaTranscoderFactory";
    private static final int LIE = Integer.MAX_VALUE - 15;

    @RegisterExtension
    static final MemcachedCluster MEMCACHED = new MemcachedCluster("n1");

    private final MemcachedInspector inspector = MEMCACHED.inspector("n1");
    @RegisterExtension
    final RunningTomcats tomcats = new RunningTomcats();
    @AutoClose
    private final WebClient browser = new WebClient();
    @AutoClose
    private final LogRecorder log = LogRecorder.of("");

    @ParameterizedTest(name = "{0}, sticky={1}")
    @CsvSource({JAVA + ", true", JAVA + ", false", KRYO + ", true", KRYO + ", false"})
    void aStringLengthOf2GbCostsANewSession(String factory, boolean sticky) throws Exception {
        String[] attributes = {"transcoderFactoryClass", factory, "sticky", String.valueOf(sticky)};
        EmbeddedTomcat tc1 = tomcats.start("tc1", MEMCACHED.memcachedNodes("n1"), attributes);
        EmbeddedTomcat tc2 = tomcats.start("tc2", MEMCACHED.memcachedNodes("n1"), attributes);
        String id = Page.of(browser.get(tc1.port(), "/")).id();
        await().atMost(5, SECONDS).until(() -> inspector.get(id), notNullValue());
        byte[] planted = withAttributes(inspector.get(id), factory.equals(JAVA) ? javaLie() : kryoLie());
        assertTrue(planted.length < 300, planted.length + " bytes");
        inspector.set(id, planted, 0);

        Page page = Page.of(browser.get(tc2.port(), "/"));

        assertEquals(200, page.response().status());
        assertNotEquals(id.substring(0, 32), page.id().substring(0, 32), "a new session");
        assertEquals(1, page.counter());
        assertNull(inspector.get(id), "the planted key is deleted");
        assertEquals(1, log.warningsContaining(id, "refused").size(), log.warnings().toString());
        List<String> errors = log.warningsContaining("Error");
        assertEquals(List.of(), errors);
        assertEquals(List.of(), log.warningsContaining("SEVERE"));
    }

    /** Java: the transcoder's own string value (tag 1), whose length is read before its bytes. */
    private static byte[] javaLie() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeInt(1);
            out.writeUTF("big");
            out.writeByte(1);
            out.writeInt(LIE);
        }
        return bytes.toByteArray();
    }

    /** Kryo: a string of 4000 non-ASCII characters, its length field replaced by the lie and its characters cut. */
    private static byte[] kryoLie() throws ReflectiveOperationException {
        char[] text = new char[4000];
        Arrays.fill(text, '\u00e9');
        Map<String, Object> attributes = new HashMap<>(Map.of("big", new String(text)));
        TranscoderFactory factory = (TranscoderFactory) Class.forName(KRYO).getDeclaredConstructor().newInstance();
        byte[] real = factory.createTranscoder(new TranscoderSettings(HugeLengthFieldsTest.class.getClassLoader(),
                false, List.of(), ClassAllowList.allowAll())).serialize(attributes);
        // Kryo's flagged variable-length int of 4001 (characters + 1), then the first UTF-8 "é"
        byte[] length = flaggedVarInt(4001);
        for (int i = 0; i + length.length + 2 <= real.length; i++) {
            if (real[i] == length[0] && real[i + 1] == length[1] && real[i + 2] == (byte) 0xc3) {
                byte[] lie = flaggedVarInt(LIE + 1);
                byte[] planted = Arrays.copyOf(real, i + lie.length + 2);
                System.arraycopy(lie, 0, planted, i, lie.length);
                planted[i + lie.length] = (byte) 0xc3;
                planted[i + lie.length + 1] = (byte) 0xa9;
                return planted;
            }
        }
        throw new AssertionError("no string length in Kryo's bytes");
    }

    /** Kryo's {@code writeVarIntFlag(true, value, true)}: flag bit, then 6 bits, then 7 bits a byte. */
    private static byte[] flaggedVarInt(int value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rest = value >>> 6;
        out.write(0x80 | (rest != 0 ? 0x40 : 0) | (value & 0x3f));
        while (rest != 0) {
            int next = rest >>> 7;
            out.write((rest & 0x7f) | (next != 0 ? 0x80 : 0));
            rest = next;
        }
        return out.toByteArray();
    }

    private static byte[] withAttributes(byte[] blob, byte[] attributes) {
        StoredSession stored = StoredAttributes.ROOT_CONTEXT.decode(blob);
        return StoredAttributes.ROOT_CONTEXT.encode(new StoredSession(stored.id(), stored.creationTime(), stored.lastAccessedTime(),
                stored.thisAccessedTime(), stored.writeNumber(), stored.maxInactiveInterval(), stored.isNew(),
                stored.authType(), stored.principal(), stored.serializerId(), attributes));
    }
}
