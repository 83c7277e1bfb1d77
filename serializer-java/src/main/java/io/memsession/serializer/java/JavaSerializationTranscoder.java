package io.memsession.serializer.java;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

import io.memsession.serializer.ClassAllowList;
import io.memsession.serializer.ReadLimits;
import io.memsession.serializer.WebappObjectInputStream;
import io.memsession.serializer.SerializationException;
import io.memsession.serializer.SessionAttributesTranscoder;

/**
 * Attributes as one Java object stream: the number of attributes, then name, type tag and value of each. Strings,
 * {@code Integer}, {@code Long} and {@code Boolean} values, the most common attributes, are written directly
 * (a string as its UTF-8 bytes); every other value with {@code writeObject}. Java serialization copies strings
 * char by char, which made a 2 KB string attribute the largest cost of every session write.
 *
 * <p>Classes are resolved on the web application's class loader and checked against the allow-list before they
 * are loaded; reading stays within {@link ReadLimits}.
 */
final class JavaSerializationTranscoder implements SessionAttributesTranscoder {

    private static final Logger LOG = Logger.getLogger(JavaSerializationTranscoder.class.getName());

    private static final byte OBJECT = 0;
    private static final byte STRING = 1;
    private static final byte INTEGER = 2;
    private static final byte LONG = 3;
    private static final byte BOOLEAN = 4;

    private final ClassLoader classLoader;
    private final ClassAllowList allowList;
    /** "name:class" of attributes already reported as not serializable, so the log says it once. */
    private final Set<String> reported = Collections.newSetFromMap(new ConcurrentHashMap<String, Boolean>());

    JavaSerializationTranscoder(ClassLoader classLoader, ClassAllowList allowList) {
        this.classLoader = classLoader;
        this.allowList = allowList;
    }

    @Override
    public byte[] serialize(Map<String, Object> attributes) {
        Map<String, Object> serializable = new LinkedHashMap<>(attributes.size() * 2);
        for (Map.Entry<String, Object> attribute : attributes.entrySet()) {
            Object value = attribute.getValue();
            if (value instanceof Serializable) {
                serializable.put(attribute.getKey(), value);
            } else if (value != null) {
                reportNotSerializable(attribute.getKey(), value, null);
            }
        }
        try {
            return write(serializable);
        } catch (NotSerializableException somewhereInside) {
            // Rare: a Serializable value holds something that is not. Find it, leave it out, write the rest.
            serializable.entrySet().removeIf(attribute -> !isSerializable(attribute.getKey(), attribute.getValue()));
            try {
                return write(serializable);
            } catch (IOException e) {
                throw new SerializationException("cannot serialize session attributes", e);
            }
        } catch (IOException e) {
            throw new SerializationException("cannot serialize session attributes", e);
        }
    }

    private static byte[] write(Map<String, Object> attributes) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeInt(attributes.size());
            for (Map.Entry<String, Object> attribute : attributes.entrySet()) {
                out.writeUTF(attribute.getKey());
                writeValue(out, attribute.getValue());
            }
        }
        return bytes.toByteArray();
    }

    private static void writeValue(ObjectOutputStream out, Object value) throws IOException {
        Class<?> type = value.getClass();
        if (type == String.class) {
            byte[] utf8 = ((String) value).getBytes(StandardCharsets.UTF_8);
            out.writeByte(STRING);
            out.writeInt(utf8.length);
            out.write(utf8);
        } else if (type == Integer.class) {
            out.writeByte(INTEGER);
            out.writeInt((Integer) value);
        } else if (type == Long.class) {
            out.writeByte(LONG);
            out.writeLong((Long) value);
        } else if (type == Boolean.class) {
            out.writeByte(BOOLEAN);
            out.writeBoolean((Boolean) value);
        } else {
            out.writeByte(OBJECT);
            out.writeObject(value);
        }
    }

    private static Object readValue(ObjectInputStream in, int totalBytes) throws IOException, ClassNotFoundException {
        byte tag = in.readByte();
        switch (tag) {
            case STRING:
                int length = in.readInt();
                ReadLimits.checkLength(length, totalBytes, "string");
                byte[] utf8 = new byte[length];
                in.readFully(utf8);
                return new String(utf8, StandardCharsets.UTF_8);
            case INTEGER:
                return in.readInt();
            case LONG:
                return in.readLong();
            case BOOLEAN:
                return in.readBoolean();
            case OBJECT:
                return in.readObject();
            default:
                throw new SerializationException("unknown value tag " + tag);
        }
    }

    private boolean isSerializable(String name, Object value) {
        try (ObjectOutputStream out = new ObjectOutputStream(NullOutputStream.INSTANCE)) {
            out.writeObject(value);
            return true;
        } catch (IOException e) {
            reportNotSerializable(name, value, e);
            return false;
        }
    }

    private void reportNotSerializable(String name, Object value, IOException cause) {
        if (reported.add(name + ":" + value.getClass().getName())) {
            LOG.warning("session attribute '" + name + "' of class " + value.getClass().getName()
                    + " is not serializable" + (cause == null ? "" : " (" + cause + ")")
                    + "; it is not stored in memcached and is lost on failover. This is logged once.");
        }
    }

    @Override
    public Map<String, Object> deserialize(byte[] data) {
        ReadLimits.checkSize(data);
        try (ObjectInputStream in = new WebappObjectInputStream(data, classLoader, allowList)) {
            int count = in.readInt();
            ReadLimits.checkLength(count, data.length, "attribute list");
            Map<String, Object> attributes = new HashMap<>(Math.max(16, count * 2));
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                attributes.put(name, readValue(in, data.length));
            }
            return attributes;
        } catch (IOException | ClassNotFoundException | RuntimeException | StackOverflowError e) {
            // A stack overflow is the one Error turned into an unreadable session: a nesting the depth limit lets
            // through on a small stack ends in it, and it unwinds this thread alone, leaving nothing half done.
            if (e instanceof SerializationException) {
                throw (SerializationException) e;
            }
            throw new SerializationException("cannot read session attributes: " + describe(e), e);
        }
    }

    /** The exception, with the limit or class check that caused it (the JDK reports a filter's refusal as cause). */
    private static String describe(Throwable e) {
        return e.getCause() instanceof SerializationException ? e + " (" + e.getCause().getMessage() + ")"
                : e.toString();
    }

    private static final class NullOutputStream extends OutputStream {
        static final NullOutputStream INSTANCE = new NullOutputStream();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
