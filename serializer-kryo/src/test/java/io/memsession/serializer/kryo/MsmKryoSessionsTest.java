package io.memsession.serializer.kryo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.commons.collections.functors.InvokerTransformer;
import org.joda.time.DateTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.esotericsoftware.kryo.io.Output;

import io.memsession.serializer.ClassAllowList;
import io.memsession.serializer.MsmAttributesReader;
import io.memsession.serializer.SerializationException;
import io.memsession.serializer.TranscoderSettings;

/**
 * Sessions memcached-session-manager 2.3.2 wrote with its Kryo serializer (its own jars, Kryo 4, in a JVM of their
 * own: {@link MsmKryoWriter}), read by memsession within the same safety as its own sessions.
 */
class MsmKryoSessionsTest {

    private static final String MSM_JODA = "de.javakaffee.web.msm.serializer.kryo.JodaDateTimeRegistration";

    private static Path written;

    @BeforeAll
    static void writeWithMsm() throws IOException, InterruptedException {
        written = Files.createTempDirectory("msm-kryo-");
        Path jars = Paths.get(System.getProperty("msm.kryo.dir"));
        List<String> classPath = new ArrayList<>();
        classPath.add(location(MsmKryoWriter.class)); // first: the stand-in for kryo-serializers' SubListSerializers
        classPath.add(location(InvokerTransformer.class));
        try (Stream<Path> files = Files.list(jars)) {
            files.filter(file -> file.toString().endsWith(".jar")).sorted()
                    .forEach(file -> classPath.add(file.toString()));
        }
        Path log = written.resolve("writer.log");
        // msm's serializers reach into java.util by reflection: as its users ran it on Java 9 and later
        Process writer = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens", "java.base/java.util=ALL-UNNAMED", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "--add-opens", "java.base/java.nio=ALL-UNNAMED",
                "--add-opens", "java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                "-cp", String.join(File.pathSeparator, classPath),
                MsmKryoWriter.class.getName(), written.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!writer.waitFor(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("msm's writer did not finish within 120 s");
            }
        } finally {
            writer.destroyForcibly();
        }
        assertEquals(0, writer.exitValue(), () -> "msm's writer failed: " + readLog(log));
    }

    private static String readLog(Path log) {
        try {
            return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String location(Class<?> type) {
        try {
            return Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void deleteWritten() throws IOException {
        try (Stream<Path> files = Files.walk(written)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.delete(file);
            }
        }
    }

    private static byte[] msm(String session) {
        try {
            return Files.readAllBytes(written.resolve(session + ".bin"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MsmAttributesReader reader(ClassAllowList allowList, boolean copyCollections,
                                              String... converters) {
        return new KryoTranscoderFactory().createMsmReader(new TranscoderSettings(
                MsmKryoSessionsTest.class.getClassLoader(), copyCollections, Arrays.asList(converters), allowList));
    }

    private static MsmAttributesReader reader() {
        return reader(ClassAllowList.allowAll(), false, MSM_JODA);
    }

    @Test
    void everyAttributeComesBackAsMsmWroteIt() {
        for (boolean copyCollections : new boolean[] {false, true}) {
            MsmAttributesReader reader = reader(ClassAllowList.allowAll(), copyCollections, MSM_JODA);
            for (Map.Entry<String, Map<String, Object>> session : MsmSessions.all().entrySet()) {
                if (session.getKey().equals(MsmSessions.GADGET)) {
                    continue;
                }
                String name = session.getKey() + (copyCollections ? "-copy" : "");
                Map<String, Object> read = reader.read(msm(name));
                assertEquals(session.getValue().keySet(), read.keySet(), name);
                for (Map.Entry<String, Object> attribute : session.getValue().entrySet()) {
                    Object expected = comparable(attribute.getValue());
                    Object actual = comparable(read.get(attribute.getKey()));
                    String what = name + ": " + attribute.getKey();
                    if (copyCollections) {
                        // msm's copying serializers wrote every collection and map in the plain format; a JDK
                        // class that cannot be created empty (an EnumSet, a singleton) comes back as a copy
                        assertTrue(Arrays.deepEquals(new Object[] {expected}, new Object[] {actual}), what);
                    } else if (expected.getClass().isArray()) {
                        assertEquals(expected.getClass(), actual.getClass(), what);
                        assertTrue(Arrays.deepEquals(new Object[] {expected}, new Object[] {actual}), what);
                    } else {
                        assertEquals(expected, actual, what);
                        assertEquals(expected.getClass(), actual.getClass(), what);
                    }
                }
            }
        }
    }

    /** Values whose classes compare by identity, as what they hold. */
    private static Object comparable(Object value) {
        if (value instanceof CharSequence && !(value instanceof String)) {
            return value.getClass().getName() + ":" + value;
        }
        if (value instanceof AtomicInteger || value instanceof AtomicLong) {
            return value.getClass().getName() + ":" + value;
        }
        return value;
    }

    @Test
    void referencesAndTheApplicationsClassesAreKept() {
        Map<String, Object> shop = reader().read(msm("shop"));
        MsmSessions.Cart cart = (MsmSessions.Cart) shop.get("cart");
        assertSame(cart, cart.self(), "the cart's reference to itself");
        assertNull(cart.cache(), "a transient field is not stored");
        assertEquals(Collections.unmodifiableList(new ArrayList<>()).getClass(), shop.get("dates").getClass());
        assertThrows(UnsupportedOperationException.class, () -> ((List<?>) shop.get("dates")).add(null));

        Map<String, Object> collections = reader().read(msm("collections"));
        assertSame(collections.get("shared once"), collections.get("shared twice"), "one list in two attributes");
        assertEquals(LinkedList.class, collections.get("linked list").getClass());

        Map<String, Object> jdk = reader().read(msm("jdk"));
        assertEquals(Collections.reverseOrder(), ((SortedSet<?>) jdk.get("reverse order")).comparator());
        assertSame(String.CASE_INSENSITIVE_ORDER, ((SortedMap<?, ?>) jdk.get("case insensitive")).comparator());

        Map<String, Object> joda = reader().read(msm("joda"));
        DateTime login = (DateTime) joda.get("login");
        assertEquals("Europe/Berlin", login.getZone().getID());
        assertEquals(MsmSessions.all().get("joda").get("login"), login);
    }

    @Test
    void ourOwnJodaConverterNameReadsWhatMsmsWrote() {
        Map<String, Object> joda = reader(ClassAllowList.allowAll(), false, JodaDateTimeRegistration.class.getName())
                .read(msm("joda"));
        assertEquals(MsmSessions.all().get("joda"), joda);
    }

    @Test
    void withoutTheJodaConverterItsRegistrationsAreUnknown() {
        SerializationException refused = assertThrows(SerializationException.class,
                () -> reader(ClassAllowList.allowAll(), false).read(msm("joda")));
        assertTrue(refused.getMessage().contains("registration id"), refused.getMessage());
    }

    @Test
    void aGadgetIsRefusedWithoutAnAllowListWithOneAndInReportMode() {
        int readsBefore = InvokerTransformer.READS.get();
        for (ClassAllowList list : List.of(ClassAllowList.allowAll(),
                ClassAllowList.parse("org.apache.commons.collections.functors.*"),
                ClassAllowList.parse(null, ClassAllowList.Mode.REPORT))) {
            SerializationException refused = assertThrows(SerializationException.class,
                    () -> reader(list, false, MSM_JODA).read(msm(MsmSessions.GADGET)));
            assertTrue(refused.getMessage().contains(InvokerTransformer.class.getName())
                    && refused.getMessage().contains("gadget"), refused.getMessage());
        }
        assertEquals(readsBefore, InvokerTransformer.READS.get(), "nothing of the gadget ran");
    }

    @Test
    void theAllowListAppliesToWhatMsmWrote() {
        SerializationException refused = assertThrows(SerializationException.class,
                () -> reader(ClassAllowList.parse("org.joda.time.*"), false, MSM_JODA).read(msm("shop")));
        assertTrue(refused.getMessage().contains(MsmSessions.Cart.class.getName())
                && refused.getMessage().contains("classAllowList"), refused.getMessage());
        refused = assertThrows(SerializationException.class,
                () -> reader(ClassAllowList.parse("com.example.*"), false, MSM_JODA).read(msm("joda")));
        assertTrue(refused.getMessage().contains("org.joda.time."), refused.getMessage());

        Map<String, Object> shop = reader(ClassAllowList.parse("io.memsession.serializer.kryo.*"), false, MSM_JODA)
                .read(msm("shop"));
        assertEquals(MsmSessions.all().get("shop").get("cart"), shop.get("cart"));
    }

    @Test
    void everyTruncationIsAnUnreadableSessionNothingElse() {
        for (String session : List.of("shop", "collections", "jdk", "joda", "time")) {
            byte[] bytes = msm(session);
            for (int length = 0; length < bytes.length; length++) {
                byte[] truncated = Arrays.copyOf(bytes, length);
                assertThrows(SerializationException.class, () -> reader().read(truncated), session + " " + length);
            }
        }
    }

    /** Kryo 4's bytes for one attribute named "a", up to the value's class: what msm writes before every value. */
    private static Output attributeA(String valueClass) {
        Output out = new Output(64, -1);
        out.writeVarInt(1, true); // the root map: a new object
        out.writeVarInt(1, true); // one entry
        out.writeVarInt(1 + 2, true); // the key's class: String, Kryo's registration 1
        out.writeVarInt(1, true); // a new object
        out.writeString("a");
        out.writeVarInt(1, true); // the value's class by name,
        out.writeVarInt(0, true); // the first name in this stream
        out.writeString(valueClass);
        out.writeVarInt(1, true); // a new object
        return out;
    }

    @Test
    void theFramingReadIsKryo4sAsMsmWroteIt() {
        // checked against msm's own bytes, so that the planted sessions below are what msm would have written
        Output expected = attributeA("java.util.ArrayList");
        expected.writeVarInt(2, true);
        expected.writeVarInt(0 + 2, true); // Integer: Kryo's registration 0, no reference marker
        expected.writeVarInt(7, false);
        expected.writeVarInt(1 + 2, true);
        expected.writeVarInt(1, true);
        expected.writeString("b");
        assertEquals(Map.of("a", List.of(7, "b")), reader().read(expected.toBytes()));
        assertArrayEquals(expected.toBytes(), msm("framing"));
    }

    @Test
    void hugeLengthsAreRefusedBeforeAnythingIsAllocated() {
        int lie = Integer.MAX_VALUE - 15;
        List<byte[]> planted = new ArrayList<>();
        for (String collection : List.of("java.util.ArrayList", "java.util.HashMap", "java.util.TreeSet")) {
            Output out = attributeA(collection);
            if (collection.equals("java.util.TreeSet")) {
                out.writeVarInt(0, true); // no comparator
            }
            out.writeVarInt(lie, true);
            planted.add(out.toBytes());
        }
        for (String array : List.of("[Ljava.lang.Object;", "[B", "[J", "[D", "[Ljava.lang.String;")) {
            Output out = attributeA(array);
            out.writeVarInt(lie, true);
            out.writeByte(0);
            planted.add(out.toBytes());
        }
        Output string = attributeA("java.lang.StringBuffer");
        string.writeVarIntFlag(true, lie + 1, true); // a UTF-8 string's length plus one (0 is null), flagged
        planted.add(string.toBytes());
        Output count = new Output(16, -1);
        count.writeVarInt(1, true);
        count.writeVarInt(lie, true); // attributes
        planted.add(count.toBytes());
        for (byte[] bytes : planted) {
            SerializationException refused = assertThrows(SerializationException.class, () -> reader().read(bytes));
            assertTrue(refused.getMessage().contains("length " + lie + " refused")
                    || refused.getMessage().contains("length " + (lie - 1) + " refused"), refused.getMessage());
        }
        assertEquals(Map.of("a", 1), reader().read(attributeAValue()), "the reader still reads");
    }

    private static byte[] attributeAValue() {
        Output out = new Output(16, -1);
        out.writeVarInt(1, true);
        out.writeVarInt(1, true);
        out.writeVarInt(3, true);
        out.writeVarInt(1, true);
        out.writeString("a");
        out.writeVarInt(2, true);
        out.writeVarInt(1, false);
        return out.toBytes();
    }

    @Test
    void deepNestingIsRefused() {
        Output out = new Output(4096, -1);
        out.writeVarInt(1, true);
        out.writeVarInt(1, true);
        out.writeVarInt(3, true);
        out.writeVarInt(1, true);
        out.writeString("a");
        for (int i = 0; i < 1000; i++) {
            out.writeVarInt(1, true); // java.util.ArrayList by name (its first use), then its number
            out.writeVarInt(0, true);
            if (i == 0) {
                out.writeString("java.util.ArrayList");
            }
            out.writeVarInt(1, true);
            out.writeVarInt(1, true); // one element: the next list
        }
        SerializationException refused = assertThrows(SerializationException.class, () -> reader().read(out.toBytes()));
        assertTrue(refused.getMessage().contains("nested deeper than 500"), refused.getMessage());
    }
}
