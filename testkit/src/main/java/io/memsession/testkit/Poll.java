package io.memsession.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded polling, so waits end as soon as the awaited state is reached instead of after a guessed sleep. */
final class Poll {

    private static final long INTERVAL_MILLIS = 20;

    private Poll() {
    }

    /** The first non-null result of {@code attempt}, or null if there was none within {@code timeout}. */
    static <T> T await(Duration timeout, Supplier<T> attempt) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T result = attempt.get();
            if (result != null || System.nanoTime() - deadline > 0) {
                return result;
            }
            try {
                Thread.sleep(INTERVAL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting", e);
            }
        }
    }

    /** Whether {@code condition} became true within {@code timeout}. */
    static boolean until(Duration timeout, BooleanSupplier condition) {
        return await(timeout, () -> condition.getAsBoolean() ? Boolean.TRUE : null) != null;
    }
}
