package io.memsession.core;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import io.memsession.core.config.ConfigurationBuilder;
import io.memsession.testkit.FreePorts;
import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.MemcachedProcess;

/**
 * A node given by host name whose name comes to point to another memcached (a pod rescheduled, a machine replaced
 * behind its DNS name) is connected there under its node id, without a restart. The host name resolves through a
 * hosts file the test rewrites: this runs in a JVM of its own (core's pom), and is skipped in any other.
 */
@EnabledIfSystemProperty(named = "jdk.net.hosts.file", matches = ".+")
class NodeAddressChangeTest {

    private static final String HOST = "memcached-moving.test";
    private static final byte[] VALUE = "a session".getBytes(StandardCharsets.UTF_8);

    private final Logger storeLog = Logger.getLogger(MemcachedStore.class.getName());
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Handler recorder = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    NodeAddressChangeTest() {
        storeLog.addHandler(recorder);
    }

    @AfterEach
    void stopRecording() {
        storeLog.removeHandler(recorder);
    }

    private static void resolveTo(String address) throws IOException {
        Path hosts = Paths.get(System.getProperty("jdk.net.hosts.file"));
        Files.createDirectories(hosts.getParent());
        Files.write(hosts, ("127.0.0.1 localhost\n" + address + " " + HOST + "\n").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aNodeWhoseHostNameMovesIsConnectedAtItsNewAddressUnderItsId() throws Exception {
        int port = FreePorts.find();
        resolveTo("127.0.0.1");
        try (MemcachedProcess before = MemcachedProcess.startOn("127.0.0.1", port);
             MemcachedProcess after = MemcachedProcess.startOn("127.0.0.2", port);
             MemcachedInspector onBefore = MemcachedInspector.connect(before);
             MemcachedInspector onAfter = MemcachedInspector.connect(after);
             MemcachedStore store = MemcachedStore.connect(new ConfigurationBuilder()
                     .set("memcachedNodes", "n1:" + HOST + ":" + port).build())) {
            assertTrue(store.startSet("n1", "first", 0, VALUE).await(1000));
            assertArrayEquals(VALUE, onBefore.get("first"));

            resolveTo("127.0.0.2");
            before.kill(); // its connection is lost: the name is looked up again
            await().atMost(10, SECONDS).until(() -> store.isAvailable("n1")
                    && logged.stream().anyMatch(line -> line.contains("has a new address, 127.0.0.2")));

            assertTrue(store.startSet("n1", "second", 0, VALUE).await(1000));
            assertArrayEquals(VALUE, onAfter.get("second"), "written at the name's new address");
            assertNull(onAfter.get("first"));
            assertEquals("n1", store.nodes().all().get(0).id(), "under the same node id");
        }
    }
}
