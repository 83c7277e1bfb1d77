package io.memsession.tomcat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.Principal;
import java.util.List;
import java.util.Map;

import org.apache.catalina.realm.GenericPrincipal;
import org.junit.jupiter.api.Test;

import io.memsession.core.format.PrincipalCodec;

/**
 * The stored form of a login on the line under test, as sealed sessions read it back (used as stored): each line
 * makes its own {@link GenericPrincipal} again, whose constructors differ from line to line.
 */
class StoredPrincipalTest {

    private final PrincipalCodec codec = new PrincipalCodec(List.of(StoredPrincipal.class.getName()),
            getClass().getClassLoader());

    @Test
    void loginReadBackAsStoredHasTheNameAndTheRoles() throws Exception {
        GenericPrincipal login = TomcatLine.principal("alice", "user", "admin");

        byte[] stored = codec.encode(StoredPrincipal.of(login), Map.of());
        Principal read = codec.decode(stored).principal();
        GenericPrincipal again = ((StoredPrincipal) read).toGenericPrincipal();

        assertEquals("alice", again.getName());
        assertArrayEquals(new String[] {"admin", "user"}, again.getRoles());
        assertTrue(again.hasRole("admin"));
        assertFalse(again.hasRole("other"));
        assertEquals(again, again.getUserPrincipal(), "no user principal of the application's is stored");
    }

    @Test
    void principalThatIsNotARealmsIsNotStored() {
        assertNull(StoredPrincipal.of(() -> "custom"));
        assertNull(StoredPrincipal.of(null));
    }
}
