package io.memsession.benchmarks;

import java.time.Duration;

/**
 * Lets a load's threads send requests during a slice and parks them between slices, so that a Tomcat waiting for
 * its next slice gets no requests at all. {@link #runFor(Duration)} returns once every thread has finished its
 * request and parked: then what the threads recorded during the slice can be read.
 */
final class SliceGate {

    /** A thread parks after its current request, which the client's read timeout bounds. */
    private static final Duration PARK_TIMEOUT = Duration.ofSeconds(60);

    private enum State { PAUSED, RUNNING, STOPPED }

    private final int threads;
    private volatile State state = State.PAUSED;
    /** Threads waiting in {@link #awaitRunning()}; guarded by this. */
    private int parked;

    SliceGate(int threads) {
        this.threads = threads;
    }

    /** For the load threads, before each request: waits while paused; false once stopped (or interrupted). */
    boolean awaitRunning() {
        if (state == State.RUNNING) {
            return true;
        }
        synchronized (this) {
            parked++;
            notifyAll();
            try {
                while (state == State.PAUSED) {
                    wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                parked--;
            }
            return state == State.RUNNING;
        }
    }

    /** Whether a slice is under way: a request completing now counts for it. */
    boolean isRunning() {
        return state == State.RUNNING;
    }

    /**
     * Lets the threads run for {@code duration}, then pauses them; returns the slice's length in nanoseconds once
     * every thread is parked.
     */
    long runFor(Duration duration) throws InterruptedException {
        long start = System.nanoTime();
        synchronized (this) {
            state = State.RUNNING;
            notifyAll();
        }
        Thread.sleep(duration.toMillis());
        synchronized (this) {
            state = State.PAUSED;
            long elapsedNanos = System.nanoTime() - start;
            long deadline = System.nanoTime() + PARK_TIMEOUT.toNanos();
            while (parked < threads) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException((threads - parked) + " of " + threads + " load threads still"
                            + " busy " + PARK_TIMEOUT.toSeconds() + " s after the slice ended");
                }
                wait(Math.max(1, left / 1_000_000));
            }
            return elapsedNanos;
        }
    }

    /** Lets the threads end. */
    synchronized void stop() {
        state = State.STOPPED;
        notifyAll();
    }
}
