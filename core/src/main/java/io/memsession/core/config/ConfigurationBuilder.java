package io.memsession.core.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import io.memsession.core.format.SealingKeys;
import io.memsession.serializer.ClassAllowList;

/**
 * Collects the Manager's attributes as the text they were given in {@code context.xml} (or through the Java API)
 * and turns them into a {@link Configuration} at start. Validation happens in {@link #build()}, so a wrong value
 * stops the context with a message naming the attribute, the value and what is expected.
 */
public final class ConfigurationBuilder {

    public static final String JAVA_TRANSCODER_FACTORY = "io.memsession.serializer.java.JavaTranscoderFactory";

    /** memcached-session-manager's serializer class names, accepted so its configurations move over unchanged. */
    private static final Map<String, String> MSM_TRANSCODER_FACTORIES = new HashMap<>();

    static {
        MSM_TRANSCODER_FACTORIES.put("de.javakaffee.web.msm.JavaSerializationTranscoderFactory",
                JAVA_TRANSCODER_FACTORY);
        MSM_TRANSCODER_FACTORIES.put("de.javakaffee.web.msm.serializer.kryo.KryoTranscoderFactory",
                "io.memsession.serializer.kryo.KryoTranscoderFactory");
    }

    /** Every attribute this builder knows, with its default; the Manager exposes exactly these. */
    private final Map<String, String> values = new LinkedHashMap<>();

    public ConfigurationBuilder() {
        values.put("enabled", "true");
        values.put("memcachedNodes", null);
        values.put("failoverNodes", null);
        values.put("sticky", "true");
        values.put("lockingMode", "none");
        values.put("lockExpiration", "5");
        values.put("lockTimeout", "2000");
        values.put("requestUriIgnorePattern", null);
        values.put("sessionBackupAsync", "true");
        values.put("backupThreadCount", null);
        values.put("sessionBackupTimeout", "100");
        values.put("operationTimeout", "1000");
        values.put("storageKeyPrefix", StorageKeyPrefix.DEFAULT);
        values.put("sessionAttributeFilter", null);
        values.put("transcoderFactoryClass", JAVA_TRANSCODER_FACTORY);
        values.put("copyCollectionsForSerialization", "false");
        values.put("customConverter", null);
        values.put("classAllowList", null);
        values.put("encryptionKeyFile", null);
        values.put("enableStatistics", "true");
        values.put("memcachedProtocol", "text");
        values.put("username", null);
        values.put("password", null);
        values.put("maxInactiveInterval", null);
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
        values.put(name, value == null || value.trim().isEmpty() ? defaults().values.get(name) : value.trim());
        return this;
    }

    /** The text currently set for an attribute (its default when not set). */
    public String get(String name) {
        if (!knows(name)) {
            throw new IllegalArgumentException("unknown attribute " + name);
        }
        return values.get(name);
    }

    private static ConfigurationBuilder defaults() {
        return new ConfigurationBuilder();
    }

    /**
     * Validates every attribute.
     *
     * @throws ConfigurationException naming the first attribute at fault
     */
    public Configuration build() {
        Parsed p = new Parsed();
        p.enabled = bool("enabled");
        p.sticky = bool("sticky");
        try {
            p.lockingMode = LockingMode.parse(values.get("lockingMode"));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("lockingMode", values.get("lockingMode"), e.getMessage());
        }
        // memcached expires items on whole seconds: a lease of 1 s could end at once
        p.lockExpirationSeconds = integer("lockExpiration", 2, 3600);
        p.lockTimeoutMillis = integer("lockTimeout", 0, 3_600_000);
        p.nodes = MemcachedNodes.parse(values.get("memcachedNodes"), values.get("failoverNodes"));
        p.requestUriIgnorePattern = pattern("requestUriIgnorePattern");
        p.sessionBackupAsync = bool("sessionBackupAsync");
        String threads = values.get("backupThreadCount");
        p.backupThreadCount = threads == null ? Runtime.getRuntime().availableProcessors()
                : integer("backupThreadCount", 1, 1024);
        p.sessionBackupTimeoutMillis = integer("sessionBackupTimeout", 1, 3_600_000);
        p.operationTimeoutMillis = integer("operationTimeout", 1, 3_600_000);
        p.storageKeyPrefix = StorageKeyPrefix.parse(values.get("storageKeyPrefix"));
        p.sessionAttributeFilter = pattern("sessionAttributeFilter");
        String factory = values.get("transcoderFactoryClass");
        p.transcoderFactoryClass = MSM_TRANSCODER_FACTORIES.containsKey(factory)
                ? MSM_TRANSCODER_FACTORIES.get(factory) : factory;
        p.copyCollectionsForSerialization = bool("copyCollectionsForSerialization");
        p.customConverters = list("customConverter");
        try {
            p.classAllowList = ClassAllowList.parse(values.get("classAllowList"));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("classAllowList", values.get("classAllowList"), e.getMessage());
        }
        p.encryptionKeyFile = values.get("encryptionKeyFile");
        p.sealingKeys = p.encryptionKeyFile == null ? null : sealingKeys(p.encryptionKeyFile);
        p.enableStatistics = bool("enableStatistics");
        String protocol = values.get("memcachedProtocol").toLowerCase(Locale.ROOT);
        if (!protocol.equals("text") && !protocol.equals("binary")) {
            throw new ConfigurationException("memcachedProtocol", values.get("memcachedProtocol"),
                    "expected text or binary");
        }
        p.protocol = protocol.equals("text") ? Configuration.Protocol.TEXT : Configuration.Protocol.BINARY;
        p.username = values.get("username");
        p.password = values.get("password");
        if ((p.username == null) != (p.password == null)) {
            throw new ConfigurationException("SASL authentication needs both username and password, "
                    + "but only " + (p.username == null ? "password" : "username") + " is set");
        }
        if (p.username != null && p.protocol != Configuration.Protocol.BINARY) {
            throw new ConfigurationException("memcachedProtocol", values.get("memcachedProtocol"),
                    "username and password (SASL) need memcachedProtocol=\"binary\"");
        }
        p.maxInactiveInterval = values.get("maxInactiveInterval") == null ? null
                : integer("maxInactiveInterval", Integer.MIN_VALUE, Integer.MAX_VALUE);
        return new Configuration(p);
    }

    /** The message names the file and the line, never a key. */
    private static SealingKeys sealingKeys(String file) {
        try {
            return SealingKeys.read(Paths.get(file));
        } catch (InvalidPathException e) {
            throw new ConfigurationException("encryptionKeyFile", file, "not a file path: " + e.getReason());
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("encryptionKeyFile", file, e.getMessage());
        }
    }

    private boolean bool(String name) {
        String value = values.get(name);
        if ("true".equalsIgnoreCase(value)) {
            return true;
        }
        if ("false".equalsIgnoreCase(value)) {
            return false;
        }
        throw new ConfigurationException(name, value, "expected true or false");
    }

    private int integer(String name, int min, int max) {
        String value = values.get(name);
        try {
            long number = Long.parseLong(value);
            if (number >= min && number <= max) {
                return (int) number;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ConfigurationException(name, value, "expected a whole number"
                + (min == Integer.MIN_VALUE ? "" : " from " + min + " to " + max));
    }

    private Pattern pattern(String name) {
        String value = values.get(name);
        if (value == null) {
            return null;
        }
        try {
            return Pattern.compile(value);
        } catch (PatternSyntaxException e) {
            throw new ConfigurationException(name, value, "not a valid regular expression: " + e.getDescription());
        }
    }

    private List<String> list(String name) {
        String value = values.get(name);
        List<String> items = new ArrayList<>();
        if (value != null) {
            for (String item : value.split("[\\s,]+")) {
                if (!item.isEmpty()) {
                    items.add(item);
                }
            }
        }
        return Collections.unmodifiableList(items);
    }

    /** Parsed values on their way into the immutable {@link Configuration}. */
    static final class Parsed {
        boolean enabled;
        MemcachedNodes nodes;
        boolean sticky;
        LockingMode lockingMode;
        int lockExpirationSeconds;
        int lockTimeoutMillis;
        Pattern requestUriIgnorePattern;
        boolean sessionBackupAsync;
        int backupThreadCount;
        int sessionBackupTimeoutMillis;
        int operationTimeoutMillis;
        StorageKeyPrefix storageKeyPrefix;
        Pattern sessionAttributeFilter;
        String transcoderFactoryClass;
        boolean copyCollectionsForSerialization;
        List<String> customConverters;
        ClassAllowList classAllowList;
        String encryptionKeyFile;
        SealingKeys sealingKeys;
        boolean enableStatistics;
        Configuration.Protocol protocol;
        String username;
        String password;
        Integer maxInactiveInterval;
    }
}
