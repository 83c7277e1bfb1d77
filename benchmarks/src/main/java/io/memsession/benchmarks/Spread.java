package io.memsession.benchmarks;

import java.util.List;

/**
 * The median of some figures (a configuration's ratio to plain Tomcat, one per cycle) and how far they spread:
 * quartiles and range. Quartiles interpolate between neighbours, as spreadsheets' QUARTILE does.
 */
record Spread(double median, double lowerQuartile, double upperQuartile, double min, double max, int count) {

    static Spread of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Spread(quantile(sorted, 0.5), quantile(sorted, 0.25), quantile(sorted, 0.75), sorted[0],
                sorted[sorted.length - 1], sorted.length);
    }

    /** Each cycle's throughput divided by plain Tomcat's in the same cycle. */
    static List<Double> ratios(List<Double> throughputs, List<Double> plainThroughputs) {
        if (throughputs.size() != plainThroughputs.size()) {
            throw new IllegalArgumentException(throughputs.size() + " cycles against " + plainThroughputs.size());
        }
        return java.util.stream.IntStream.range(0, throughputs.size())
                .mapToObj(i -> throughputs.get(i) / plainThroughputs.get(i)).toList();
    }

    private static double quantile(double[] sorted, double fraction) {
        double rank = fraction * (sorted.length - 1);
        int below = (int) Math.floor(rank);
        int above = Math.min(below + 1, sorted.length - 1);
        return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
    }
}
