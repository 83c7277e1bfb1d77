package io.memsession.core.format;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The binary form of a stored session, for one web application. It describes itself, so that formats and serializers
 * can change without dropping the sessions already stored, and it names the web application that wrote it, so that
 * no other application ever uses it, whatever {@code storageKeyPrefix} says:
 *
 * <pre>
 * header
 *  offset size
 *   0      4   magic "MSES"
 *   4      1   format version (3)
 *   5      1   flags: bit 0 compressed (reserved), bit 1 sealed; a reader refuses flags it does not know
 *   6      1   serializer id length n, then n ASCII bytes
 *   ...    2   web application length, then UTF-8: host name, context name, "##" and version if there is one
 *   sealed only ({@link SessionSeal}):
 *          1   key id length, then ASCII
 *         16   salt
 *         12   nonce
 * body (sealed: AES-256-GCM ciphertext and its 16-byte tag, the header as additional authenticated data)
 *          8   creation time, epoch ms
 *          8   last accessed time
 *          8   this accessed time
 *          8   write number (see {@link StoredSession#writeNumber()})
 *          4   max inactive interval, seconds
 *          1   session flags: bit 0 isNew
 *          2   session id length, then UTF-8
 *          2   auth type length (0 = none), then UTF-8
 *          4   principal length (0 = none), then the Java-serialized principal
 *          4   attributes length, then the serializer's bytes
 * </pre>
 *
 * All integers are big-endian. Lengths are 32 bits where content can be large, so a big principal or session never
 * overflows a field. Every length read is checked against what remains and against {@link #MAX_LENGTH} before
 * anything is allocated. Versions 1 (before the web application and sealing) and 2 (before the write number) are
 * not read: they were never released.
 */
public final class SessionBlob {

    static final byte[] MAGIC = {'M', 'S', 'E', 'S'};
    static final byte VERSION = 3;
    static final int SEALED = 0b10;
    private static final int KNOWN_FLAGS = SEALED;
    /** memcached's largest item ({@code -I 1024m}): no field of a stored session can be longer. */
    static final int MAX_LENGTH = 1 << 30;

    private final String webapp;
    private final byte[] webappBytes;
    private final SessionSeal seal;

    /**
     * @param webapp the identity of the web application, see {@link #webapp(String, String, String)}
     */
    public SessionBlob(String webapp, SessionSeal seal) {
        this.webapp = webapp;
        this.webappBytes = webapp.getBytes(StandardCharsets.UTF_8);
        this.seal = seal;
        if (webappBytes.length > 0xffff) {
            throw new IllegalArgumentException("web application name too long: " + webapp);
        }
    }

    /** The identity a stored session carries: host name, context name and, where Tomcat has one, version. */
    public static String webapp(String hostName, String contextName, String webappVersion) {
        return hostName + contextName + (webappVersion == null || webappVersion.isEmpty() ? ""
                : "##" + webappVersion);
    }

    public byte[] encode(StoredSession session) {
        byte[] serializer = session.serializerId().getBytes(StandardCharsets.US_ASCII);
        byte[] id = session.id().getBytes(StandardCharsets.UTF_8);
        byte[] authType = session.authType() == null ? new byte[0]
                : session.authType().getBytes(StandardCharsets.UTF_8);
        byte[] principal = session.principal() == null ? new byte[0] : session.principal();
        byte[] attributes = session.attributes();
        if (serializer.length > 255 || id.length > 0xffff || authType.length > 0xffff) {
            throw new IllegalArgumentException("serializer id, session id or auth type too long");
        }
        int sealFields = 4 + 1 + 1 + 1 + serializer.length + 2 + webappBytes.length;
        ByteBuffer out = ByteBuffer.allocate(sealFields + seal.headerLength() + 8 + 8 + 8 + 8 + 4 + 1 + 2 + id.length
                + 2 + authType.length + 4 + principal.length + 4 + attributes.length + seal.trailerLength());
        out.put(MAGIC).put(VERSION).put((byte) seal.flags()).put((byte) serializer.length).put(serializer);
        out.putShort((short) webappBytes.length).put(webappBytes);
        out.position(sealFields + seal.headerLength());
        out.putLong(session.creationTime()).putLong(session.lastAccessedTime()).putLong(session.thisAccessedTime())
                .putLong(session.writeNumber());
        out.putInt(session.maxInactiveInterval()).put((byte) (session.isNew() ? 1 : 0));
        out.putShort((short) id.length).put(id);
        out.putShort((short) authType.length).put(authType);
        out.putInt(principal.length).put(principal);
        out.putInt(attributes.length).put(attributes);
        seal.close(out.array(), sealFields);
        return out.array();
    }

    /** Whether the bytes start with memsession's magic: whatever else they hold, they are memsession's own. */
    public static boolean isOwn(byte[] blob) {
        return blob.length >= MAGIC.length && blob[0] == MAGIC[0] && blob[1] == MAGIC[1] && blob[2] == MAGIC[2]
                && blob[3] == MAGIC[3];
    }

    /**
     * @return null when the session belongs to another web application: it is not this one's to read, nor to delete
     * @throws UnreadableSessionException when the bytes are not a stored session this version and seal can read (a
     *         {@link ForeignSessionException} when they are not memsession's at all)
     */
    public StoredSession decode(byte[] blob) {
        if (!isOwn(blob)) {
            throw new ForeignSessionException("not memsession's", "it is not in memsession's format ("
                    + blob.length + " bytes); it is left in memcached");
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(blob);
            in.position(MAGIC.length);
            int version = in.get();
            if (version != VERSION) {
                throw new UnreadableSessionException("stored with format version " + version
                        + ", this version reads " + VERSION);
            }
            int flags = in.get() & 0xff;
            if ((flags & ~KNOWN_FLAGS) != 0) {
                throw new UnreadableSessionException("stored with flags " + Integer.toBinaryString(flags)
                        + " (compression) this version cannot read");
            }
            String serializerId = new String(bytes(in, in.get() & 0xff), StandardCharsets.US_ASCII);
            if (!Arrays.equals(webappBytes, bytes(in, in.getShort() & 0xffff))) {
                return null;
            }
            ByteBuffer body = seal.open(blob, in, flags);
            long creationTime = body.getLong();
            long lastAccessedTime = body.getLong();
            long thisAccessedTime = body.getLong();
            long writeNumber = body.getLong();
            int maxInactiveInterval = body.getInt();
            boolean isNew = (body.get() & 1) != 0;
            String id = new String(bytes(body, body.getShort() & 0xffff), StandardCharsets.UTF_8);
            int authTypeLength = body.getShort() & 0xffff;
            String authType = authTypeLength == 0 ? null
                    : new String(bytes(body, authTypeLength), StandardCharsets.UTF_8);
            int principalLength = body.getInt();
            byte[] principal = principalLength == 0 ? null : bytes(body, principalLength);
            byte[] attributes = bytes(body, body.getInt());
            if (body.hasRemaining()) {
                throw new UnreadableSessionException(body.remaining() + " unexpected bytes after the attributes");
            }
            return new StoredSession(id, creationTime, lastAccessedTime, thisAccessedTime, writeNumber,
                    maxInactiveInterval, isNew, authType, principal, serializerId, attributes);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new UnreadableSessionException("truncated or corrupt (" + blob.length + " bytes)");
        }
    }

    /** The web application this codec writes and reads for. */
    public String webapp() {
        return webapp;
    }

    private static byte[] bytes(ByteBuffer in, int length) {
        if (length < 0 || length > in.remaining() || length > MAX_LENGTH) {
            throw new BufferUnderflowException();
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }
}
