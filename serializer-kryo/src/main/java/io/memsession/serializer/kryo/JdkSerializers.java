package io.memsession.serializer.kryo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.ConcurrentModificationException;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

/**
 * Serializers for JDK classes whose state is private to {@code java.base}. Kryo's field serializer would need
 * {@code --add-opens} for them since Java 17, and its collection serializer cannot create them; these go through
 * their public API only: they write the contents and rebuild the object with the factory method that made it.
 */
final class JdkSerializers {

    /** Clean copies tried before settling for one taken while the collection changed. */
    private static final int SNAPSHOT_ATTEMPTS = 10;

    private JdkSerializers() {
    }

    /** The serializers for the JDK's unmodifiable and synchronized wrappers and {@code EnumMap}, by exact class. */
    static Map<Class<?>, Serializer<?>> byClass(JavaSerialization java) {
        Map<Class<?>, Serializer<?>> serializers = new IdentityHashMap<>();
        for (Wrapper wrapper : Wrapper.values()) {
            for (Shape shape : Shape.values()) {
                serializers.put(wrapper.wrap(shape, shape.emptyContents(null)).getClass(),
                        new WrapperSerializer(wrapper, shape));
            }
        }
        // unmodifiableList and synchronizedList make a different class for lists without random access
        serializers.put(Collections.unmodifiableList(new LinkedList<>()).getClass(),
                new WrapperSerializer(Wrapper.UNMODIFIABLE, Shape.LIST));
        serializers.put(Collections.synchronizedList(new LinkedList<>()).getClass(),
                new WrapperSerializer(Wrapper.SYNCHRONIZED, Shape.LIST));
        serializers.put(EnumMap.class, new EnumMapSerializer(java));
        return serializers;
    }

    /**
     * The elements, copied while another thread may change the collection. When no clean copy succeeds, the
     * last one holds what the copy saw: a state between two changes is good enough, because the request making
     * them writes the session again when it ends.
     */
    static Object[] snapshot(Collection<?> collection) {
        for (int attempt = 1; attempt < SNAPSHOT_ATTEMPTS; attempt++) {
            try {
                return collection.toArray();
            } catch (ConcurrentModificationException e) {
                // changed during the copy: again
            }
        }
        List<Object> seen = new ArrayList<>();
        try {
            collection.forEach(seen::add);
        } catch (ConcurrentModificationException e) {
            // keep what was seen
        }
        return seen.toArray();
    }

    /** Keys and values alternating, copied like {@link #snapshot(Collection)}. */
    static Object[] snapshot(Map<?, ?> map) {
        for (int attempt = 1; attempt < SNAPSHOT_ATTEMPTS; attempt++) {
            try {
                List<Object> entries = new ArrayList<>(map.size() * 2);
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    entries.add(entry.getKey());
                    entries.add(entry.getValue());
                }
                return entries.toArray();
            } catch (ConcurrentModificationException e) {
                // changed during the copy: again
            }
        }
        List<Object> seen = new ArrayList<>();
        try {
            map.forEach((key, value) -> {
                seen.add(key);
                seen.add(value);
            });
        } catch (ConcurrentModificationException e) {
            // keep what was seen
        }
        return seen.toArray();
    }

    enum Wrapper {
        UNMODIFIABLE, SYNCHRONIZED;

        Object wrap(Shape shape, Object contents) {
            boolean unmodifiable = this == UNMODIFIABLE;
            switch (shape) {
                case COLLECTION:
                    return unmodifiable ? Collections.unmodifiableCollection((Collection<?>) contents)
                            : Collections.synchronizedCollection((Collection<?>) contents);
                case LIST:
                    return unmodifiable ? Collections.unmodifiableList((List<?>) contents)
                            : Collections.synchronizedList((List<?>) contents);
                case SET:
                    return unmodifiable ? Collections.unmodifiableSet((Set<?>) contents)
                            : Collections.synchronizedSet((Set<?>) contents);
                case SORTED_SET:
                    return unmodifiable ? Collections.unmodifiableSortedSet((SortedSet<?>) contents)
                            : Collections.synchronizedSortedSet((SortedSet<?>) contents);
                case NAVIGABLE_SET:
                    return unmodifiable ? Collections.unmodifiableNavigableSet((NavigableSet<?>) contents)
                            : Collections.synchronizedNavigableSet((NavigableSet<?>) contents);
                case MAP:
                    return unmodifiable ? Collections.unmodifiableMap((Map<?, ?>) contents)
                            : Collections.synchronizedMap((Map<?, ?>) contents);
                case SORTED_MAP:
                    return unmodifiable ? Collections.unmodifiableSortedMap((SortedMap<?, ?>) contents)
                            : Collections.synchronizedSortedMap((SortedMap<?, ?>) contents);
                case NAVIGABLE_MAP:
                    return unmodifiable ? Collections.unmodifiableNavigableMap((NavigableMap<?, ?>) contents)
                            : Collections.synchronizedNavigableMap((NavigableMap<?, ?>) contents);
                default:
                    throw new AssertionError(shape);
            }
        }
    }

    enum Shape {
        COLLECTION, LIST, SET, SORTED_SET, NAVIGABLE_SET, MAP, SORTED_MAP, NAVIGABLE_MAP;

        boolean isMap() {
            return this == MAP || this == SORTED_MAP || this == NAVIGABLE_MAP;
        }

        boolean isSorted() {
            return this == SORTED_SET || this == NAVIGABLE_SET || this == SORTED_MAP || this == NAVIGABLE_MAP;
        }

        /** What the wrapper is rebuilt around: a collection of the kind the wrapped one was, in its order. */
        @SuppressWarnings({"unchecked", "rawtypes"})
        Object emptyContents(Comparator comparator) {
            switch (this) {
                case COLLECTION:
                case LIST:
                    return new ArrayList<>();
                case SET:
                    return new LinkedHashSet<>();
                case SORTED_SET:
                case NAVIGABLE_SET:
                    return new TreeSet<>(comparator);
                case MAP:
                    return new LinkedHashMap<>();
                default:
                    return new TreeMap<>(comparator);
            }
        }
    }

    /**
     * {@code Collections.unmodifiable*} and {@code Collections.synchronized*}: the wrapped collection is private, so
     * its contents (and comparator) are written, and read back into a new collection of the same kind.
     */
    private static final class WrapperSerializer extends Serializer<Object> {

        private final Wrapper wrapper;
        private final Shape shape;

        WrapperSerializer(Wrapper wrapper, Shape shape) {
            this.wrapper = wrapper;
            this.shape = shape;
        }

        @Override
        public void write(Kryo kryo, Output output, Object object) {
            Comparator<?> comparator = null;
            Object[] contents;
            // a synchronized wrapper's lock is the wrapper itself; holding it is how its users iterate safely
            if (wrapper == Wrapper.SYNCHRONIZED) {
                synchronized (object) {
                    contents = contentsOf(object);
                }
            } else {
                contents = contentsOf(object);
            }
            if (shape.isSorted()) {
                comparator = shape.isMap() ? ((SortedMap<?, ?>) object).comparator()
                        : ((SortedSet<?>) object).comparator();
                kryo.writeClassAndObject(output, comparator);
            }
            output.writeVarInt(contents.length, true);
            for (Object item : contents) {
                kryo.writeClassAndObject(output, item);
            }
        }

        private Object[] contentsOf(Object object) {
            return shape.isMap() ? snapshot((Map<?, ?>) object) : snapshot((Collection<?>) object);
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Object read(Kryo kryo, Input input, Class<?> type) {
            Comparator<?> comparator = shape.isSorted() ? (Comparator<?>) kryo.readClassAndObject(input) : null;
            Object contents = shape.emptyContents(comparator);
            Object wrapped = wrapper.wrap(shape, contents);
            kryo.reference(wrapped); // before the elements, which may refer back to it
            int length = input.readVarInt(true);
            if (shape.isMap()) {
                Map map = (Map) contents;
                for (int i = 0; i < length; i += 2) {
                    map.put(kryo.readClassAndObject(input), kryo.readClassAndObject(input));
                }
            } else {
                Collection collection = (Collection) contents;
                for (int i = 0; i < length; i++) {
                    collection.add(kryo.readClassAndObject(input));
                }
            }
            return wrapped;
        }
    }

    /**
     * {@code EnumMap} hides its key type. A non-empty map shows it through its keys; an empty one is written with
     * Java serialization, the only public way to its key type.
     */
    private static final class EnumMapSerializer extends Serializer<EnumMap<?, ?>> {

        private final JavaSerialization java;

        EnumMapSerializer(JavaSerialization java) {
            this.java = java;
        }

        @Override
        public void write(Kryo kryo, Output output, EnumMap<?, ?> map) {
            Object[] entries = snapshot(map);
            output.writeVarInt(entries.length / 2, true);
            if (entries.length == 0) {
                try {
                    byte[] bytes = JavaSerialization.write(map);
                    output.writeVarInt(bytes.length, true);
                    output.writeBytes(bytes);
                } catch (IOException e) {
                    throw new KryoException("cannot write an empty EnumMap", e);
                }
                return;
            }
            kryo.writeClass(output, ((Enum<?>) entries[0]).getDeclaringClass());
            for (int i = 0; i < entries.length; i += 2) {
                output.writeVarInt(((Enum<?>) entries[i]).ordinal(), true);
                kryo.writeClassAndObject(output, entries[i + 1]);
            }
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public EnumMap<?, ?> read(Kryo kryo, Input input, Class<? extends EnumMap<?, ?>> type) {
            int size = input.readVarInt(true);
            if (size == 0) {
                try {
                    return (EnumMap<?, ?>) java.read(input.readBytes(input.readVarInt(true)));
                } catch (IOException | ClassNotFoundException e) {
                    throw new KryoException("cannot read an empty EnumMap: " + e, e);
                }
            }
            Class keyType = kryo.readClass(input).getType();
            Object[] keys = keyType.getEnumConstants();
            EnumMap map = new EnumMap(keyType);
            kryo.reference(map);
            for (int i = 0; i < size; i++) {
                map.put((Enum) keys[input.readVarInt(true)], kryo.readClassAndObject(input));
            }
            return map;
        }
    }

    /**
     * A JDK collection or map that can be neither created nor Java-serialized, such as a sub-list or a map's key
     * set (views of another collection): it is read back as an independent copy of the same kind.
     */
    static final class CopySerializer extends Serializer<Object> {

        private final Shape shape;

        CopySerializer(Class<?> type) {
            this.shape = Map.class.isAssignableFrom(type) ? Shape.MAP
                    : List.class.isAssignableFrom(type) ? Shape.LIST
                    : Set.class.isAssignableFrom(type) ? Shape.SET : Shape.COLLECTION;
        }

        @Override
        public void write(Kryo kryo, Output output, Object object) {
            Object[] contents = shape.isMap() ? snapshot((Map<?, ?>) object) : snapshot((Collection<?>) object);
            output.writeVarInt(contents.length, true);
            for (Object item : contents) {
                kryo.writeClassAndObject(output, item);
            }
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Object read(Kryo kryo, Input input, Class<?> type) {
            Object copy = shape.emptyContents(null);
            kryo.reference(copy);
            int length = input.readVarInt(true);
            if (shape.isMap()) {
                for (int i = 0; i < length; i += 2) {
                    ((Map) copy).put(kryo.readClassAndObject(input), kryo.readClassAndObject(input));
                }
            } else {
                for (int i = 0; i < length; i++) {
                    ((Collection) copy).add(kryo.readClassAndObject(input));
                }
            }
            return copy;
        }
    }
}
