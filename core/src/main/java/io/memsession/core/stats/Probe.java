package io.memsession.core.stats;

/**
 * Count, minimum, average and maximum of one measured value (milliseconds or bytes). Updates are atomic, so the
 * figures never tear under concurrent requests.
 */
public final class Probe {

    private long count;
    private long sum;
    private long min = Long.MAX_VALUE;
    private long max = Long.MIN_VALUE;

    public synchronized void record(long value) {
        count++;
        sum += value;
        if (value < min) {
            min = value;
        }
        if (value > max) {
            max = value;
        }
    }

    public synchronized long count() {
        return count;
    }

    public synchronized long max() {
        return count == 0 ? 0 : max;
    }

    public synchronized double average() {
        return count == 0 ? 0 : (double) sum / count;
    }

    /** The form memcached-session-manager's statistics used: {@code Count = n, Min = x, Avg = y, Max = z}. */
    public synchronized String[] describe() {
        return new String[] {"Count = " + count, "Min = " + (count == 0 ? 0 : min),
                "Avg = " + (count == 0 ? 0 : sum / count), "Max = " + (count == 0 ? 0 : max)};
    }
}
