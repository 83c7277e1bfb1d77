package io.memsession.samples.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;

/**
 * The Spring Boot sample: a counter in the session ({@link CounterController}), kept in memcached by the memsession
 * starter as soon as {@code memsession.memcached-nodes} is set, e.g.
 * {@code java -jar sample.jar --memsession.memcached-nodes=n1:localhost:11211,n2:localhost:11212}.
 */
@SpringBootApplication
public class SampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }

    /** The line the demo waits for, as the plain sample prints it. */
    @EventListener(ApplicationReadyEvent.class)
    void ready(ApplicationReadyEvent event) {
        Environment environment = event.getApplicationContext().getEnvironment();
        System.out.println("READY " + environment.getProperty("local.server.port"));
    }
}
