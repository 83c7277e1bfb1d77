package io.memsession.serializer.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import org.apache.commons.collections.functors.InvokerTransformer;
import org.junit.jupiter.api.Test;

import io.memsession.serializer.ClassAllowList;
import io.memsession.serializer.SerializationException;
import io.memsession.serializer.SessionAttributesTranscoder;
import io.memsession.serializer.TranscoderSettings;

/** What a planted session can make Java deserialization do: no gadget runs, no length or nesting costs more. */
class ClosedDeserializationTest {

    /** The length every crafted blob has at first, replaced by {@link #LIE} where it is written. */
    private static final int LENGTH = 4000;
    private static final int LIE = Integer.MAX_VALUE - 15;

    private static SessionAttributesTranscoder transcoder(ClassAllowList allowList) {
        return new JavaTranscoderFactory().createTranscoder(new TranscoderSettings(
                ClosedDeserializationTest.class.getClassLoader(), false, Collections.<String>emptyList(), allowList));
    }

    private static byte[] sessionWith(Object value) {
        return transcoder(ClassAllowList.allowAll()).serialize(new TreeMap<>(Map.of("planted", value)));
    }

    @Test
    void aGadgetIsRefusedWithoutAnAllowListWithOneAndInReportMode() {
        byte[] planted = sessionWith(new InvokerTransformer("calc"));
        int readsBefore = InvokerTransformer.READS.get();
        for (ClassAllowList list : List.of(ClassAllowList.allowAll(),
                ClassAllowList.parse("org.apache.commons.collections.functors.*"),
                ClassAllowList.parse(null, ClassAllowList.Mode.REPORT))) {
            SerializationException refused = assertThrows(SerializationException.class,
                    () -> transcoder(list).deserialize(planted));
            assertTrue(refused.getMessage().contains(InvokerTransformer.class.getName())
                    && refused.getMessage().contains("gadget"), refused.getMessage());
        }
        byte[] nested = sessionWith(new ArrayList<>(List.of("a", new InvokerTransformer("calc"))));
        assertThrows(SerializationException.class, () -> transcoder(ClassAllowList.allowAll()).deserialize(nested));
        assertEquals(readsBefore, InvokerTransformer.READS.get(), "the gadget's readObject never ran");
    }

    @Test
    void tomcatsValueClassFilterRefusesEveryOtherClassRead() {
        ClassAllowList tomcats = ClassAllowList.allowAll().withValueClassNameFilter(
                Pattern.compile("java\\.lang\\.(?:Boolean|Integer|Long|Number|String)"), false);
        assertEquals(Map.of("planted", 7), transcoder(tomcats).deserialize(sessionWith(7)));
        SerializationException refused = assertThrows(SerializationException.class,
                () -> transcoder(tomcats).deserialize(sessionWith(new ArrayList<>(List.of(1)))));
        assertTrue(refused.getMessage().contains("sessionAttributeValueClassNameFilter"), refused.getMessage());
    }

    @Test
    void reportModeAcceptsWhatIsOutsideTheListAndNamesItOnce() {
        List<LogRecord> records = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(ClassAllowList.class.getName());
        logger.addHandler(handler);
        try {
            SessionAttributesTranscoder reporting = transcoder(ClassAllowList.parse("com.example.*",
                    ClassAllowList.Mode.REPORT));
            byte[] bytes = sessionWith(new Cart());
            reporting.deserialize(bytes);
            Map<String, Object> read = reporting.deserialize(bytes);

            assertTrue(read.get("planted") instanceof Cart);
            assertEquals(1, records.size(), records.toString());
            assertTrue(records.get(0).getMessage().endsWith("add this entry: " + Cart.class.getName()),
                    records.get(0).getMessage());
        } finally {
            logger.removeHandler(handler);
        }
    }

    static final class Cart implements Serializable {
        private static final long serialVersionUID = 1L;
        final List<String> items = new ArrayList<>(List.of("book"));
    }

    @Test
    void hugeLengthFieldsAreRefusedBeforeAnythingIsAllocated() {
        char[] text = new char[LENGTH];
        Arrays.fill(text, 'x');
        byte[] bytes = new byte[LENGTH];
        Arrays.fill(bytes, (byte) 1);
        int[] ints = new int[LENGTH];
        Arrays.fill(ints, 1);
        List<Integer> list = new ArrayList<>(Collections.nCopies(LENGTH, 1));
        Map<Integer, Integer> map = new HashMap<>();
        for (int i = 0; i < LENGTH; i++) {
            map.put(i, 1);
        }
        SessionAttributesTranscoder transcoder = transcoder(ClassAllowList.allowAll());
        for (Object value : List.of(new String(text), bytes, ints, new Object[LENGTH], new String[LENGTH], list,
                map)) {
            byte[] lying = lie(sessionWith(value));
            SerializationException refused = assertThrows(SerializationException.class,
                    () -> transcoder.deserialize(lying), value.getClass().getName());
            // a HashMap asks for its table, sized from the count: a power of two above it
            assertTrue(refused.getMessage().matches("(?s).*length (" + LIE + "|1073741824) refused.*"),
                    refused.getMessage());
        }
        assertEquals(Map.of("planted", 7), transcoder.deserialize(sessionWith(7)));
    }

    @Test
    void aHugeAttributeCountIsRefused() {
        byte[] session = sessionWith(7);
        byte[] lying = session.clone();
        // stream header (4 bytes), block data header (2 bytes), then the count
        lying[6] = 0x7f;
        SerializationException refused = assertThrows(SerializationException.class,
                () -> transcoder(ClassAllowList.allowAll()).deserialize(lying));
        assertTrue(refused.getMessage().contains("attribute list of length"), refused.getMessage());
    }

    static final class Node implements Serializable {
        private static final long serialVersionUID = 1L;
        Node next;
    }

    @Test
    void nestingDeeperThanTheLimitIsRefused() {
        Node first = new Node();
        Node last = first;
        for (int i = 0; i < 600; i++) {
            last.next = new Node();
            last = last.next;
        }
        byte[] deep = sessionWith(first);
        SerializationException refused = assertThrows(SerializationException.class,
                () -> transcoder(ClassAllowList.allowAll()).deserialize(deep));
        assertTrue(refused.getMessage().contains("nested deeper than 500"), refused.getMessage());
    }

    /** Every big-endian int {@link #LENGTH} replaced by {@link #LIE}: the length fields of the crafted value. */
    private static byte[] lie(byte[] session) {
        byte[] lying = session.clone();
        int replaced = 0;
        for (int i = 0; i + 4 <= lying.length; i++) {
            if (lying[i] == 0 && lying[i + 1] == 0 && lying[i + 2] == (byte) (LENGTH >> 8)
                    && lying[i + 3] == (byte) LENGTH) {
                lying[i] = (byte) (LIE >>> 24);
                lying[i + 1] = (byte) (LIE >>> 16);
                lying[i + 2] = (byte) (LIE >>> 8);
                lying[i + 3] = (byte) LIE;
                replaced++;
            }
        }
        assertTrue(replaced > 0, "no length field found");
        return lying;
    }
}
