package io.memsession.serializer.kryo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.memsession.serializer.ReadLimits;
import io.memsession.serializer.SerializationException;

/**
 * One read of bytes Kryo 4.0 wrote, as memcached-session-manager configured it: class names or registration ids
 * before objects, references on ({@code MapReferenceResolver}), fixed-size numbers big-endian. Kryo 5 kept the
 * variable-length ints and longs and the strings of Kryo 4 but writes fixed-size numbers little-endian and frames
 * collections, references and fields differently, so this reads the framing itself on Kryo 5's {@link BoundedInput},
 * which checks every string and array length before anything is allocated.
 */
final class Kryo4Stream {

    /** Kryo 4's markers: where a class goes, null and "a class name follows"; where a reference goes, null and new. */
    private static final int NULL = 0;
    private static final int NAME = 1;
    private static final int NOT_NULL = 1;
    /** The reference slot of an object that takes no reference (a boxed primitive), as Kryo 4 keeps it. */
    private static final int NO_REF = -1;

    private final MsmKryoReader reader;
    final BoundedInput input;
    private final Map<Integer, Class<?>> classesByNameId = new HashMap<>();
    /** Kryo 4's read reference table: an object's id is its index. */
    private final List<Object> objects = new ArrayList<>();
    /** Kryo 4's {@code readReferenceIds}: the slots of the objects being read, waiting for {@link #reference}. */
    private int[] pending = new int[16];
    private int pendingCount;
    private int depth;

    Kryo4Stream(MsmKryoReader reader, byte[] bytes) {
        this.reader = reader;
        this.input = new BoundedInput(bytes);
    }

    int remaining() {
        return input.remaining();
    }

    int readVarInt() {
        return input.readVarInt(true);
    }

    /** A length about to be allocated for (elements, entries): each takes at least one of the remaining bytes. */
    int readLength(String what) {
        int length = input.readVarInt(true);
        ReadLimits.checkLength(length, input.remaining(), what);
        return length;
    }

    int readFixedInt() {
        return Integer.reverseBytes(input.readInt());
    }

    long readFixedLong() {
        return Long.reverseBytes(input.readLong());
    }

    short readFixedShort() {
        return Short.reverseBytes(input.readShort());
    }

    char readFixedChar() {
        return Character.reverseBytes(input.readChar());
    }

    float readFixedFloat() {
        return Float.intBitsToFloat(readFixedInt());
    }

    double readFixedDouble() {
        return Double.longBitsToDouble(readFixedLong());
    }

    /** Kryo 4's {@code readClass}: null, a registration id, or a class name (once per read, then its number). */
    Class<?> readClass() {
        int id = input.readVarInt(true);
        if (id == NULL) {
            return null;
        }
        if (id != NAME) {
            return reader.registeredClass(id - 2);
        }
        int nameId = input.readVarInt(true);
        Class<?> type = classesByNameId.get(nameId);
        if (type == null) {
            type = reader.loadClass(input.readString());
            classesByNameId.put(nameId, type);
        }
        return type;
    }

    Object readClassAndObject() {
        Class<?> type = readClass();
        return type == null ? null : readObject(type);
    }

    /** Kryo 4's {@code readObject}: a value of a known class that is never null. */
    Object readObject(Class<?> type) {
        return read(type, false);
    }

    /** Kryo 4's {@code readObjectOrNull}: a value of a known class, or null. */
    Object readObjectOrNull(Class<?> type) {
        return read(type, true);
    }

    private Object read(Class<?> type, boolean mayBeNull) {
        Kryo4Format format = reader.formatOf(type);
        boolean referenced = !isBoxed(type);
        int slot = NO_REF;
        if (mayBeNull || referenced) {
            int id = input.readVarInt(true);
            if (mayBeNull && id == NULL) {
                return null;
            }
            if (referenced && id != NOT_NULL) {
                return referenced(id - 2);
            }
            if (referenced) {
                slot = objects.size();
                objects.add(null);
            }
        }
        push(slot);
        int waiting = pendingCount;
        if (++depth > ReadLimits.MAX_DEPTH) {
            throw new SerializationException("objects nested deeper than " + ReadLimits.MAX_DEPTH + " refused");
        }
        Object value;
        try {
            value = format.read(this, type);
        } finally {
            depth--;
        }
        if (pendingCount == waiting) {
            reference(value); // the format did not announce it itself
        }
        return value;
    }

    /** Kryo 4's {@code reference}: the object being read, known before its contents (which may refer back to it). */
    void reference(Object object) {
        if (pendingCount == 0) {
            throw new SerializationException("a reference announced outside any object");
        }
        int slot = pending[--pendingCount];
        if (slot != NO_REF) {
            objects.set(slot, object);
        }
    }

    private Object referenced(int id) {
        if (id < 0 || id >= objects.size()) {
            throw new SerializationException("reference " + id + " to no object read before");
        }
        return objects.get(id);
    }

    private void push(int slot) {
        if (pendingCount == pending.length) {
            int[] larger = new int[pending.length * 2];
            System.arraycopy(pending, 0, larger, 0, pendingCount);
            pending = larger;
        }
        pending[pendingCount++] = slot;
    }

    /** Kryo 4 keeps no references to boxed primitives ({@code Util.isWrapperClass}), so writes no marker for them. */
    private static boolean isBoxed(Class<?> type) {
        return type.isPrimitive() || type == Integer.class || type == Long.class || type == Boolean.class
                || type == Byte.class || type == Character.class || type == Short.class || type == Float.class
                || type == Double.class;
    }
}
