package io.memsession.core.stats;

import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Count, minimum, average and maximum of one measured value (milliseconds or bytes). Recorded by every request
 * thread that writes a session, so it takes no lock: under contention a monitor here cost more than the write it
 * measured. A reader may see a count one update ahead of the sum; the figures are for monitoring, not accounting.
 */
public final class Probe {

    private final LongAdder count = new LongAdder();
    private final LongAdder sum = new LongAdder();
    private final LongAccumulator min = new LongAccumulator(Math::min, Long.MAX_VALUE);
    private final LongAccumulator max = new LongAccumulator(Math::max, Long.MIN_VALUE);

    public void record(long value) {
        count.increment();
        sum.add(value);
        min.accumulate(value);
        max.accumulate(value);
    }

    public long count() {
        return count.sum();
    }

    /** The sum of the recorded values, for metrics that show a total (a timer's total time). */
    public long sum() {
        return sum.sum();
    }

    public long max() {
        return count() == 0 ? 0 : max.get();
    }

    public double average() {
        long n = count();
        return n == 0 ? 0 : (double) sum.sum() / n;
    }

    /** The form memcached-session-manager's statistics used: {@code Count = n, Min = x, Avg = y, Max = z}. */
    public String[] describe() {
        long n = count();
        return new String[] {"Count = " + n, "Min = " + (n == 0 ? 0 : min.get()),
                "Avg = " + (n == 0 ? 0 : sum.sum() / n), "Max = " + (n == 0 ? 0 : max.get())};
    }
}
