package io.memsession.core;

/** Expiration times as memcached wants them. */
final class Expiration {

    /** memcached reads expirations above 30 days as absolute Unix times. */
    private static final int MAX_RELATIVE_SECONDS = 30 * 24 * 3600;

    private Expiration() {
    }

    /**
     * When the stored copy of a session may expire: when Tomcat would expire it, plus a grace period that keeps
     * memcached from dropping it before Tomcat's background expiry has run. Zero or less means never.
     */
    static long expiresAtMillis(int maxInactiveSeconds, long thisAccessedTime, int graceSeconds) {
        if (maxInactiveSeconds <= 0) {
            return Long.MAX_VALUE;
        }
        return thisAccessedTime + (maxInactiveSeconds + (long) graceSeconds) * 1000L;
    }

    /** The memcached expiration for a copy that should live until {@code expiresAtMillis}. */
    static int memcachedExpiration(long expiresAtMillis, long nowMillis) {
        if (expiresAtMillis == Long.MAX_VALUE) {
            return 0;
        }
        long seconds = Math.max(1, (expiresAtMillis - nowMillis + 999) / 1000);
        if (seconds > MAX_RELATIVE_SECONDS) {
            return (int) Math.min(Integer.MAX_VALUE, nowMillis / 1000 + seconds);
        }
        return (int) seconds;
    }
}
