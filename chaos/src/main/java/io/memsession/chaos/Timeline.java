package io.memsession.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/** What happened in each second of the run: answers, errors, sessions in one place only, and the faults. */
final class Timeline {

    /** The status recorded for a request that got no HTTP answer at all (connection refused, reset, timeout). */
    static final int NO_ANSWER = 0;

    private static final int MAX_PROBLEMS_KEPT = 20;

    record Mark(double second, String label) {
    }

    private final long startNanos = System.nanoTime();
    private final int seconds;
    private final AtomicLongArray answers;
    private final AtomicLongArray errors;
    private final AtomicIntegerArray inOnePlace;
    private final AtomicIntegerArray nowhere;
    private final Map<Integer, LongAdder> errorStatuses = new ConcurrentHashMap<>();
    private final List<Mark> faults = new ArrayList<>();
    private final List<Mark> problems = new ArrayList<>();

    Timeline(int seconds) {
        this.seconds = seconds;
        answers = new AtomicLongArray(seconds);
        errors = new AtomicLongArray(seconds);
        inOnePlace = new AtomicIntegerArray(seconds);
        nowhere = new AtomicIntegerArray(seconds);
    }

    double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** The current second, or -1 once the run's time is over (the last requests, ending, are not plotted). */
    private int second() {
        int second = (int) elapsedSeconds();
        return second < seconds ? second : -1;
    }

    void answered() {
        int second = second();
        if (second >= 0) {
            answers.incrementAndGet(second);
        }
    }

    void error(int status) {
        int second = second();
        if (second >= 0) {
            errors.incrementAndGet(second);
        }
        errorStatuses.computeIfAbsent(status, s -> new LongAdder()).increment();
    }

    void places(int oneOnly, int none) {
        int second = Math.min(seconds - 1, (int) elapsedSeconds());
        inOnePlace.set(second, oneOnly);
        nowhere.set(second, none);
    }

    synchronized void fault(String label) {
        faults.add(new Mark(elapsedSeconds(), label));
    }

    /** An answer that showed an acknowledged increment lost, or a reset; the first few are kept. */
    synchronized void problem(String what) {
        if (problems.size() < MAX_PROBLEMS_KEPT) {
            problems.add(new Mark(elapsedSeconds(), what));
        }
    }

    synchronized List<Mark> problems() {
        return List.copyOf(problems);
    }

    int seconds() {
        return seconds;
    }

    long answers(int second) {
        return answers.get(second);
    }

    long errors(int second) {
        return errors.get(second);
    }

    int inOnePlace(int second) {
        return inOnePlace.get(second);
    }

    int nowhere(int second) {
        return nowhere.get(second);
    }

    synchronized List<Mark> faults() {
        return List.copyOf(faults);
    }

    /** Status to count, {@link #NO_ANSWER} first. */
    Map<Integer, Long> errorStatuses() {
        Map<Integer, Long> counts = new TreeMap<>();
        errorStatuses.forEach((status, count) -> counts.put(status, count.sum()));
        return counts;
    }
}
