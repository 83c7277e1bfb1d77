package io.memsession.core;

/**
 * memsession's own threads. They are daemons: a Tomcat whose context did not stop cleanly must still be able to
 * exit, and each is named after its job and context so a thread dump tells whose it is.
 */
final class DaemonThreads {

    private DaemonThreads() {
    }

    /** A daemon thread running {@code task}, not yet started. */
    public static Thread newThread(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }
}
