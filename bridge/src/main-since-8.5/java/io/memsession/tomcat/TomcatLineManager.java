package io.memsession.tomcat;

import java.util.Collections;
import java.util.List;

import org.apache.catalina.session.ManagerBase;

import io.memsession.core.format.MsmPrincipalReader;
import io.memsession.core.format.PrincipalCodec;

/**
 * The part of {@link MemcachedSessionManager} that differs between Tomcat lines, as Tomcat 8.5 and later need it:
 * their saved requests serialize as they are (how their principals are stored and made again differs from line
 * to line: each line's {@code TomcatLinePrincipals}). Tomcat 7 keeps a property of its own under the name
 * {@code maxInactiveInterval}, so only these lines have memsession's typed accessors of that name.
 */
public abstract class TomcatLineManager extends ManagerBase {

    /** The classes a stored login is made of on this line, beside Tomcat's own: none. */
    static final List<String> STORED_LOGIN_CLASSES = Collections.emptyList();

    /**
     * The reader of the logins memcached-session-manager's jars for Tomcat 8.5 and 9 stored: the realm's principal,
     * Java-serialized, read with nothing but Tomcat's principal class allowed, only for the user name the realm then
     * confirms.
     */
    static MsmPrincipalReader msmPrincipalReader(ClassLoader containerClassLoader) {
        return new PrincipalCodec(Collections.singletonList("org.apache.catalina.realm.GenericPrincipal"),
                containerClassLoader);
    }

    /**
     * The timeout of new sessions in seconds, typed as memcached-session-manager's getter was: the value set, or the
     * context's session timeout while none is (memcached-session-manager failed then).
     */
    public int getMaxInactiveInterval() {
        if (isMaxInactiveIntervalSet()) {
            return intValue("maxInactiveInterval");
        }
        return getContext() == null ? -1 : getContext().getSessionTimeout() * 60;
    }

    /** memcached-session-manager's typed form of the text setter. */
    public void setMaxInactiveInterval(int maxInactiveInterval) {
        set("maxInactiveInterval", String.valueOf(maxInactiveInterval));
    }

    /** Whether memsession's {@code maxInactiveInterval} is set, as memcached-session-manager's getter said. */
    public abstract boolean isMaxInactiveIntervalSet();

    /** One of memsession's attributes as a number (see {@code ConfigurationBuilder#intValue}). */
    abstract int intValue(String name);

    /** Sets one of memsession's attributes as text. */
    abstract void set(String name, String value);

    /** A stored note ({@link MemcachedSession#STORED_NOTES}) in a form that serializes. */
    Object storableNote(Object note) {
        return note;
    }

    /** A stored note as Tomcat uses it, from its stored form. */
    Object restoredNote(Object note) {
        return note;
    }
}
