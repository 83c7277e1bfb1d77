package io.memsession.samples.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

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
}
