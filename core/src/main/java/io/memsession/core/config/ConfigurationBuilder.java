package io.memsession.core.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
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
    private static final String KRYO_TRANSCODER_FACTORY = "io.memsession.serializer.kryo.KryoTranscoderFactory";

    /** memcached-session-manager's serializer class names, accepted so its configurations move over unchanged. */
    private static final Map<String, String> MSM_TRANSCODER_FACTORIES = new HashMap<>();

    static {
        MSM_TRANSCODER_FACTORIES.put("de.javakaffee.web.msm.JavaSerializationTranscoderFactory",
                JAVA_TRANSCODER_FACTORY);
        MSM_TRANSCODER_FACTORIES.put("de.javakaffee.web.msm.serializer.kryo.KryoTranscoderFactory",
                KRYO_TRANSCODER_FACTORY);
    }

    /**
     * memcached-session-manager's serializers and Kryo converters that memsession has no counterpart for, with what
     * to configure instead. Named in {@code context.xml}, they stop the context: a configuration that asked for them
     * must not run with something else without its operator knowing.
     */
    private static final Map<String, String> MSM_NAMES_WITHOUT_COUNTERPART = new HashMap<>();

    static {
        String msm = "de.javakaffee.web.msm.serializer.";
        String serializers = "use " + KRYO_TRANSCODER_FACTORY + " or the default, " + JAVA_TRANSCODER_FACTORY
                + " (memsession's serializers check the classes they read, see docs/security.md)";
        MSM_NAMES_WITHOUT_COUNTERPART.put(msm + "xstream.XStreamTranscoderFactory",
                "memsession has no XStream serializer: " + serializers);
        MSM_NAMES_WITHOUT_COUNTERPART.put(msm + "json.JSONTranscoderFactory",
                "memsession has no flexjson serializer: " + serializers);
        MSM_NAMES_WITHOUT_COUNTERPART.put(msm + "javolution.JavolutionTranscoderFactory",
                "memsession has no Javolution serializer: " + serializers);
        String writtenWithout = "memsession's Kryo serializer has no such converter and needs none for these classes"
                + " (a class with its own Java serialization is Java-serialized inside Kryo's data, any other is"
                + " written field by field): remove it from customConverter, or name a class of yours implementing"
                + " io.memsession.serializer.kryo.KryoCustomization";
        for (String converter : new String[] {"CGLibProxySerializerFactory", "HibernateCollectionsSerializerFactory",
                "WicketSerializerFactory", "WicketMiniMapRegistration", "ComponentSerializerFactory",
                "WicketChildListSerializerFactory", "FacesLRUMapRegistration", "GrailsFlashScopeRegistration",
                "SpringSecurityUserRegistration"}) {
            MSM_NAMES_WITHOUT_COUNTERPART.put(msm + "kryo." + converter, writtenWithout);
        }
        MSM_NAMES_WITHOUT_COUNTERPART.put(msm + "kryo.CompatibleFieldSerializerFactory",
                "use customConverter=\"io.memsession.serializer.kryo.CompatibleFieldSerializerRegistration\"");
        MSM_NAMES_WITHOUT_COUNTERPART.put(msm + "kryo.DefaultFieldSerializerFactory",
                "remove it from customConverter: field by field is how memsession's Kryo serializer writes a class");
    }

    /**
     * The largest stored session, in bytes: memcached's default item size is 1 MiB (1,048,576 bytes), and an item
     * holds its key (up to 250 bytes) and a header (about 50) besides the value; this leaves room for both.
     */
    public static final int DEFAULT_MAX_SESSION_SIZE = 1_000_000;
    /** Smaller than this, even an empty session (its id, times and header, about 100 bytes) might not fit. */
    private static final int MIN_MAX_SESSION_SIZE = 1024;

    /** Every attribute this builder knows, with its default; the Manager exposes exactly these. */
    private final Map<String, String> values = new LinkedHashMap<>();
    /** Tomcat's own filters of the Manager ({@code ManagerBase}), as Tomcat holds them; null when not set. */
    private String tomcatAttributeNameFilter;
    private String tomcatValueClassNameFilter;
    private boolean warnOnTomcatFilterFailure;

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
        values.put("maxSessionSize", String.valueOf(DEFAULT_MAX_SESSION_SIZE));
        values.put("classAllowListMode", "enforce");
        values.put("encryptionKeyFile", null);
        values.put("msmImport", "auto");
        values.put("enableStatistics", "true");
        values.put("memcachedProtocol", "text");
        values.put("username", null);
        values.put("password", null);
        values.put("passwordFile", null);
        values.put("tls", "false");
        values.put("tlsTrustStoreFile", null);
        values.put("tlsTrustStorePassword", null);
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

    /**
     * An attribute as {@code true} or {@code false}, for the Manager's typed getters (memcached-session-manager's).
     *
     * @throws ConfigurationException for a text that is neither, as at start
     */
    public boolean booleanValue(String name) {
        get(name);
        return bool(name);
    }

    /**
     * An attribute as a whole number, for the Manager's typed getters; {@code backupThreadCount} unset is the number
     * of processors, as at start.
     *
     * @throws ConfigurationException for a text that is no whole number, as at start
     */
    public int intValue(String name) {
        if (get(name) == null && name.equals("backupThreadCount")) {
            return Runtime.getRuntime().availableProcessors();
        }
        return integer(name, Integer.MIN_VALUE, Integer.MAX_VALUE);
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
        refuseMsmWithoutCounterpart("transcoderFactoryClass", factory);
        p.transcoderFactoryClass = MSM_TRANSCODER_FACTORIES.containsKey(factory)
                ? MSM_TRANSCODER_FACTORIES.get(factory) : factory;
        p.copyCollectionsForSerialization = bool("copyCollectionsForSerialization");
        p.customConverters = list("customConverter");
        for (String converter : p.customConverters) {
            refuseMsmWithoutCounterpart("customConverter", converter);
        }
        String mode = values.get("classAllowListMode").toLowerCase(Locale.ROOT);
        if (!mode.equals("enforce") && !mode.equals("report")) {
            throw new ConfigurationException("classAllowListMode", values.get("classAllowListMode"),
                    "expected enforce or report");
        }
        p.classAllowListReports = mode.equals("report");
        p.tomcatAttributeNameFilter = tomcatPattern("sessionAttributeNameFilter", tomcatAttributeNameFilter);
        p.tomcatValueClassNameFilter = tomcatPattern("sessionAttributeValueClassNameFilter",
                tomcatValueClassNameFilter);
        p.warnOnTomcatFilterFailure = warnOnTomcatFilterFailure;
        try {
            p.classAllowList = ClassAllowList.parse(values.get("classAllowList"),
                    p.classAllowListReports ? ClassAllowList.Mode.REPORT : ClassAllowList.Mode.ENFORCE)
                    .withValueClassNameFilter(p.tomcatValueClassNameFilter, warnOnTomcatFilterFailure);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("classAllowList", values.get("classAllowList"), e.getMessage());
        }
        p.maxSessionSize = integer("maxSessionSize", MIN_MAX_SESSION_SIZE, Integer.MAX_VALUE);
        p.encryptionKeyFile = values.get("encryptionKeyFile");
        p.sealingKeys = p.encryptionKeyFile == null ? null : sealingKeys(p.encryptionKeyFile);
        p.msmImport = values.get("msmImport");
        p.msmImportUntilMillis = msmImportUntil(p.sealingKeys != null);
        p.enableStatistics = bool("enableStatistics");
        String protocol = values.get("memcachedProtocol").toLowerCase(Locale.ROOT);
        if (!protocol.equals("text") && !protocol.equals("binary")) {
            throw new ConfigurationException("memcachedProtocol", values.get("memcachedProtocol"),
                    "expected text or binary");
        }
        p.protocol = protocol.equals("text") ? Configuration.Protocol.TEXT : Configuration.Protocol.BINARY;
        p.username = values.get("username");
        p.password = password();
        if ((p.username == null) != (p.password == null)) {
            throw new ConfigurationException("SASL authentication needs both username and password, "
                    + "but only " + (p.username == null ? "password" : "username") + " is set");
        }
        if (p.username != null && p.protocol != Configuration.Protocol.BINARY) {
            throw new ConfigurationException("memcachedProtocol", values.get("memcachedProtocol"),
                    "username and password (SASL) need memcachedProtocol=\"binary\"");
        }
        p.tls = bool("tls");
        p.tlsTrustStoreFile = values.get("tlsTrustStoreFile");
        p.tlsTrustStore = trustStore(p.tls);
        p.maxInactiveInterval = values.get("maxInactiveInterval") == null ? null
                : integer("maxInactiveInterval", Integer.MIN_VALUE, Integer.MAX_VALUE);
        return new Configuration(p);
    }

    private static void refuseMsmWithoutCounterpart(String attribute, String className) {
        String instead = MSM_NAMES_WITHOUT_COUNTERPART.get(className);
        if (instead != null) {
            throw new ConfigurationException(attribute, className, "a class of memcached-session-manager that "
                    + "memsession has no counterpart for; " + instead);
        }
    }

    /**
     * {@code msmImport}: until when sessions memcached-session-manager wrote are read. {@code auto} imports them
     * while sessions are not sealed: sealed, an unsealed session is what someone without the key plants.
     */
    private long msmImportUntil(boolean seals) {
        String value = values.get("msmImport");
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
    private String password() {
        String file = values.get("passwordFile");
        if (file == null) {
            return values.get("password");
        }
        if (values.get("password") != null) {
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
    private KeyStore trustStore(boolean tls) {
        String file = values.get("tlsTrustStoreFile");
        String password = values.get("tlsTrustStorePassword");
        if (!tls && (file != null || password != null)) {
            throw new ConfigurationException("tls", values.get("tls"), "tlsTrustStoreFile and tlsTrustStorePassword "
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

    private static Pattern tomcatPattern(String name, String value) {
        if (value == null || value.isEmpty()) {
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
        int maxSessionSize;
        boolean classAllowListReports;
        Pattern tomcatAttributeNameFilter;
        Pattern tomcatValueClassNameFilter;
        boolean warnOnTomcatFilterFailure;
        String encryptionKeyFile;
        SealingKeys sealingKeys;
        String msmImport;
        long msmImportUntilMillis;
        boolean enableStatistics;
        Configuration.Protocol protocol;
        String username;
        String password;
        boolean tls;
        String tlsTrustStoreFile;
        KeyStore tlsTrustStore;
        Integer maxInactiveInterval;
    }
}
