package io.memsession.serializer.java;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.util.HashMap;
import java.util.Map;

import io.memsession.serializer.ClassAllowList;
import io.memsession.serializer.MsmAttributesReader;
import io.memsession.serializer.ReadLimits;
import io.memsession.serializer.SerializationException;
import io.memsession.serializer.WebappObjectInputStream;

/**
 * Reads the attributes memcached-session-manager's Java serializer wrote: one object stream holding the number of
 * attributes as an {@code Integer}, then each name and value as objects. A value msm could not serialize is its
 * marker string, and is left out, as msm left it out. The classes are checked and the stream read within
 * {@link ReadLimits} exactly as memsession's own sessions are ({@link WebappObjectInputStream}).
 */
final class MsmJavaAttributesReader implements MsmAttributesReader {

    /** What msm wrote in place of a value that failed to serialize. */
    private static final String NOT_SERIALIZED = "___NOT_SERIALIZABLE_EXCEPTION___";

    private final ClassLoader classLoader;
    private final ClassAllowList allowList;

    MsmJavaAttributesReader(ClassLoader classLoader, ClassAllowList allowList) {
        this.classLoader = classLoader;
        this.allowList = allowList;
    }

    @Override
    public Map<String, Object> read(byte[] attributes) {
        ReadLimits.checkSize(attributes);
        try (ObjectInputStream in = new WebappObjectInputStream(attributes, classLoader, allowList)) {
            Object count = in.readObject();
            if (!(count instanceof Integer)) {
                throw new SerializationException("memcached-session-manager's attributes do not start with their "
                        + "number");
            }
            ReadLimits.checkLength((Integer) count, attributes.length, "attribute list");
            Map<String, Object> read = new HashMap<>(Math.max(16, (Integer) count * 2));
            for (int i = 0; i < (Integer) count; i++) {
                Object name = in.readObject();
                Object value = in.readObject();
                if (!(name instanceof String)) {
                    throw new SerializationException("an attribute name of class "
                            + (name == null ? "null" : name.getClass().getName()));
                }
                if (!NOT_SERIALIZED.equals(value)) {
                    read.put((String) name, value);
                }
            }
            return read;
        } catch (IOException | ClassNotFoundException | RuntimeException | StackOverflowError e) {
            // as in JavaSerializationTranscoder: a stack overflow unwinds this thread alone
            if (e instanceof SerializationException) {
                throw (SerializationException) e;
            }
            throw new SerializationException("cannot read memcached-session-manager's attributes: " + e
                    + (e.getCause() instanceof SerializationException ? " (" + e.getCause().getMessage() + ")" : ""),
                    e);
        }
    }
}
