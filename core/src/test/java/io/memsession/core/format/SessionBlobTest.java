package io.memsession.core.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

class SessionBlobTest {

    private static final byte[] ATTRIBUTES = "attribute-value-4711".getBytes(StandardCharsets.US_ASCII);
    private static final String WEBAPP = SessionBlob.webapp("localhost", "/a", "");
    private static final SessionBlob UNSEALED = new SessionBlob(WEBAPP, SessionSeal.none());

    private static StoredSession session(String authType, byte[] principal) {
        return new StoredSession("ABC-n1.tc1", 1000L, 2000L, 3000L, 7L, 1800, true, authType, principal, "java",
                ATTRIBUTES);
    }

    static SealingKeys keys(String... idsAndFillBytes) {
        StringBuilder file = new StringBuilder("# test keys\n\n");
        for (String idAndFill : idsAndFillBytes) {
            byte[] key = new byte[32];
            Arrays.fill(key, (byte) idAndFill.charAt(idAndFill.length() - 1));
            file.append(idAndFill).append(' ').append(Base64.getEncoder().encodeToString(key)).append('\n');
        }
        return SealingKeys.parse(Arrays.asList(file.toString().split("\n", -1)));
    }

    private static SessionBlob sealed(String... keyIds) {
        return new SessionBlob(WEBAPP, SessionSeal.of(keys(keyIds)));
    }

    @Test
    void roundTripKeepsEveryFieldUnsealedAndSealed() {
        byte[] principal = new byte[70_000]; // larger than a 16-bit length could say
        principal[69_999] = 7;
        for (SessionBlob blobs : List.of(UNSEALED, sealed("k1"))) {
            StoredSession read = blobs.decode(blobs.encode(session("FORM", principal)));
            assertEquals("ABC-n1.tc1", read.id());
            assertEquals(1000L, read.creationTime());
            assertEquals(2000L, read.lastAccessedTime());
            assertEquals(3000L, read.thisAccessedTime());
            assertEquals(7L, read.writeNumber());
            assertEquals(1800, read.maxInactiveInterval());
            assertTrue(read.isNew());
            assertEquals("FORM", read.authType());
            assertArrayEquals(principal, read.principal());
            assertEquals("java", read.serializerId());
            assertArrayEquals(ATTRIBUTES, read.attributes());
        }
    }

    @Test
    void noAuthentication() {
        StoredSession read = UNSEALED.decode(UNSEALED.encode(session(null, null)));
        assertNull(read.authType());
        assertNull(read.principal());
    }

    @Test
    void startsWithMagicVersionFlagsSerializerIdAndWebapp() {
        byte[] blob = UNSEALED.encode(session(null, null));
        assertArrayEquals(new byte[] {'M', 'S', 'E', 'S', 3, 0, 4, 'j', 'a', 'v', 'a', 0, 11,
            'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't', '/', 'a'}, Arrays.copyOf(blob, 24));
        byte[] sealedBlob = sealed("k1").encode(session(null, null));
        blob[5] = SessionBlob.SEALED;
        assertArrayEquals(Arrays.copyOf(blob, 24), Arrays.copyOf(sealedBlob, 24), "the same but the flags");
        assertArrayEquals(new byte[] {2, 'k', '1'}, Arrays.copyOfRange(sealedBlob, 24, 27), "then the key id");
    }

    @Test
    void anotherWebappsSessionIsNeitherReadNorRefused() {
        for (SessionBlob other : List.of(new SessionBlob(SessionBlob.webapp("localhost", "/b", ""),
                SessionSeal.none()), new SessionBlob(SessionBlob.webapp("localhost", "/a", "2"), SessionSeal.none()),
                new SessionBlob(SessionBlob.webapp("otherhost", "/a", ""), SessionSeal.of(keys("k9"))))) {
            assertNull(other.decode(UNSEALED.encode(session(null, null))), other.webapp());
            assertNull(other.decode(sealed("k1").encode(session(null, null))), other.webapp());
        }
    }

    @Test
    void refusesWhatItCannotRead() {
        byte[] blob = UNSEALED.encode(session("BASIC", new byte[] {9}));
        assertThrows(UnreadableSessionException.class, () -> UNSEALED.decode(new byte[] {1, 2}));
        assertThrows(UnreadableSessionException.class, () -> UNSEALED.decode("not a session".getBytes()));
        byte[] firstVersion = blob.clone();
        firstVersion[4] = 1;
        assertThrows(UnreadableSessionException.class, () -> UNSEALED.decode(firstVersion));
        byte[] compressed = blob.clone();
        compressed[5] = 1;
        UnreadableSessionException e = assertThrows(UnreadableSessionException.class,
                () -> UNSEALED.decode(compressed));
        assertTrue(e.getMessage().contains("compression"), e.getMessage());
        byte[] trailing = Arrays.copyOf(blob, blob.length + 1);
        assertThrows(UnreadableSessionException.class, () -> UNSEALED.decode(trailing));
        assertFalse(Arrays.equals(blob, trailing));
    }

    @Test
    void everyTruncationIsUnreadable() {
        for (SessionBlob blobs : List.of(UNSEALED, sealed("k1"))) {
            byte[] blob = blobs.encode(session("BASIC", new byte[] {9}));
            for (int length = 0; length < blob.length; length++) {
                byte[] truncated = Arrays.copyOf(blob, length);
                assertThrows(UnreadableSessionException.class, () -> blobs.decode(truncated), "length " + length);
            }
        }
    }

    /** Offsets of the length fields of an unsealed blob of {@link #session} with auth type and principal. */
    @Test
    void hugeLengthInEveryFieldIsUnreadable() {
        byte[] blob = UNSEALED.encode(session("BASIC", new byte[] {9}));
        int serializer = 6;
        int webapp = serializer + 1 + 4;
        int body = webapp + 2 + WEBAPP.length();
        int id = body + 8 + 8 + 8 + 8 + 4 + 1;
        int authType = id + 2 + "ABC-n1.tc1".length();
        int principal = authType + 2 + "BASIC".length();
        int attributes = principal + 4 + 1;
        assertEquals(blob.length, attributes + 4 + ATTRIBUTES.length, "the offsets above are right");
        for (int offset : new int[] {serializer}) {
            assertHugeIsUnreadable(blob, offset, 1);
        }
        for (int offset : new int[] {webapp, id, authType}) {
            assertHugeIsUnreadable(blob, offset, 2);
        }
        for (int offset : new int[] {principal, attributes}) {
            assertHugeIsUnreadable(blob, offset, 4);
        }
        byte[] sealedBlob = sealed("k1").encode(session("BASIC", new byte[] {9}));
        assertHugeIsUnreadable(sealedBlob, serializer, 1);
        assertHugeIsUnreadable(sealedBlob, webapp, 2);
        assertHugeIsUnreadable(sealedBlob, body, 1); // the key id's length
    }

    private static void assertHugeIsUnreadable(byte[] blob, int offset, int size) {
        for (long huge : new long[] {0xffffffffL, 0x7fffffffL, 0x80000000L, 0xffffL, 0x7fffL, 0xffL, 0x7fL}) {
            byte[] forged = blob.clone();
            ByteBuffer field = ByteBuffer.wrap(forged, offset, size);
            for (int i = size - 1; i >= 0; i--) {
                field.put(offset + size - 1 - i, (byte) (huge >>> (8 * i)));
            }
            if (Arrays.equals(forged, blob)) {
                continue;
            }
            SessionBlob reader = new SessionBlob(WEBAPP, (forged[5] & SessionBlob.SEALED) != 0
                    ? SessionSeal.of(keys("k1")) : SessionSeal.none());
            try {
                StoredSession read = reader.decode(forged);
                // a changed webapp length may name another web application: that is not read either
                assertNull(read, "offset " + offset + " = " + Long.toHexString(huge));
            } catch (UnreadableSessionException expected) {
                // what a reader must say
            }
        }
    }

    @Test
    void sealedBlobShowsNothingOfTheSession() {
        byte[] blob = sealed("k1").encode(session("BASIC", "mallory-principal".getBytes(StandardCharsets.UTF_8)));
        String text = new String(blob, StandardCharsets.ISO_8859_1);
        for (String secret : List.of("ABC-n1.tc1", "BASIC", "mallory-principal", "attribute-value-4711")) {
            assertFalse(text.contains(secret), secret);
        }
        assertTrue(text.contains("k1"), "the key id is in the header");
    }

    @Test
    void eachSealHasItsOwnNonces() {
        SessionBlob blobs = sealed("k1");
        byte[] first = blobs.encode(session(null, null));
        byte[] second = blobs.encode(session(null, null));
        assertNotEquals(Arrays.toString(first), Arrays.toString(second));
        SessionBlob otherTomcat = sealed("k1");
        assertEquals("ABC-n1.tc1", otherTomcat.decode(first).id(), "another Tomcat with the key opens it");
        assertEquals("ABC-n1.tc1", blobs.decode(otherTomcat.encode(session(null, null))).id());
    }

    @Test
    void keysRotate() {
        byte[] sealedWithOld = sealed("k1").encode(session(null, null));
        SessionBlob rotated = sealed("k2", "k1");
        assertEquals("ABC-n1.tc1", rotated.decode(sealedWithOld).id(), "the old key still opens");
        byte[] sealedWithNew = rotated.encode(session(null, null));
        assertTrue(new String(sealedWithNew, StandardCharsets.ISO_8859_1).contains("k2"), "the first key seals");
        RefusedSessionException refused = assertThrows(RefusedSessionException.class,
                () -> sealed("k2").decode(sealedWithOld));
        assertEquals("k1", refused.keyId());
    }

    @Test
    void onlySessionsSealedByAConfiguredKeyAreOpened() {
        SessionBlob blobs = sealed("k1");
        assertNull(assertThrows(RefusedSessionException.class,
                () -> blobs.decode(UNSEALED.encode(session(null, null)))).keyId(), "not sealed");
        byte[] blob = blobs.encode(session(null, null));
        // a key with the same id but other bytes: what a forger without the key can do at best
        SessionBlob forger = new SessionBlob(WEBAPP, SessionSeal.of(SealingKeys.parse(List.of("k1 "
                + Base64.getEncoder().encodeToString("a key that is not the right one!".getBytes())))));
        byte[] forged = forger.encode(session("FORM", new byte[] {1}));
        assertEquals("k1", assertThrows(RefusedSessionException.class, () -> blobs.decode(forged)).keyId());
        for (int i = 0; i < blob.length; i++) {
            byte[] changed = blob.clone();
            changed[i] ^= 0x01;
            try {
                StoredSession read = blobs.decode(changed);
                assertNull(read, "byte " + i + " changed and still opened");
            } catch (UnreadableSessionException expected) {
                // every header byte is authenticated, every body byte encrypted and authenticated
            }
        }
        assertThrows(UnreadableSessionException.class, () -> UNSEALED.decode(blob), "no key, no opening");
    }
}
