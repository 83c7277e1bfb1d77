package io.memsession.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ExpirationTest {

    @Test
    void remainingLifetimePlusGrace() {
        long now = 1_000_000L;
        long expiresAt = Expiration.expiresAtMillis(1800, now - 600_000, 70);
        assertEquals(1800 - 600 + 70, Expiration.memcachedExpiration(expiresAt, now));
    }

    @Test
    void neverExpiringSessionsAreStoredWithoutExpiration() {
        assertEquals(0, Expiration.memcachedExpiration(Expiration.expiresAtMillis(0, 5L, 70), 5L));
        assertEquals(0, Expiration.memcachedExpiration(Expiration.expiresAtMillis(-1, 5L, 70), 5L));
    }

    @Test
    void moreThanThirtyDaysBecomesAnAbsoluteUnixTime() {
        long now = 1_700_000_000_000L;
        int fortyDays = 40 * 24 * 3600;
        int expiration = Expiration.memcachedExpiration(now + fortyDays * 1000L, now);
        assertEquals(now / 1000 + fortyDays, expiration);
    }

    @Test
    void anOverdueCopyStillLivesOneSecond() {
        assertEquals(1, Expiration.memcachedExpiration(1000L, 5000L));
    }
}
