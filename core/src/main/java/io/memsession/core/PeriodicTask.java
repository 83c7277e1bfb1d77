package io.memsession.core;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A task run again and again, with a pause between two runs, on a daemon thread of its own; {@link #stop} returns
 * once that thread has ended. That is the point of it: a stopping web application's class loader reports every
 * thread still alive as a leak (SEVERE on Tomcat 7), and an executor counts as terminated a moment before its thread
 * has actually ended, so waiting for the executor is not enough.
 */
final class PeriodicTask {

    private static final Logger LOG = Logger.getLogger(PeriodicTask.class.getName());

    private final Thread thread;
    private volatile boolean stopped;

    private PeriodicTask(String threadName, long pauseMillis, Runnable task) {
        this.thread = DaemonThreads.newThread(() -> runEvery(pauseMillis, task), threadName);
    }

    /** Starts running {@code task} every {@code pauseMillis}, the first time after one pause. */
    public static PeriodicTask start(String threadName, long pauseMillis, Runnable task) {
        PeriodicTask periodic = new PeriodicTask(threadName, pauseMillis, task);
        periodic.thread.start();
        return periodic;
    }

    private void runEvery(long pauseMillis, Runnable task) {
        while (!stopped) {
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                return;
            }
            if (stopped) {
                return;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                // one failed run must not end the runs to come, as it would in a ScheduledExecutorService
                LOG.log(Level.WARNING, thread.getName() + " failed; it runs again in " + pauseMillis + " ms", e);
            }
        }
    }

    /** Ends the runs (a run under way is interrupted) and waits up to {@code timeoutMillis} for the thread to end. */
    public void stop(long timeoutMillis) {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(timeoutMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
