package io.memsession.core;

import java.util.logging.Logger;

import net.spy.memcached.compat.log.AbstractLogger;
import net.spy.memcached.compat.log.Level;

/**
 * spymemcached's log output, sent to java.util.logging (and so to Tomcat's logs). spymemcached's own JUL adapter
 * takes a stack trace for every call, even for disabled debug messages its IO thread emits on each loop; this one
 * checks the level first and costs nothing when a message is not logged.
 *
 * <p>Levels: spymemcached's INFO is connection chatter (every reconnect attempt of a node that is down) and goes to
 * FINE; WARN and above go to WARNING. A memcached node failing is normal operation for memsession, never SEVERE:
 * requests keep working, and memsession's own warnings say what it means for sessions.
 *
 * <p>Public only because spymemcached makes it by reflection from its class name.
 */
public final class SpymemcachedLogger extends AbstractLogger {

    private final Logger logger;

    /** Called by spymemcached's LoggerFactory, once per logger name. */
    public SpymemcachedLogger(String name) {
        super(name);
        this.logger = Logger.getLogger(name);
    }

    @Override
    public boolean isTraceEnabled() {
        return logger.isLoggable(java.util.logging.Level.FINEST);
    }

    @Override
    public boolean isDebugEnabled() {
        return logger.isLoggable(java.util.logging.Level.FINE);
    }

    @Override
    public boolean isInfoEnabled() {
        return logger.isLoggable(java.util.logging.Level.FINE);
    }

    @Override
    public void log(Level level, Object message, Throwable exception) {
        java.util.logging.Level julLevel = toJul(level);
        if (logger.isLoggable(julLevel)) {
            logger.log(julLevel, String.valueOf(message), exception);
        }
    }

    private static java.util.logging.Level toJul(Level level) {
        switch (level) {
            case TRACE:
                return java.util.logging.Level.FINEST;
            case DEBUG:
            case INFO:
                return java.util.logging.Level.FINE;
            default:
                return java.util.logging.Level.WARNING;
        }
    }
}
