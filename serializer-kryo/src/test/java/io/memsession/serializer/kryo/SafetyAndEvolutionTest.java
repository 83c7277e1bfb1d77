package io.memsession.serializer.kryo;

import static io.memsession.serializer.kryo.Transcoders.roundTrip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.joda.time.DateTime;
import org.joda.time.DateTimeZone;
import org.joda.time.Interval;
import org.joda.time.LocalDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.memsession.serializer.ClassAllowList;
import io.memsession.serializer.SerializationException;
import io.memsession.serializer.SessionAttributesTranscoder;

/** The allow-list, converters, copy-on-serialize collections, class evolution, format framing. */
class SafetyAndEvolutionTest {

    static final class Gadget implements Serializable {
        String command = "rm -rf /";
    }

    static final class JavaOnlyGadget implements Serializable {
        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
        }
    }

    private static SessionAttributesTranscoder withAllowList(String list) {
        return Transcoders.kryo(SafetyAndEvolutionTest.class.getClassLoader(), false, ClassAllowList.parse(list));
    }

    @Test
    void theAllowListRefusesOtherClassesWhenReading() {
        SessionAttributesTranscoder writer = Transcoders.kryo();
        SessionAttributesTranscoder reader = withAllowList("com.example.*");
        for (Object planted : List.of(new Gadget(), new JavaOnlyGadget(), List.of(new Gadget()))) {
            byte[] bytes = writer.serialize(Map.of("x", planted));
            SerializationException refused = assertThrows(SerializationException.class,
                    () -> reader.deserialize(bytes));
            assertTrue(refused.getMessage().contains("refused by classAllowList"), refused.getMessage());
        }
        Map<String, Object> jdkOnly = Map.of("list", new ArrayList<>(List.of(1)), "date", LocalDate.of(2026, 1, 1),
                "map", new HashMap<>(Map.of("k", "v")));
        assertEquals(jdkOnly, roundTrip(reader, jdkOnly));
        SessionAttributesTranscoder allowing = withAllowList(Gadget.class.getName());
        assertEquals("rm -rf /", roundTrip(allowing, new Gadget()).command);
    }

    @Test
    void theAllowListAlsoGuardsJavaSerializedAttributes() {
        SessionAttributesTranscoder writer = Transcoders.kryo(ApplicationClassesTest.Refusing.class.getName());
        byte[] bytes = writer.serialize(Map.of("picky", new ApplicationClassesTest.Picky("p")));
        assertEquals(KryoSerializationTranscoder.EACH_ON_ITS_OWN, bytes[0]);
        SessionAttributesTranscoder reader = Transcoders.kryo(SafetyAndEvolutionTest.class.getClassLoader(), false,
                ClassAllowList.parse("com.example.*"));
        SerializationException refused = assertThrows(SerializationException.class, () -> reader.deserialize(bytes));
        assertTrue(refused.getMessage().contains("refused by classAllowList"), refused.getMessage());
    }

    @Test
    void corruptDataIsASerializationException() {
        SessionAttributesTranscoder kryo = Transcoders.kryo();
        byte[] bytes = kryo.serialize(Map.of("a", List.of("x", "y", "z")));
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 3);
        assertThrows(SerializationException.class, () -> kryo.deserialize(truncated));
        assertThrows(SerializationException.class, () -> kryo.deserialize(new byte[] {9, 1}));
        assertEquals(Map.of("a", List.of("x", "y", "z")), kryo.deserialize(bytes), "the pooled Kryo still works");
    }

    @Test
    void jodaTimeWithTheRegistration() {
        SessionAttributesTranscoder kryo = Transcoders.kryo(JodaDateTimeRegistration.class.getName());
        DateTime dateTime = new DateTime(2026, 11, 21, 13, 14, 15, 16, DateTimeZone.forID("Europe/Berlin"));
        assertEquals(dateTime, roundTrip(kryo, dateTime));
        assertEquals(dateTime.getZone(), roundTrip(kryo, dateTime).getZone());
        org.joda.time.LocalDate localDate = new org.joda.time.LocalDate(2026, 2, 28);
        assertEquals(localDate, roundTrip(kryo, localDate));
        LocalDateTime localDateTime = new LocalDateTime(2026, 2, 28, 23, 59, 58, 999);
        assertEquals(localDateTime, roundTrip(kryo, localDateTime));
        org.joda.time.LocalTime localTime = new org.joda.time.LocalTime(7, 8, 9);
        assertEquals(localTime, roundTrip(kryo, localTime));
        Interval interval = new Interval(dateTime, dateTime.plusDays(3));
        assertEquals(interval, roundTrip(kryo, interval));
        SessionAttributesTranscoder msmName = Transcoders.kryo(
                "de.javakaffee.web.msm.serializer.kryo.JodaDateTimeRegistration");
        assertEquals(dateTime, roundTrip(msmName, dateTime));
        int registered = kryo.serialize(Map.of("d", dateTime)).length;
        int fieldByField = Transcoders.kryo().serialize(Map.of("d", dateTime)).length;
        assertTrue(registered < fieldByField, registered + " bytes with the registration, " + fieldByField
                + " without");
    }

    @Test
    void convertersThatCannotWorkStopTheContextWithTheAttributeNamed() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> Transcoders.kryo("com.example.NoSuchConverter"));
        assertTrue(unknown.getMessage().contains("customConverter"), unknown.getMessage());
        IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class,
                () -> Transcoders.kryo(String.class.getName()));
        assertTrue(wrongType.getMessage().contains("does not implement"), wrongType.getMessage());
    }

    @Test
    void copyCollectionsForSerializationWritesWhileAnotherThreadChangesTheCollections() throws Exception {
        SessionAttributesTranscoder kryo = Transcoders.kryo(getClass().getClassLoader(), true,
                ClassAllowList.allowAll());
        List<Integer> list = new ArrayList<>();
        Map<Integer, String> map = new HashMap<>();
        for (int i = 0; i < 2000; i++) {
            list.add(i);
            map.put(i, "v" + i);
        }
        AtomicBoolean running = new AtomicBoolean(true);
        Thread otherRequest = new Thread(() -> {
            int i = 0;
            while (running.get()) {
                synchronized (list) { // not for the serializer: it takes no lock; only so that list stays a list
                    list.add(i);
                    list.remove(0);
                }
                map.put(2000 + i, "new");
                map.remove(i);
                i++;
            }
        });
        otherRequest.start();
        try {
            for (int round = 0; round < 300; round++) {
                Map<String, Object> copy = kryo.deserialize(kryo.serialize(Map.of("list", list, "map", map)));
                assertEquals(2, copy.size(), "both attributes written in round " + round);
                assertTrue(copy.get("list") instanceof ArrayList);
                assertTrue(copy.get("map") instanceof HashMap);
            }
        } finally {
            running.set(false);
            otherRequest.join();
        }
    }

    /**
     * Two deployments of an application whose attribute class changed: one field removed, one added. With
     * CompatibleFieldSerializerRegistration the sessions the first wrote are read by the second.
     */
    @Test
    void classEvolutionWithCompatibleFields(@TempDir Path dir) throws Exception {
        ClassLoader before = compile(dir.resolve("v1"), "package evolve; public class Profile implements "
                + "java.io.Serializable { public String name = \"Ada\"; public int age = 36; }");
        ClassLoader after = compile(dir.resolve("v2"), "package evolve; public class Profile implements "
                + "java.io.Serializable { public String name; public String email; }");
        String converter = CompatibleFieldSerializerRegistration.class.getName();
        SessionAttributesTranscoder first = Transcoders.kryo(before, false, ClassAllowList.allowAll(), converter);
        SessionAttributesTranscoder second = Transcoders.kryo(after, false, ClassAllowList.allowAll(), converter);
        Object profile = before.loadClass("evolve.Profile").getConstructor().newInstance();

        Object read = second.deserialize(first.serialize(Map.of("profile", profile, "n", 1))).get("profile");

        assertEquals(after.loadClass("evolve.Profile"), read.getClass());
        assertEquals("Ada", read.getClass().getField("name").get(read));
        assertNull(read.getClass().getField("email").get(read));
    }

    private static ClassLoader compile(Path dir, String source) throws IOException {
        Path file = dir.resolve("evolve/Profile.java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, source, StandardCharsets.UTF_8);
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, compiler.run(null, null, null, "-d", dir.toString(), file.toString()));
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, SafetyAndEvolutionTest.class.getClassLoader());
    }
}
