package io.memsession.benchmarks;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;

import org.junit.jupiter.api.Test;

class ProcessCpuTest {

    /** The kernel counts CPU time in clock ticks of 10 ms: two of them, one at each end. */
    private static final long TICKS = Duration.ofMillis(20).toNanos();

    @Test
    void aProcessCpuTimeGrowsAtLeastByWhatOneOfItsThreadsSpent() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long pid = ProcessHandle.current().pid();
        long before = ProcessCpu.nanos(pid);
        long threadBefore = threads.getCurrentThreadCpuTime();
        long target = Duration.ofMillis(200).toNanos();
        // spin until this thread has had 200 ms of CPU; on a busy machine that takes longer, bounded at 20 s
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long sink = 0;
        while (threads.getCurrentThreadCpuTime() - threadBefore < target && System.nanoTime() < deadline) {
            sink += System.nanoTime() % 7;
        }
        long spent = threads.getCurrentThreadCpuTime() - threadBefore;
        long grown = ProcessCpu.nanos(pid) - before;
        assertTrue(spent >= target, "the thread got only " + spent / 1_000_000 + " ms of CPU in 20 s" + sink % 1);
        assertTrue(grown >= spent - TICKS, "process CPU time grew by " + grown / 1_000_000 + " ms while one of its"
                + " threads spent " + spent / 1_000_000 + " ms");
        assertTrue(grown < Duration.ofSeconds(60).toNanos(), "implausible: " + grown / 1_000_000 + " ms");
    }

    @Test
    void aProcessThatIsGoneHasNoCpuTime() throws Exception {
        Process process = new ProcessBuilder("true").start();
        long pid = process.pid();
        process.waitFor();
        assertThrows(IllegalStateException.class, () -> ProcessCpu.nanos(pid));
    }
}
