package io.memsession.serializer.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.collections.functors.InvokerTransformer;
import org.junit.jupiter.api.Test;

import io.memsession.serializer.ClassAllowList;
import io.memsession.serializer.MsmAttributesReader;
import io.memsession.serializer.SerializationException;
import io.memsession.serializer.TranscoderSettings;
import io.memsession.testkit.MsmSessions;

/**
 * The attributes memcached-session-manager's Java serializer wrote (as {@link MsmSessions#javaAttributes} lays them
 * out; {@code MsmMigrationIT} reads what the real msm wrote), read with memsession's class checks and limits.
 */
class MsmJavaAttributesReaderTest {

    private static MsmAttributesReader reader(ClassAllowList allowList) {
        return new JavaTranscoderFactory().createMsmReader(new TranscoderSettings(
                MsmJavaAttributesReaderTest.class.getClassLoader(), false, Collections.<String>emptyList(),
                allowList));
    }

    @Test
    void readsTheAttributesAndLeavesOutWhatMsmCouldNotSerialize() {
        Map<String, Object> written = new LinkedHashMap<>();
        written.put("counter", 5);
        written.put("cart", new ArrayList<>(List.of("book", "pen")));
        written.put("broken", "___NOT_SERIALIZABLE_EXCEPTION___"); // msm's marker for a value it could not write
        Map<String, Object> read = reader(ClassAllowList.allowAll()).read(MsmSessions.javaAttributes(written));
        assertEquals(Map.of("counter", 5, "cart", List.of("book", "pen")), read);
    }

    @Test
    void aGadgetIsRefusedAndNeverRuns() {
        int readsBefore = InvokerTransformer.READS.get();
        byte[] planted = MsmSessions.javaAttributes(Map.of("planted", new InvokerTransformer("calc")));
        SerializationException refused = assertThrows(SerializationException.class,
                () -> reader(ClassAllowList.allowAll()).read(planted));
        assertTrue(refused.getMessage().contains(InvokerTransformer.class.getName()), refused.getMessage());
        assertEquals(readsBefore, InvokerTransformer.READS.get());
        assertThrows(SerializationException.class, () -> reader(ClassAllowList.parse("com.example.*"))
                .read(MsmSessions.javaAttributes(Map.of("list", new ArrayList<>(List.of(new StringBuilder()))))));
    }

    @Test
    void aCountOf2GbOrAStreamThatIsNotMsmsIsRefusedBeforeAnythingIsAllocated() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(Integer.MAX_VALUE);
        }
        SerializationException lie = assertThrows(SerializationException.class,
                () -> reader(ClassAllowList.allowAll()).read(bytes.toByteArray()));
        assertTrue(lie.getMessage().contains("refused"), lie.getMessage());
        assertThrows(SerializationException.class,
                () -> reader(ClassAllowList.allowAll()).read(MsmSessions.javaSerialized("not a count")));
        assertThrows(SerializationException.class, () -> reader(ClassAllowList.allowAll()).read(new byte[] {1, 2}));
    }
}
