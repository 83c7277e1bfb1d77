package io.memsession.samples.boot;

import jakarta.servlet.http.HttpSession;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Every GET of {@code /} or {@code /counter} increments a counter in the session and answers one line, as the plain
 * sample does (so the demo runs on either): {@code session=<id> counter=<n> tomcat=<instance>}.
 */
@RestController
class CounterController {

    private final String instance;

    CounterController(@Value("${sample.instance:${server.port}}") String instance) {
        this.instance = instance;
    }

    @GetMapping(path = {"/", "/counter"}, produces = "text/plain")
    String counter(HttpSession session) {
        int next;
        synchronized (session) { // parallel requests of one session share it
            Integer counter = (Integer) session.getAttribute("counter");
            next = counter == null ? 1 : counter + 1;
            session.setAttribute("counter", next);
        }
        return "session=" + session.getId() + " counter=" + next + " tomcat=" + instance + "\n";
    }
}
