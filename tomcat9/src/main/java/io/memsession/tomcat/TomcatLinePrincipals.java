package io.memsession.tomcat;

import java.security.Principal;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.catalina.realm.GenericPrincipal;

/**
 * How a {@link StoredPrincipal} is made and made again on Tomcat 9. Principals have attributes since 9.0.50 or so;
 * on an older 9.0 the methods are never called (the JVM links a call when it first runs).
 */
final class TomcatLinePrincipals {

    private static final boolean PRINCIPALS_HAVE_ATTRIBUTES = hasAttributes();

    private TomcatLinePrincipals() {
    }

    private static boolean hasAttributes() {
        try {
            GenericPrincipal.class.getMethod("getAttributeNames");
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    static Map<String, Object> attributes(GenericPrincipal principal) {
        if (!PRINCIPALS_HAVE_ATTRIBUTES) {
            return Collections.emptyMap();
        }
        Map<String, Object> attributes = new HashMap<>();
        for (String name : Collections.list(principal.getAttributeNames())) {
            attributes.put(name, principal.getAttribute(name));
        }
        return attributes;
    }

    static GenericPrincipal principal(String name, List<String> roles, Map<String, Object> attributes) {
        return PRINCIPALS_HAVE_ATTRIBUTES ? new GenericPrincipal(name, null, roles, null, null, null, attributes)
                : new GenericPrincipal(name, null, roles);
    }

    /**
     * Whether a realm's answer to a look-up by name is a user it knows. The DataSourceRealm of older 9.0 releases
     * answers every name, even while its database is down, with a principal that has neither password nor roles:
     * such an answer confirms nobody.
     */
    @SuppressWarnings("deprecation")
    static boolean isKnownUser(Principal realmAnswer) {
        if (!(realmAnswer instanceof GenericPrincipal)) {
            return realmAnswer != null;
        }
        GenericPrincipal answer = (GenericPrincipal) realmAnswer;
        return answer.getPassword() != null || answer.getRoles().length > 0;
    }
}
