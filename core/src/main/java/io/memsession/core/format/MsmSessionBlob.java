package io.memsession.core.format;

import java.nio.charset.StandardCharsets;

/**
 * The session format memcached-session-manager (msm) 2.3 writes, read so that a switch from msm to memsession
 * keeps its users' sessions. Integers big-endian:
 *
 * <pre>
 *  offset size
 *   0      2   format version: 1, or 2 (with a FORM login's notes)
 *   2      2   header length N: the attributes start at N
 *   4      8   creation time, epoch ms
 *  12      8   last accessed time
 *  20      4   max inactive interval, seconds
 *  24      1   isNew, ASCII '1' or '0'
 *  25      1   isValid, ASCII '1' or '0'
 *  26      8   this accessed time
 *  34      8   time of the write
 *  42      2   session id length L, then L bytes UTF-8
 *  44+L    2   auth type: 0 none, 1 BASIC, 2 CLIENT_CERT, 3 DIGEST, 4 FORM
 *   ...    2   principal length (0: none), then the container's serialized principal
 *   (v2)   2   FORM login's saved request length, then msm's serialized form of it
 *   (v2)   2   FORM login's principal note length, then the serialized principal
 *   N      rest the attributes, as msm's serializer wrote them
 * </pre>
 *
 * msm wrote its lengths as signed 16-bit numbers; they are read unsigned, and every length is checked against the
 * header before anything is allocated, so no length in a planted value costs more than the value's own bytes.
 */
public final class MsmSessionBlob {

    private static final int ID_OFFSET = 44;
    private static final String[] AUTH_TYPES = {null, "BASIC", "CLIENT_CERT", "DIGEST", "FORM"};

    private MsmSessionBlob() {
    }

    /** Whether the bytes start like a session msm wrote (format version 1 or 2); memsession's own never do. */
    public static boolean isMsmSession(byte[] blob) {
        return blob.length >= 2 && blob[0] == 0 && (blob[1] == 1 || blob[1] == 2);
    }

    /**
     * @throws UnreadableSessionException when the bytes are not a whole msm session
     */
    public static MsmSession decode(byte[] blob) {
        if (!isMsmSession(blob) || blob.length < ID_OFFSET + 4) {
            throw new UnreadableSessionException("not a session memcached-session-manager wrote, or truncated ("
                    + blob.length + " bytes)");
        }
        int version = blob[1];
        int headerLength = unsigned16(blob, 2);
        if (headerLength < ID_OFFSET + 4 || headerLength > blob.length) {
            throw new UnreadableSessionException("memcached-session-manager's header length " + headerLength
                    + " does not fit its " + blob.length + " bytes");
        }
        Reader in = new Reader(blob, headerLength);
        long creationTime = in.number(4, 8);
        long lastAccessedTime = in.number(12, 8);
        int maxInactiveInterval = (int) in.number(20, 4);
        boolean isNew = blob[24] == '1';
        boolean isValid = blob[25] == '1';
        long thisAccessedTime = in.number(26, 8);
        in.position = 42;
        String id = new String(in.field(), StandardCharsets.UTF_8);
        int authTypeCode = in.unsignedShort();
        if (authTypeCode >= AUTH_TYPES.length) {
            throw new UnreadableSessionException("memcached-session-manager's auth type " + authTypeCode
                    + " is unknown");
        }
        byte[] principal = in.fieldOrNull();
        byte[] savedRequest = version >= 2 ? in.fieldOrNull() : null;
        byte[] formPrincipal = version >= 2 ? in.fieldOrNull() : null;
        byte[] attributes = new byte[blob.length - headerLength];
        System.arraycopy(blob, headerLength, attributes, 0, attributes.length);
        return new MsmSession(id, creationTime, lastAccessedTime, thisAccessedTime, maxInactiveInterval, isNew,
                isValid, AUTH_TYPES[authTypeCode], principal, savedRequest, formPrincipal, attributes);
    }

    private static int unsigned16(byte[] blob, int offset) {
        return (blob[offset] & 0xff) << 8 | (blob[offset + 1] & 0xff);
    }

    /** Reads the header's fields, none beyond the header's end. */
    private static final class Reader {
        private final byte[] blob;
        private final int end;
        int position;

        Reader(byte[] blob, int end) {
            this.blob = blob;
            this.end = end;
        }

        long number(int offset, int size) {
            long value = 0;
            for (int i = 0; i < size; i++) {
                value = value << 8 | (blob[offset + i] & 0xff);
            }
            return size == 4 ? (int) value : value;
        }

        int unsignedShort() {
            if (position + 2 > end) {
                throw new UnreadableSessionException("memcached-session-manager's header is truncated at "
                        + position + " of " + end + " bytes");
            }
            int value = unsigned16(blob, position);
            position += 2;
            return value;
        }

        byte[] field() {
            int length = unsignedShort();
            if (length > end - position) {
                throw new UnreadableSessionException("a length of " + length + " at offset " + (position - 2)
                        + " exceeds memcached-session-manager's header of " + end + " bytes");
            }
            byte[] bytes = new byte[length];
            System.arraycopy(blob, position, bytes, 0, length);
            position += length;
            return bytes;
        }

        byte[] fieldOrNull() {
            byte[] bytes = field();
            return bytes.length == 0 ? null : bytes;
        }
    }

    /** A session as msm stored it: the fields, and the principal, FORM notes and attributes still serialized. */
    public static final class MsmSession {
        private final String id;
        private final long creationTime;
        private final long lastAccessedTime;
        private final long thisAccessedTime;
        private final int maxInactiveInterval;
        private final boolean isNew;
        private final boolean isValid;
        private final String authType;
        private final byte[] principal;
        private final byte[] savedRequest;
        private final byte[] formPrincipal;
        private final byte[] attributes;

        MsmSession(String id, long creationTime, long lastAccessedTime, long thisAccessedTime,
                   int maxInactiveInterval, boolean isNew, boolean isValid, String authType, byte[] principal,
                   byte[] savedRequest, byte[] formPrincipal, byte[] attributes) {
            this.id = id;
            this.creationTime = creationTime;
            this.lastAccessedTime = lastAccessedTime;
            this.thisAccessedTime = thisAccessedTime;
            this.maxInactiveInterval = maxInactiveInterval;
            this.isNew = isNew;
            this.isValid = isValid;
            this.authType = authType;
            this.principal = principal;
            this.savedRequest = savedRequest;
            this.formPrincipal = formPrincipal;
            this.attributes = attributes;
        }

        public String id() {
            return id;
        }

        public long creationTime() {
            return creationTime;
        }

        public long lastAccessedTime() {
            return lastAccessedTime;
        }

        public long thisAccessedTime() {
            return thisAccessedTime;
        }

        public int maxInactiveInterval() {
            return maxInactiveInterval;
        }

        public boolean isNew() {
            return isNew;
        }

        /** False for a session msm stored while it was being invalidated. */
        public boolean isValid() {
            return isValid;
        }

        /** Null for none. */
        public String authType() {
            return authType;
        }

        /** The container's Java-serialized principal (Tomcat 8.5 and 9: the principal object), or null. */
        public byte[] principal() {
            return principal;
        }

        /** Version 2, a FORM login under way: msm's serialized form of the saved request, or null. */
        public byte[] savedRequest() {
            return savedRequest;
        }

        /** Version 2, a FORM login just made: the serialized principal Tomcat keeps in a note, or null. */
        public byte[] formPrincipal() {
            return formPrincipal;
        }

        public byte[] attributes() {
            return attributes;
        }
    }
}
