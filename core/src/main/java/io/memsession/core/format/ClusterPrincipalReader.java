package io.memsession.core.format;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.ObjectStreamConstants;
import java.io.StreamCorruptedException;
import java.security.Principal;
import java.util.Collections;

/**
 * The login as memcached-session-manager's Tomcat 7 jar stored it: the fields of Tomcat's cluster principal
 * (catalina-ha's {@code SerializablePrincipal}) as primitive data in a Java object stream. In order: the user name;
 * whether a password follows, and the password; the number of roles, and each role; whether an object follows, and
 * the realm's user principal object (JAAS and custom realms have one).
 *
 * <p>The stream is read as data, never deserialized: no class is loaded, so planted bytes run no code, and Tomcat's
 * cluster jar is not needed. Only the user name is kept, for the application's realm to confirm; the realm gives the
 * roles and its own user principal. So the password (the realm's credential, which msm carried along), the roles
 * and the user principal object are passed over unread.
 */
public final class ClusterPrincipalReader implements MsmPrincipalReader {

    @Override
    public PrincipalCodec.Authentication decode(byte[] bytes) throws IOException {
        if (bytes == null) {
            return null;
        }
        PrimitiveData data = primitiveData(bytes);
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data.bytes));
        String name = in.readUTF();
        if (in.readBoolean()) {
            skipString(in); // the password
        }
        int roles = in.readInt();
        if (roles < 0) {
            throw new StreamCorruptedException("a negative number of roles: " + roles);
        }
        for (int i = 0; i < roles; i++) {
            skipString(in); // each string takes at least its length's 2 bytes: the data bounds the loop
        }
        boolean userPrincipalFollows = in.readBoolean();
        if (in.available() > 0 || userPrincipalFollows != data.objectFollows) {
            throw new StreamCorruptedException("not the data of a principal: " + in.available() + " bytes left over, "
                    + (userPrincipalFollows ? "a user principal announced, " : "no user principal announced, ")
                    + (data.objectFollows ? "an object follows" : "no object follows"));
        }
        return new PrincipalCodec.Authentication(new UserName(name), Collections.<String, Object>emptyMap());
    }

    private static void skipString(DataInputStream in) throws IOException {
        int length = in.readUnsignedShort();
        if (in.skipBytes(length) != length) {
            throw new EOFException("a string of " + length + " bytes is cut short");
        }
    }

    /**
     * The primitive data of a Java object stream, its blocks joined, up to the first thing that is not primitive
     * data (an object, which is never read).
     */
    private static PrimitiveData primitiveData(byte[] stream) throws StreamCorruptedException {
        if (stream.length < 4 || unsigned16(stream, 0) != (ObjectStreamConstants.STREAM_MAGIC & 0xffff)
                || unsigned16(stream, 2) != ObjectStreamConstants.STREAM_VERSION) {
            throw new StreamCorruptedException("not a Java object stream");
        }
        ByteArrayOutputStream data = new ByteArrayOutputStream(stream.length);
        int at = 4;
        while (at < stream.length) {
            int start;
            long length;
            if (stream[at] == ObjectStreamConstants.TC_BLOCKDATA) {
                start = at + 2;
                length = start <= stream.length ? stream[at + 1] & 0xff : -1;
            } else if (stream[at] == ObjectStreamConstants.TC_BLOCKDATALONG) {
                start = at + 5;
                length = start <= stream.length ? (long) unsigned16(stream, at + 1) << 16 | unsigned16(stream, at + 3)
                        : -1;
            } else {
                return new PrimitiveData(data.toByteArray(), true);
            }
            if (length < 0 || length > stream.length - start) {
                throw new StreamCorruptedException("a block of primitive data is cut short, at byte " + at + " of "
                        + stream.length);
            }
            data.write(stream, start, (int) length);
            at = start + (int) length;
        }
        return new PrimitiveData(data.toByteArray(), false);
    }

    private static int unsigned16(byte[] bytes, int at) {
        return (bytes[at] & 0xff) << 8 | bytes[at + 1] & 0xff;
    }

    private static final class PrimitiveData {
        final byte[] bytes;
        /** Whether something other than primitive data follows it. */
        final boolean objectFollows;

        PrimitiveData(byte[] bytes, boolean objectFollows) {
            this.bytes = bytes;
            this.objectFollows = objectFollows;
        }
    }

    /** A user name and nothing else: what the realm is asked about. */
    private static final class UserName implements Principal {
        private final String name;

        UserName(String name) {
            this.name = name;
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public String toString() {
            return "user " + name + " as memcached-session-manager stored it";
        }
    }
}
