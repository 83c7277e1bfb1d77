package io.memsession.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One scheduled fault: at a second of the run, an action on a Tomcat (tcN) or a memcached node (mcN). */
record Fault(Duration at, Action action, String target) {

    enum Action {
        /** SIGKILL, as a crash. */
        KILL,
        /** SIGSTOP: the process holds its connections and answers nothing. */
        PAUSE,
        /** SIGCONT. */
        RESUME,
        /** Started again (killed first if it runs); a memcached node comes back empty. */
        RESTART
    }

    static List<Fault> parseSchedule(String spec, int tomcats, int memcachedNodes) {
        List<Fault> faults = new ArrayList<>();
        if (spec.isBlank()) {
            return faults;
        }
        Duration previous = Duration.ZERO;
        for (String item : spec.split(",")) {
            String[] parts = item.trim().split(":");
            if (parts.length != 3) {
                throw new IllegalArgumentException("--schedule: " + item + " is not SECOND:ACTION:TARGET");
            }
            Duration at;
            Action action;
            try {
                at = Duration.ofMillis(Math.round(Double.parseDouble(parts[0]) * 1000));
                action = Action.valueOf(parts[1].toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--schedule: " + item + ": the second is a number and the action"
                        + " one of kill, pause, resume, restart");
            }
            String target = parts[2];
            if (!isTarget(target, "tc", tomcats) && !isTarget(target, "mc", memcachedNodes)) {
                throw new IllegalArgumentException("--schedule: " + item + ": the target is tc1..tc" + tomcats
                        + " or mc1..mc" + memcachedNodes);
            }
            if (at.compareTo(previous) < 0) {
                throw new IllegalArgumentException("--schedule: " + item + " comes before the fault listed before it");
            }
            previous = at;
            faults.add(new Fault(at, action, target));
        }
        return faults;
    }

    private static boolean isTarget(String target, String prefix, int count) {
        if (!target.startsWith(prefix)) {
            return false;
        }
        try {
            int index = Integer.parseInt(target.substring(prefix.length()));
            return index >= 1 && index <= count;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    String label() {
        return action.name().toLowerCase(Locale.ROOT) + " " + target;
    }

    @Override
    public String toString() {
        return at.toMillis() / 1000.0 + ":" + action.name().toLowerCase(Locale.ROOT) + ":" + target;
    }
}
