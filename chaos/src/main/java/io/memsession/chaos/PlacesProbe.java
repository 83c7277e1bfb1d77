package io.memsession.chaos;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.memsession.testkit.MemcachedInspector;

/**
 * Once a second, counts for every session the places that hold it and could give it back, as docs/modes.md lays
 * them out. Sticky: the memory of the Tomcat its id routes to (if that Tomcat runs, unpaused, since before the
 * session's last answer), the key of its id on the node its id names, and its second copy (the id with another
 * node's node part, on that node). Non-sticky: that key, and the key
 * {@code bak:<id>} on another node. A stored copy counts only where its node answers and it holds at least the
 * counter acknowledged one probe (a second) earlier: a stale copy is no copy. Sessions with one place or none are
 * recorded in the timeline and against the session.
 */
final class PlacesProbe {

    /**
     * How memsession's Java serializer writes the attribute: the name as writeUTF does (length, then the bytes),
     * the type tag of an Integer (2), then its four bytes.
     */
    private static final byte[] COUNTER_ATTRIBUTE = {0, 7, 'c', 'o', 'u', 'n', 't', 'e', 'r', 2};

    private final Cluster cluster;
    private final boolean sticky;
    private final Timeline timeline;
    private final Map<String, MemcachedInspector> inspectors = new HashMap<>();
    private final Map<CountedSession, Long> highestAtLastProbe = new HashMap<>();

    PlacesProbe(Cluster cluster, boolean sticky, Timeline timeline) {
        this.cluster = cluster;
        this.sticky = sticky;
        this.timeline = timeline;
        cluster.nodeIds().forEach(node -> inspectors.put(node, cluster.inspector(node)));
    }

    void probe(List<CountedSession> sessions) {
        int oneOnly = 0;
        int none = 0;
        for (CountedSession session : sessions) {
            String id = session.id();
            if (id == null) {
                continue;
            }
            long floor = highestAtLastProbe.getOrDefault(session, 0L);
            highestAtLastProbe.put(session, session.highest());
            int places = sticky ? stickyPlaces(session, id, floor) : nonStickyPlaces(id, floor);
            if (places <= 1) {
                session.exposedForASecond();
                if (places == 0) {
                    none++;
                } else {
                    oneOnly++;
                }
            }
        }
        timeline.places(oneOnly, none);
    }

    private int stickyPlaces(CountedSession session, String id, long floor) {
        int places = 0;
        int dot = id.lastIndexOf('.');
        Cluster.Server tomcat = dot < 0 ? null : cluster.state(id.substring(dot + 1));
        if (tomcat != null && tomcat.answers() && tomcat.upSinceNanos < session.lastAnswerNanos()) {
            places++;
        }
        String node = nodeOf(id);
        if (node == null) {
            return places;
        }
        if (holds(node, id, floor)) {
            places++;
        }
        for (String other : inspectors.keySet()) {
            if (!other.equals(node) && holds(other, onNode(id, other), floor)) {
                return places + 1; // its second copy
            }
        }
        return places;
    }

    /** The id with another node part: {@code <id>-n2.tc1} for {@code <id>-n1.tc1}. */
    private static String onNode(String id, String node) {
        int dash = id.lastIndexOf('-');
        int dot = id.indexOf('.', dash);
        return id.substring(0, dash + 1) + node + (dot < 0 ? "" : id.substring(dot));
    }

    private int nonStickyPlaces(String id, long floor) {
        String node = nodeOf(id);
        int places = node != null && holds(node, id, floor) ? 1 : 0;
        for (String other : inspectors.keySet()) {
            if (!other.equals(node) && holds(other, "bak:" + id, floor)) {
                return places + 1;
            }
        }
        return places;
    }

    /** The node id in {@code <id>-n1.tc1}, or null. */
    private String nodeOf(String id) {
        int dash = id.lastIndexOf('-');
        if (dash < 0) {
            return null;
        }
        int dot = id.indexOf('.', dash);
        String node = dot < 0 ? id.substring(dash + 1) : id.substring(dash + 1, dot);
        return inspectors.containsKey(node) ? node : null;
    }

    private boolean holds(String node, String key, long floor) {
        Cluster.Server server = cluster.state("mc" + node.substring(1));
        if (!server.answers()) {
            return false;
        }
        try {
            byte[] value = inspectors.get(node).get(key);
            return value != null && storedCounter(value) >= floor;
        } catch (RuntimeException e) {
            return false; // went down or paused while asked
        }
    }

    /** The counter attribute in a stored session (unsealed, Java serializer), or -1 if there is none. */
    static long storedCounter(byte[] value) {
        for (int i = 0; i + COUNTER_ATTRIBUTE.length + 4 <= value.length; i++) {
            if (matchesAt(value, i)) {
                int at = i + COUNTER_ATTRIBUTE.length;
                return ((value[at] & 0xFFL) << 24) | ((value[at + 1] & 0xFFL) << 16) | ((value[at + 2] & 0xFFL) << 8)
                        | (value[at + 3] & 0xFFL);
            }
        }
        return -1;
    }

    private static boolean matchesAt(byte[] value, int offset) {
        for (int j = 0; j < COUNTER_ATTRIBUTE.length; j++) {
            if (value[offset + j] != COUNTER_ATTRIBUTE[j]) {
                return false;
            }
        }
        return true;
    }

    void close() {
        inspectors.values().forEach(MemcachedInspector::close);
    }
}
