package io.memsession.core.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import io.memsession.testkit.MsmSessions;

/** Logins as memcached-session-manager's Tomcat 7 jar stored them: the user name, and nothing deserialized. */
class ClusterPrincipalReaderTest {

    private static final AtomicBoolean DESERIALIZED = new AtomicBoolean();

    /** A realm's user principal whose deserialization shows. */
    static final class JaasUser implements Principal, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public String getName() {
            return "ada";
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            DESERIALIZED.set(true);
            in.defaultReadObject();
        }
    }

    private final ClusterPrincipalReader reader = new ClusterPrincipalReader();

    private String userName(byte[] bytes) throws IOException {
        return reader.decode(bytes).principal().getName();
    }

    @Test
    void readsTheUserNameOfEveryShapeOfLogin() throws IOException {
        assertEquals("ada", userName(MsmSessions.tomcat7Principal("ada", null, List.of(), null)));
        assertEquals("ada", userName(MsmSessions.tomcat7Principal("ada", "secret", List.of("user", "admin"), null)));
        assertEquals("Ådä ✓", userName(MsmSessions.tomcat7Principal("Ådä ✓", "", List.of(""), null)));
        String[] manyRoles = new String[2000]; // more than one block of primitive data
        Arrays.fill(manyRoles, "role-with-a-long-name");
        assertEquals("ada", userName(MsmSessions.tomcat7Principal("ada", "secret", List.of(manyRoles), null)));
        assertTrue(reader.decode(MsmSessions.tomcat7Principal("ada", null, List.of(), null)).notes().isEmpty());
        assertNull(reader.decode(null));
    }

    @Test
    void theRealmsUserPrincipalObjectIsNeverDeserialized() throws IOException {
        byte[] login = MsmSessions.tomcat7Principal("ada", "secret", List.of("user"), new JaasUser());

        assertEquals("ada", userName(login));
        assertFalse(DESERIALIZED.get());
    }

    @Test
    void thePasswordIsNotKept() throws IOException {
        Principal read = reader.decode(MsmSessions.tomcat7Principal("ada", "s3cr3t", List.of("user"), null))
                .principal();

        assertEquals("ada", read.getName());
        assertFalse(read.toString().contains("s3cr3t"));
        Field[] fields = read.getClass().getDeclaredFields();
        assertEquals(1, fields.length, Arrays.toString(fields)); // the name, nothing else
        assertEquals(String.class, fields[0].getType());
    }

    @Test
    void everyCutOfALoginIsRefused() {
        byte[] login = MsmSessions.tomcat7Principal("ada", "secret", List.of("user", "admin"), null);
        for (int length = 0; length < login.length; length++) {
            byte[] cut = Arrays.copyOf(login, length);
            assertThrows(IOException.class, () -> reader.decode(cut), "cut at " + length);
        }
    }

    @Test
    void whatIsNoLoginOfThisFormIsRefused() {
        // Tomcat 8.5's form: the principal as an object
        assertThrows(IOException.class, () -> reader.decode(MsmSessions.javaSerialized(new JaasUser())));
        assertFalse(DESERIALIZED.get());
        byte[] login = MsmSessions.tomcat7Principal("ada", null, List.of("user"), null);
        // an object where the login says none follows
        byte[] string = MsmSessions.javaSerialized("x");
        byte[] withObject = concat(login, Arrays.copyOfRange(string, 4, string.length));
        assertThrows(IOException.class, () -> reader.decode(withObject));
        // a block that announces one byte more than there is, and the same with one byte left over
        byte[] cutShort = login.clone();
        cutShort[5]++;
        assertThrows(IOException.class, () -> reader.decode(cutShort));
        byte[] leftOver = concat(cutShort, new byte[] {0});
        assertThrows(IOException.class, () -> reader.decode(leftOver));
        // a user principal announced, and none there
        byte[] announced = login.clone();
        announced[announced.length - 1] = 1;
        assertThrows(IOException.class, () -> reader.decode(announced));
        // a negative number of roles
        byte[] negative = MsmSessions.tomcat7Principal("ada", null, List.of(), null);
        ByteBuffer.wrap(negative).putInt(negative.length - 5, -1);
        assertThrows(IOException.class, () -> reader.decode(negative));
        assertThrows(IOException.class, () -> reader.decode(new byte[] {(byte) 0xac, (byte) 0xed, 0, 5, 0x7a,
            0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0}), "a block of 2 GB announced");
        assertThrows(IOException.class, () -> reader.decode("ada".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void changedBytesGiveANameOrAnIOExceptionNeverAnythingElse() {
        byte[] login = MsmSessions.tomcat7Principal("ada", "secret", List.of("user", "admin"), new JaasUser());
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] changed = login.clone();
            for (int changes = 1 + random.nextInt(3); changes > 0; changes--) {
                changed[random.nextInt(changed.length)] = (byte) random.nextInt(256);
            }
            try {
                reader.decode(changed).principal().getName();
            } catch (IOException expected) {
                // refused
            }
        }
        assertFalse(DESERIALIZED.get());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
