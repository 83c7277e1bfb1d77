package io.memsession.core;

import java.util.concurrent.TimeUnit;

/** Durations for the statistics, measured on {@link System#nanoTime()}, which no clock change moves. */
final class Elapsed {

    private Elapsed() {
    }

    public static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    public static long nanosSince(long startNanos) {
        return System.nanoTime() - startNanos;
    }
}
