package io.memsession.serializer.kryo;

import java.io.Externalizable;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import org.objenesis.strategy.StdInstantiatorStrategy;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.CollectionSerializer;
import com.esotericsoftware.kryo.serializers.DefaultSerializers.TreeMapSerializer;
import com.esotericsoftware.kryo.serializers.DefaultSerializers.TreeSetSerializer;
import com.esotericsoftware.kryo.serializers.MapSerializer;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import com.esotericsoftware.kryo.util.MapReferenceResolver;

import io.memsession.serializer.ClassAllowList;
import io.memsession.serializer.ReadLimits;

/**
 * Kryo as memsession configures it: class names written (no registration, so any attribute class works and no
 * registration order must be kept stable across deployments), shared and cyclic references kept, objects created
 * without a constructor when they have no no-argument one, classes resolved on the web application's class loader.
 *
 * <p>The choice of serializer per class is here, in {@link #getDefaultSerializer}, so that nothing ever needs
 * {@code --add-opens}: JDK classes are only handled through their public API or Java serialization.
 *
 * <p>Reading is closed by default: every class named in the stored data is checked before it is loaded (the gadget
 * classes are always refused, the allow-list applies when set), objects nest at most {@link ReadLimits#MAX_DEPTH}
 * deep, and every length is checked by {@link BoundedInput} before anything is allocated for it.
 */
final class SessionKryo extends Kryo {

    private final Map<Class<?>, Serializer<?>> jdkSerializers;
    private final Serializer<Object> javaSerializer;
    private final boolean copyCollections;

    SessionKryo(ClassLoader classLoader, ClassAllowList allowList, boolean copyCollections) {
        super(new CheckingClassResolver(allowList), new MapReferenceResolver());
        JavaSerialization java = new JavaSerialization(classLoader, allowList);
        this.jdkSerializers = JdkSerializers.byClass(java);
        this.javaSerializer = new JavaSerializer(java);
        this.copyCollections = copyCollections;
        setClassLoader(classLoader);
        setRegistrationRequired(false);
        setReferences(true);
        // one reference table for all attributes of a session, so attributes sharing an object still share it
        setAutoReset(false);
        setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        setMaxDepth(ReadLimits.MAX_DEPTH);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Serializer getDefaultSerializer(Class type) {
        Serializer chosen = chooseSerializer(type);
        boolean allocatesForLength = chosen instanceof CollectionSerializer || chosen instanceof MapSerializer
                || chosen instanceof SnapshotSerializer || type.isArray() && !type.getComponentType().isPrimitive();
        return allocatesForLength ? new LengthChecked(chosen, type.isArray() ? "array"
                : Map.class.isAssignableFrom(type) ? "map" : "collection") : chosen;
    }

    @SuppressWarnings("rawtypes")
    private Serializer chooseSerializer(Class type) {
        Serializer<?> jdk = jdkSerializers.get(type);
        if (jdk != null) {
            return jdk;
        }
        Serializer chosen = super.getDefaultSerializer(type);
        boolean generic = chosen.getClass() == CollectionSerializer.class || chosen.getClass() == MapSerializer.class;
        if (generic && isJdkClass(type) && !canCreateEmpty(type)) {
            // a view (sub-list, key set), or state Kryo's collection serializers cannot rebuild (a comparator,
            // a capacity): Java serialization knows how, and for the rest a copy is the best there is
            return Serializable.class.isAssignableFrom(type) ? javaSerializer : new JdkSerializers.CopySerializer(type);
        }
        if (copyCollections && (generic || chosen instanceof TreeSetSerializer || chosen instanceof TreeMapSerializer)) {
            return new SnapshotSerializer(chosen);
        }
        return chosen;
    }

    /** Called when no default serializer matched: for classes Kryo would take apart field by field. */
    @Override
    @SuppressWarnings("rawtypes")
    protected Serializer newDefaultSerializer(Class type) {
        return needsJavaSerialization(type) ? javaSerializer : super.newDefaultSerializer(type);
    }

    /**
     * Whether Kryo's field serializer would get the object wrong: its class, or a superclass, customizes Java
     * serialization (so its fields alone do not make a correct copy: caches rebuilt in {@code readObject},
     * singletons kept by {@code readResolve}), or inherits fields from the JDK, which Java 17 keeps private.
     */
    static boolean needsJavaSerialization(Class<?> type) {
        if (!Serializable.class.isAssignableFrom(type)) {
            return false;
        }
        if (Externalizable.class.isAssignableFrom(type)) {
            return true;
        }
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            if (isJdkClass(c) || declares(c, "writeObject", ObjectOutputStream.class)
                    || declares(c, "readObject", ObjectInputStream.class) || declares(c, "writeReplace")
                    || declares(c, "readResolve")) {
                return true;
            }
        }
        return false;
    }

    private static boolean declares(Class<?> type, String method, Class<?>... parameterTypes) {
        try {
            type.getDeclaredMethod(method, parameterTypes);
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    static boolean isJdkClass(Class<?> type) {
        String name = type.getName();
        return name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")
                || name.startsWith("sun.") || name.startsWith("com.sun.");
    }

    /** Whether Kryo's collection serializers can create the collection and fill it to a faithful copy. */
    private static boolean canCreateEmpty(Class<?> type) {
        if (!Modifier.isPublic(type.getModifiers()) || Modifier.isAbstract(type.getModifiers())) {
            return false;
        }
        try {
            type.getMethod("comparator");
            return false; // sorted by a comparator the generic serializers do not write
        } catch (NoSuchMethodException e) {
            // no comparator: fine
        }
        try {
            Constructor<?> constructor = type.getConstructor();
            return Modifier.isPublic(constructor.getModifiers());
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /**
     * The gadget classes and the allow-list, checked by name before a class named in the stored data is loaded:
     * Kryo creates objects of any class it can load, calling its no-argument constructor, Serializable or not.
     */
    private static final class CheckingClassResolver extends DefaultClassResolver {

        private final ClassAllowList allowList;

        CheckingClassResolver(ClassAllowList allowList) {
            this.allowList = allowList;
        }

        @Override
        @SuppressWarnings("rawtypes")
        protected Class getTypeByName(String className) {
            Class known = super.getTypeByName(className);
            if (known == null) {
                String refusal = allowList.refusal(className);
                if (refusal != null) {
                    throw new KryoException("class " + className + " " + refusal);
                }
            }
            return known;
        }
    }

    /**
     * A serializer that allocates for the length it reads first (Kryo's collection, map and object array
     * serializers): the input checks that length before the serializer sees it.
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static final class LengthChecked extends Serializer<Object> {

        private final Serializer delegate;
        private final String what;

        LengthChecked(Serializer delegate, String what) {
            super(delegate.getAcceptsNull(), delegate.isImmutable());
            this.delegate = delegate;
            this.what = what;
        }

        @Override
        public void write(Kryo kryo, Output output, Object object) {
            delegate.write(kryo, output, object);
        }

        @Override
        public Object read(Kryo kryo, Input input, Class type) {
            if (!(input instanceof BoundedInput)) {
                return delegate.read(kryo, input, type);
            }
            BoundedInput bounded = (BoundedInput) input;
            bounded.lengthFollows(what);
            try {
                return delegate.read(kryo, input, type);
            } finally {
                bounded.noLengthFollows();
            }
        }

        @Override
        public Object copy(Kryo kryo, Object original) {
            return delegate.copy(kryo, original);
        }
    }

    /** For objects Kryo should not take apart: Java serialization, as one opaque value in Kryo's stream. */
    private static final class JavaSerializer extends Serializer<Object> {

        private final JavaSerialization java;

        JavaSerializer(JavaSerialization java) {
            this.java = java;
        }

        @Override
        public void write(Kryo kryo, Output output, Object object) {
            try {
                byte[] bytes = JavaSerialization.write(object);
                output.writeVarInt(bytes.length, true);
                output.writeBytes(bytes);
            } catch (IOException e) {
                throw new KryoException("Java serialization of " + object.getClass().getName() + " failed: " + e, e);
            }
        }

        @Override
        public Object read(Kryo kryo, Input input, Class<?> type) {
            try {
                return java.read(input.readBytes(input.readVarInt(true)));
            } catch (IOException | ClassNotFoundException e) {
                throw new KryoException("Java deserialization of " + type.getName() + " failed: " + e, e);
            }
        }
    }

    /**
     * {@code copyCollectionsForSerialization}: writes a copy of the collection, so that another request changing
     * it meanwhile cannot make the write fail with a {@code ConcurrentModificationException}.
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static final class SnapshotSerializer extends Serializer<Object> {

        private final Serializer delegate;

        SnapshotSerializer(Serializer delegate) {
            super(delegate.getAcceptsNull(), delegate.isImmutable());
            this.delegate = delegate;
        }

        @Override
        public void write(Kryo kryo, Output output, Object object) {
            delegate.write(kryo, output, object instanceof Map ? snapshot((Map) object) : snapshot((Collection) object));
        }

        private static Map snapshot(Map map) {
            Object[] entries = JdkSerializers.snapshot(map);
            Map copy = map instanceof SortedMap ? new TreeMap(((SortedMap) map).comparator())
                    : new LinkedHashMap(entries.length);
            for (int i = 0; i < entries.length; i += 2) {
                copy.put(entries[i], entries[i + 1]);
            }
            return copy;
        }

        private static Collection snapshot(Collection collection) {
            Object[] items = JdkSerializers.snapshot(collection);
            if (collection instanceof SortedSet) {
                Comparator comparator = ((SortedSet) collection).comparator();
                TreeSet copy = new TreeSet(comparator);
                copy.addAll(Arrays.asList(items));
                return copy;
            }
            return Arrays.asList(items);
        }

        @Override
        public Object read(Kryo kryo, Input input, Class type) {
            return delegate.read(kryo, input, type);
        }
    }
}
