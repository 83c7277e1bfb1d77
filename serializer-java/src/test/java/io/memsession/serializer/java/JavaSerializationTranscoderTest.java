package io.memsession.serializer.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;

import io.memsession.serializer.ClassAllowList;
import io.memsession.serializer.SerializationException;
import io.memsession.serializer.SessionAttributesTranscoder;
import io.memsession.serializer.TranscoderSettings;

class JavaSerializationTranscoderTest {

    private static SessionAttributesTranscoder transcoder(String allowList) {
        return new JavaTranscoderFactory().createTranscoder(new TranscoderSettings(
                JavaSerializationTranscoderTest.class.getClassLoader(), false, Collections.<String>emptyList(),
                ClassAllowList.parse(allowList)));
    }

    static final class Cart implements Serializable {
        private static final long serialVersionUID = 1L;
        final List<String> items = new ArrayList<>();
        Object extra;
    }

    @Test
    void roundTrip() {
        Map<String, Object> attributes = new TreeMap<>();
        Cart cart = new Cart();
        cart.items.add("book");
        attributes.put("cart", cart);
        attributes.put("counter", 42);
        attributes.put("since", LocalDate.of(2026, 11, 21));
        attributes.put("total", new BigDecimal("12.50"));
        attributes.put("name", "Zo\u00eb \ud83d\ude80");
        attributes.put("visits", 12345678901L);
        attributes.put("admin", Boolean.TRUE);
        SessionAttributesTranscoder transcoder = transcoder(null);
        Map<String, Object> read = transcoder.deserialize(transcoder.serialize(attributes));
        assertEquals("Zo\u00eb \ud83d\ude80", read.get("name"));
        assertEquals(12345678901L, read.get("visits"));
        assertEquals(Boolean.TRUE, read.get("admin"));
        assertEquals(Arrays.asList("book"), ((Cart) read.get("cart")).items);
        assertEquals(42, read.get("counter"));
        assertEquals(LocalDate.of(2026, 11, 21), read.get("since"));
        assertEquals(new BigDecimal("12.50"), read.get("total"));
    }

    @Test
    void sameAttributesGiveTheSameBytes() {
        Map<String, Object> attributes = new TreeMap<>();
        attributes.put("a", "1");
        attributes.put("b", 2);
        SessionAttributesTranscoder transcoder = transcoder(null);
        assertArrayEquals(transcoder.serialize(attributes), transcoder.serialize(new TreeMap<>(attributes)));
    }

    @Test
    void attributesThatCannotBeSerializedAreLeftOutWithOneWarning() {
        List<LogRecord> warnings = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                warnings.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(JavaSerializationTranscoder.class.getName());
        logger.addHandler(handler);
        try {
            Map<String, Object> attributes = new TreeMap<>();
            attributes.put("thread", new Object());
            Cart nested = new Cart();
            nested.extra = new Object(); // Serializable outside, not inside
            attributes.put("nested", nested);
            attributes.put("kept", "yes");
            SessionAttributesTranscoder transcoder = transcoder(null);
            Map<String, Object> read = transcoder.deserialize(transcoder.serialize(attributes));
            transcoder.serialize(attributes);
            assertEquals(Collections.singletonMap("kept", "yes"), read);
            assertEquals(2, warnings.size(), "one warning per attribute, not per write");
            assertTrue(warnings.get(0).getMessage().contains("'thread' of class java.lang.Object"),
                    warnings.get(0).getMessage());
        } finally {
            logger.removeHandler(handler);
        }
    }

    @Test
    void allowListRefusesOtherClassesWhenReading() {
        Map<String, Object> attributes = new TreeMap<>();
        attributes.put("cart", new Cart());
        byte[] bytes = transcoder(null).serialize(attributes);
        SerializationException refused = assertThrows(SerializationException.class,
                () -> transcoder("com.example.*").deserialize(bytes));
        assertTrue(refused.getMessage().contains(Cart.class.getName()), refused.getMessage());
        assertFalse(transcoder("io.memsession.*").deserialize(bytes).isEmpty());
    }

    @Test
    void corruptBytesAreASerializationException() {
        assertThrows(SerializationException.class, () -> transcoder(null).deserialize(new byte[] {1, 2, 3}));
    }

    @Test
    void kryoOnlyOptionsAreRefusedWithTheAttributeName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new JavaTranscoderFactory().createTranscoder(new TranscoderSettings(
                        getClass().getClassLoader(), true, Collections.<String>emptyList(),
                        ClassAllowList.allowAll())));
        assertTrue(e.getMessage().contains("copyCollectionsForSerialization"));
    }
}
