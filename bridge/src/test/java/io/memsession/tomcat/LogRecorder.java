package io.memsession.tomcat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/** Collects what a java.util.logging logger (and its children) logs, as an operator reads it in Tomcat's log. */
final class LogRecorder extends Handler implements AutoCloseable {

    /** Held here: java.util.logging keeps loggers weakly, and a collected logger would drop this handler. */
    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private LogRecorder(Logger logger) {
        this.logger = logger;
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    /** Records the logger named {@code name}, e.g. "io.memsession", and the loggers below it. */
    static LogRecorder of(String name) {
        return new LogRecorder(Logger.getLogger(name));
    }

    /** Every WARNING (and worse) line, with the messages of its exception chain, as the log would show it. */
    List<String> warnings() {
        return records.stream()
                .filter(record -> record.getLevel().intValue() >= Level.WARNING.intValue())
                .map(LogRecorder::text)
                .collect(Collectors.toList());
    }

    /** Every line at every level, with the messages of its exception chain. */
    List<String> lines() {
        return records.stream().map(LogRecorder::text).collect(Collectors.toList());
    }

    /** Every SEVERE line, and every line whose exception chain holds an {@link Error}, as the log would show it. */
    List<String> errors() {
        return records.stream()
                .filter(record -> record.getLevel().intValue() >= Level.SEVERE.intValue() || holdsError(record))
                .map(LogRecorder::text)
                .collect(Collectors.toList());
    }

    private static boolean holdsError(LogRecord record) {
        for (Throwable cause = record.getThrown(); cause != null; cause = cause.getCause()) {
            if (cause instanceof Error) {
                return true;
            }
        }
        return false;
    }

    /** The warnings that contain every one of {@code fragments}. */
    List<String> warningsContaining(String... fragments) {
        List<String> matching = new ArrayList<>();
        for (String warning : warnings()) {
            boolean all = true;
            for (String fragment : fragments) {
                all &= warning.contains(fragment);
            }
            if (all) {
                matching.add(warning);
            }
        }
        return matching;
    }

    /**
     * The warnings but those about what memcached's writers can do, which start-up logs for a configuration without
     * encryptionKeyFile or classAllowList: the unexpected ones.
     */
    List<String> warningsBesidesStartUpExposure() {
        return warnings().stream().filter(warning -> !warning.contains("anyone who can write to memcached"))
                .collect(Collectors.toList());
    }

    private static String text(LogRecord record) {
        StringBuilder text = new StringBuilder(record.getLevel() + " " + record.getLoggerName() + ": "
                + record.getMessage());
        for (Throwable cause = record.getThrown(); cause != null; cause = cause.getCause()) {
            text.append("\n  caused by ").append(cause);
        }
        return text.toString();
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
