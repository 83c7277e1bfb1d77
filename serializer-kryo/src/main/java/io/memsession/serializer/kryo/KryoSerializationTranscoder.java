package io.memsession.serializer.kryo;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;

import io.memsession.serializer.ClassAllowList;
import io.memsession.serializer.ReadLimits;
import io.memsession.serializer.SerializationException;
import io.memsession.serializer.SessionAttributesTranscoder;

/**
 * Attributes with Kryo. The usual form is one Kryo stream: a format byte, the number of attributes, then name and
 * value of each, all in one object graph. When Kryo fails on some attribute, the session is written again
 * attribute by attribute, each in a graph of its own and, for one Kryo fails on, with Java serialization; an
 * attribute neither can write is left out and reported once. So one odd attribute never costs the session.
 *
 * <p>Kryo instances are not thread-safe and expensive to create, so they are pooled with their buffers.
 */
final class KryoSerializationTranscoder implements SessionAttributesTranscoder {

    private static final Logger LOG = Logger.getLogger(KryoSerializationTranscoder.class.getName());

    static final byte ONE_GRAPH = 1;
    static final byte EACH_ON_ITS_OWN = 2;
    static final byte KRYO = 0;
    static final byte JAVA = 1;

    /** A pooled output buffer larger than this after a big session is dropped rather than kept for the next. */
    private static final int RETAINED_BUFFER_BYTES = 256 * 1024;
    private static final int POOL_SIZE = Math.max(8, 4 * Runtime.getRuntime().availableProcessors());

    private final ClassLoader classLoader;
    private final ClassAllowList allowList;
    private final boolean copyCollections;
    private final List<KryoCustomization> customizations;
    private final JavaSerialization java;
    private final Pool<Worker> pool;
    /** "name:class" of attributes already reported as not serializable, so the log says it once. */
    private final Set<String> reported = Collections.newSetFromMap(new ConcurrentHashMap<String, Boolean>());

    KryoSerializationTranscoder(ClassLoader classLoader, ClassAllowList allowList, boolean copyCollections,
                                List<KryoCustomization> customizations) {
        this.classLoader = classLoader;
        this.allowList = allowList;
        this.copyCollections = copyCollections;
        this.customizations = customizations;
        this.java = new JavaSerialization(classLoader, allowList);
        this.pool = new Pool<Worker>(true, false, POOL_SIZE) {
            @Override
            protected Worker create() {
                return new Worker(newKryo());
            }
        };
        pool.free(pool.obtain()); // a customization that fails, fails now, while the context starts
    }

    private Kryo newKryo() {
        Kryo kryo = new SessionKryo(classLoader, allowList, copyCollections);
        for (KryoCustomization customization : customizations) {
            customization.customize(kryo);
        }
        return kryo;
    }

    @Override
    public byte[] serialize(Map<String, Object> attributes) {
        Worker worker = pool.obtain();
        try {
            return worker.serialize(attributes);
        } finally {
            worker.recycle();
            pool.free(worker);
        }
    }

    @Override
    public Map<String, Object> deserialize(byte[] data) {
        ReadLimits.checkSize(data);
        Worker worker = pool.obtain();
        try {
            return worker.deserialize(data);
        } catch (RuntimeException | StackOverflowError e) {
            // A stack overflow is the one Error turned into an unreadable session: a nesting the depth limit lets
            // through on a small stack ends in it, and it unwinds this thread alone, leaving nothing half done.
            if (e instanceof SerializationException) {
                throw (SerializationException) e;
            }
            throw new SerializationException("cannot read session attributes: " + e, e);
        } finally {
            worker.kryo.reset();
            pool.free(worker);
        }
    }

    private void reportNotSerializable(String name, Object value, Throwable kryoFailure, Throwable javaFailure) {
        if (reported.add(name + ":" + value.getClass().getName())) {
            LOG.warning("session attribute '" + name + "' of class " + value.getClass().getName()
                    + " cannot be serialized (Kryo: " + kryoFailure + (javaFailure == null ? ""
                    : "; Java serialization: " + javaFailure) + "); it is not stored in memcached and is lost on"
                    + " failover. This is logged once.");
        }
    }

    /** One Kryo instance and its buffers, used by one thread at a time. */
    private final class Worker {

        final Kryo kryo;
        Output output = new Output(4096, -1);
        final BoundedInput input = new BoundedInput();

        Worker(Kryo kryo) {
            this.kryo = kryo;
        }

        byte[] serialize(Map<String, Object> attributes) {
            List<Map.Entry<String, Object>> present = new ArrayList<>(attributes.size());
            for (Map.Entry<String, Object> attribute : attributes.entrySet()) {
                if (attribute.getValue() != null) {
                    present.add(attribute);
                }
            }
            try {
                output.writeByte(ONE_GRAPH);
                output.writeVarInt(present.size(), true);
                for (Map.Entry<String, Object> attribute : present) {
                    output.writeString(attribute.getKey());
                    kryo.writeClassAndObject(output, attribute.getValue());
                }
                return output.toBytes();
            } catch (RuntimeException | StackOverflowError e) {
                recycle();
                return serializeEachOnItsOwn(present);
            }
        }

        private byte[] serializeEachOnItsOwn(List<Map.Entry<String, Object>> attributes) {
            List<String> names = new ArrayList<>(attributes.size());
            List<byte[]> values = new ArrayList<>(attributes.size());
            List<Byte> formats = new ArrayList<>(attributes.size());
            for (Map.Entry<String, Object> attribute : attributes) {
                Object value = attribute.getValue();
                Throwable kryoFailure;
                try {
                    kryo.writeClassAndObject(output, value);
                    values.add(output.toBytes());
                    formats.add(KRYO);
                    names.add(attribute.getKey());
                    continue;
                } catch (RuntimeException | StackOverflowError e) {
                    kryoFailure = e;
                } finally {
                    recycle();
                }
                if (!(value instanceof Serializable)) {
                    reportNotSerializable(attribute.getKey(), value, kryoFailure, null);
                    continue;
                }
                try {
                    values.add(JavaSerialization.write(value));
                    formats.add(JAVA);
                    names.add(attribute.getKey());
                } catch (IOException | RuntimeException e) {
                    reportNotSerializable(attribute.getKey(), value, kryoFailure, e);
                }
            }
            output.writeByte(EACH_ON_ITS_OWN);
            output.writeVarInt(names.size(), true);
            for (int i = 0; i < names.size(); i++) {
                output.writeString(names.get(i));
                output.writeByte(formats.get(i));
                output.writeVarInt(values.get(i).length, true);
                output.writeBytes(values.get(i));
            }
            return output.toBytes();
        }

        Map<String, Object> deserialize(byte[] data) {
            input.setBuffer(data);
            byte format = input.readByte();
            int count = input.readVarInt(true);
            ReadLimits.checkLength(count, input.remaining(), "attribute list");
            Map<String, Object> attributes = new HashMap<>(Math.max(16, count * 2));
            if (format == ONE_GRAPH) {
                for (int i = 0; i < count; i++) {
                    String name = input.readString();
                    attributes.put(name, kryo.readClassAndObject(input));
                }
            } else if (format == EACH_ON_ITS_OWN) {
                for (int i = 0; i < count; i++) {
                    String name = input.readString();
                    byte valueFormat = input.readByte();
                    byte[] value = input.readBytes(input.readVarInt(true));
                    attributes.put(name, readValue(valueFormat, value));
                }
            } else {
                throw new SerializationException("unknown Kryo attribute format " + format);
            }
            return attributes;
        }

        private Object readValue(byte format, byte[] value) {
            if (format == KRYO) {
                try {
                    return kryo.readClassAndObject(new BoundedInput(value));
                } finally {
                    kryo.reset();
                }
            }
            if (format == JAVA) {
                try {
                    return java.read(value);
                } catch (IOException | ClassNotFoundException e) {
                    throw new SerializationException("cannot read a Java-serialized attribute: " + e, e);
                }
            }
            throw new SerializationException("unknown attribute value format " + format);
        }

        /** Ready for the next session: references forgotten, buffer emptied (and shrunk after a big session). */
        void recycle() {
            kryo.reset();
            if (output.getBuffer().length > RETAINED_BUFFER_BYTES) {
                output = new Output(4096, -1);
            } else {
                output.reset();
            }
        }
    }
}
