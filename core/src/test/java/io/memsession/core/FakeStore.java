package io.memsession.core;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.memsession.core.config.MemcachedNodes;

/**
 * An in-memory store for unit tests of backup and engine decisions; memcached behaviour is tested with real
 * memcached. One map holds the keys of all nodes (a session's keys name its node).
 */
public final class FakeStore implements SessionStore {

    /** The nodes every test here uses, n1 and n2. */
    public volatile MemcachedNodes nodes = MemcachedNodes.parse("n1:127.0.0.1:11211,n2:127.0.0.1:11212", null);
    public final Map<String, byte[]> values = new ConcurrentHashMap<>();
    /** Nodes that are down: unavailable, and every operation on them fails. */
    public final Set<String> downNodes = ConcurrentHashMap.newKeySet();
    final Map<String, Integer> ttls = new ConcurrentHashMap<>();
    final AtomicInteger sets = new AtomicInteger();
    final AtomicInteger touches = new AtomicInteger();
    final AtomicInteger deletes = new AtomicInteger();
    final AtomicInteger gets = new AtomicInteger();
    final AtomicInteger concurrentSets = new AtomicInteger();
    volatile int maxConcurrentSets;
    volatile boolean failing;
    /** Compare-and-set refused, as when another Tomcat wrote the session first. */
    public volatile boolean refusingCas;
    volatile CountDownLatch setGate;

    @Override
    public byte[] get(String nodeId, String key) throws StoreException {
        check(nodeId);
        gets.incrementAndGet();
        return values.get(key);
    }

    /** Stores at once (waiting at the gate, when one is set); the returned write has nothing left to wait for. */
    @Override
    public Pending<Boolean> startSet(String nodeId, String key, int ttlSeconds, byte[] value) throws StoreException {
        check(nodeId);
        int running = concurrentSets.incrementAndGet();
        maxConcurrentSets = Math.max(maxConcurrentSets, running);
        try {
            CountDownLatch gate = setGate;
            if (gate != null && !gate.await(10, TimeUnit.SECONDS)) {
                throw new StoreException("gate not opened");
            }
            values.put(key, value);
            ttls.put(key, ttlSeconds);
            sets.incrementAndGet();
            return timeoutMillis -> Boolean.TRUE;
        } catch (InterruptedException e) {
            throw new StoreException("interrupted", e);
        } finally {
            concurrentSets.decrementAndGet();
        }
    }

    @Override
    public boolean touch(String nodeId, String key, int ttlSeconds) throws StoreException {
        check(nodeId);
        touches.incrementAndGet();
        if (!values.containsKey(key)) {
            return false;
        }
        ttls.put(key, ttlSeconds);
        return true;
    }

    @Override
    public void delete(String nodeId, String key) throws StoreException {
        check(nodeId);
        deletes.incrementAndGet();
        values.remove(key);
    }

    @Override
    public Pending<Versioned> startGets(String nodeId, String key) throws StoreException {
        check(nodeId);
        byte[] value = values.get(key);
        return timeoutMillis -> value == null ? null : new Versioned(value, 1);
    }

    @Override
    public Pending<Boolean> startAdd(String nodeId, String key, int ttlSeconds, byte[] value) throws StoreException {
        check(nodeId);
        boolean added = values.putIfAbsent(key, value) == null;
        return timeoutMillis -> added;
    }

    @Override
    public Pending<Boolean> startCas(String nodeId, String key, long cas, int ttlSeconds, byte[] value)
            throws StoreException {
        if (refusingCas) {
            check(nodeId);
            return timeoutMillis -> Boolean.FALSE;
        }
        return startSet(nodeId, key, ttlSeconds, value);
    }

    @Override
    public Pending<Boolean> startTouch(String nodeId, String key, int ttlSeconds) throws StoreException {
        boolean touched = touch(nodeId, key, ttlSeconds);
        return timeoutMillis -> touched;
    }

    @Override
    public Pending<Boolean> startDelete(String nodeId, String key) throws StoreException {
        check(nodeId);
        deletes.incrementAndGet();
        boolean deleted = values.remove(key) != null;
        return timeoutMillis -> deleted;
    }

    @Override
    public MemcachedNodes nodes() {
        return nodes;
    }

    @Override
    public boolean isAvailable(String nodeId) {
        return !failing && !downNodes.contains(nodeId);
    }

    private void check(String nodeId) throws StoreException {
        if (failing || downNodes.contains(nodeId)) {
            throw new StoreException("node " + nodeId + " down");
        }
    }

    @Override
    public void close() {
    }
}
