package io.memsession.serializer.kryo;

import static io.memsession.serializer.kryo.Transcoders.roundTrip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import org.junit.jupiter.api.Test;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

import io.memsession.serializer.SessionAttributesTranscoder;

/** What applications put into sessions besides JDK types: their own classes, in all their shapes. */
class ApplicationClassesTest {

    private final SessionAttributesTranscoder kryo = Transcoders.kryo();

    record Money(BigDecimal amount, Currency currency) implements Serializable {
    }

    /** No no-argument constructor, final fields. */
    static final class CartItem implements Serializable {
        final String sku;
        final int quantity;
        final Money price;

        CartItem(String sku, int quantity, Money price) {
            this.sku = sku;
            this.quantity = quantity;
            this.price = price;
        }
    }

    static final class Node {
        String name;
        Node next;
        List<Node> children = new ArrayList<>();
    }

    /** Rebuilds a transient cache in readObject, which a field-by-field copy would leave empty. */
    static final class WithReadObject implements Serializable {
        final String text;
        transient int length;

        WithReadObject(String text) {
            this.text = text;
            this.length = text.length();
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            length = text.length();
        }
    }

    static final class Singleton implements Serializable {
        static final Singleton INSTANCE = new Singleton();

        private Object readResolve() {
            return INSTANCE;
        }
    }

    /** Its state lives in a JDK class's private fields. */
    static final class Visits implements Serializable {
        final LongAdder count = new LongAdder();
    }

    /** Kryo cannot write it (see {@link Refusing}); Java serialization can. */
    static final class Picky implements Serializable {
        final String value;

        Picky(String value) {
            this.value = value;
        }
    }

    static final class NotSerializable {
        final Thread thread = new Thread(() -> { });
    }

    /** A converter that makes Kryo fail on {@link Picky}, as it fails on some classes of real applications. */
    public static final class Refusing implements KryoCustomization {
        @Override
        public void customize(Kryo kryo) {
            kryo.addDefaultSerializer(Picky.class, new Serializer<Picky>() {
                @Override
                public void write(Kryo k, Output output, Picky object) {
                    throw new KryoException("cannot handle Picky");
                }

                @Override
                public Picky read(Kryo k, Input input, Class<? extends Picky> type) {
                    throw new KryoException("cannot handle Picky");
                }
            });
        }
    }

    @Test
    void recordsAndClassesWithoutNoArgumentConstructor() {
        Money money = new Money(new BigDecimal("19.99"), Currency.getInstance("EUR"));
        assertEquals(money, roundTrip(kryo, money));
        CartItem item = roundTrip(kryo, new CartItem("sku-1", 3, money));
        assertEquals("sku-1", item.sku);
        assertEquals(3, item.quantity);
        assertEquals(money, item.price);
    }

    @Test
    void cyclicGraphsAndSharedReferences() {
        Node a = new Node();
        Node b = new Node();
        a.name = "a";
        b.name = "b";
        a.next = b;
        b.next = a;
        a.children.add(a);
        Node copy = roundTrip(kryo, a);
        assertSame(copy, copy.next.next);
        assertSame(copy, copy.children.get(0));
        assertEquals("b", copy.next.name);

        Map<String, Object> attributes = roundTrip(kryo, Map.of("first", a, "second", b));
        assertSame(attributes.get("second"), ((Node) attributes.get("first")).next,
                "attributes sharing an object still share it");
    }

    @Test
    void classesCustomizingJavaSerializationAreJavaSerialized() {
        assertEquals(5, roundTrip(kryo, new WithReadObject("hello")).length);
        assertSame(Singleton.INSTANCE, roundTrip(kryo, Singleton.INSTANCE));
        Visits visits = new Visits();
        visits.count.add(3);
        assertEquals(3, roundTrip(kryo, visits).count.sum());
    }

    @Test
    void anAttributeKryoCannotWriteIsJavaSerializedAndTheOthersStayInKryo() {
        SessionAttributesTranscoder transcoder = Transcoders.kryo(Refusing.class.getName());
        Node shared = new Node();
        Map<String, Object> copy = roundTrip(transcoder, Map.of("picky", new Picky("p"), "counter", 42,
                "node", shared, "nodes", List.of(shared)));
        assertEquals("p", ((Picky) copy.get("picky")).value);
        assertEquals(42, copy.get("counter"));
        assertTrue(copy.get("node") instanceof Node);
    }

    @Test
    void anAttributeNeitherCanWriteIsLeftOut() {
        Map<String, Object> attributes = new HashMap<>();
        attributes.put("thread", new NotSerializable());
        attributes.put("name", "kept");
        attributes.put("nothing", null);
        Map<String, Object> copy = roundTrip(kryo, attributes);
        assertEquals(Map.of("name", "kept"), copy);
        assertFalse(copy.containsKey("thread"));
        assertNull(copy.get("nothing"));
    }
}
