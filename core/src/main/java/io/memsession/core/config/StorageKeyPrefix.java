package io.memsession.core.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The {@code storageKeyPrefix} attribute: comma-separated tokens whose values are joined with {@code :} and
 * followed by {@code _}, as memcached-session-manager does, so that several web applications can share memcached
 * nodes. Tokens: {@code static:<text>}, {@code host}, {@code host.hash}, {@code context}, {@code context.hash},
 * {@code webappVersion}. Empty values are skipped; no values gives no prefix.
 *
 * <p>Unlike memcached-session-manager, routing never looks at the key, so any character in a prefix is safe; bytes
 * a memcached key cannot hold (space, control characters, non-ASCII, and {@code %} itself) are percent-encoded.
 */
public final class StorageKeyPrefix {

    /** Where the prefix is evaluated: the names of the web application, given by the Tomcat bridge. */
    public interface WebappNames {
        String hostName();

        /** {@code ""} for the ROOT context, {@code /app} otherwise. */
        String contextName();

        /** The parallel-deployment version, {@code ""} when there is none. */
        String webappVersion();
    }

    public static final String DEFAULT = "webappVersion";

    private final String value;
    private final List<String> tokens;

    private StorageKeyPrefix(String value, List<String> tokens) {
        this.value = value;
        this.tokens = Collections.unmodifiableList(tokens);
    }

    /** @throws ConfigurationException naming {@code storageKeyPrefix} for an unknown token */
    public static StorageKeyPrefix parse(String value) {
        List<String> tokens = new ArrayList<>();
        if (value != null) {
            for (String raw : value.split(",")) {
                String token = raw.trim();
                if (token.isEmpty()) {
                    continue;
                }
                if (!token.startsWith("static:") && !token.equals("host") && !token.equals("host.hash")
                        && !token.equals("context") && !token.equals("context.hash")
                        && !token.equals("webappVersion")) {
                    throw new ConfigurationException("storageKeyPrefix", value, "unknown token '" + token
                            + "'; expected static:<text>, host, host.hash, context, context.hash or webappVersion");
                }
                tokens.add(token);
            }
        }
        return new StorageKeyPrefix(value, tokens);
    }

    /** The prefix for one web application, already safe to use in a memcached key. */
    public String resolve(WebappNames names) {
        StringBuilder prefix = new StringBuilder();
        for (String token : tokens) {
            String part;
            if (token.startsWith("static:")) {
                part = token.substring("static:".length());
            } else if (token.equals("host")) {
                part = names.hostName();
            } else if (token.equals("host.hash")) {
                part = hash(names.hostName());
            } else if (token.equals("context")) {
                part = names.contextName();
            } else if (token.equals("context.hash")) {
                part = hash(names.contextName());
            } else {
                part = names.webappVersion();
            }
            if (part != null && !part.isEmpty()) {
                if (prefix.length() > 0) {
                    prefix.append(':');
                }
                prefix.append(part);
            }
        }
        return prefix.length() == 0 ? "" : keySafe(prefix.append('_').toString());
    }

    private static String hash(String text) {
        if (text == null) {
            return null;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder();
            for (int i = 0; i < 4; i++) {
                hex.append(String.format("%02x", digest[i]));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    static String keySafe(String text) {
        StringBuilder safe = new StringBuilder(text.length());
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c > 0x20 && c < 0x7f && c != '%') {
                safe.append((char) c);
            } else {
                safe.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return safe.toString();
    }

    @Override
    public String toString() {
        return value;
    }
}
