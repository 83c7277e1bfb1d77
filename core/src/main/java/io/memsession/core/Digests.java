package io.memsession.core;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 of serialized attributes: whether a session changed is decided on 256 bits, so no collision can ever
 * skip a real change (memcached-session-manager used a 32-bit hash).
 */
final class Digests {

    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    });

    private Digests() {
    }

    static byte[] sha256(byte[] data) {
        return SHA_256.get().digest(data);
    }
}
