package io.memsession.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

class SpreadTest {

    @Test
    void medianOfAnOddCountIsTheMiddleValueWhateverTheOrder() {
        Spread spread = Spread.of(List.of(0.9, 0.5, 0.7, 0.8, 0.6));
        assertEquals(0.7, spread.median(), 1e-12);
        assertEquals(0.5, spread.min(), 1e-12);
        assertEquals(0.9, spread.max(), 1e-12);
        assertEquals(5, spread.count());
    }

    @Test
    void medianOfAnEvenCountIsBetweenTheTwoMiddleValues() {
        assertEquals(0.65, Spread.of(List.of(0.8, 0.5, 0.6, 0.7)).median(), 1e-12);
    }

    @Test
    void quartilesInterpolateBetweenNeighbours() {
        // ranks 0..4: the lower quartile is at rank 1, the upper at rank 3
        Spread five = Spread.of(List.of(1.0, 2.0, 3.0, 4.0, 5.0));
        assertEquals(2.0, five.lowerQuartile(), 1e-12);
        assertEquals(4.0, five.upperQuartile(), 1e-12);
        // ranks 0..3: the lower quartile is at rank 0.75, the upper at rank 2.25
        Spread four = Spread.of(List.of(10.0, 20.0, 30.0, 40.0));
        assertEquals(17.5, four.lowerQuartile(), 1e-12);
        assertEquals(32.5, four.upperQuartile(), 1e-12);
    }

    @Test
    void oneValueIsItsOwnMedianQuartilesAndRange() {
        Spread one = Spread.of(List.of(0.42));
        assertEquals(List.of(0.42, 0.42, 0.42, 0.42, 0.42),
                List.of(one.median(), one.lowerQuartile(), one.upperQuartile(), one.min(), one.max()));
    }

    @Test
    void eachCycleIsDividedByThePlainSliceOfTheSameCycle() {
        // plain Tomcat's throughput doubles from one cycle to the next, and the configuration's with it: the ratio
        // stays, where a ratio of the medians would not see the cycles apart
        List<Double> ratios = Spread.ratios(List.of(8_000.0, 16_000.0, 36_000.0),
                List.of(10_000.0, 20_000.0, 40_000.0));
        assertEquals(3, ratios.size());
        assertEquals(0.8, ratios.get(0), 1e-12);
        assertEquals(0.8, ratios.get(1), 1e-12);
        assertEquals(0.9, ratios.get(2), 1e-12);
        assertEquals(0.8, Spread.of(ratios).median(), 1e-12);
    }

    @Test
    void cyclesMustPairUp() {
        assertThrows(IllegalArgumentException.class, () -> Spread.ratios(List.of(1.0, 2.0), List.of(1.0)));
        assertThrows(IllegalArgumentException.class, () -> Spread.of(List.of()));
    }
}
