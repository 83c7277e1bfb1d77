package io.memsession.core.format;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The keys of {@code encryptionKeyFile}: one {@code <keyId> <base64 of 32 bytes>} per line, {@code #} comments and
 * blank lines allowed. The first key seals, every key opens, so a new key goes in front and the old one stays until
 * the sessions it sealed have expired. No message of this class ever shows a key's bytes, or a line that holds one.
 */
public final class SealingKeys {

    /** AES-256. */
    static final int KEY_BYTES = 32;
    /** What a key id may be: it is written into every sealed session's header, and shown in logs. */
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** A key file is a few lines; anything much larger is the wrong file. */
    private static final long MAX_FILE_BYTES = 64 * 1024;

    /** Key id to key, the sealing key first. */
    private final Map<String, byte[]> keys;

    private SealingKeys(Map<String, byte[]> keys) {
        this.keys = Collections.unmodifiableMap(keys);
    }

    /**
     * @throws IllegalArgumentException saying what is wrong and on which line, never with a key's bytes
     */
    public static SealingKeys read(Path file) {
        List<String> lines;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new IllegalArgumentException("the file is larger than " + MAX_FILE_BYTES
                        + " bytes; expected a few lines of <keyId> <base64 of 32 bytes>");
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            // the exception's text is the path and the reason (no such file, access denied, not UTF-8), never content
            throw new IllegalArgumentException("the file cannot be read (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
        return parse(lines);
    }

    static SealingKeys parse(List<String> lines) {
        Map<String, byte[]> keys = new LinkedHashMap<>();
        Map<String, Integer> lineOfKey = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            int lineNumber = i + 1;
            String line = lines.get(i).trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s+");
            if (fields.length != 2) {
                throw new IllegalArgumentException("line " + lineNumber + " has " + fields.length
                        + " fields; expected <keyId> <base64 of 32 bytes>");
            }
            String keyId = fields[0];
            if (!KEY_ID.matcher(keyId).matches()) {
                throw new IllegalArgumentException("line " + lineNumber + ": the key id must be 1 to 64 letters, "
                        + "digits, '.', '_' or '-'");
            }
            if (keys.containsKey(keyId)) {
                throw new IllegalArgumentException("line " + lineNumber + ": the key id '" + keyId
                        + "' is already on line " + lineOfKey.get(keyId));
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(fields[1]);
            } catch (IllegalArgumentException e) {
                // the decoder's message quotes a character of the key: not repeated
                throw new IllegalArgumentException("line " + lineNumber + ": the key of '" + keyId
                        + "' is not valid base64");
            }
            if (key.length != KEY_BYTES) {
                Arrays.fill(key, (byte) 0);
                throw new IllegalArgumentException("line " + lineNumber + ": the key of '" + keyId + "' has "
                        + key.length + " bytes; expected " + KEY_BYTES + " (e.g. openssl rand -base64 32)");
            }
            keys.put(keyId, key);
            lineOfKey.put(keyId, lineNumber);
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("the file holds no key; expected lines of <keyId> <base64 of 32 "
                    + "bytes>, the first one sealing");
        }
        return new SealingKeys(keys);
    }

    /** The id of the key that seals: the first in the file. */
    String sealingKeyId() {
        return keys.keySet().iterator().next();
    }

    /** The key with this id, or null. */
    byte[] key(String keyId) {
        return keys.get(keyId);
    }

    /** The key ids, the sealing one first; never the keys. */
    @Override
    public String toString() {
        return "keys " + String.join(", ", keys.keySet()) + " (" + sealingKeyId() + " seals)";
    }
}
