package io.memsession.core.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class SessionBlobTest {

    private static final byte[] ATTRIBUTES = {1, 2, 3, 4};

    private static StoredSession session(String authType, byte[] principal) {
        return new StoredSession("ABC-n1.tc1", 1000L, 2000L, 3000L, 1800, true, authType, principal, "java",
                ATTRIBUTES);
    }

    @Test
    void roundTripKeepsEveryField() {
        byte[] principal = new byte[70_000]; // larger than a 16-bit length could say
        principal[69_999] = 7;
        StoredSession read = SessionBlob.decode(SessionBlob.encode(session("FORM", principal)));
        assertEquals("ABC-n1.tc1", read.id());
        assertEquals(1000L, read.creationTime());
        assertEquals(2000L, read.lastAccessedTime());
        assertEquals(3000L, read.thisAccessedTime());
        assertEquals(1800, read.maxInactiveInterval());
        assertTrue(read.isNew());
        assertEquals("FORM", read.authType());
        assertArrayEquals(principal, read.principal());
        assertEquals("java", read.serializerId());
        assertArrayEquals(ATTRIBUTES, read.attributes());
    }

    @Test
    void noAuthentication() {
        StoredSession read = SessionBlob.decode(SessionBlob.encode(session(null, null)));
        assertNull(read.authType());
        assertNull(read.principal());
    }

    @Test
    void startsWithMagicVersionFlagsAndSerializerId() {
        byte[] blob = SessionBlob.encode(session(null, null));
        assertArrayEquals(new byte[] {'M', 'S', 'E', 'S', 1, 0, 4, 'j', 'a', 'v', 'a'}, Arrays.copyOf(blob, 11));
    }

    @Test
    void refusesWhatItCannotRead() {
        byte[] blob = SessionBlob.encode(session("BASIC", new byte[] {9}));
        assertThrows(UnreadableSessionException.class, () -> SessionBlob.decode(Arrays.copyOf(blob, 20)));
        assertThrows(UnreadableSessionException.class, () -> SessionBlob.decode(new byte[] {1, 2}));
        assertThrows(UnreadableSessionException.class, () -> SessionBlob.decode("not a session".getBytes()));
        byte[] laterVersion = blob.clone();
        laterVersion[4] = 2;
        assertThrows(UnreadableSessionException.class, () -> SessionBlob.decode(laterVersion));
        byte[] compressed = blob.clone();
        compressed[5] = 1;
        UnreadableSessionException e = assertThrows(UnreadableSessionException.class,
                () -> SessionBlob.decode(compressed));
        assertTrue(e.getMessage().contains("compression or encryption"), e.getMessage());
        byte[] trailing = Arrays.copyOf(blob, blob.length + 1);
        assertThrows(UnreadableSessionException.class, () -> SessionBlob.decode(trailing));
        assertFalse(Arrays.equals(blob, trailing));
    }
}
