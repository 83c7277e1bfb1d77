package io.memsession.serializer.kryo;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.objenesis.instantiator.ObjectInstantiator;

import io.memsession.serializer.SerializationException;

/**
 * The application's classes as Kryo 4's {@code FieldSerializer} wrote them for msm: every non-static, non-transient
 * field of the class and its superclasses, synthetic ones included, sorted by name; a field of a final class (or a
 * primitive) without its class name, any other with it.
 *
 * <p>msm turned on Kryo 4's "optimized generics", which would leave out the class names of a {@code List<String>}'s
 * elements or of a {@code T} field resolved to {@code String}. Kryo 4 ignores it for the fields it reaches through
 * {@code sun.misc.Unsafe}, which is how it reaches them on every HotSpot JVM msm ran on: msm's own bytes hold every
 * such class name (measured with msm 2.3.2 and Kryo 4.0.0), so type arguments play no part here.
 */
final class Kryo4FieldFormat implements Kryo4Format {

    private final MsmKryoReader reader;
    private final Class<?> type;
    /** Built on first use, when the class is met in a stored session. */
    private volatile Slot[] slots;
    private volatile ObjectInstantiator<?> instantiator;

    Kryo4FieldFormat(MsmKryoReader reader, Class<?> type) {
        this.reader = reader;
        this.type = type;
    }

    @Override
    public Object read(Kryo4Stream in, Class<?> ignored) {
        Slot[] fields = slots();
        ObjectInstantiator<?> creator = instantiator;
        if (creator == null) {
            creator = reader.instantiatorOf(type);
            instantiator = creator;
        }
        Object object = creator.newInstance();
        in.reference(object);
        for (Slot slot : fields) {
            Object value;
            if (slot.valueClass == null) {
                Class<?> actual = in.readClass();
                value = actual == null ? null : in.readObject(actual);
            } else if (slot.valueClass.isPrimitive()) {
                value = in.readObject(slot.valueClass);
            } else {
                value = in.readObjectOrNull(slot.valueClass);
            }
            try {
                slot.field.set(object, value);
            } catch (IllegalAccessException | IllegalArgumentException e) {
                throw new SerializationException("cannot set field " + slot.field + " to a "
                        + (value == null ? "null" : value.getClass().getName()) + ": " + e, e);
            }
        }
        return object;
    }

    private Slot[] slots() {
        Slot[] built = slots;
        if (built == null) {
            built = buildSlots();
            slots = built;
        }
        return built;
    }

    private Slot[] buildSlots() {
        List<Field> fields = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                int modifiers = field.getModifiers();
                if (!Modifier.isStatic(modifiers) && !Modifier.isTransient(modifiers)) {
                    fields.add(field);
                }
            }
        }
        // Kryo 4 sorts by name, stably: a field hidden by a subclass's field of the same name comes after it
        Collections.sort(fields, (a, b) -> a.getName().compareTo(b.getName()));
        Slot[] built = new Slot[fields.size()];
        for (int i = 0; i < built.length; i++) {
            Field field = fields.get(i);
            try {
                field.setAccessible(true);
            } catch (RuntimeException e) {
                throw new SerializationException("cannot set field " + field + ": " + e, e);
            }
            Class<?> declared = field.getType();
            boolean known = declared.isPrimitive() || Modifier.isFinal(elementOf(declared).getModifiers());
            built[i] = new Slot(field, known ? declared : null);
        }
        return built;
    }

    /** Kryo 4's {@code isFinal}: an array is as final as its element class. */
    private static Class<?> elementOf(Class<?> type) {
        return type.isArray() ? elementOf(type.getComponentType()) : type;
    }

    /** One field, and its class when Kryo 4 left the class name out. */
    private static final class Slot {
        final Field field;
        final Class<?> valueClass;

        Slot(Field field, Class<?> valueClass) {
            this.field = field;
            this.valueClass = valueClass;
        }
    }
}
