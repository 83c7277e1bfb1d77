package io.memsession.benchmarks;

/**
 * Request latencies in microseconds: exact below 1 ms, and above it 512 buckets per power of two, so a percentile
 * is off by at most 0.2 %. A fixed array, so recording costs no allocation in the load threads. Not thread-safe:
 * each load thread keeps its own, and they are merged at the end.
 */
final class LatencyHistogram {

    /** 2^9 = 512 buckets per power of two. */
    private static final int PRECISION_BITS = 9;
    /** Latencies are capped at about 35 minutes, far beyond any request timeout. */
    private static final long MAX_MICROS = Integer.MAX_VALUE;

    private final long[] counts = new long[bucketOf(MAX_MICROS) + 1];
    private long total;

    void record(long micros) {
        counts[bucketOf(Math.max(0, Math.min(micros, MAX_MICROS)))]++;
        total++;
    }

    void add(LatencyHistogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
    }

    long count() {
        return total;
    }

    /**
     * The latency that {@code percent} % of the requests did not exceed, in microseconds (the upper edge of its
     * bucket, so it never flatters); 0 without requests.
     */
    long percentile(double percent) {
        long rank = (long) Math.ceil(total * percent / 100.0);
        long seen = 0;
        for (int bucket = 0; bucket < counts.length; bucket++) {
            seen += counts[bucket];
            if (seen >= rank && seen > 0) {
                return upperEdge(bucket);
            }
        }
        return 0;
    }

    /**
     * Values below 1024 are their own bucket. Above, a value is shifted right until 10 significant bits remain
     * (512 to 1023); the shift picks the power of two and the remaining bits the bucket within it.
     */
    static int bucketOf(long micros) {
        int shift = Math.max(0, 63 - Long.numberOfLeadingZeros(micros) - PRECISION_BITS);
        return (shift << PRECISION_BITS) + (int) (micros >> shift);
    }

    /** The largest latency that falls into {@code bucket}. */
    static long upperEdge(int bucket) {
        int shift = Math.max(0, (bucket >> PRECISION_BITS) - 1);
        long significant = bucket - ((long) shift << PRECISION_BITS);
        return ((significant + 1) << shift) - 1;
    }
}
