package io.memsession.serializer.kryo;

import static io.memsession.serializer.kryo.Transcoders.roundTrip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Properties;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.Vector;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.junit.jupiter.api.Test;

import io.memsession.serializer.SessionAttributesTranscoder;

/** The JDK's value, collection and map classes web applications keep in sessions, on Java 17 and 25 without --add-opens. */
class JdkTypesTest {

    private final SessionAttributesTranscoder kryo = Transcoders.kryo();

    enum Color { RED, GREEN, BLUE { @Override public String toString() { return "blue"; } } }

    private void assertRoundTrip(Object value) {
        Object copy = roundTrip(kryo, value);
        assertEquals(value, copy, () -> value.getClass().getName());
        assertEquals(value.getClass(), copy.getClass(), () -> value.getClass().getName());
    }

    @Test
    void plainCollectionsAndMaps() {
        List<Object> values = List.of(new ArrayList<>(List.of(1, "two", 3L)), new LinkedList<>(List.of("a", "b")),
                new HashMap<>(Map.of("k", 1, "l", 2)), new LinkedHashMap<>(Map.of("k", List.of(1))),
                new HashSet<>(Set.of("x", "y")), new LinkedHashSet<>(List.of(3, 1, 2)), new Vector<>(List.of(1)),
                new Hashtable<>(Map.of("k", "v")), new TreeMap<>(Map.of("b", 2, "a", 1)),
                new TreeSet<>(Set.of(5, 3, 4)));
        values.forEach(this::assertRoundTrip);
        Properties properties = new Properties();
        properties.setProperty("key", "value");
        assertRoundTrip(properties);
        ArrayDeque<String> deque = new ArrayDeque<>(List.of("first", "second"));
        assertEquals(List.of("first", "second"), new ArrayList<>(roundTrip(kryo, deque)));
    }

    @Test
    void sortedCollectionsKeepTheirComparator() {
        TreeSet<String> set = new TreeSet<>(Comparator.reverseOrder());
        set.addAll(List.of("a", "c", "b"));
        assertEquals(List.of("c", "b", "a"), new ArrayList<>(roundTrip(kryo, set)));
        TreeMap<String, Integer> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        map.put("B", 2);
        map.put("a", 1);
        TreeMap<String, Integer> copy = roundTrip(kryo, map);
        assertEquals(List.of("a", "B"), new ArrayList<>(copy.keySet()));
        assertEquals(2, copy.get("b"));
        PriorityQueue<Integer> queue = new PriorityQueue<>(Comparator.reverseOrder());
        queue.addAll(List.of(1, 3, 2));
        assertEquals(3, roundTrip(kryo, queue).peek());
    }

    @Test
    void unmodifiableWrappers() {
        List<Object> values = List.of(Collections.unmodifiableList(new ArrayList<>(List.of(1, 2))),
                Collections.unmodifiableSet(new LinkedHashSet<>(List.of("a", "b"))),
                Collections.unmodifiableMap(new HashMap<>(Map.of("k", "v"))),
                Collections.unmodifiableSortedSet(new TreeSet<>(Set.of(2, 1))),
                Collections.unmodifiableNavigableSet(new TreeSet<>(Set.of(2, 1))),
                Collections.unmodifiableSortedMap(new TreeMap<>(Map.of("b", 2, "a", 1))),
                Collections.unmodifiableNavigableMap(new TreeMap<>(Map.of("b", 2, "a", 1))));
        for (Object value : values) {
            Object copy = roundTrip(kryo, value);
            assertEquals(value, copy);
            assertEquals(value.getClass(), copy.getClass());
        }
        // read back around an ArrayList, so with random access
        assertEquals(List.of(1, 2), roundTrip(kryo, Collections.unmodifiableList(new LinkedList<>(List.of(1, 2)))));
        Collection<Integer> collection = roundTrip(kryo, Collections.unmodifiableCollection(new ArrayList<>(List.of(7))));
        assertEquals(List.of(7), new ArrayList<>(collection));
        assertThrows(UnsupportedOperationException.class, () -> collection.add(8));
        SortedSet<String> reversed = new TreeSet<>(Comparator.reverseOrder());
        reversed.addAll(List.of("a", "b"));
        assertEquals(List.of("b", "a"), new ArrayList<>(roundTrip(kryo, Collections.unmodifiableSortedSet(reversed))));
    }

    @Test
    void synchronizedWrappers() {
        List<Object> values = List.of(Collections.synchronizedList(new ArrayList<>(List.of(1, 2))),
                Collections.synchronizedSet(new HashSet<>(Set.of("a", "b"))),
                Collections.synchronizedMap(new HashMap<>(Map.of("k", "v"))),
                Collections.synchronizedSortedSet(new TreeSet<>(Set.of(2, 1))),
                Collections.synchronizedNavigableSet(new TreeSet<>(Set.of(2, 1))),
                Collections.synchronizedSortedMap(new TreeMap<>(Map.of("b", 2))),
                Collections.synchronizedNavigableMap(new TreeMap<>(Map.of("b", 2))));
        for (Object value : values) {
            Object copy = roundTrip(kryo, value);
            assertEquals(value, copy);
            assertEquals(value.getClass(), copy.getClass());
        }
        assertEquals(List.of(1, 2), roundTrip(kryo, Collections.synchronizedList(new LinkedList<>(List.of(1, 2)))));
        Collection<Integer> collection = roundTrip(kryo,
                Collections.synchronizedCollection(new ArrayList<>(List.of(7))));
        collection.add(8);
        assertEquals(List.of(7, 8), new ArrayList<>(collection));
    }

    @Test
    void arraysAsListAndSubLists() {
        assertRoundTrip(Arrays.asList("a", "b", "c"));
        List<Integer> arrayList = new ArrayList<>(List.of(1, 2, 3, 4, 5));
        assertEquals(List.of(2, 3), roundTrip(kryo, arrayList.subList(1, 3)));
        List<Integer> linked = new LinkedList<>(List.of(1, 2, 3, 4, 5));
        assertEquals(List.of(3, 4, 5), roundTrip(kryo, linked.subList(2, 5)));
        assertEquals(List.of(2), roundTrip(kryo, arrayList.subList(0, 3).subList(1, 2)));
        List<Integer> immutableSub = roundTrip(kryo, List.of(1, 2, 3).subList(0, 2));
        assertEquals(List.of(1, 2), immutableSub);
        assertEquals(new HashSet<>(List.of("k")), roundTrip(kryo, new HashMap<>(Map.of("k", 1)).keySet()));
        assertEquals(List.of(1), new ArrayList<>(roundTrip(kryo, new HashMap<>(Map.of("k", 1)).values())));
    }

    @Test
    void immutableAndSingletonCollections() {
        List<Object> values = List.of(List.of(1, 2, 3), List.of(), Set.of("a"), Map.of("k", "v"),
                Map.of("a", 1, "b", 2, "c", 3), Collections.emptyList(), Collections.emptyMap(),
                Collections.emptySet(), Collections.singletonList("x"), Collections.singleton("y"),
                Collections.singletonMap("k", "v"), Collections.nCopies(3, "z"));
        values.forEach(value -> assertEquals(value, roundTrip(kryo, value)));
        assertEquals(List.of(1, 2), roundTrip(kryo, Collections.checkedList(new ArrayList<>(List.of(1, 2)),
                Integer.class)));
    }

    @Test
    void enumMapsAndEnumSets() {
        EnumMap<Color, String> map = new EnumMap<>(Color.class);
        map.put(Color.GREEN, "go");
        map.put(Color.BLUE, "sky");
        assertRoundTrip(map);
        EnumMap<Color, String> empty = roundTrip(kryo, new EnumMap<>(Color.class));
        empty.put(Color.RED, "stop"); // the key type survived
        assertEquals(Map.of(Color.RED, "stop"), empty);
        assertRoundTrip(EnumSet.of(Color.RED, Color.BLUE));
        assertRoundTrip(EnumSet.noneOf(Color.class));
        assertRoundTrip(EnumSet.allOf(Color.class));
        assertSame(Color.BLUE, roundTrip(kryo, Color.BLUE));
        assertEquals("blue", roundTrip(kryo, Color.BLUE).toString());
    }

    @Test
    void concurrentCollections() {
        List<Object> values = List.of(new ConcurrentHashMap<>(Map.of("k", 1)),
                new CopyOnWriteArrayList<>(List.of(1, 2)), new CopyOnWriteArraySet<>(List.of("a")),
                new ConcurrentSkipListMap<>(Map.of("b", 2, "a", 1)), new ConcurrentSkipListSet<>(Set.of(3, 1)));
        values.forEach(this::assertRoundTrip);
        assertEquals(List.of("a", "b"), new ArrayList<>(roundTrip(kryo, new ConcurrentLinkedQueue<>(List.of("a", "b")))));
        assertEquals(List.of("a"), new ArrayList<>(roundTrip(kryo, new ConcurrentLinkedDeque<>(List.of("a")))));
        assertEquals(List.of(1), new ArrayList<>(roundTrip(kryo, new LinkedBlockingQueue<>(List.of(1)))));
        ArrayBlockingQueue<Integer> bounded = roundTrip(kryo, new ArrayBlockingQueue<>(2, false, List.of(1)));
        assertEquals(1, bounded.remainingCapacity());
        ConcurrentSkipListSet<String> reversed = new ConcurrentSkipListSet<>(Comparator.reverseOrder());
        reversed.addAll(List.of("a", "b"));
        assertEquals(List.of("b", "a"), new ArrayList<>(roundTrip(kryo, reversed)));
        PriorityBlockingQueue<Integer> queue = new PriorityBlockingQueue<>(4, Comparator.reverseOrder());
        queue.addAll(List.of(1, 3));
        assertEquals(3, roundTrip(kryo, queue).peek());
        Set<String> keySet = ConcurrentHashMap.newKeySet();
        keySet.add("a");
        assertEquals(Set.of("a"), roundTrip(kryo, keySet));
        assertEquals(5, roundTrip(kryo, new AtomicInteger(5)).get());
        LongAdder adder = new LongAdder();
        adder.add(7);
        assertEquals(7, roundTrip(kryo, adder).sum());
    }

    @Test
    void javaTime() {
        List<Object> values = List.of(Instant.ofEpochSecond(1_700_000_000L, 123), LocalDate.of(2026, 11, 21),
                LocalTime.of(13, 14, 15), LocalDateTime.of(2026, 11, 21, 13, 14),
                ZonedDateTime.of(2026, 11, 21, 13, 14, 0, 0, ZoneId.of("Europe/Berlin")),
                OffsetDateTime.of(2026, 1, 2, 3, 4, 5, 6, ZoneOffset.ofHours(-5)), Duration.ofMillis(1234),
                Period.of(1, 2, 3), ZoneId.of("America/New_York"), ZoneOffset.UTC, Year.of(2026),
                YearMonth.of(2026, 11), MonthDay.of(2, 29));
        values.forEach(value -> assertEquals(value, roundTrip(kryo, value)));
    }

    @Test
    void numbersAndOtherValues() {
        List<Object> values = List.of(new BigDecimal("12345.678901234567890"), new BigDecimal("1E+3"),
                new BigInteger("123456789012345678901234567890"), UUID.randomUUID(), Locale.CANADA_FRENCH,
                Optional.of("x"), 'c', (byte) 1, (short) 2, 3.5f, 4.25d, true, new int[] {1, 2},
                new StringBuilder("sb").toString());
        for (Object value : values) {
            Object copy = roundTrip(kryo, value);
            if (value instanceof int[]) {
                assertTrue(Arrays.equals((int[]) value, (int[]) copy));
            } else {
                assertEquals(value, copy);
            }
        }
        assertEquals(2, roundTrip(kryo, new BigDecimal("1.50")).scale());
        SortedMap<String, BigDecimal> prices = new TreeMap<>(Map.of("a", new BigDecimal("9.99")));
        assertEquals(prices, roundTrip(kryo, prices));
    }
}
