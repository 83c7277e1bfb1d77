package io.memsession.tomcat;

import java.security.Principal;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.catalina.realm.GenericPrincipal;

/** How a {@link StoredPrincipal} is made and made again on Tomcat 10.1 and 11. */
final class TomcatLinePrincipals {

    private TomcatLinePrincipals() {
    }

    static Map<String, Object> attributes(GenericPrincipal principal) {
        Map<String, Object> attributes = new HashMap<>();
        for (String name : Collections.list(principal.getAttributeNames())) {
            attributes.put(name, principal.getAttribute(name));
        }
        return attributes;
    }

    static GenericPrincipal principal(String name, List<String> roles, Map<String, Object> attributes) {
        return new GenericPrincipal(name, roles, null, null, null, attributes);
    }

    /** Whether a realm's answer to a look-up by name is a user it knows: its realms answer null otherwise. */
    static boolean isKnownUser(Principal realmAnswer) {
        return realmAnswer != null;
    }
}
