package io.memsession.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void everyLatencyFallsIntoTheBucketWhoseRangeHoldsIt() {
        for (long micros = 0; micros < 5_000_000; micros += micros < 5000 ? 1 : 997) {
            int bucket = LatencyHistogram.bucketOf(micros);
            assertTrue(LatencyHistogram.upperEdge(bucket) >= micros, "upper edge of the bucket of " + micros);
            assertTrue(bucket == 0 || LatencyHistogram.upperEdge(bucket - 1) < micros, "previous bucket of " + micros);
        }
    }

    @Test
    void latenciesBelowOneMillisecondAreExact() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (int micros = 1; micros <= 100; micros++) {
            histogram.record(micros);
        }
        assertEquals(100, histogram.count());
        assertEquals(50, histogram.percentile(50));
        assertEquals(99, histogram.percentile(99));
        assertEquals(100, histogram.percentile(100));
    }

    @Test
    void largerLatenciesAreWithinTwoPerMille() {
        LatencyHistogram histogram = new LatencyHistogram();
        histogram.record(1_234_567);
        long reported = histogram.percentile(50);
        assertTrue(reported >= 1_234_567 && reported <= 1_234_567 * 1.002, "reported " + reported);
    }

    @Test
    void mergedHistogramsCountEveryRequest() {
        LatencyHistogram first = new LatencyHistogram();
        LatencyHistogram second = new LatencyHistogram();
        first.record(10);
        second.record(20);
        second.record(30);
        first.add(second);
        assertEquals(3, first.count());
        assertEquals(30, first.percentile(99));
        assertEquals(0, new LatencyHistogram().percentile(50));
    }
}
