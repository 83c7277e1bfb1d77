package de.javakaffee.web.msm;

import io.memsession.tomcat.MemcachedSessionManager;

/**
 * memcached-session-manager's Manager class name, so that its users' {@code context.xml}
 * ({@code <Manager className="de.javakaffee.web.msm.MemcachedBackupSessionManager" .../>}) runs memsession unchanged,
 * with every attribute it sets. Nothing of memcached-session-manager is inside: this is
 * {@link MemcachedSessionManager} under another name (see docs/migration.md).
 */
public class MemcachedBackupSessionManager extends MemcachedSessionManager {
}
