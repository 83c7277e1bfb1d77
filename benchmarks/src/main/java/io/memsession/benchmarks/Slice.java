package io.memsession.benchmarks;

/**
 * What one slice of load on one Tomcat did.
 *
 * @param latencies of the successful requests completed during the slice
 * @param errors requests that failed during the slice
 */
record Slice(LatencyHistogram latencies, long elapsedNanos, long errors, String firstError) {

    long requests() {
        return latencies.count();
    }

    double requestsPerSecond() {
        return requests() * 1e9 / elapsedNanos;
    }
}
