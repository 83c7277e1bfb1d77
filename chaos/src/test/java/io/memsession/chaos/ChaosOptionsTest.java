package io.memsession.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class ChaosOptionsTest {

    @Test
    void defaultsAreStickyWithTheTomcatSchedule() {
        ChaosOptions options = ChaosOptions.parse();
        assertTrue(options.sticky());
        assertFalse(options.backupAsync());
        assertEquals("tomcats", options.scheduleName());
        assertEquals(6, options.schedule().size());
        assertEquals(new Fault(Duration.ofSeconds(5), Fault.Action.KILL, "tc1"), options.schedule().get(0));
    }

    @Test
    void aScheduleOfOnesOwn() {
        ChaosOptions options = ChaosOptions.parse("--mode", "non-sticky", "--schedule",
                "2.5:kill:mc2,4:restart:mc2,6:pause:tc1,7:resume:tc1", "--duration", "10");
        assertFalse(options.sticky());
        assertEquals("custom", options.scheduleName());
        assertEquals(List.of(new Fault(Duration.ofMillis(2500), Fault.Action.KILL, "mc2"),
                new Fault(Duration.ofSeconds(4), Fault.Action.RESTART, "mc2"),
                new Fault(Duration.ofSeconds(6), Fault.Action.PAUSE, "tc1"),
                new Fault(Duration.ofSeconds(7), Fault.Action.RESUME, "tc1")), options.schedule());
    }

    @Test
    void wrongValuesAreNamed() {
        assertMessage("--mode is sticky or non-sticky, not both", "--mode", "both");
        assertMessage("the target is tc1..tc2 or mc1..mc2", "--schedule", "5:kill:tc3");
        assertMessage("the action one of kill, pause, resume, restart", "--schedule", "5:explode:tc1");
        assertMessage("is not within --duration 20", "--schedule", "memcached", "--duration", "20");
        assertMessage("comes before the fault listed before it", "--schedule", "5:kill:tc1,4:restart:tc1");
        assertMessage("unknown argument --sessions", "--sessions", "5");
        assertMessage("--tomcats expects a whole number of at least 2, not 1", "--tomcats", "1");
    }

    private static void assertMessage(String expected, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChaosOptions.parse(args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
