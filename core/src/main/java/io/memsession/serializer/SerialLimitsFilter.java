package io.memsession.serializer;

import java.io.ObjectInputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@link ReadLimits} for Java deserialization, as the JDK's own serialization filter of one stream: the
 * {@code ObjectInputFilter} of Java 9+ or, on Java 8 from update 121, {@code sun.misc.ObjectInputFilter}. The JDK
 * asks it before each object, array and back reference, so an array length is refused before the array is
 * allocated. Both APIs are reached by reflection, since this code is Java 8 bytecode and either may be missing.
 *
 * <p>A filter already on the stream (the JVM-wide {@code jdk.serialFilter}) is asked first, and its refusals stand.
 * Where the JVM allows no second filter (Java 9 to 16 with {@code jdk.serialFilter} set), the JVM-wide one is left
 * alone: it was set on purpose, and the class checks of {@link WebappObjectInputStream} still apply.
 */
final class SerialLimitsFilter implements InvocationHandler {

    private static final Logger LOG = Logger.getLogger(SerialLimitsFilter.class.getName());

    /** Room for the stream's own framing, which the element count of an array does not account for. */
    private static final long FRAMING_BYTES = 1024;

    private static final Api API = Api.find();
    private static volatile boolean reportedUnavailable;

    private final long totalBytes;
    private final Object previous;

    private SerialLimitsFilter(long totalBytes, Object previous) {
        this.totalBytes = totalBytes;
        this.previous = previous;
    }

    /** Puts the limits on a stream that has not read any object yet. */
    static void install(ObjectInputStream in, long totalBytes) {
        if (API == null) {
            reportUnavailable("this JVM has no serialization filter (Java 8 before update 121)", null);
            return;
        }
        try {
            Object previous = API.filterOf(in);
            API.setFilter(in, Proxy.newProxyInstance(SerialLimitsFilter.class.getClassLoader(),
                    new Class<?>[] {API.filterType}, new SerialLimitsFilter(totalBytes, previous)));
        } catch (InvocationTargetException e) {
            reportUnavailable("the JVM-wide serialization filter (jdk.serialFilter) cannot be combined with"
                    + " memsession's on this Java version; it alone limits what Java deserialization reads", e);
        } catch (IllegalAccessException e) {
            reportUnavailable("the JVM's serialization filter cannot be set", e);
        }
    }

    private static void reportUnavailable(String why, Throwable cause) {
        if (!reportedUnavailable) {
            reportedUnavailable = true;
            LOG.log(Level.INFO, why + ": depth, reference and array limits are not applied to Java-serialized"
                    + " attributes; the class checks are", cause);
        }
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        switch (method.getName()) {
            case "checkInput":
                return checkInput(args[0]);
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            case "toString":
                return "memsession's read limits";
            default:
                throw new UnsupportedOperationException(method.toString());
        }
    }

    /** A refusal is thrown rather than returned: the JDK rejects the object and keeps the message as cause. */
    private Object checkInput(Object info) throws ReflectiveOperationException {
        Object status = previous == null ? API.undecided : API.checkInput.invoke(previous, info);
        if (status == API.rejected) {
            return status;
        }
        long depth = (Long) API.depth.invoke(info);
        if (depth > ReadLimits.MAX_DEPTH) {
            throw new SerializationException("objects nested deeper than " + ReadLimits.MAX_DEPTH + " refused");
        }
        long references = (Long) API.references.invoke(info);
        if (references > ReadLimits.MAX_REFERENCES) {
            throw new SerializationException("more than " + ReadLimits.MAX_REFERENCES + " objects refused");
        }
        long arrayLength = (Long) API.arrayLength.invoke(info);
        if (arrayLength >= 0) {
            long remaining = totalBytes - (Long) API.streamBytes.invoke(info);
            // hash tables (HashMap's, HashSet's) are allocated up to twice as long as their entries' bytes
            ReadLimits.checkLength(arrayLength, 2 * Math.max(0, remaining) + FRAMING_BYTES, "array");
        }
        return status;
    }

    /** The JDK's filter API, Java 9+ or Java 8u121+. */
    private static final class Api {
        final Class<?> filterType;
        final Method get;
        final Method set;
        /** Java 9+: methods of the stream; Java 8: static methods of the filter's {@code Config}. */
        final boolean streamMethods;
        final Method checkInput;
        final Method depth;
        final Method references;
        final Method arrayLength;
        final Method streamBytes;
        final Object undecided;
        final Object rejected;

        private Api(String filterName, boolean streamMethods) throws ReflectiveOperationException {
            this.filterType = Class.forName(filterName);
            this.streamMethods = streamMethods;
            if (streamMethods) {
                get = ObjectInputStream.class.getMethod("getObjectInputFilter");
                set = ObjectInputStream.class.getMethod("setObjectInputFilter", filterType);
            } else {
                Class<?> config = Class.forName(filterName + "$Config");
                get = config.getMethod("getObjectInputFilter", ObjectInputStream.class);
                set = config.getMethod("setObjectInputFilter", ObjectInputStream.class, filterType);
            }
            Class<?> info = Class.forName(filterName + "$FilterInfo");
            checkInput = filterType.getMethod("checkInput", info);
            depth = info.getMethod("depth");
            references = info.getMethod("references");
            arrayLength = info.getMethod("arrayLength");
            streamBytes = info.getMethod("streamBytes");
            Class<?> status = Class.forName(filterName + "$Status");
            undecided = status.getField("UNDECIDED").get(null);
            rejected = status.getField("REJECTED").get(null);
        }

        static Api find() {
            try {
                return new Api("java.io.ObjectInputFilter", true);
            } catch (ReflectiveOperationException notJava9) {
                try {
                    return new Api("sun.misc.ObjectInputFilter", false);
                } catch (ReflectiveOperationException notJava8u121) {
                    return null;
                }
            }
        }

        Object filterOf(ObjectInputStream in) throws IllegalAccessException, InvocationTargetException {
            return streamMethods ? get.invoke(in) : get.invoke(null, in);
        }

        void setFilter(ObjectInputStream in, Object filter) throws IllegalAccessException,
                InvocationTargetException {
            if (streamMethods) {
                set.invoke(in, filter);
            } else {
                set.invoke(null, in, filter);
            }
        }
    }
}
