package io.memsession.tomcat;

import java.util.Collections;
import java.util.List;

import org.apache.catalina.session.ManagerBase;

/**
 * The part of {@link MemcachedSessionManager} that differs between Tomcat lines, as Tomcat 8.5 and later need it:
 * their saved requests serialize as they are (how their principals are stored and made again differs from line
 * to line: each line's {@code TomcatLinePrincipals}). Tomcat 7 keeps a property of its own under the name
 * {@code maxInactiveInterval}, so only these lines can show memsession's attribute of that name.
 */
public abstract class TomcatLineManager extends ManagerBase {

    /** The classes a stored login is made of on this line, beside Tomcat's own: none. */
    static final List<String> STORED_LOGIN_CLASSES = Collections.emptyList();

    public String getMaxInactiveInterval() {
        return attribute("maxInactiveInterval");
    }

    /** The value of one of memsession's attributes, as set; null if unset. */
    abstract String attribute(String name);

    /** A stored note ({@link MemcachedSession#STORED_NOTES}) in a form that serializes. */
    Object storableNote(Object note) {
        return note;
    }

    /** A stored note as Tomcat uses it, from its stored form. */
    Object restoredNote(Object note) {
        return note;
    }
}
