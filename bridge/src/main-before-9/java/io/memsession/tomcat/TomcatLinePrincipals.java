package io.memsession.tomcat;

import java.security.Principal;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.apache.catalina.realm.GenericPrincipal;

/**
 * How a {@link StoredPrincipal} is made and made again on Tomcat 7 and 8.5, whose principals have no attributes.
 */
final class TomcatLinePrincipals {

    private TomcatLinePrincipals() {
    }

    static Map<String, Object> attributes(GenericPrincipal principal) {
        return Collections.emptyMap();
    }

    static GenericPrincipal principal(String name, List<String> roles, Map<String, Object> attributes) {
        return new GenericPrincipal(name, null, roles);
    }

    /**
     * Whether a realm's answer to a look-up by name is a user it knows. The DataSourceRealm of Tomcat 7 and 8.5
     * answers every name, even while its database is down, with a principal that has neither password nor roles:
     * such an answer confirms nobody.
     */
    static boolean isKnownUser(Principal realmAnswer) {
        if (!(realmAnswer instanceof GenericPrincipal)) {
            return realmAnswer != null;
        }
        GenericPrincipal answer = (GenericPrincipal) realmAnswer;
        return answer.getPassword() != null || answer.getRoles().length > 0;
    }
}
