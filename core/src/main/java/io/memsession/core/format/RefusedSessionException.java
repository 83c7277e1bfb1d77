package io.memsession.core.format;

/**
 * A stored session that no configured key sealed: unsealed, sealed with an unknown key id, or with a seal that does
 * not verify. Refused before any of its content is read.
 */
public final class RefusedSessionException extends UnreadableSessionException {

    private final String keyId;

    RefusedSessionException(String keyId, String message) {
        super(message);
        this.keyId = keyId;
    }

    /**
     * The key id the blob names, made safe to log (it was read from memcached); null for a session that is not
     * sealed at all.
     */
    public String keyId() {
        if (keyId == null) {
            return null;
        }
        StringBuilder safe = new StringBuilder(keyId.length());
        for (int i = 0; i < keyId.length(); i++) {
            char c = keyId.charAt(i);
            safe.append(c > 0x20 && c < 0x7f ? c : '?');
        }
        return safe.toString();
    }
}
