package io.memsession.core.format;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.security.Principal;
import java.util.List;

/**
 * Java serialization of the authenticated principal, so a login survives a failover. Reading accepts only the
 * classes a container principal is made of (the bridge names its container's principal packages), because a
 * principal planted in memcached would otherwise log anyone in as anyone, or run code while being read.
 */
public final class PrincipalCodec {

    private static final List<String> JDK_CLASSES = java.util.Arrays.asList("java.lang.String",
            "[Ljava.lang.String;", "java.lang.Object", "java.util.ArrayList", "java.util.Arrays$ArrayList",
            "java.util.Collections$UnmodifiableList", "java.util.Collections$UnmodifiableRandomAccessList",
            "java.util.Collections$UnmodifiableCollection", "java.util.Collections$EmptyList",
            "java.util.HashMap", "java.util.LinkedHashMap", "java.util.Collections$EmptyMap",
            "java.util.Collections$UnmodifiableMap", "java.lang.Boolean", "java.lang.Number",
            "java.lang.Integer", "java.lang.Long");

    private final List<String> allowedPackagePrefixes;
    private final ClassLoader classLoader;

    /**
     * @param allowedPackagePrefixes packages of the container's principal classes, e.g.
     *        {@code org.apache.catalina.realm.}
     * @param classLoader the loader that sees those classes
     */
    public PrincipalCodec(List<String> allowedPackagePrefixes, ClassLoader classLoader) {
        this.allowedPackagePrefixes = allowedPackagePrefixes;
        this.classLoader = classLoader;
    }

    /** @return the principal's bytes, or null when there is no principal or it cannot be serialized */
    public byte[] encode(Principal principal) throws IOException {
        if (principal == null) {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(principal);
        }
        return bytes.toByteArray();
    }

    public Principal decode(byte[] bytes) throws IOException {
        if (bytes == null) {
            return null;
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                if (!isAllowed(desc.getName())) {
                    throw new InvalidClassException(desc.getName(), "not a principal class; refused");
                }
                return Class.forName(desc.getName(), false, classLoader);
            }
        }) {
            Object principal = in.readObject();
            if (!(principal instanceof Principal)) {
                throw new InvalidClassException(principal.getClass().getName(), "not a Principal");
            }
            return (Principal) principal;
        } catch (ClassNotFoundException e) {
            throw new IOException("principal class not found: " + e.getMessage(), e);
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
