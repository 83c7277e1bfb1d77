package io.memsession.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import io.memsession.testkit.BuildFiles;

/**
 * The short fault runs of bin/chaos, on the real Tomcat 9 distribution behind the real load balancers: every
 * increment a client saw acknowledged is in its session at the end, and no session began anew, while Tomcats are
 * killed (SIGKILL) and restarted three times in a row, each kill hitting the sessions the previous one moved; and, in
 * both modes, while memcached nodes and Tomcats are killed and restarted one at a time and a node is paused
 * ({@code --schedule memcached}). Non-sticky: each change is written with its backup copy before its response, and a
 * session whose node came back empty continues from its copy. Sticky: each memcached fault comes 8 s after a Tomcat
 * kill, the idle sessions' period, so an idle session the killed Tomcat answered last meets its node's failure
 * before its next request; its second copy on the other node keeps it.
 */
class ChaosIT {

    private static final String DURATION_SECONDS = "35";
    /** The memcached schedule's faults end at 40 s. */
    private static final String MEMCACHED_SCHEDULE_SECONDS = "45";

    @Test
    void stickyBehindHttpdLosesNothingToTomcatKills() throws Exception {
        ChaosRun.Result result = run(DURATION_SECONDS, "--mode", "sticky", "--schedule", "tomcats");
        assertNothingLost(result);
    }

    @Test
    void nonStickyBehindHaproxyLosesNothingToTomcatKills() throws Exception {
        ChaosRun.Result result = run(DURATION_SECONDS, "--mode", "non-sticky", "--schedule", "tomcats");
        assertNothingLost(result);
    }

    @Test
    void stickyBehindHttpdLosesNothingToMemcachedKills() throws Exception {
        ChaosRun.Result result = run(MEMCACHED_SCHEDULE_SECONDS, "--mode", "sticky", "--schedule", "memcached");
        assertNothingLost(result);
    }

    @Test
    void nonStickyBehindHaproxyLosesNothingToMemcachedKills() throws Exception {
        ChaosRun.Result result = run(MEMCACHED_SCHEDULE_SECONDS, "--mode", "non-sticky", "--schedule", "memcached");
        assertNothingLost(result);
    }

    private static ChaosRun.Result run(String durationSeconds, String... modeAndSchedule)
            throws InterruptedException {
        List<String> args = new ArrayList<>(List.of(modeAndSchedule));
        args.addAll(List.of("--duration", durationSeconds, "--output", requiredProperty("chaos.output")));
        ChaosRun.Result result = ChaosRun.run(BuildFiles.required("memsession.jar"),
                BuildFiles.required("tomcat.distribution"), args.toArray(new String[0]));
        System.out.println(result.report());
        return result;
    }

    private static void assertNothingLost(ChaosRun.Result result) throws IOException {
        assertEquals(0, result.lost(), "acknowledged increments lost:\n" + result.report());
        assertEquals(0, result.resets(), "sessions that began anew:\n" + result.report());
        // the run really ran: thousands of answers
        assertTrue(result.answers() > 2_000, result.report());
        assertEquals(List.of(), result.severeLines(), "the Tomcats' consoles");
        BufferedImage plot = ImageIO.read(Files.newInputStream(result.plot()));
        assertEquals(1200, plot.getWidth(), "the plot is a PNG of the run");
    }

    private static String requiredProperty(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            throw new IllegalStateException("system property " + name + " is not set; run with mvn verify");
        }
        return value;
    }
}
