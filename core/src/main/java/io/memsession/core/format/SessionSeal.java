package io.memsession.core.format;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * What protects the body of a stored session (everything after the header, see {@link SessionBlob}): nothing, or
 * AES-256-GCM with the keys of {@code encryptionKeyFile}. An engine chooses one at construction.
 *
 * <p>Sealed, the header goes on with the key id, a salt and a nonce, and the body is encrypted with the whole header
 * as additional authenticated data, so no header field can be changed either. GCM with random 96-bit nonces allows
 * about 2<sup>32</sup> seals per key, and sessions are written far more often over a key's life; so each seal
 * instance (one per engine, i.e. per web application and start) draws a random 16-byte salt, seals with a sub-key
 * derived from the master key and that salt (HKDF-Expand, RFC 5869, with HMAC-SHA256), and counts its nonces:
 * a nonce never repeats under a sub-key, and sub-keys repeat only if two random salts do. Readers derive the
 * sub-key of each salt they meet once, and keep it in a small bounded map once a session sealed with it opened.
 */
public abstract class SessionSeal {

    private SessionSeal() {
    }

    /** Nothing sealed: a reader refuses a sealed session, which it has no key to open. */
    public static SessionSeal none() {
        return Unsealed.INSTANCE;
    }

    /** Sealed with the first of {@code keys}, opened with any of them; {@link #none()} for null. */
    public static SessionSeal of(SealingKeys keys) {
        return keys == null ? none() : new Sealed(keys);
    }

    /** The header's flag bits this seal sets. */
    abstract int flags();

    /** The length of the header fields this seal adds after the common ones. */
    abstract int headerLength();

    /** What sealing adds after the body. */
    abstract int trailerLength();

    /**
     * Seals a blob in place: fills in the seal's header fields and protects the body.
     *
     * @param blob the common header, {@link #headerLength()} bytes for the seal's fields, the body in the clear, and
     *        {@link #trailerLength()} bytes free at the end
     * @param sealFields where the seal's header fields go; the body follows them
     */
    abstract void close(byte[] blob, int sealFields);

    /**
     * @param blob the whole blob
     * @param in positioned after the header's common fields
     * @param flags the header's flags
     * @return the body
     * @throws UnreadableSessionException when this seal cannot open the blob (a
     *         {@link RefusedSessionException} when no configured key sealed it)
     */
    abstract ByteBuffer open(byte[] blob, ByteBuffer in, int flags);

    private static final class Unsealed extends SessionSeal {
        static final Unsealed INSTANCE = new Unsealed();

        @Override
        int flags() {
            return 0;
        }

        @Override
        int headerLength() {
            return 0;
        }

        @Override
        int trailerLength() {
            return 0;
        }

        @Override
        void close(byte[] blob, int sealFields) {
        }

        @Override
        ByteBuffer open(byte[] blob, ByteBuffer in, int flags) {
            if ((flags & SessionBlob.SEALED) != 0) {
                throw new UnreadableSessionException("it is sealed (encryptionKeyFile), and this web application "
                        + "has no key");
            }
            return in;
        }
    }

    private static final class Sealed extends SessionSeal {
        static final int SALT_BYTES = 16;
        static final int NONCE_BYTES = 12;
        static final int TAG_BITS = 128;
        private static final byte[] LABEL = "memsession session seal v2".getBytes(StandardCharsets.US_ASCII);
        /** Sub-keys of other salts kept for opening; beyond this many (Tomcats times restarts) the map starts over. */
        private static final int MAX_OPENING_KEYS = 256;
        private static final SecureRandom RANDOM = new SecureRandom();

        private final SealingKeys keys;
        private final byte[] sealingKeyId;
        private final byte[] salt = new byte[SALT_BYTES];
        private final SecretKeySpec sealingKey;
        private final AtomicLong nonces = new AtomicLong();
        /** By key id and salt; only sub-keys that opened a session, so forged salts never enter. */
        private final ConcurrentHashMap<String, SecretKeySpec> openingKeys = new ConcurrentHashMap<>();

        Sealed(SealingKeys keys) {
            this.keys = keys;
            this.sealingKeyId = keys.sealingKeyId().getBytes(StandardCharsets.US_ASCII);
            RANDOM.nextBytes(salt);
            this.sealingKey = subKey(keys.key(keys.sealingKeyId()), salt);
            openingKeys.put(cacheKey(keys.sealingKeyId(), salt), sealingKey);
        }

        @Override
        int flags() {
            return SessionBlob.SEALED;
        }

        @Override
        int headerLength() {
            return 1 + sealingKeyId.length + SALT_BYTES + NONCE_BYTES;
        }

        @Override
        int trailerLength() {
            return TAG_BITS / 8;
        }

        @Override
        void close(byte[] blob, int sealFields) {
            byte[] nonce = new byte[NONCE_BYTES];
            ByteBuffer.wrap(nonce, NONCE_BYTES - 8, 8).putLong(nonces.incrementAndGet());
            ByteBuffer.wrap(blob, sealFields, headerLength()).put((byte) sealingKeyId.length).put(sealingKeyId)
                    .put(salt).put(nonce);
            int body = sealFields + headerLength();
            try {
                Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
                cipher.init(Cipher.ENCRYPT_MODE, sealingKey, new GCMParameterSpec(TAG_BITS, nonce));
                cipher.updateAAD(blob, 0, body);
                // in place: the JDK's GCM allows the output to overlap the input at the same offset
                cipher.doFinal(blob, body, blob.length - body - trailerLength(), blob, body);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES/GCM/NoPadding, which every Java 8 JDK has, failed", e);
            }
        }

        @Override
        ByteBuffer open(byte[] blob, ByteBuffer in, int flags) {
            if ((flags & SessionBlob.SEALED) == 0) {
                throw new RefusedSessionException(null, "it is not sealed, and this web application only accepts "
                        + "sessions sealed with its encryptionKeyFile");
            }
            int keyIdLength = in.get() & 0xff;
            if (keyIdLength > in.remaining()) {
                throw new UnreadableSessionException("truncated in its key id");
            }
            byte[] keyIdBytes = new byte[keyIdLength];
            in.get(keyIdBytes);
            String keyId = new String(keyIdBytes, StandardCharsets.US_ASCII);
            byte[] master = keys.key(keyId);
            if (master == null) {
                throw new RefusedSessionException(keyId, "it is sealed with a key id that is not in the "
                        + "encryptionKeyFile");
            }
            if (in.remaining() < SALT_BYTES + NONCE_BYTES + TAG_BITS / 8) {
                throw new RefusedSessionException(keyId, "it is too short to be sealed");
            }
            byte[] saltRead = new byte[SALT_BYTES];
            in.get(saltRead);
            byte[] nonce = new byte[NONCE_BYTES];
            in.get(nonce);
            String cacheKey = cacheKey(keyId, saltRead);
            SecretKeySpec key = openingKeys.get(cacheKey);
            boolean known = key != null;
            if (!known) {
                key = subKey(master, saltRead);
            }
            int headerLength = in.position();
            byte[] body;
            try {
                Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
                cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
                cipher.updateAAD(blob, 0, headerLength);
                body = cipher.doFinal(blob, headerLength, blob.length - headerLength);
            } catch (AEADBadTagException e) {
                throw new RefusedSessionException(keyId, "its seal does not verify with the key '" + keyId
                        + "' (forged, or changed since it was sealed)");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES/GCM/NoPadding, which every Java 8 JDK has, failed", e);
            }
            if (!known) {
                if (openingKeys.size() >= MAX_OPENING_KEYS) {
                    openingKeys.clear();
                }
                openingKeys.put(cacheKey, key);
            }
            return ByteBuffer.wrap(body);
        }

        private static String cacheKey(String keyId, byte[] salt) {
            return keyId + ' ' + new String(salt, StandardCharsets.ISO_8859_1);
        }

        /** HKDF-Expand (RFC 5869) of one block, the master key as pseudorandom key, label and salt as info. */
        private static SecretKeySpec subKey(byte[] master, byte[] salt) {
            try {
                Mac hmac = Mac.getInstance("HmacSHA256");
                hmac.init(new SecretKeySpec(master, "HmacSHA256"));
                hmac.update(LABEL);
                hmac.update(salt);
                hmac.update((byte) 1);
                return new SecretKeySpec(hmac.doFinal(), "AES");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256, which every Java 8 JDK has, failed", e);
            }
        }
    }
}
