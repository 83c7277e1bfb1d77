package io.memsession.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class RateLimitTest {

    @Test
    void permitsTheFirstWarningAndNoMoreWithinTheInterval() {
        RateLimit limit = new RateLimit(1, TimeUnit.HOURS);
        assertTrue(limit.permits());
        assertFalse(limit.permits());
        assertFalse(limit.permits());
    }

    @Test
    void permitsAgainOnceTheIntervalHasPassed() {
        RateLimit limit = new RateLimit(0, TimeUnit.SECONDS);
        assertTrue(limit.permits());
        assertTrue(limit.permits());
    }
}
