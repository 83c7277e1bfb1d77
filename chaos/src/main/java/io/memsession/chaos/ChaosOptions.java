package io.memsession.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** bin/chaos's command line. */
record ChaosOptions(boolean sticky, Duration duration, int clients, int idleSessions, int hotSessions,
                    int hotClients, int tomcats, int memcachedNodes, String scheduleName, List<Fault> schedule,
                    boolean backupAsync, int thinkMillis, Path output) {

    static final String USAGE = """
            bin/chaos [--mode sticky|non-sticky] [--duration SECONDS] [--clients N] [--idle-sessions N]
                      [--hot-sessions N] [--hot-clients N] [--tomcats N] [--memcached N] [--schedule NAME|SPEC]
                      [--backup sync|async] [--think-ms N] [--output DIR]
              --mode           sticky: behind Apache httpd's mod_proxy_balancer, sticky by jvmRoute; non-sticky:
                               behind HAProxy, round robin with health checks, lockingMode="all" (default sticky)
              --duration       seconds of load, faults included (default 45)
              --clients        client sessions, one thread each, one increment after another (default 16)
              --idle-sessions  sessions that get one increment every 8 s, as users who read a page a while (default 8)
              --hot-sessions   sessions that several clients increment at once (default 2)
              --hot-clients    threads per hot session (default 3)
              --tomcats        Tomcat 9 distributions, tc1, tc2, ... (default 2)
              --memcached      memcached nodes, mc1, mc2, ... holding node ids n1, n2, ... (default 2)
              --schedule       the faults: tomcats (default: Tomcats killed and restarted, three kills in a row,
                               each restarted 2 s later), tomcats-then-pause (the same, then memcached mc1 paused
                               for 2 s), memcached (memcached nodes killed and restarted between Tomcat kills, one
                               failure at a time, then mc1 paused for 3 s; needs --duration 45 or more), none, or
                               SECOND:ACTION:TARGET,... with ACTION kill (SIGKILL), pause (SIGSTOP), resume (SIGCONT)
                               or restart, TARGET tc1.. or mc1.. (a restarted memcached node is empty)
              --backup         sticky mode's sessionBackupAsync: sync (default; what promises that an answered
                               change survives a Tomcat crash) or async (memsession's default: about 100 ms behind)
              --think-ms       pause of each client between requests (default 5)
              --output         where the report and the plot go (default chaos/target/chaos-runs)""";

    static final String TOMCATS_SCHEDULE = "5:kill:tc1,7:restart:tc1,15:kill:tc2,17:restart:tc2,25:kill:tc1,"
            + "27:restart:tc1";
    static final String TOMCATS_THEN_PAUSE_SCHEDULE = TOMCATS_SCHEDULE + ",30:pause:mc1,32:resume:mc1";
    static final String MEMCACHED_SCHEDULE = "5:kill:mc1,7:restart:mc1,13:kill:tc1,15:restart:tc1,21:kill:mc2,"
            + "23:restart:mc2,29:kill:tc2,31:restart:tc2,37:pause:mc1,40:resume:mc1";

    static ChaosOptions parse(String... args) {
        boolean sticky = true;
        int durationSeconds = 45;
        int clients = 16;
        int idleSessions = 8;
        int hotSessions = 2;
        int hotClients = 3;
        int tomcats = 2;
        int memcachedNodes = 2;
        String schedule = "tomcats";
        boolean backupAsync = false;
        int thinkMillis = 5;
        Path output = Path.of("chaos/target/chaos-runs");
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (name.equals("--help")) {
                throw new IllegalArgumentException("usage");
            }
            if (i + 1 == args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            String value = args[++i];
            switch (name) {
                case "--mode" -> sticky = choice(name, value, "sticky", "non-sticky");
                case "--duration" -> durationSeconds = number(name, value, 5);
                case "--clients" -> clients = number(name, value, 0);
                case "--idle-sessions" -> idleSessions = number(name, value, 0);
                case "--hot-sessions" -> hotSessions = number(name, value, 0);
                case "--hot-clients" -> hotClients = number(name, value, 1);
                case "--tomcats" -> tomcats = number(name, value, 2);
                case "--memcached" -> memcachedNodes = number(name, value, 2);
                case "--schedule" -> schedule = value;
                case "--backup" -> backupAsync = !choice(name, value, "sync", "async");
                case "--think-ms" -> thinkMillis = number(name, value, 0);
                case "--output" -> output = Path.of(value);
                default -> throw new IllegalArgumentException("unknown argument " + name);
            }
        }
        if (clients + idleSessions + hotSessions == 0) {
            throw new IllegalArgumentException("no sessions: give --clients, --idle-sessions or --hot-sessions");
        }
        String spec = switch (schedule) {
            case "tomcats" -> TOMCATS_SCHEDULE;
            case "tomcats-then-pause" -> TOMCATS_THEN_PAUSE_SCHEDULE;
            case "memcached" -> MEMCACHED_SCHEDULE;
            case "none" -> "";
            default -> schedule;
        };
        List<Fault> faults = Fault.parseSchedule(spec, tomcats, memcachedNodes);
        Duration duration = Duration.ofSeconds(durationSeconds);
        for (Fault fault : faults) {
            if (fault.at().compareTo(duration) >= 0) {
                throw new IllegalArgumentException("--schedule: " + fault + " is not within --duration "
                        + durationSeconds);
            }
        }
        return new ChaosOptions(sticky, duration, clients, idleSessions, hotSessions, hotClients, tomcats,
                memcachedNodes, schedule.equals(spec) ? "custom" : schedule, faults, backupAsync, thinkMillis, output);
    }

    String modeName() {
        return sticky ? "sticky" : "non-sticky";
    }

    private static boolean choice(String name, String value, String first, String second) {
        if (value.equals(first)) {
            return true;
        }
        if (value.equals(second)) {
            return false;
        }
        throw new IllegalArgumentException(name + " is " + first + " or " + second + ", not " + value);
    }

    private static int number(String name, String value, int minimum) {
        try {
            int number = Integer.parseInt(value);
            if (number >= minimum) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " expects a whole number of at least " + minimum + ", not " + value);
    }
}
