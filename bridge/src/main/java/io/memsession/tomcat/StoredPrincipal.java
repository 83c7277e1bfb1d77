package io.memsession.tomcat;

import java.io.Serializable;
import java.security.Principal;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.apache.catalina.realm.GenericPrincipal;

/**
 * A login as memcached keeps it: the user name, the roles the realm gave, and the principal's attributes where the
 * line has them (JNDIRealm's {@code userAttributes}, Tomcat 9 and later). Never a credential: Tomcat's own
 * serialized form of a principal holds the realm's password on 8.5 and 9, and whatever the application's own user
 * principal holds; a JAAS login context and GSS credential stay with the Tomcat that made them, as with Tomcat's own
 * session persistence.
 */
final class StoredPrincipal implements Principal, Serializable {

    private static final long serialVersionUID = 2L;

    private final String name;
    private final String[] roles;
    private final HashMap<String, Object> attributes = new HashMap<>();

    private StoredPrincipal(GenericPrincipal principal) {
        this.name = principal.getName();
        this.roles = principal.getRoles();
        for (Map.Entry<String, Object> attribute : TomcatLinePrincipals.attributes(principal).entrySet()) {
            Object value = attribute.getValue();
            // the values a directory gives, and the only ones the principal's reader accepts
            if (value instanceof String || value instanceof byte[] || value instanceof String[]) {
                attributes.put(attribute.getKey(), value);
            }
        }
    }

    /**
     * The stored form of a session's principal; null for none, and for a principal that is not a realm's
     * {@link GenericPrincipal} (its class would be refused when read back: its user logs in again after a failover).
     */
    static StoredPrincipal of(Principal principal) {
        return principal instanceof GenericPrincipal ? new StoredPrincipal((GenericPrincipal) principal) : null;
    }

    /** The principal as it was stored: for sealed sessions, which only a Tomcat holding the key can have written. */
    GenericPrincipal toGenericPrincipal() {
        return TomcatLinePrincipals.principal(name, Arrays.asList(roles), attributes);
    }

    @Override
    public String getName() {
        return name;
    }
}
