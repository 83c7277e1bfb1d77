package io.memsession.core.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * memcached-session-manager's stored format, as msm-behaviour.md 3.3 describes it; the migration test
 * ({@code MsmMigrationIT}) reads what the real msm 2.3.2 wrote.
 */
class MsmSessionBlobTest {

    private static final byte[] PRINCIPAL = {(byte) 0xac, (byte) 0xed, 0, 5, 1, 2, 3};
    private static final byte[] SAVED_REQUEST = {(byte) 0xac, (byte) 0xed, 0, 5, 9};
    private static final byte[] ATTRIBUTES = {(byte) 0xac, (byte) 0xed, 0, 5, 42, 43};

    /** A blob laid out as msm 2.3 writes it. */
    static byte[] msmBlob(int version, String id, int authType, byte[] principal, byte[] savedRequest,
                          byte[] formPrincipal, byte[] attributes) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(header);
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        out.writeShort(version);
        out.writeShort(0); // header length, filled in below
        out.writeLong(1_000L); // creation
        out.writeLong(2_000L); // last accessed
        out.writeInt(1800);
        out.writeByte('0'); // isNew
        out.writeByte('1'); // isValid
        out.writeLong(3_000L); // this accessed
        out.writeLong(4_000L); // written
        out.writeShort(idBytes.length);
        out.write(idBytes);
        out.writeShort(authType);
        writeField(out, principal);
        if (version >= 2) {
            writeField(out, savedRequest);
            writeField(out, formPrincipal);
        }
        byte[] blob = new byte[header.size() + attributes.length];
        System.arraycopy(header.toByteArray(), 0, blob, 0, header.size());
        System.arraycopy(attributes, 0, blob, header.size(), attributes.length);
        blob[2] = (byte) (header.size() >> 8);
        blob[3] = (byte) header.size();
        return blob;
    }

    private static void writeField(DataOutputStream out, byte[] field) throws IOException {
        out.writeShort(field == null ? 0 : field.length);
        if (field != null) {
            out.write(field);
        }
    }

    @Test
    void readsVersion2WithTheLoginAndTheFormNotes() throws IOException {
        MsmSessionBlob.MsmSession session = MsmSessionBlob.decode(msmBlob(2, "ABC-n1.tc1", 4, PRINCIPAL,
                SAVED_REQUEST, PRINCIPAL, ATTRIBUTES));
        assertEquals("ABC-n1.tc1", session.id());
        assertEquals(1_000L, session.creationTime());
        assertEquals(2_000L, session.lastAccessedTime());
        assertEquals(3_000L, session.thisAccessedTime());
        assertEquals(1800, session.maxInactiveInterval());
        assertFalse(session.isNew());
        assertTrue(session.isValid());
        assertEquals("FORM", session.authType());
        assertArrayEquals(PRINCIPAL, session.principal());
        assertArrayEquals(SAVED_REQUEST, session.savedRequest());
        assertArrayEquals(PRINCIPAL, session.formPrincipal());
        assertArrayEquals(ATTRIBUTES, session.attributes());
    }

    @Test
    void readsVersion1WhichHasNoFormNotes() throws IOException {
        MsmSessionBlob.MsmSession session = MsmSessionBlob.decode(msmBlob(1, "ABC-n1", 1, PRINCIPAL, null, null,
                ATTRIBUTES));
        assertEquals("BASIC", session.authType());
        assertArrayEquals(PRINCIPAL, session.principal());
        assertNull(session.savedRequest());
        assertArrayEquals(ATTRIBUTES, session.attributes());
        MsmSessionBlob.MsmSession anonymous = MsmSessionBlob.decode(msmBlob(1, "ABC-n1", 0, null, null, null,
                new byte[0]));
        assertNull(anonymous.authType());
        assertNull(anonymous.principal());
        assertEquals(0, anonymous.attributes().length);
    }

    @Test
    void tellsMsmsBlobsFromMemsessionsAndFromMsmsOneBytePlaceholder() throws IOException {
        assertTrue(MsmSessionBlob.isMsmSession(msmBlob(2, "A-n1", 0, null, null, null, ATTRIBUTES)));
        assertTrue(MsmSessionBlob.isMsmSession(msmBlob(1, "A-n1", 0, null, null, null, ATTRIBUTES)));
        assertFalse(MsmSessionBlob.isMsmSession("MSES\u0002".getBytes(StandardCharsets.US_ASCII)));
        assertFalse(MsmSessionBlob.isMsmSession(new byte[] {1}), "msm's ping placeholder");
        assertFalse(MsmSessionBlob.isMsmSession(new byte[] {0, 3, 0, 0}), "a version msm never wrote");
    }

    @Test
    void everyTruncationOfTheHeaderIsUnreadable() throws IOException {
        byte[] blob = msmBlob(2, "ABC-n1.tc1", 4, PRINCIPAL, SAVED_REQUEST, PRINCIPAL, ATTRIBUTES);
        int headerLength = blob.length - ATTRIBUTES.length;
        for (int length = 0; length < headerLength; length++) {
            byte[] truncated = java.util.Arrays.copyOf(blob, length);
            assertThrows(UnreadableSessionException.class, () -> MsmSessionBlob.decode(truncated),
                    "length " + length);
        }
    }

    @Test
    void hugeLengthInEveryLengthFieldIsUnreadableWithoutAllocatingIt() throws IOException {
        byte[] blob = msmBlob(2, "ABC-n1.tc1", 4, PRINCIPAL, SAVED_REQUEST, PRINCIPAL, ATTRIBUTES);
        int idLength = "ABC-n1.tc1".length();
        int[] lengthFields = {2, 42, 44 + idLength + 2, 44 + idLength + 4 + PRINCIPAL.length,
            44 + idLength + 6 + PRINCIPAL.length + SAVED_REQUEST.length};
        for (int offset : lengthFields) {
            for (int huge : new int[] {0xffff, 0x8000, 0x7fff}) {
                byte[] planted = blob.clone();
                planted[offset] = (byte) (huge >> 8);
                planted[offset + 1] = (byte) huge;
                assertThrows(UnreadableSessionException.class, () -> MsmSessionBlob.decode(planted),
                        "length " + huge + " at " + offset);
            }
        }
        byte[] unknownAuthType = blob.clone();
        unknownAuthType[44 + idLength + 1] = 9;
        assertThrows(UnreadableSessionException.class, () -> MsmSessionBlob.decode(unknownAuthType));
    }

    @Test
    void randomBytesAfterAnMsmVersionAreReadOrUnreadableNeverAnotherFailure() {
        Random random = new Random(13);
        for (int i = 0; i < 20_000; i++) {
            byte[] blob = new byte[random.nextInt(120)];
            random.nextBytes(blob);
            if (blob.length >= 2) {
                blob[0] = 0;
                blob[1] = (byte) (1 + random.nextInt(2));
            }
            if (blob.length >= 4 && random.nextBoolean()) {
                blob[2] = 0;
                blob[3] = (byte) random.nextInt(Math.max(1, blob.length)); // a header length that fits
            }
            try {
                MsmSessionBlob.MsmSession session = MsmSessionBlob.decode(blob);
                assertTrue(session.attributes().length <= blob.length);
            } catch (UnreadableSessionException expected) {
                // the only failure there may be
            }
        }
    }

    @Test
    void memsessionsOwnDecoderLeavesWhatIsNotItsFormatAsForeign() throws IOException {
        SessionBlob blobs = new SessionBlob("localhost", SessionSeal.none());
        assertThrows(ForeignSessionException.class,
                () -> blobs.decode(msmBlob(2, "A-n1", 0, null, null, null, ATTRIBUTES)));
        assertThrows(ForeignSessionException.class, () -> blobs.decode(new byte[] {1}));
        assertThrows(ForeignSessionException.class, () -> blobs.decode(new byte[0]));
        UnreadableSessionException own = assertThrows(UnreadableSessionException.class,
                () -> blobs.decode("MSES\u0009".getBytes(StandardCharsets.US_ASCII)));
        assertFalse(own instanceof ForeignSessionException, "memsession's own format, of a version it cannot read");
    }
}
