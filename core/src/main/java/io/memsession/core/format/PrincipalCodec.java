package io.memsession.core.format;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.security.Principal;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.memsession.serializer.ReadLimits;

/**
 * Java serialization of the authenticated principal, so a login survives a failover, and of the notes a container's
 * authenticator keeps in the session during a FORM login (the request that asked for the login page), so a login
 * begun on one Tomcat can end on another. Reading accepts only the classes these are made of (the bridge names its
 * container's packages and classes), because a principal planted in memcached would otherwise log anyone in as
 * anyone, or run code while being read; and it reads within {@link ReadLimits}, so that a planted length cannot
 * make it allocate gigabytes.
 *
 * <p>Without notes the bytes are the principal alone; with notes, an {@code Object[]} of the principal and a
 * {@code HashMap} of the notes. memcached-session-manager's jars for Tomcat 8.5 and 9 stored the realm's principal
 * alone, Java-serialized, which this codec reads too.
 */
public final class PrincipalCodec implements MsmPrincipalReader {

    private static final List<String> JDK_CLASSES = java.util.Arrays.asList("java.lang.String",
            "[Ljava.lang.String;", "java.lang.Object", "java.util.ArrayList", "java.util.Arrays$ArrayList",
            "java.util.Collections$UnmodifiableList", "java.util.Collections$UnmodifiableRandomAccessList",
            "java.util.Collections$UnmodifiableCollection", "java.util.Collections$EmptyList",
            "java.util.HashMap", "java.util.LinkedHashMap", "java.util.Collections$EmptyMap",
            "java.util.Collections$UnmodifiableMap", "java.lang.Boolean", "java.lang.Number",
            "java.lang.Integer", "java.lang.Long", "[Ljava.lang.Object;", "[B", "java.util.Locale");

    private final List<String> allowedPackagePrefixes;
    private final ClassLoader classLoader;

    /**
     * @param allowedPackagePrefixes packages (or whole class names) of the container's principal and note classes,
     *        e.g. {@code org.apache.catalina.realm.}
     * @param classLoader the loader that sees those classes
     */
    public PrincipalCodec(List<String> allowedPackagePrefixes, ClassLoader classLoader) {
        this.allowedPackagePrefixes = allowedPackagePrefixes;
        this.classLoader = classLoader;
    }

    /**
     * @param notes the authenticator's notes to keep; empty for none
     * @return the bytes, or null when there is neither a principal nor a note
     */
    public byte[] encode(Principal principal, Map<String, Object> notes) throws IOException {
        if (principal == null && notes.isEmpty()) {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(notes.isEmpty() ? principal : new Object[] {principal, new HashMap<>(notes)});
        }
        return bytes.toByteArray();
    }

    /** @return what {@link #encode} wrote; null for null bytes */
    @Override
    public Authentication decode(byte[] bytes) throws IOException {
        if (bytes == null) {
            return null;
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                if (!isAllowed(desc.getName())) {
                    throw new InvalidClassException(desc.getName(), "not a principal or login class; refused");
                }
                return Class.forName(desc.getName(), false, classLoader);
            }
        }) {
            ReadLimits.applyTo(in, bytes.length);
            Object read = in.readObject();
            if (read instanceof Principal) {
                return new Authentication((Principal) read, Collections.<String, Object>emptyMap());
            }
            if (read instanceof Object[] && ((Object[]) read).length == 2
                    && (((Object[]) read)[0] == null || ((Object[]) read)[0] instanceof Principal)
                    && ((Object[]) read)[1] instanceof HashMap) {
                Object[] parts = (Object[]) read;
                @SuppressWarnings("unchecked")
                Map<String, Object> notes = (Map<String, Object>) parts[1];
                return new Authentication((Principal) parts[0], notes);
            }
            throw new InvalidClassException(read.getClass().getName(), "not a Principal");
        } catch (ClassNotFoundException e) {
            throw new IOException("principal class not found: " + e.getMessage(), e);
        }
    }

    /** A principal (may be null) and the authenticator's notes (may be empty). */
    public static final class Authentication {
        private final Principal principal;
        private final Map<String, Object> notes;

        Authentication(Principal principal, Map<String, Object> notes) {
            this.principal = principal;
            this.notes = notes;
        }

        public Principal principal() {
            return principal;
        }

        public Map<String, Object> notes() {
            return notes;
        }
    }

    private boolean isAllowed(String className) {
        if (JDK_CLASSES.contains(className)) {
            return true;
        }
        for (String prefix : allowedPackagePrefixes) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
