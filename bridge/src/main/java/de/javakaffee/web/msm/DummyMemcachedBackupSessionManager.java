package de.javakaffee.web.msm;

import org.apache.catalina.LifecycleException;

import io.memsession.tomcat.MemcachedSessionManager;

/**
 * memcached-session-manager's debugging aid, which never talked to memcached and only tried whether sessions
 * serialize. memsession has no such mode: a context that names it does not start, and the message says what to use.
 */
public class DummyMemcachedBackupSessionManager extends MemcachedSessionManager {

    @Override
    protected void startInternal() throws LifecycleException {
        throw new LifecycleException("Manager " + getClass().getName() + " (memcached-session-manager's check whether"
                + " sessions serialize, which never stores them) has no counterpart in memsession: use className=\""
                + MemcachedBackupSessionManager.class.getName() + "\" or \""
                + MemcachedSessionManager.class.getName() + "\" with a memcached; memsession logs, once each, the"
                + " attributes it cannot serialize (see docs/migration.md)");
    }
}
