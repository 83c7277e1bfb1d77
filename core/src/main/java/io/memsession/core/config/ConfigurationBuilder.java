package io.memsession.core.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;


/**
 * Collects the Manager's attributes (those {@link Attributes} declares) as the text they were given in
 * {@code context.xml} (or through the Java API) and turns them into a {@link Configuration} at start. Validation happens in {@link #build()}, so a wrong value
 * stops the context with a message naming the attribute, the value and what is expected.
 */
public final class ConfigurationBuilder {

    public static final String JAVA_TRANSCODER_FACTORY = "io.memsession.serializer.java.JavaTranscoderFactory";

    private static final Map<String, Attribute<?>> ATTRIBUTES_BY_NAME = new HashMap<>();

    static {
        for (Attribute<?> attribute : Attributes.ALL) {
            ATTRIBUTES_BY_NAME.put(attribute.name(), attribute);
        }
    }

    /** Every attribute this builder knows, as text, with its default; the Manager exposes exactly these. */
    private final Map<String, String> values = new LinkedHashMap<>();
    /** Tomcat's own filters of the Manager ({@code ManagerBase}), as Tomcat holds them; null when not set. */
    private String tomcatAttributeNameFilter;
    private String tomcatValueClassNameFilter;
    private boolean warnOnTomcatFilterFailure;

    public ConfigurationBuilder() {
        for (Attribute<?> attribute : Attributes.ALL) {
            values.put(attribute.name(), attribute.defaultText());
        }
    }

    /** The attributes of ours, as the reference lists them. */
    public static List<Attribute<?>> attributes() {
        return Attributes.ALL;
    }

    /** Whether {@code name} is an attribute of ours. */
    public boolean knows(String name) {
        return values.containsKey(name);
    }

    /** Sets an attribute as text; null or blank restores its default. */
    public ConfigurationBuilder set(String name, String value) {
        if (!knows(name)) {
            throw new IllegalArgumentException("unknown attribute " + name);
        }
        values.put(name, value == null || value.trim().isEmpty() ? ATTRIBUTES_BY_NAME.get(name).defaultText()
                : value.trim());
        return this;
    }

    /** The text currently set for an attribute (its default when not set). */
    public String get(String name) {
        if (!knows(name)) {
            throw new IllegalArgumentException("unknown attribute " + name);
        }
        return values.get(name);
    }

    /**
     * An attribute as {@code true} or {@code false}, for the Manager's typed getters (memcached-session-manager's).
     *
     * @throws ConfigurationException for a text that is neither, as at start
     */
    public boolean booleanValue(String name) {
        return Attribute.parseBoolean(name, get(name));
    }

    /**
     * An attribute as a whole number, for the Manager's typed getters; {@code backupThreadCount} unset is the number
     * of processors, as at start.
     *
     * @throws ConfigurationException for a text that is no whole number, as at start
     */
    public int intValue(String name) {
        String text = get(name);
        if (text == null && name.equals(Attributes.BACKUP_THREAD_COUNT.name())) {
            return Runtime.getRuntime().availableProcessors();
        }
        return Attribute.parseInteger(name, text, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /**
     * Tomcat's {@code sessionAttributeNameFilter}, {@code sessionAttributeValueClassNameFilter} and
     * {@code warnOnSessionAttributeFilterFailure}, applied as Tomcat's own managers apply them: an attribute whose
     * name does not match is neither stored nor read, a value whose class does not match is not stored, and a
     * stored session holding a class that does not match is not read.
     *
     * @param attributeNameFilter null for none
     * @param valueClassNameFilter null for none
     */
    public ConfigurationBuilder tomcatFilters(String attributeNameFilter, String valueClassNameFilter,
                                              boolean warnOnFailure) {
        this.tomcatAttributeNameFilter = attributeNameFilter;
        this.tomcatValueClassNameFilter = valueClassNameFilter;
        this.warnOnTomcatFilterFailure = warnOnFailure;
        return this;
    }

    /**
     * The attribute of ours that {@code unknown} most likely misspells (a few letters off, any case), or null when
     * none is close.
     */
    public String closestName(String unknown) {
        String closest = null;
        int closestDistance = Math.max(2, unknown.length() / 3) + 1;
        for (String name : values.keySet()) {
            int distance = editDistance(unknown.toLowerCase(Locale.ROOT), name.toLowerCase(Locale.ROOT));
            if (distance < closestDistance) {
                closest = name;
                closestDistance = distance;
            }
        }
        return closest;
    }

    /** Levenshtein distance: letters inserted, removed or replaced to turn one word into the other. */
    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int replace = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(replace, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /**
     * Validates every attribute.
     *
     * @throws ConfigurationException naming the first attribute at fault
     */
    public Configuration build() {
        return new Configuration(this);
    }

    /** An attribute's value, parsed from its text. */
    <T> T value(Attribute<T> attribute) {
        return attribute.parse(values.get(attribute.name()));
    }

    /** An attribute's text; null when it has none. */
    String text(Attribute<?> attribute) {
        return values.get(attribute.name());
    }

    String tomcatAttributeNameFilter() {
        return tomcatAttributeNameFilter;
    }

    String tomcatValueClassNameFilter() {
        return tomcatValueClassNameFilter;
    }

    boolean warnOnTomcatFilterFailure() {
        return warnOnTomcatFilterFailure;
    }

    /**
     * {@code msmImport}: until when sessions memcached-session-manager wrote are read. {@code auto} imports them
     * while sessions are not sealed: sealed, an unsealed session is what someone without the key plants.
     */
    long msmImportUntil(boolean seals) {
        String value = text(Attributes.MSM_IMPORT);
        String lower = value.toLowerCase(Locale.ROOT);
        if (lower.equals("auto")) {
            return seals ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        if (lower.equals("off")) {
            return Long.MIN_VALUE;
        }
        if (lower.startsWith("until ")) {
            try {
                return OffsetDateTime.parse(value.substring("until ".length()).trim()).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                // reported below, with what is expected
            }
        }
        throw new ConfigurationException("msmImport", value, "expected auto, off, or until and a date and time "
                + "with its offset, e.g. until 2027-01-31T00:00Z");
    }

    /** {@code password}, or the first line of {@code passwordFile}; null when neither is set. */
    String password() {
        String file = text(Attributes.PASSWORD_FILE);
        if (file == null) {
            return text(Attributes.PASSWORD);
        }
        if (text(Attributes.PASSWORD) != null) {
            throw new ConfigurationException("password and passwordFile are both set: set one of them");
        }
        String firstLine;
        try {
            List<String> lines = Files.readAllLines(Paths.get(file), StandardCharsets.UTF_8);
            firstLine = lines.isEmpty() ? "" : lines.get(0).trim();
        } catch (IOException | RuntimeException e) {
            throw new ConfigurationException("passwordFile", file, "cannot read the file (" + e.getClass().getSimpleName()
                    + ")");
        }
        if (firstLine.isEmpty()) {
            throw new ConfigurationException("passwordFile", file, "its first line, the password, is empty");
        }
        return firstLine;
    }

    /**
     * The trust store that {@code tlsTrustStoreFile} names, read now so that a missing file or a wrong password
     * stops the start; null means the JVM's default trust. The format is found out from the file (PKCS12 or JKS).
     */
    KeyStore trustStore(boolean tls) {
        String file = text(Attributes.TLS_TRUST_STORE_FILE);
        String password = text(Attributes.TLS_TRUST_STORE_PASSWORD);
        if (!tls && (file != null || password != null)) {
            throw new ConfigurationException("tls", text(Attributes.TLS), "tlsTrustStoreFile and tlsTrustStorePassword "
                    + "only apply with tls=\"true\"");
        }
        if (file == null) {
            if (password != null) {
                throw new ConfigurationException("tlsTrustStorePassword is set without tlsTrustStoreFile");
            }
            return null;
        }
        Path path = Paths.get(file);
        if (!Files.isReadable(path)) {
            throw new ConfigurationException("tlsTrustStoreFile", file, "no readable file there");
        }
        GeneralSecurityException lastRefusal = null;
        IOException lastFailure = null;
        for (String type : new String[] {"PKCS12", "JKS"}) {
            try (InputStream in = Files.newInputStream(path)) {
                KeyStore store = KeyStore.getInstance(type);
                store.load(in, password == null ? null : password.toCharArray());
                if (store.size() == 0) {
                    // a store whose certificates are encrypted shows none without its password
                    throw new ConfigurationException("tlsTrustStoreFile", file, "the trust store holds no "
                            + "certificate" + (password == null ? " that can be read without tlsTrustStorePassword"
                            : ""));
                }
                return store;
            } catch (GeneralSecurityException e) {
                lastRefusal = e;
            } catch (IOException e) {
                // a wrong password, or the other format
                lastFailure = e;
            }
        }
        if (lastFailure != null && lastFailure.getCause() instanceof UnrecoverableKeyException) {
            throw ConfigurationException.ofSecret("tlsTrustStorePassword", "it does not open the trust store "
                    + file);
        }
        throw new ConfigurationException("tlsTrustStoreFile", file, "not a PKCS12 or JKS trust store, or "
                + "tlsTrustStorePassword does not open it (" + (lastFailure != null ? lastFailure : lastRefusal)
                + ")");
    }
}
