package io.memsession.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/**
 * Runs the README's demo as a test, so a change that breaks it fails the build. Besides the demo's own checks,
 * the answers it saw are checked here against the story it tells.
 */
class DemoTest {

    @Test
    void oneSessionSurvivesATomcatCrashAndAMemcachedCrashWithAndWithoutStickySessions() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Demo.Outcome outcome = Demo.run(new PrintStream(printed, true, StandardCharsets.UTF_8));
        String transcript = printed.toString(StandardCharsets.UTF_8);

        assertTrue(outcome.passed(), () -> outcome.failure() + "\n" + transcript);
        List<Demo.Answer> sticky = outcome.answers().subList(0, outcome.partTwoStart());
        List<Demo.Answer> nonSticky = outcome.answers().subList(outcome.partTwoStart(), outcome.answers().size());
        for (List<Demo.Answer> part : List.of(sticky, nonSticky)) {
            assertEquals(IntStream.rangeClosed(1, part.size()).boxed().toList(),
                    part.stream().map(Demo.Answer::counter).toList(), "every request counted once");
            assertEquals(1, part.stream().map(Demo.Answer::base).distinct().count(), "one session a part");
        }

        assertTrue(sticky.size() >= 5, transcript);
        Demo.Answer first = sticky.get(0);
        Demo.Answer afterTomcatCrash = sticky.get(3);
        Demo.Answer last = sticky.get(sticky.size() - 1);
        assertEquals(List.of("tc1", "tc1", "tc1"), sticky.subList(0, 3).stream().map(Demo.Answer::tomcat).toList());
        assertEquals("tc2", afterTomcatCrash.tomcat());
        assertEquals("tc2", afterTomcatCrash.route());
        assertEquals(first.node(), afterTomcatCrash.node(), "the Tomcat crash does not move the session's node");
        assertTrue(afterTomcatCrash.newCookie(), "the browser learns the id with the new route");
        assertEquals("tc2", last.tomcat());
        assertNotEquals(afterTomcatCrash.node(), last.node(), "the memcached crash moves the session");
        assertTrue(last.newCookie(), "the browser learns the id with the new node");

        assertEquals(List.of("tc3", "tc4", "tc3", "tc4", "tc3", "tc4"),
                nonSticky.stream().map(Demo.Answer::tomcat).toList(), "any Tomcat serves any request");
        assertEquals(1, nonSticky.subList(0, 4).stream().map(Demo.Answer::sessionId).distinct().count(),
                "the id stays the same whichever Tomcat answers");
        Demo.Answer restored = nonSticky.get(4);
        assertNotEquals(nonSticky.get(3).node(), restored.node(), "the memcached crash moves the session");
        assertTrue(restored.newCookie());
        assertEquals(restored.sessionId(), nonSticky.get(5).sessionId(), "the Tomcat crash does not change it");
        assertTrue(outcome.took().toSeconds() < 60, "the demo took " + outcome.took());
    }
}
