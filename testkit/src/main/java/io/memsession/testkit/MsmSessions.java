package io.memsession.testkit;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Values laid out as memcached-session-manager (msm) 2.3 stores them (see msm-behaviour.md 3.3 and 3.4), for
 * tests that plant what msm leaves in memcached; the migration test reads what the real msm wrote.
 */
public final class MsmSessions {

    /** msm's auth type codes. */
    public static final int NO_AUTH = 0;
    public static final int BASIC = 1;
    public static final int FORM = 4;

    private MsmSessions() {
    }

    /**
     * A session blob of msm's format version 2 (or 1, without the FORM notes).
     *
     * @param principal the container's serialized principal, or null
     */
    public static byte[] blob(int version, String id, long thisAccessedTime, int maxInactiveSeconds, int authType,
                              byte[] principal, byte[] attributes) {
        try {
            ByteArrayOutputStream header = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(header);
            byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
            out.writeShort(version);
            out.writeShort(0); // the header's length, filled in below
            out.writeLong(thisAccessedTime - 60_000); // creation
            out.writeLong(thisAccessedTime - 1_000); // last accessed
            out.writeInt(maxInactiveSeconds);
            out.writeByte('0'); // isNew
            out.writeByte('1'); // isValid
            out.writeLong(thisAccessedTime);
            out.writeLong(thisAccessedTime); // the write
            out.writeShort(idBytes.length);
            out.write(idBytes);
            out.writeShort(authType);
            out.writeShort(principal == null ? 0 : principal.length);
            if (principal != null) {
                out.write(principal);
            }
            if (version >= 2) {
                out.writeShort(0); // no saved request
                out.writeShort(0); // no FORM principal note
            }
            byte[] blob = new byte[header.size() + attributes.length];
            System.arraycopy(header.toByteArray(), 0, blob, 0, header.size());
            System.arraycopy(attributes, 0, blob, header.size(), attributes.length);
            blob[2] = (byte) (header.size() >> 8);
            blob[3] = (byte) header.size();
            return blob;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Attributes as msm's Java serializer writes them: the number as an Integer, then each name and value. */
    public static byte[] javaAttributes(Map<String, ?> attributes) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(attributes.size());
                for (Map.Entry<String, ?> attribute : attributes.entrySet()) {
                    out.writeObject(attribute.getKey());
                    out.writeObject(attribute.getValue());
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Java-serialized object, as msm stores a principal on Tomcat 8.5 and 9. */
    public static byte[] javaSerialized(Object object) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(object);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A login as msm's jar for Tomcat 7 stored it: the fields of Tomcat's cluster principal as primitive data in a
     * Java object stream, in this order: the user name; whether a password follows, and the password; the number of
     * roles, and each role; whether an object follows, and the realm's user principal object.
     *
     * @param password the realm's credential, which msm stored with the login, or null
     * @param userPrincipal the realm's user principal (JAAS and custom realms have one), or null for none
     */
    public static byte[] tomcat7Principal(String name, String password, List<String> roles,
                                          Serializable userPrincipal) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeUTF(name);
                out.writeBoolean(password != null);
                if (password != null) {
                    out.writeUTF(password);
                }
                out.writeInt(roles.size());
                for (String role : roles) {
                    out.writeUTF(role);
                }
                out.writeBoolean(userPrincipal != null);
                if (userPrincipal != null) {
                    out.writeObject(userPrincipal);
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The 20 bytes of access times msm keeps beside a non-sticky session under {@code validity:<key>}. */
    public static byte[] validity(int maxInactiveSeconds, long lastAccessedTime, long thisAccessedTime) {
        return ByteBuffer.allocate(20).putInt(maxInactiveSeconds).putLong(lastAccessedTime)
                .putLong(thisAccessedTime).array();
    }
}
