package io.memsession.chaos;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.memsession.serializer.ClassAllowList;
import io.memsession.serializer.TranscoderSettings;
import io.memsession.serializer.java.JavaTranscoderFactory;

/** The probe reads the counter out of a stored session as memsession's Java serializer writes it. */
class PlacesProbeTest {

    private static byte[] stored(Map<String, Object> attributes) {
        byte[] serialized = new JavaTranscoderFactory().createTranscoder(new TranscoderSettings(
                PlacesProbeTest.class.getClassLoader(), false, List.of(), ClassAllowList.allowAll()))
                .serialize(attributes);
        // a header and the session's fields come first in the stored value
        ByteArrayOutputStream value = new ByteArrayOutputStream();
        value.writeBytes("MSES header and fields".getBytes(UTF_8));
        value.writeBytes(serialized);
        return value.toByteArray();
    }

    @Test
    void readsTheCounterAttribute() {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("user", "someone");
        attributes.put("counter", 70_000);
        assertEquals(70_000, PlacesProbe.storedCounter(stored(attributes)));
        assertEquals(1, PlacesProbe.storedCounter(stored(Map.of("counter", 1))));
    }

    @Test
    void aSessionWithoutTheCounterHasNone() {
        assertEquals(-1, PlacesProbe.storedCounter(stored(Map.of("other", 5))));
        assertEquals(-1, PlacesProbe.storedCounter(stored(Map.of("counter", "5"))));
        assertEquals(-1, PlacesProbe.storedCounter(new byte[0]));
    }
}
