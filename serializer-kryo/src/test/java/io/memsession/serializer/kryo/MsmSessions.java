package io.memsession.serializer.kryo;

import java.math.BigDecimal;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.math.BigInteger;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.EnumMap;
import java.util.Currency;
import java.util.EnumSet;
import java.util.GregorianCalendar;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TimeZone;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.collections.functors.InvokerTransformer;
import org.joda.time.DateTime;
import org.joda.time.DateTimeZone;
import org.joda.time.Interval;
import org.joda.time.LocalDate;
import org.joda.time.LocalDateTime;

/**
 * The sessions of the msm tests: written by msm's own KryoTranscoder in a JVM of their own ({@link MsmKryoWriter}),
 * compared with what memsession reads. Only JDK, Joda and these classes: that JVM has Kryo 4, not memsession.
 */
final class MsmSessions {

    static final String GADGET = "gadget";

    private MsmSessions() {
    }

    /** By session name: the attributes. */
    static Map<String, Map<String, Object>> all() {
        Map<String, Map<String, Object>> sessions = new LinkedHashMap<>();

        Map<String, Object> shop = new HashMap<>();
        shop.put("counter", 42);
        shop.put("user", "Zoë Müller");
        shop.put("long text", "x".repeat(100)); // 64 characters and more: Kryo 4 writes the length first
        shop.put("cart", Cart.sample());
        shop.put("dates", Collections.unmodifiableList(new ArrayList<>(List.of(new Date(1_700_000_000_000L)))));
        sessions.put("shop", shop);

        Map<String, Object> collections = new HashMap<>();
        List<Object> shared = new ArrayList<>(List.of("shared", 1L));
        collections.put("shared once", shared);
        collections.put("shared twice", shared);
        collections.put("hash map", new HashMap<>(Map.of("a", 1, "b", List.of())));
        collections.put("linked list", new LinkedList<>(List.of(1.5, 'c', (short) 3, (byte) 4, true, 2.5f)));
        collections.put("hash set", new HashSet<>(List.of("x", "y")));
        collections.put("tree set", new TreeSet<>(List.of("b", "a")));
        collections.put("tree map", new TreeMap<>(Map.of(2, "two", 1, "one")));
        collections.put("unmodifiable map", Collections.unmodifiableMap(new HashMap<>(Map.of("k", "v"))));
        collections.put("synchronized list", Collections.synchronizedList(new ArrayList<>(List.of("s"))));
        collections.put("arrays as list", Arrays.asList("a", "b"));
        collections.put("empty list", Collections.emptyList());
        collections.put("singleton list", Collections.singletonList("one"));
        collections.put("enum set", EnumSet.of(Status.PAID, Status.SHIPPED));
        EnumMap<Status, String> byStatus = new EnumMap<>(Status.class);
        byStatus.put(Status.OPEN, "open");
        collections.put("enum map", byStatus);
        collections.put("big decimal", new BigDecimal("12345.6789"));
        collections.put("big integer", new BigInteger("123456789012345678901234567890"));
        collections.put("locale", Locale.GERMANY);
        collections.put("uuid", new UUID(0x1234_5678_9abc_def0L, -42L));
        collections.put("bytes", new byte[] {1, 2, 3});
        collections.put("longs", new long[] {1, -2, 3_000_000_000L});
        collections.put("doubles", new double[] {1.5, -2.25});
        collections.put("names", new String[] {"a", null, "c"});
        sessions.put("collections", collections);

        Map<String, Object> jdk = new HashMap<>();
        jdk.put("time zone", TimeZone.getTimeZone("America/New_York"));
        GregorianCalendar calendar = new GregorianCalendar(TimeZone.getTimeZone("Asia/Tokyo"), Locale.JAPAN);
        calendar.setTimeInMillis(1_700_000_000_123L);
        jdk.put("calendar", calendar);
        jdk.put("currency", Currency.getInstance("EUR"));
        jdk.put("builder", new StringBuilder("built"));
        jdk.put("buffer", new StringBuffer("buffered"));
        jdk.put("optional", Optional.of("present"));
        jdk.put("optional int", OptionalInt.of(3));
        jdk.put("url", url("https://example.com/a?b=c"));
        jdk.put("atomic int", new AtomicInteger(5));
        jdk.put("atomic long", new AtomicLong(-6));
        jdk.put("timestamp", new Timestamp(1_700_000_000_123L));
        jdk.put("charset", StandardCharsets.UTF_8);
        jdk.put("class", String.class);
        jdk.put("primitive class", int.class);
        TreeSet<String> reversed = new TreeSet<>(Collections.reverseOrder());
        reversed.addAll(List.of("a", "b"));
        jdk.put("reverse order", reversed);
        TreeMap<String, Integer> caseless = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        caseless.put("B", 2);
        caseless.put("a", 1);
        jdk.put("case insensitive", caseless);
        jdk.put("empty map", Collections.emptyMap());
        jdk.put("singleton map", Collections.singletonMap("k", 1));
        jdk.put("synchronized map", Collections.synchronizedMap(new HashMap<>(Map.of("s", 1))));
        jdk.put("concurrent map", new ConcurrentHashMap<>(Map.of("c", 1)));
        jdk.put("copy on write", new CopyOnWriteArrayList<>(List.of("w")));
        jdk.put("chars", new char[] {'a', '\u00e9'});
        jdk.put("shorts", new short[] {1, -2});
        jdk.put("floats", new float[] {1.5f, -0.25f});
        jdk.put("booleans", new boolean[] {true, false});
        jdk.put("ints", new int[] {1, -1, 1 << 30});
        jdk.put("matrix", new int[][] {{1}, {2, 3}});
        jdk.put("offset date time", OffsetDateTime.of(2026, 12, 2, 4, 30, 0, 5, ZoneOffset.ofHoursMinutes(5, 30)));
        jdk.put("odd offset", ZoneOffset.ofTotalSeconds(3601));
        jdk.put("local time", LocalTime.of(4, 30));
        jdk.put("period", Period.of(1, 2, 3));
        jdk.put("year month", YearMonth.of(2026, 12));
        sessions.put("jdk", jdk);

        Map<String, Object> joda = new HashMap<>();
        DateTime login = new DateTime(2018, 11, 29, 18, 47, 5, 123, DateTimeZone.forID("Europe/Berlin"));
        joda.put("login", login);
        joda.put("utc", new DateTime(1_543_513_625_000L, DateTimeZone.UTC));
        joda.put("birthday", new LocalDate(1990, 2, 28));
        joda.put("appointment", new LocalDateTime(2026, 12, 2, 4, 30, 0, 0));
        // msm's Interval serializer writes no zone: msm itself read intervals back in the JVM's default zone
        joda.put("stay", new Interval(login.getMillis(), login.plusDays(3).getMillis()));
        joda.put("in a list", new ArrayList<>(List.of(login)));
        sessions.put("joda", joda);

        Map<String, Object> time = new HashMap<>();
        time.put("instant", Instant.ofEpochSecond(1_543_513_625L, 123_456_789));
        time.put("zoned", ZonedDateTime.of(2026, 12, 2, 4, 30, 15, 0, ZoneId.of("Europe/Paris")));
        time.put("local date", java.time.LocalDate.of(2026, 12, 2));
        time.put("duration", java.time.Duration.ofMinutes(90));
        sessions.put("time", time);

        // one attribute whose bytes a test spells out: the framing of Kryo 4 as msm set it up
        sessions.put("framing", new HashMap<>(Map.of("a", new ArrayList<>(List.of(7, "b")))));

        Map<String, Object> gadget = new HashMap<>();
        gadget.put("harmless", "text");
        gadget.put("planted", new ArrayList<>(List.of("a", new InvokerTransformer("calc"))));
        sessions.put(GADGET, gadget);
        return sessions;
    }

    private static URL url(String text) {
        try {
            return new URL(text);
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(e);
        }
    }

    enum Status {
        OPEN, PAID { // a constant with a body: its own class, read as the enum
            @Override
            public String toString() {
                return "paid";
            }
        }, SHIPPED
    }

    /** A generic class: Kryo 4 resolved T from the field holding it. */
    static final class Box<T> {
        T value;
        List<T> values;

        Box(T value) {
            this.value = value;
            this.values = new ArrayList<>(List.of(value));
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Box && Objects.equals(value, ((Box<?>) other).value)
                    && Objects.equals(values, ((Box<?>) other).values);
        }

        @Override
        public int hashCode() {
            return Objects.hashCode(value);
        }
    }

    static class Item {
        final String sku;
        final int quantity;

        Item(String sku, int quantity) {
            this.sku = sku;
            this.quantity = quantity;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Item && sku.equals(((Item) other).sku) && quantity == ((Item) other).quantity;
        }

        @Override
        public int hashCode() {
            return sku.hashCode();
        }
    }

    /** An application's class with no no-argument constructor, fields of every kind, and a reference to itself. */
    static final class Cart extends Base {
        private String owner;
        private int items;
        private long total;
        private double weight;
        private float rating;
        private char grade;
        private short shelf;
        private byte flags;
        private boolean gift;
        private Integer coupon;
        private Integer discount;
        private Status status;
        private Status paid;
        private List<String> tags;
        private Map<String, Integer> counts;
        private List<Item> lines;
        private Object anything;
        private int[] sizes;
        private Box<String> box;
        private Cart self;
        private transient String cache = "not stored";

        Cart(String owner) {
            this.owner = owner;
        }

        static Cart sample() {
            Cart cart = new Cart("alice");
            cart.items = 3;
            cart.total = -12_345_678_901L;
            cart.weight = 2.5;
            cart.rating = 4.5f;
            cart.grade = 'é';
            cart.shelf = -7;
            cart.flags = 0x7f;
            cart.gift = true;
            cart.coupon = 10;
            cart.status = Status.OPEN;
            cart.paid = Status.PAID;
            cart.tags = new ArrayList<>(List.of("red", "sale"));
            cart.counts = new HashMap<>(Map.of("red", 2));
            cart.lines = new ArrayList<>(List.of(new Item("A-1", 2), new Item("B-2", 1)));
            cart.anything = new HashMap<>(Map.of("k", 1));
            cart.sizes = new int[] {38, 42};
            cart.box = new Box<>("boxed");
            cart.self = cart;
            cart.note = "from the superclass";
            return cart;
        }

        Cart self() {
            return self;
        }

        String cache() {
            return cache;
        }

        @Override
        public boolean equals(Object other) {
            if (!(other instanceof Cart)) {
                return false;
            }
            Cart that = (Cart) other;
            return owner.equals(that.owner) && items == that.items && total == that.total && weight == that.weight
                    && rating == that.rating && grade == that.grade && shelf == that.shelf && flags == that.flags
                    && gift == that.gift && Objects.equals(coupon, that.coupon)
                    && Objects.equals(discount, that.discount) && status == that.status && paid == that.paid
                    && Objects.equals(tags, that.tags) && Objects.equals(counts, that.counts)
                    && Objects.equals(lines, that.lines) && Objects.equals(anything, that.anything)
                    && Arrays.equals(sizes, that.sizes) && Objects.equals(box, that.box)
                    && Objects.equals(note, that.note);
        }

        @Override
        public int hashCode() {
            return owner.hashCode();
        }

        @Override
        public String toString() {
            return "Cart " + owner + " " + items + " " + total + " " + tags + " " + counts + " " + status + " "
                    + paid + " " + note;
        }
    }

    static class Base {
        String note;
    }
}
