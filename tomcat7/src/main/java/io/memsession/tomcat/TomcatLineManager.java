package io.memsession.tomcat;

import java.util.Collections;
import java.util.List;

import org.apache.catalina.Context;
import org.apache.catalina.authenticator.SavedRequest;
import org.apache.catalina.session.ManagerBase;

import io.memsession.core.format.ClusterPrincipalReader;
import io.memsession.core.format.MsmPrincipalReader;

/**
 * The part of {@link MemcachedSessionManager} that differs between Tomcat lines, as Tomcat 7 needs it.
 * <ul>
 * <li>Tomcat 7 gives a Manager the Container it belongs to, where later lines give it the Context.</li>
 * <li>A FORM login's saved request is not serializable: it is stored as {@link StoredRequest}, and made again when
 * read.</li>
 * <li>memcached-session-manager's jar for Tomcat 7 stored logins in the form of Tomcat's cluster principal.</li>
 * <li>Its {@code ManagerBase} has an {@code int} property {@code maxInactiveInterval} of its own (the context's
 * session timeout), whose getter stays: memsession's attribute of that name is set through the String setter and
 * applied to every new session, as on the other lines.</li>
 * </ul>
 */
public abstract class TomcatLineManager extends ManagerBase {

    /** The classes a stored login is made of on this line, beside Tomcat's own. */
    static final List<String> STORED_LOGIN_CLASSES = Collections.singletonList(StoredRequest.class.getName());

    /**
     * The reader of the logins memcached-session-manager's jar for Tomcat 7 stored: the data of Tomcat's cluster
     * principal, read as data (nothing is deserialized), only for the user name the realm then confirms.
     */
    static MsmPrincipalReader msmPrincipalReader(ClassLoader containerClassLoader) {
        return new ClusterPrincipalReader();
    }

    /** The context this manager serves: a Manager in {@code context.xml} always belongs to one. */
    public Context getContext() {
        return (Context) getContainer();
    }

    /** A stored note ({@link MemcachedSession#STORED_NOTES}) in a form that serializes. */
    Object storableNote(Object note) {
        return note instanceof SavedRequest ? new StoredRequest((SavedRequest) note) : note;
    }

    /** A stored note as Tomcat uses it, from its stored form. */
    Object restoredNote(Object note) {
        return note instanceof StoredRequest ? ((StoredRequest) note).toSavedRequest() : note;
    }
}
