package io.memsession.serializer.kryo;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.charset.Charset;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Currency;
import java.util.Date;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.GregorianCalendar;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TimeZone;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.objenesis.instantiator.ObjectInstantiator;
import org.objenesis.strategy.StdInstantiatorStrategy;

import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;

import io.memsession.serializer.ClassAllowList;
import io.memsession.serializer.MsmAttributesReader;
import io.memsession.serializer.ReadLimits;
import io.memsession.serializer.SerializationException;

/**
 * Reads the session attributes memcached-session-manager 2.3's {@code KryoTranscoder} wrote: one
 * {@code ConcurrentHashMap} in Kryo 4.0's format, with the serializers msm registered (kryo-serializers 0.41's
 * {@code Arrays.asList}, unmodifiable and synchronized collection, {@code EnumMap} and sub-list serializers) and,
 * when {@code customConverter} names it, its {@code JodaDateTimeRegistration}.
 *
 * <p>Kryo 4 is not run: the format is read here on Kryo 5's input, so that no second Kryo, ASM and Objenesis go
 * into the jar, and so that JDK classes are rebuilt through their public API, never through their private fields
 * (which Kryo 4 and kryo-serializers reached by reflection, needing {@code --add-opens} on Java 17 and later).
 * The safety of memsession's own reads applies: every class named in the bytes passes {@link ClassAllowList}
 * (gadget classes always refused) before it is loaded, nesting stops at {@link ReadLimits#MAX_DEPTH}, and every
 * length is checked against the bytes left before anything is allocated for it.
 *
 * <p>Not read (the session is unreadable, its user gets a new one): JDK classes msm took apart field by field
 * (other than {@code UUID} and the atomic numbers), JDK proxies, Java 8 lambdas, classes implementing Kryo 4's
 * {@code KryoSerializable}, and registrations of converters memsession does not have.
 */
final class MsmKryoReader implements MsmAttributesReader {

    /**
     * The collections kryo-serializers 0.41 wraps, by the ordinal it writes: any collection, a random-access list, a
     * list, a set, a sorted set, a map, a sorted map.
     */
    private static final JdkSerializers.Shape[] MSM_WRAPPER_SHAPES = {JdkSerializers.Shape.COLLECTION,
            JdkSerializers.Shape.LIST, JdkSerializers.Shape.LIST, JdkSerializers.Shape.SET,
            JdkSerializers.Shape.SORTED_SET, JdkSerializers.Shape.MAP, JdkSerializers.Shape.SORTED_MAP};

    private final ClassLoader classLoader;
    private final ClassAllowList allowList;
    private final boolean copyCollections;
    /** By Kryo 4 registration id: Kryo's ten, then msm's in the order its KryoTranscoder registered them. */
    private final List<Class<?>> registered = new ArrayList<>();
    private final Map<Class<?>, Kryo4Format> registeredFormats = new IdentityHashMap<>();
    private final Map<Class<?>, Kryo4Format> formats = new ConcurrentHashMap<>();
    /** The classes named in stored sessions, by name: only those the web application has, so a bounded few. */
    private final Map<String, Class<?>> loaded = new ConcurrentHashMap<>();
    private final DefaultInstantiatorStrategy instantiators = new DefaultInstantiatorStrategy(
            new StdInstantiatorStrategy());

    MsmKryoReader(ClassLoader classLoader, ClassAllowList allowList, boolean copyCollections, boolean joda) {
        this.classLoader = classLoader;
        this.allowList = allowList;
        this.copyCollections = copyCollections;
        register(int.class, (in, type) -> in.input.readVarInt(false));
        register(String.class, (in, type) -> in.input.readString());
        register(float.class, (in, type) -> in.readFixedFloat());
        register(boolean.class, (in, type) -> in.input.readBoolean());
        register(byte.class, (in, type) -> in.input.readByte());
        register(char.class, (in, type) -> in.readFixedChar());
        register(short.class, (in, type) -> in.readFixedShort());
        register(long.class, (in, type) -> in.input.readVarLong(false));
        register(double.class, (in, type) -> in.readFixedDouble());
        register(void.class, (in, type) -> null);
        register(Arrays.asList("").getClass(), MsmKryoReader::readArraysAsList);
        register(InvocationHandler.class, refused("a JDK proxy"));
        // kryo-serializers 0.41's order, which its ordinals in the stored bytes follow too
        Object[] wrapped = {Arrays.asList(""), new ArrayList<>(), new LinkedList<>(), new HashSet<>(), new TreeSet<>(),
                new HashMap<>(), new TreeMap<>()};
        for (JdkSerializers.Wrapper wrapper : JdkSerializers.Wrapper.values()) {
            for (int i = 0; i < wrapped.length; i++) {
                register(wrapper.wrap(MSM_WRAPPER_SHAPES[i], wrapped[i]).getClass(), wrapperFormat(wrapper));
            }
        }
        if (joda) {
            MsmJodaFormats.registerOn(this);
        }
        for (Class<?> primitive : new Class<?>[] {int.class, float.class, boolean.class, byte.class, char.class,
                short.class, long.class, double.class}) {
            registeredFormats.put(box(primitive), registeredFormats.get(primitive));
        }
    }

    void register(Class<?> type, Kryo4Format format) {
        registered.add(type);
        registeredFormats.put(type, format);
    }

    @Override
    public Map<String, Object> read(byte[] attributes) {
        ReadLimits.checkSize(attributes);
        try {
            Kryo4Stream in = new Kryo4Stream(this, attributes);
            Map<?, ?> stored = (Map<?, ?>) in.readObject(ConcurrentHashMap.class);
            Map<String, Object> read = new HashMap<>(Math.max(16, stored.size() * 2));
            for (Map.Entry<?, ?> attribute : stored.entrySet()) {
                if (!(attribute.getKey() instanceof String)) {
                    throw new SerializationException("an attribute name that is no string: " + attribute.getKey());
                }
                read.put((String) attribute.getKey(), attribute.getValue());
            }
            return read;
        } catch (RuntimeException | StackOverflowError | LinkageError e) {
            // A class that links against what is missing (Kryo 4's own types, say) fails alone, like a stack too
            // small for a nesting the depth limit lets through: this read unwinds, nothing is left half done.
            if (e instanceof SerializationException) {
                throw (SerializationException) e;
            }
            throw new SerializationException("cannot read session attributes msm's Kryo serializer wrote: " + e, e);
        }
    }

    Class<?> registeredClass(int id) {
        if (id < 0 || id >= registered.size()) {
            throw new SerializationException("Kryo registration id " + id + " is none msm's KryoTranscoder made with"
                    + " the converters configured here");
        }
        Class<?> type = registered.get(id);
        if (!type.isPrimitive()) {
            check(type.getName());
        }
        return type;
    }

    /** A class named in the stored bytes: checked by name, loaded without initializing it, as Kryo 4 resolved it. */
    Class<?> loadClass(String name) {
        if (name == null) {
            throw new SerializationException("a class name that is null");
        }
        check(name); // every time: report mode and Tomcat's filter log what they see
        Class<?> type = loaded.get(name);
        if (type == null) {
            try {
                type = Class.forName(name, false, classLoader);
            } catch (ClassNotFoundException e) {
                throw new SerializationException("class " + name + " not found", e);
            }
            loaded.put(name, type);
        }
        if (Proxy.isProxyClass(type)) {
            throw new SerializationException("a JDK proxy (" + name + ") is not read");
        }
        if (!type.isEnum() && Enum.class.isAssignableFrom(type)) {
            return type.getSuperclass(); // a constant with a body of its own: Kryo 4 reads it as its enum
        }
        return type;
    }

    private void check(String className) {
        String refusal = allowList.refusal(className);
        if (refusal != null) {
            throw new SerializationException("class " + className + " " + refusal);
        }
    }

    Kryo4Format formatOf(Class<?> type) {
        Kryo4Format format = registeredFormats.get(type);
        if (format == null) {
            format = formats.get(type);
            if (format == null) {
                format = chooseFormat(type);
                formats.put(type, format);
            }
        }
        return format;
    }

    /** Kryo 4's choice for a class msm did not register: msm's defaults first, then Kryo's, in Kryo's order. */
    private Kryo4Format chooseFormat(Class<?> type) {
        if (copyCollections && (Collection.class.isAssignableFrom(type) || Map.class.isAssignableFrom(type))) {
            // msm's CopyForIterate serializers, Kryo's plain collection and map format for every such class
            return Collection.class.isAssignableFrom(type) ? collectionFormat(emptyOf(type)) : mapFormat(emptyOf(type));
        }
        if (EnumMap.class.isAssignableFrom(type)) {
            return MsmKryoReader::readEnumMap;
        }
        if (type.getName().equals("java.util.ArrayList$SubList") || type.getName().equals("java.util.SubList")) {
            return MsmKryoReader::readSubList;
        }
        if (type.isArray()) {
            return arrayFormat(type.getComponentType());
        }
        for (Class<?> kryoInterface : type.getInterfaces()) {
            if (kryoInterface.getName().equals("com.esotericsoftware.kryo.KryoSerializable")) {
                return refused("a class implementing Kryo 4's KryoSerializable");
            }
        }
        if (BigInteger.class.isAssignableFrom(type)) {
            return (in, t) -> readBigInteger(in);
        }
        if (BigDecimal.class.isAssignableFrom(type)) {
            return MsmKryoReader::readBigDecimal;
        }
        if (type == Class.class) {
            return MsmKryoReader::readClassValue;
        }
        if (Date.class.isAssignableFrom(type)) {
            return MsmKryoReader::readDate;
        }
        if (Enum.class.isAssignableFrom(type)) {
            return MsmKryoReader::readEnum;
        }
        if (EnumSet.class.isAssignableFrom(type)) {
            return MsmKryoReader::readEnumSet;
        }
        if (type == Currency.class) {
            return (in, t) -> {
                String code = in.input.readString();
                return code == null ? null : Currency.getInstance(code);
            };
        }
        if (type == StringBuffer.class) {
            return (in, t) -> {
                String value = in.input.readString();
                return value == null ? null : new StringBuffer(value);
            };
        }
        if (type == StringBuilder.class) {
            return (in, t) -> in.input.readStringBuilder();
        }
        if (type == Collections.EMPTY_LIST.getClass()) {
            return (in, t) -> Collections.EMPTY_LIST;
        }
        if (type == Collections.EMPTY_MAP.getClass()) {
            return (in, t) -> Collections.EMPTY_MAP;
        }
        if (type == Collections.EMPTY_SET.getClass()) {
            return (in, t) -> Collections.EMPTY_SET;
        }
        if (type == Collections.singletonList(null).getClass()) {
            return (in, t) -> Collections.singletonList(in.readClassAndObject());
        }
        if (type == Collections.singletonMap(null, null).getClass()) {
            return (in, t) -> {
                Object key = in.readClassAndObject();
                return Collections.singletonMap(key, in.readClassAndObject());
            };
        }
        if (type == Collections.singleton(null).getClass()) {
            return (in, t) -> Collections.singleton(in.readClassAndObject());
        }
        if (TreeSet.class.isAssignableFrom(type)) {
            return this::readTreeSet;
        }
        if (Collection.class.isAssignableFrom(type)) {
            return collectionFormat(emptyOf(type));
        }
        if (TreeMap.class.isAssignableFrom(type)) {
            return this::readTreeMap;
        }
        if (Map.class.isAssignableFrom(type)) {
            return mapFormat(emptyOf(type));
        }
        if (TimeZone.class.isAssignableFrom(type)) {
            return (in, t) -> TimeZone.getTimeZone(in.input.readString());
        }
        if (Calendar.class.isAssignableFrom(type)) {
            return MsmKryoReader::readCalendar;
        }
        if (type == Locale.class) {
            return (in, t) -> {
                String language = in.input.readString();
                String country = in.input.readString();
                return new Locale(language, country, in.input.readString());
            };
        }
        if (Charset.class.isAssignableFrom(type)) {
            return (in, t) -> Charset.forName(in.input.readString());
        }
        if (type == URL.class) {
            return MsmKryoReader::readUrl;
        }
        Kryo4Format jdk = jdkFormat(type);
        if (jdk != null) {
            return jdk;
        }
        if (SessionKryo.isJdkClass(type)) {
            return refused("a JDK class msm's Kryo wrote field by field");
        }
        if (type.getName().contains("$$Lambda")) {
            return refused("a lambda");
        }
        return new Kryo4FieldFormat(this, type);
    }

    /** Kryo 4's Optional and java.time serializers, and the JDK classes read here from what its fields were. */
    private static Kryo4Format jdkFormat(Class<?> type) {
        if (type == Optional.class) {
            return (in, t) -> Optional.ofNullable(in.readClassAndObject());
        }
        if (type == OptionalInt.class) {
            return (in, t) -> in.input.readBoolean() ? OptionalInt.of(in.readFixedInt()) : OptionalInt.empty();
        }
        if (type == OptionalLong.class) {
            return (in, t) -> in.input.readBoolean() ? OptionalLong.of(in.readFixedLong())
                    : OptionalLong.empty();
        }
        if (type == OptionalDouble.class) {
            return (in, t) -> in.input.readBoolean() ? OptionalDouble.of(in.readFixedDouble())
                    : OptionalDouble.empty();
        }
        if (type == Duration.class) {
            return (in, t) -> Duration.ofSeconds(in.readFixedLong(), in.input.readVarInt(true));
        }
        if (type == Instant.class) {
            return (in, t) -> Instant.ofEpochSecond(in.input.readVarLong(true), in.input.readVarInt(true));
        }
        if (type == LocalDate.class) {
            return (in, t) -> readLocalDate(in);
        }
        if (type == LocalTime.class) {
            return (in, t) -> readLocalTime(in);
        }
        if (type == LocalDateTime.class) {
            return (in, t) -> LocalDateTime.of(readLocalDate(in), readLocalTime(in));
        }
        if (type == ZoneOffset.class) {
            return (in, t) -> readZoneOffset(in);
        }
        if (ZoneId.class.isAssignableFrom(type)) {
            return (in, t) -> ZoneId.of(in.input.readString());
        }
        if (type == OffsetTime.class) {
            return (in, t) -> OffsetTime.of(readLocalTime(in), readZoneOffset(in));
        }
        if (type == OffsetDateTime.class) {
            return (in, t) -> OffsetDateTime.of(readLocalDate(in), readLocalTime(in), readZoneOffset(in));
        }
        if (type == ZonedDateTime.class) {
            return (in, t) -> ZonedDateTime.of(readLocalDate(in), readLocalTime(in),
                    ZoneId.of(in.input.readString()));
        }
        if (type == Year.class) {
            return (in, t) -> Year.of(in.input.readVarInt(true));
        }
        if (type == YearMonth.class) {
            return (in, t) -> YearMonth.of(in.input.readVarInt(true), in.input.readByte());
        }
        if (type == MonthDay.class) {
            return (in, t) -> MonthDay.of(in.input.readByte(), in.input.readByte());
        }
        if (type == Period.class) {
            return (in, t) -> Period.of(in.input.readVarInt(true), in.input.readVarInt(true),
                    in.input.readVarInt(true));
        }
        // Kryo 4 took these apart field by field (fields in name order, numbers as variable-length ints); the
        // JDK's comparator singletons have no fields, so nothing of them is stored
        if (type == Collections.reverseOrder().getClass()) {
            return (in, t) -> Collections.reverseOrder();
        }
        if (type == String.CASE_INSENSITIVE_ORDER.getClass()) {
            return (in, t) -> String.CASE_INSENSITIVE_ORDER;
        }
        if (type == java.util.UUID.class) {
            return (in, t) -> {
                long least = in.input.readVarLong(false);
                return new java.util.UUID(in.input.readVarLong(false), least);
            };
        }
        if (type == AtomicInteger.class) {
            return (in, t) -> new AtomicInteger(in.input.readVarInt(false));
        }
        if (type == AtomicLong.class) {
            return (in, t) -> new AtomicLong(in.input.readVarLong(false));
        }
        if (type == AtomicBoolean.class) {
            return (in, t) -> new AtomicBoolean(in.input.readVarInt(false) != 0);
        }
        return null;
    }

    static Kryo4Format refused(String what) {
        return (in, type) -> {
            throw new SerializationException(type.getName() + ": " + what + " from msm's Kryo serializer is not"
                    + " read");
        };
    }

    /** Creates instances without running a constructor when there is no no-argument one, as Kryo 4 made them. */
    @SuppressWarnings("unchecked")
    <T> ObjectInstantiator<T> instantiatorOf(Class<T> type) {
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
            throw new SerializationException("cannot create an instance of " + type.getName());
        }
        return instantiators.newInstantiatorOf(type);
    }

    /**
     * Creates the empty collection or map of the class written. A JDK class is created through a public constructor
     * only; one without (a view such as a map's key set) comes back as a copy of its kind.
     */
    private Supplier<Object> emptyOf(Class<?> type) {
        if (!SessionKryo.isJdkClass(type)) {
            ObjectInstantiator<?> instantiator = instantiatorOf(type);
            return instantiator::newInstance;
        }
        if (Modifier.isPublic(type.getModifiers()) && !Modifier.isAbstract(type.getModifiers())) {
            try {
                Constructor<?> constructor = type.getConstructor();
                return () -> {
                    try {
                        return constructor.newInstance();
                    } catch (ReflectiveOperationException e) {
                        throw new SerializationException("cannot create " + type.getName() + ": " + e, e);
                    }
                };
            } catch (NoSuchMethodException e) {
                // no public no-argument constructor: a copy below
            }
        }
        if (Map.class.isAssignableFrom(type)) {
            return SortedMap.class.isAssignableFrom(type) ? TreeMap::new : LinkedHashMap::new;
        }
        return SortedSet.class.isAssignableFrom(type) ? TreeSet::new
                : Set.class.isAssignableFrom(type) ? LinkedHashSet::new : ArrayList::new;
    }

    @SuppressWarnings("rawtypes")
    private static Kryo4Format collectionFormat(Supplier<Object> empty) {
        return (in, type) -> readElements(in, (Collection) empty.get());
    }

    @SuppressWarnings("rawtypes")
    private static Kryo4Format mapFormat(Supplier<Object> empty) {
        return (in, type) -> readEntries(in, (Map) empty.get());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Object readTreeSet(Kryo4Stream in, Class<?> type) {
        Comparator<?> comparator = (Comparator<?>) in.readClassAndObject();
        TreeSet set;
        if (type == TreeSet.class) {
            set = new TreeSet(comparator);
        } else {
            set = (TreeSet) instantiateWith(type, Comparator.class, comparator);
        }
        return readElements(in, set);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object readElements(Kryo4Stream in, Collection collection) {
        in.reference(collection);
        int length = in.readLength("collection");
        for (int i = 0; i < length; i++) {
            collection.add(in.readClassAndObject());
        }
        return collection;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Object readTreeMap(Kryo4Stream in, Class<?> type) {
        Comparator<?> comparator = (Comparator<?>) in.readClassAndObject();
        Map map = type == TreeMap.class ? new TreeMap(comparator)
                : (Map) instantiateWith(type, Comparator.class, comparator);
        return readEntries(in, map);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object readEntries(Kryo4Stream in, Map map) {
        int length = in.readLength("map");
        in.reference(map);
        for (int i = 0; i < length; i++) {
            Object key = in.readClassAndObject();
            map.put(key, in.readClassAndObject());
        }
        return map;
    }

    /** A sorted collection of the application's own, created with its comparator as Kryo 4 did. */
    private Object instantiateWith(Class<?> type, Class<?> parameter, Object argument) {
        if (SessionKryo.isJdkClass(type)) {
            throw new SerializationException("cannot create " + type.getName() + " with a " + parameter.getName());
        }
        try {
            Constructor<?> constructor = type.getDeclaredConstructor(parameter);
            constructor.setAccessible(true);
            return constructor.newInstance(argument);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new SerializationException("cannot create " + type.getName() + " with a " + parameter.getName()
                    + ": " + e, e);
        }
    }

    private static Object readArraysAsList(Kryo4Stream in, Class<?> type) {
        int length = in.readLength("array");
        Class<?> component = in.readClass();
        if (component == null) {
            throw new SerializationException("an Arrays.asList list without element class");
        }
        Object[] items = (Object[]) Array.newInstance(component.isPrimitive() ? box(component) : component, length);
        for (int i = 0; i < length; i++) {
            items[i] = in.readClassAndObject();
        }
        return Arrays.asList(items);
    }

    /** kryo-serializers' unmodifiable and synchronized collection serializers: which wrapper, then its contents. */
    private static Kryo4Format wrapperFormat(JdkSerializers.Wrapper wrapper) {
        return (in, type) -> {
            int ordinal = in.input.readVarInt(true);
            if (ordinal < 0 || ordinal >= MSM_WRAPPER_SHAPES.length) {
                throw new SerializationException("unknown collection wrapper " + ordinal);
            }
            return wrapper.wrap(MSM_WRAPPER_SHAPES[ordinal], in.readClassAndObject());
        };
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object readEnumMap(Kryo4Stream in, Class<?> type) {
        in.reference(new Object()); // kryo-serializers' stand-in reference: the map itself takes none
        Class<?> keyType = in.readClass();
        if (keyType == null || !keyType.isEnum()) {
            throw new SerializationException("an EnumMap whose key type is no enum: " + keyType);
        }
        Object[] keys = keyType.getEnumConstants();
        EnumMap map = new EnumMap(keyType);
        int size = in.readLength("map");
        for (int i = 0; i < size; i++) {
            map.put((Enum) keys[ordinal(in.input.readVarInt(true), keys.length, keyType)], in.readClassAndObject());
        }
        return map;
    }

    private static Object readSubList(Kryo4Stream in, Class<?> type) {
        in.reference(new Object()); // kryo-serializers' stand-in reference, as for EnumMap
        List<?> list = (List<?>) in.readClassAndObject();
        int from = in.input.readVarInt(true);
        return list.subList(from, in.input.readVarInt(true));
    }

    private static int ordinal(int ordinal, int count, Class<?> type) {
        if (ordinal < 0 || ordinal >= count) {
            throw new SerializationException("ordinal " + ordinal + " of " + type.getName() + " out of range");
        }
        return ordinal;
    }

    private static BigInteger readBigInteger(Kryo4Stream in) {
        int length = in.input.readVarInt(true);
        return length == 0 ? null : new BigInteger(in.input.readBytes(length - 1));
    }

    private static Object readBigDecimal(Kryo4Stream in, Class<?> type) {
        BigInteger unscaled = readBigInteger(in);
        return unscaled == null ? null : new BigDecimal(unscaled, in.input.readVarInt(false));
    }

    private static Object readClassValue(Kryo4Stream in, Class<?> type) {
        Class<?> value = in.readClass();
        boolean primitive = in.input.readByte() == 1;
        return value == null || !value.isPrimitive() || primitive ? value : box(value);
    }

    private static Object readDate(Kryo4Stream in, Class<?> type) {
        long time = in.input.readVarLong(true);
        if (type == Date.class) {
            return new Date(time);
        }
        if (type == java.sql.Timestamp.class) {
            return new java.sql.Timestamp(time);
        }
        if (type == java.sql.Date.class) {
            return new java.sql.Date(time);
        }
        if (type == java.sql.Time.class) {
            return new java.sql.Time(time);
        }
        throw new SerializationException("a date of class " + type.getName() + " is not read");
    }

    private static Object readEnum(Kryo4Stream in, Class<?> type) {
        int ordinal = in.input.readVarInt(true);
        if (ordinal == 0) {
            return null;
        }
        Object[] constants = type.getEnumConstants();
        if (constants == null) {
            throw new SerializationException(type.getName() + " is no enum");
        }
        return constants[ordinal(ordinal - 1, constants.length, type)];
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object readEnumSet(Kryo4Stream in, Class<?> type) {
        Class<?> elementType = in.readClass();
        if (elementType == null || !elementType.isEnum()) {
            throw new SerializationException("an EnumSet whose element type is no enum: " + elementType);
        }
        EnumSet set = EnumSet.noneOf((Class) elementType);
        int length = in.readLength("collection");
        for (int i = 0; i < length; i++) {
            Object element = readEnum(in, elementType);
            if (element == null) {
                throw new SerializationException("an EnumSet holding null");
            }
            set.add(element);
        }
        return set;
    }

    private static Object readCalendar(Kryo4Stream in, Class<?> type) {
        Calendar calendar = Calendar.getInstance(TimeZone.getTimeZone(in.input.readString()));
        calendar.setTimeInMillis(in.input.readVarLong(true));
        calendar.setLenient(in.input.readBoolean());
        calendar.setFirstDayOfWeek(in.input.readVarInt(true));
        calendar.setMinimalDaysInFirstWeek(in.input.readVarInt(true));
        long gregorianChange = in.input.readVarLong(false);
        if (calendar instanceof GregorianCalendar
                && gregorianChange != new GregorianCalendar().getGregorianChange().getTime()) {
            ((GregorianCalendar) calendar).setGregorianChange(new Date(gregorianChange));
        }
        return calendar;
    }

    private static Object readUrl(Kryo4Stream in, Class<?> type) {
        try {
            return new URL(in.input.readString());
        } catch (MalformedURLException e) {
            throw new SerializationException("a malformed URL: " + e.getMessage(), e);
        }
    }

    private static LocalDate readLocalDate(Kryo4Stream in) {
        int year = in.input.readVarInt(true);
        int month = in.input.readByte();
        return LocalDate.of(year, month, in.input.readByte());
    }

    /** Kryo 4 ends a time early with the complement of its last field that is not followed by zeros. */
    private static LocalTime readLocalTime(Kryo4Stream in) {
        int hour = in.input.readByte();
        int minute = 0;
        int second = 0;
        int nano = 0;
        if (hour < 0) {
            hour = ~hour;
        } else {
            minute = in.input.readByte();
            if (minute < 0) {
                minute = ~minute;
            } else {
                second = in.input.readByte();
                if (second < 0) {
                    second = ~second;
                } else {
                    nano = in.input.readVarInt(true);
                }
            }
        }
        return LocalTime.of(hour, minute, second, nano);
    }

    private static ZoneOffset readZoneOffset(Kryo4Stream in) {
        int quarters = in.input.readByte();
        return ZoneOffset.ofTotalSeconds(quarters == 127 ? in.readFixedInt() : quarters * 900);
    }

    /** Kryo 4's array serializers: the length plus one (zero for null), then the elements. */
    private static Kryo4Format arrayFormat(Class<?> component) {
        if (component == byte.class) {
            return (in, type) -> {
                int length = in.input.readVarInt(true);
                return length == 0 ? null : in.input.readBytes(length - 1);
            };
        }
        if (component == boolean.class) {
            return (in, type) -> {
                int length = in.input.readVarInt(true);
                return length == 0 ? null : in.input.readBooleans(length - 1);
            };
        }
        if (component == int.class) {
            return (in, type) -> {
                int length = in.input.readVarInt(true);
                return length == 0 ? null : in.input.readInts(length - 1, false);
            };
        }
        if (component == long.class) {
            return (in, type) -> {
                int length = in.input.readVarInt(true);
                return length == 0 ? null : in.input.readLongs(length - 1, false);
            };
        }
        if (component.isPrimitive()) {
            return MsmKryoReader::readFixedSizeArray;
        }
        if (component == String.class) {
            return (in, type) -> {
                int length = in.input.readVarInt(true);
                if (length == 0) {
                    return null;
                }
                ReadLimits.checkLength(length - 1L, in.remaining(), "array");
                String[] array = new String[length - 1];
                for (int i = 0; i < array.length; i++) {
                    array[i] = (String) in.readObjectOrNull(String.class);
                }
                return array;
            };
        }
        return MsmKryoReader::readObjectArray;
    }

    /** Arrays of shorts, chars, floats and doubles: big-endian, like every fixed-size number of Kryo 4. */
    private static Object readFixedSizeArray(Kryo4Stream in, Class<?> type) {
        int length = in.input.readVarInt(true);
        if (length == 0) {
            return null;
        }
        Class<?> component = type.getComponentType();
        int size = component == double.class ? 8 : component == float.class ? 4 : 2;
        ReadLimits.checkLength(length - 1L, in.remaining() / size, component.getName() + " array");
        Object array = Array.newInstance(component, length - 1);
        for (int i = 0; i < length - 1; i++) {
            if (component == short.class) {
                Array.setShort(array, i, in.readFixedShort());
            } else if (component == char.class) {
                Array.setChar(array, i, in.readFixedChar());
            } else if (component == float.class) {
                Array.setFloat(array, i, in.readFixedFloat());
            } else {
                Array.setDouble(array, i, in.readFixedDouble());
            }
        }
        return array;
    }

    private static Object readObjectArray(Kryo4Stream in, Class<?> type) {
        int length = in.input.readVarInt(true);
        if (length == 0) {
            return null;
        }
        ReadLimits.checkLength(length - 1L, in.remaining(), "array");
        Object[] array = (Object[]) Array.newInstance(type.getComponentType(), length - 1);
        in.reference(array);
        Class<?> component = type.getComponentType();
        boolean sameType = Modifier.isFinal(component.getModifiers()); // as Kryo 4 tests it: arrays are final
        for (int i = 0; i < array.length; i++) {
            if (sameType) {
                array[i] = in.readObjectOrNull(component);
            } else {
                Class<?> actual = in.readClass();
                array[i] = actual == null ? null : in.readObject(actual);
            }
        }
        return array;
    }

    static Class<?> box(Class<?> primitive) {
        if (!primitive.isPrimitive()) {
            return primitive;
        }
        return primitive == int.class ? Integer.class : primitive == long.class ? Long.class
                : primitive == boolean.class ? Boolean.class : primitive == byte.class ? Byte.class
                : primitive == char.class ? Character.class : primitive == short.class ? Short.class
                : primitive == float.class ? Float.class : primitive == double.class ? Double.class : Void.class;
    }
}
