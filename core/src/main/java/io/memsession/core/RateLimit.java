package io.memsession.core;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets a warning that can repeat with every request through at most once per interval, so a failing node or a
 * crowd of conflicting requests cannot flood the log; the others go to a finer level.
 */
final class RateLimit {

    private final long intervalNanos;
    private final AtomicLong lastPermitNanos;

    public RateLimit(long interval, TimeUnit unit) {
        this.intervalNanos = unit.toNanos(interval);
        this.lastPermitNanos = new AtomicLong(System.nanoTime() - intervalNanos);
    }

    /** Whether the interval since the last permit has passed; if so, this call takes the permit. */
    public boolean permits() {
        long now = System.nanoTime();
        long last = lastPermitNanos.get();
        return now - last >= intervalNanos && lastPermitNanos.compareAndSet(last, now);
    }
}
