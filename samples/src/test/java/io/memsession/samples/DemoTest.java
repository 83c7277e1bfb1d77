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
    void oneSessionSurvivesATomcatCrashAndAMemcachedCrash() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Demo.Outcome outcome = Demo.run(new PrintStream(printed, true, StandardCharsets.UTF_8));
        String transcript = printed.toString(StandardCharsets.UTF_8);

        assertTrue(outcome.passed(), () -> outcome.failure() + "\n" + transcript);
        List<Demo.Answer> answers = outcome.answers();
        assertTrue(answers.size() >= 5, transcript);
        assertEquals(IntStream.rangeClosed(1, answers.size()).boxed().toList(),
                answers.stream().map(Demo.Answer::counter).toList(), "every request counted once");
        assertEquals(1, answers.stream().map(Demo.Answer::base).distinct().count(), "one session throughout");

        Demo.Answer first = answers.get(0);
        Demo.Answer afterTomcatCrash = answers.get(3);
        Demo.Answer last = answers.get(answers.size() - 1);
        assertEquals(List.of("tc1", "tc1", "tc1"), answers.subList(0, 3).stream().map(Demo.Answer::tomcat).toList());
        assertEquals("tc2", afterTomcatCrash.tomcat());
        assertEquals("tc2", afterTomcatCrash.route());
        assertEquals(first.node(), afterTomcatCrash.node(), "the Tomcat crash does not move the session's node");
        assertTrue(afterTomcatCrash.newCookie(), "the browser learns the id with the new route");
        assertEquals("tc2", last.tomcat());
        assertNotEquals(afterTomcatCrash.node(), last.node(), "the memcached crash moves the session");
        assertTrue(last.newCookie(), "the browser learns the id with the new node");
        assertTrue(outcome.took().toSeconds() < 60, "the demo took " + outcome.took());
    }
}
