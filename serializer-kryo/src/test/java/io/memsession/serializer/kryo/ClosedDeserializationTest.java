package io.memsession.serializer.kryo;

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
import java.util.PriorityQueue;

import org.apache.commons.collections.functors.InvokerTransformer;
import org.junit.jupiter.api.Test;

import com.esotericsoftware.kryo.io.Output;

import io.memsession.serializer.ClassAllowList;
import io.memsession.serializer.SerializationException;
import io.memsession.serializer.SessionAttributesTranscoder;

/** What a planted session can make Kryo do: no gadget is created, no length or nesting costs more. */
class ClosedDeserializationTest {

    /** The length every crafted value has, replaced by {@link #LIE} where Kryo writes it. */
    private static final int LENGTH = 4000;
    private static final int LIE = Integer.MAX_VALUE - 15;

    private static SessionAttributesTranscoder kryo(ClassAllowList allowList) {
        return Transcoders.kryo(ClosedDeserializationTest.class.getClassLoader(), false, allowList);
    }

    @Test
    void aGadgetIsRefusedWithoutAnAllowListWithOneAndInReportMode() {
        byte[] planted = Transcoders.kryo().serialize(new HashMap<>(Map.of("planted", new InvokerTransformer("x"))));
        byte[] nested = Transcoders.kryo().serialize(new HashMap<>(Map.of("planted",
                new ArrayList<>(List.of("a", new InvokerTransformer("x"))))));
        int readsBefore = InvokerTransformer.READS.get();
        for (ClassAllowList list : List.of(ClassAllowList.allowAll(),
                ClassAllowList.parse("org.apache.commons.collections.functors.*"),
                ClassAllowList.parse(null, ClassAllowList.Mode.REPORT))) {
            for (byte[] bytes : List.of(planted, nested)) {
                SerializationException refused = assertThrows(SerializationException.class,
                        () -> kryo(list).deserialize(bytes));
                assertTrue(refused.getMessage().contains(InvokerTransformer.class.getName())
                        && refused.getMessage().contains("gadget"), refused.getMessage());
            }
        }
        assertEquals(readsBefore, InvokerTransformer.READS.get(), "the gadget's readObject never ran");
    }

    @Test
    void aGadgetInsideAJavaSerializedAttributeIsRefused() {
        // written attribute by attribute, the refused one with Java serialization: Kryo's fallback
        SessionAttributesTranscoder writer = Transcoders.kryo(ApplicationClassesTest.Refusing.class.getName());
        byte[] bytes = writer.serialize(new HashMap<>(Map.of("picky", new ApplicationClassesTest.Picky("p"),
                "planted", new Holder(new InvokerTransformer("x")))));
        assertEquals(KryoSerializationTranscoder.EACH_ON_ITS_OWN, bytes[0]);
        int readsBefore = InvokerTransformer.READS.get();
        assertThrows(SerializationException.class, () -> kryo(ClassAllowList.allowAll()).deserialize(bytes));
        assertEquals(readsBefore, InvokerTransformer.READS.get());
    }

    /** Serializable with a readObject of its own, so Kryo hands it (and the gadget inside) to Java serialization. */
    static final class Holder implements Serializable {
        private static final long serialVersionUID = 1L;
        final Object inside;

        Holder(Object inside) {
            this.inside = inside;
        }

        private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
            in.defaultReadObject();
        }
    }

    @Test
    void hugeLengthFieldsAreRefusedBeforeAnythingIsAllocated() {
        char[] text = new char[LENGTH];
        Arrays.fill(text, '\u00e9'); // not ASCII: Kryo writes the length first
        byte[] bytes = new byte[LENGTH];
        Arrays.fill(bytes, (byte) 1);
        int[] ints = new int[LENGTH];
        Arrays.fill(ints, 1);
        long[] longs = new long[LENGTH];
        Arrays.fill(longs, 1);
        Integer[] boxes = new Integer[LENGTH];
        Arrays.fill(boxes, 1);
        SessionAttributesTranscoder transcoder = kryo(ClassAllowList.allowAll());
        for (Object value : List.of(new String(text), bytes, ints, longs, boxes, new Object[LENGTH],
                new String[LENGTH], new ArrayList<>(Collections.nCopies(LENGTH, 1)),
                new PriorityQueue<>(Collections.nCopies(LENGTH, 1)), bigMap())) {
            byte[] lying = lyingSession(value);
            SerializationException refused = assertThrows(SerializationException.class,
                    () -> transcoder.deserialize(lying), value.getClass().getName());
            assertTrue(refused.getMessage().contains("length " + (LIE - 2)) // Kryo's markers: null, empty
                    || refused.getMessage().contains("length " + (LIE - 1)), refused.getMessage());
        }
        assertEquals(Map.of("a", 7), Transcoders.roundTrip(transcoder, Map.of("a", 7)), "the pooled Kryo still works");
    }

    private static Map<Integer, Integer> bigMap() {
        Map<Integer, Integer> map = new HashMap<>();
        for (int i = 0; i < LENGTH; i++) {
            map.put(i * 2 + 100_000, 1);
        }
        return map;
    }

    @Test
    void aHugeAttributeCountIsRefused() {
        LyingOutput out = new LyingOutput();
        out.writeByte(KryoSerializationTranscoder.ONE_GRAPH);
        out.writeVarInt(LENGTH, true);
        out.writeString("a");
        SerializationException refused = assertThrows(SerializationException.class,
                () -> kryo(ClassAllowList.allowAll()).deserialize(out.toBytes()));
        assertTrue(refused.getMessage().contains("attribute list of length " + LIE), refused.getMessage());
    }

    static final class Node {
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
        // written without the limit, as a Tomcat of another configuration could have
        SessionKryo writer = new SessionKryo(getClass().getClassLoader(), ClassAllowList.allowAll(), false);
        writer.setMaxDepth(Integer.MAX_VALUE);
        Output out = new Output(4096, -1);
        out.writeByte(KryoSerializationTranscoder.ONE_GRAPH);
        out.writeVarInt(1, true);
        out.writeString("deep");
        writer.writeClassAndObject(out, first);
        SerializationException refused = assertThrows(SerializationException.class,
                () -> kryo(ClassAllowList.allowAll()).deserialize(out.toBytes()));
        assertTrue(refused.getMessage().contains("Max depth exceeded"), refused.getMessage());
    }

    /** A session of one attribute holding {@code value}, written by Kryo with its lengths replaced by the lie. */
    private static byte[] lyingSession(Object value) {
        SessionKryo kryo = new SessionKryo(ClosedDeserializationTest.class.getClassLoader(),
                ClassAllowList.allowAll(), false);
        LyingOutput out = new LyingOutput();
        out.writeByte(KryoSerializationTranscoder.ONE_GRAPH);
        out.writeVarInt(1, true);
        out.writeString("planted");
        out.lying = true;
        kryo.writeClassAndObject(out, value);
        assertTrue(out.lies > 0, "no length written for " + value.getClass().getName());
        return out.toBytes();
    }

    /** Writes {@link #LIE} for each length of {@link #LENGTH} elements (Kryo adds 1 or 2 for its markers). */
    private static final class LyingOutput extends Output {
        boolean lying = true;
        int lies;

        LyingOutput() {
            super(4096, -1);
        }

        private int told(int value) {
            if (lying && value >= LENGTH && value <= LENGTH + 2) {
                lies++;
                return LIE;
            }
            return value;
        }

        @Override
        public int writeVarInt(int value, boolean optimizePositive) {
            return super.writeVarInt(told(value), optimizePositive);
        }

        @Override
        public int writeVarIntFlag(boolean flag, int value, boolean optimizePositive) {
            return super.writeVarIntFlag(flag, told(value), optimizePositive);
        }
    }
}
