package io.memsession.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Owns the lifecycle of the server processes the testkit starts. One shared shutdown hook kills whatever is still
 * running when the JVM exits, so an aborted or crashed test run does not leave memcached or Tomcat holding ports.
 * Processes are only ever reached through their own handles, never by name.
 */
final class ProcessReaper {

    private static final long SIGNAL_TIMEOUT_SECONDS = 10;
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ProcessReaper::killAll, "memsession-testkit-reaper"));
    }

    private ProcessReaper() {
    }

    static void register(Process process) {
        LIVE.add(process);
        // Forget processes as soon as they end, whoever ended them, so the hook only sees live ones.
        process.onExit().thenRun(() -> LIVE.remove(process));
    }

    /**
     * Sends SIGKILL ({@code forcibly}) or SIGTERM and waits for the exit. A process that ignores SIGTERM for
     * {@code timeout} is killed anyway, and the caller learns about it because a test relying on a graceful
     * shutdown would otherwise pass for the wrong reason.
     */
    static void terminate(Process process, boolean forcibly, Duration timeout, String what) {
        if (forcibly) {
            process.destroyForcibly();
        } else {
            process.destroy();
        }
        if (!awaitExit(process, timeout)) {
            process.destroyForcibly();
            awaitExit(process, timeout);
            throw new IllegalStateException(what + " did not exit within " + timeout.toSeconds() + " s of "
                    + (forcibly ? "SIGKILL" : "SIGTERM") + "; it was killed");
        }
    }

    /**
     * SIGSTOP ({@code paused}) or SIGCONT, sent to this one process by its pid: a paused server keeps its sockets
     * open and answers nothing, as one that hangs.
     */
    static void pause(Process process, boolean paused, String what) {
        if (!process.isAlive()) {
            throw new IllegalStateException(what + " is not running");
        }
        String signal = paused ? "STOP" : "CONT";
        Commands.run(Path.of(System.getProperty("java.io.tmpdir")),
                List.of("kill", "-s", signal, Long.toString(process.pid())), null, SIGNAL_TIMEOUT_SECONDS,
                "cannot send SIG" + signal + " to " + what + ": no kill command");
        awaitStopped(process, paused, what);
    }

    /**
     * {@code kill} returns once the signal is queued, while the process may still run for a moment on the other
     * core and answer one more request; a caller's "it answers nothing now" must hold from the return on. Waits until
     * the kernel reports the process stopped (state {@code T} in {@code /proc/<pid>/stat}), or running again.
     */
    private static void awaitStopped(Process process, boolean stopped, String what) {
        Path stat = Path.of("/proc", Long.toString(process.pid()), "stat");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SIGNAL_TIMEOUT_SECONDS);
        while (isStopped(stat) != stopped) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new IllegalStateException(what + " is not " + (stopped ? "stopped" : "running again")
                        + " " + SIGNAL_TIMEOUT_SECONDS + " s after its signal");
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what + " to change state", e);
            }
        }
    }

    private static boolean isStopped(Path stat) {
        try {
            String line = Files.readString(stat);
            // "pid (comm) state ...": the command name may hold spaces and parentheses, the state follows the last ')'
            char state = line.charAt(line.lastIndexOf(')') + 2);
            return state == 'T' || state == 't';
        } catch (IOException e) {
            return false; // gone: the caller's isAlive check reports it
        }
    }

    private static boolean awaitExit(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a process to exit", e);
        }
    }

    private static void killAll() {
        for (Process process : LIVE) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
