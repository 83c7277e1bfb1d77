package io.memsession.core.format;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The binary form of a stored session. It describes itself, so that formats and serializers can change without
 * dropping the sessions already stored:
 *
 * <pre>
 * offset size
 *  0      4   magic "MSES"
 *  4      1   format version (1)
 *  5      1   flags: bit 0 compressed, bit 1 encrypted (reserved: a reader refuses flags it does not know)
 *  6      1   serializer id length n, then n ASCII bytes
 *  ...    8   creation time, epoch ms
 *         8   last accessed time
 *         8   this accessed time
 *         4   max inactive interval, seconds
 *         1   session flags: bit 0 isNew
 *         2   session id length, then UTF-8
 *         2   auth type length (0 = none), then UTF-8
 *         4   principal length (0 = none), then the Java-serialized principal
 *         4   attributes length, then the serializer's bytes
 * </pre>
 *
 * All integers are big-endian. Lengths are 32 bits where content can be large, so a big principal or session
 * never overflows a field.
 */
public final class SessionBlob {

    static final byte[] MAGIC = {'M', 'S', 'E', 'S'};
    static final byte VERSION = 1;
    private static final int KNOWN_FLAGS = 0;

    private SessionBlob() {
    }

    public static byte[] encode(StoredSession session) {
        byte[] serializer = session.serializerId().getBytes(StandardCharsets.US_ASCII);
        byte[] id = session.id().getBytes(StandardCharsets.UTF_8);
        byte[] authType = session.authType() == null ? new byte[0]
                : session.authType().getBytes(StandardCharsets.UTF_8);
        byte[] principal = session.principal() == null ? new byte[0] : session.principal();
        byte[] attributes = session.attributes();
        if (serializer.length > 255 || id.length > 0xffff || authType.length > 0xffff) {
            throw new IllegalArgumentException("serializer id, session id or auth type too long");
        }
        ByteBuffer out = ByteBuffer.allocate(4 + 1 + 1 + 1 + serializer.length + 8 + 8 + 8 + 4 + 1
                + 2 + id.length + 2 + authType.length + 4 + principal.length + 4 + attributes.length);
        out.put(MAGIC).put(VERSION).put((byte) 0).put((byte) serializer.length).put(serializer);
        out.putLong(session.creationTime()).putLong(session.lastAccessedTime()).putLong(session.thisAccessedTime());
        out.putInt(session.maxInactiveInterval()).put((byte) (session.isNew() ? 1 : 0));
        out.putShort((short) id.length).put(id);
        out.putShort((short) authType.length).put(authType);
        out.putInt(principal.length).put(principal);
        out.putInt(attributes.length).put(attributes);
        return out.array();
    }

    /**
     * @throws UnreadableSessionException when the bytes are not a stored session this version can read
     */
    public static StoredSession decode(byte[] blob) {
        try {
            ByteBuffer in = ByteBuffer.wrap(blob);
            byte[] magic = new byte[MAGIC.length];
            in.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new UnreadableSessionException("not a memsession session (unknown magic)");
            }
            int version = in.get();
            if (version != VERSION) {
                throw new UnreadableSessionException("stored with format version " + version
                        + ", this version reads " + VERSION);
            }
            int flags = in.get() & 0xff;
            if ((flags & ~KNOWN_FLAGS) != 0) {
                throw new UnreadableSessionException("stored with flags " + Integer.toBinaryString(flags)
                        + " (compression or encryption) this version cannot read");
            }
            String serializerId = new String(bytes(in, in.get() & 0xff), StandardCharsets.US_ASCII);
            long creationTime = in.getLong();
            long lastAccessedTime = in.getLong();
            long thisAccessedTime = in.getLong();
            int maxInactiveInterval = in.getInt();
            boolean isNew = (in.get() & 1) != 0;
            String id = new String(bytes(in, in.getShort() & 0xffff), StandardCharsets.UTF_8);
            int authTypeLength = in.getShort() & 0xffff;
            String authType = authTypeLength == 0 ? null
                    : new String(bytes(in, authTypeLength), StandardCharsets.UTF_8);
            int principalLength = in.getInt();
            byte[] principal = principalLength == 0 ? null : bytes(in, principalLength);
            byte[] attributes = bytes(in, in.getInt());
            if (in.hasRemaining()) {
                throw new UnreadableSessionException(in.remaining() + " unexpected bytes after the attributes");
            }
            return new StoredSession(id, creationTime, lastAccessedTime, thisAccessedTime, maxInactiveInterval,
                    isNew, authType, principal, serializerId, attributes);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new UnreadableSessionException("truncated or corrupt (" + blob.length + " bytes)");
        }
    }

    private static byte[] bytes(ByteBuffer in, int length) {
        if (length < 0 || length > in.remaining()) {
            throw new BufferUnderflowException();
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }
}
