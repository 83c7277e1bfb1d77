package io.memsession.core;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

import io.memsession.core.config.ConfigurationBuilder;

/**
 * The JVM {@link MemcachedStoreStallTest} stops while it waits for memcached. Arguments: the memcached node's
 * address and the operation timeout. Stores a value (and prints {@code READY}), then on each line read from standard
 * input reads it again: prints {@code SENT} once the read is sent, then {@code ANSWERED <byte>} or
 * {@code TIMEOUT <why>}, then {@code AVAILABLE <whether the node may still be used>}.
 */
final class StalledStoreClient {

    private StalledStoreClient() {
    }

    public static void main(String[] args) throws Exception {
        long timeoutMillis = Long.parseLong(args[1]);
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (MemcachedStore store = MemcachedStore.connect(new ConfigurationBuilder()
                .set("memcachedNodes", "n1:" + args[0]).set("operationTimeout", args[1]).build())) {
            store.startSet("n1", "stalled", 60, new byte[] {7}).await(timeoutMillis);
            System.out.println("READY");
            while (commands.readLine() != null) {
                Pending<Versioned> read = store.startGets("n1", "stalled");
                System.out.println("SENT");
                String outcome;
                try {
                    outcome = "ANSWERED " + read.await(timeoutMillis).value()[0];
                } catch (StoreException e) {
                    outcome = "TIMEOUT " + e.getMessage();
                }
                System.out.println(outcome);
                System.out.println("AVAILABLE " + store.isAvailable("n1"));
            }
        }
    }
}
