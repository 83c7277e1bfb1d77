package io.memsession.benchmarks;

/**
 * The CPU time a process has used so far, user and system, all its threads: on Linux the JDK reads it from
 * {@code /proc/<pid>/stat} (utime + stime), the figure {@code top} shows.
 */
final class ProcessCpu {

    private ProcessCpu() {
    }

    static long nanos(long pid) {
        return ProcessHandle.of(pid).flatMap(process -> process.info().totalCpuDuration())
                .orElseThrow(() -> new IllegalStateException("no CPU time for process " + pid
                        + ": it has exited, or this system does not show it"))
                .toNanos();
    }
}
