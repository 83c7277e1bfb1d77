package io.memsession.tomcat;

import java.io.Serializable;
import java.security.Principal;
import java.util.Arrays;

import org.apache.catalina.realm.GenericPrincipal;

/**
 * Tomcat 7's {@link GenericPrincipal}, which does not serialize, as memcached keeps it: name, password, roles, and
 * the application's own user principal when that one serializes. A JAAS login context and GSS credential stay with
 * the Tomcat that made them, as Tomcat's own session persistence does.
 */
final class StoredPrincipal implements Principal, Serializable {

    private static final long serialVersionUID = 1L;

    private final String name;
    private final String password;
    private final String[] roles;
    private final Principal userPrincipal;

    StoredPrincipal(GenericPrincipal principal) {
        this.name = principal.getName();
        this.password = principal.getPassword();
        this.roles = principal.getRoles();
        Principal user = principal.getUserPrincipal();
        this.userPrincipal = user != principal && user instanceof Serializable ? user : null;
    }

    GenericPrincipal toGenericPrincipal() {
        return new GenericPrincipal(name, password, Arrays.asList(roles), userPrincipal);
    }

    @Override
    public String getName() {
        return name;
    }
}
