package io.memsession.core.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import io.memsession.core.format.SealingKeys;
import io.memsession.serializer.ClassAllowList;

/**
 * Every attribute of the Manager, declared once, in the order of the reference (docs/configuration.md). An
 * attribute whose value depends on others (the node lists, the credentials, the trust store, {@code msmImport},
 * {@code classAllowList}) is declared as text here and combined in {@link Configuration}.
 */
final class Attributes {

    private static final String KRYO_TRANSCODER_FACTORY = "io.memsession.serializer.kryo.KryoTranscoderFactory";

    /** memcached-session-manager's serializer class names, accepted so its configurations move over unchanged. */
    private static final Map<String, String> MSM_TRANSCODER_FACTORIES = new HashMap<>();

    static {
        MSM_TRANSCODER_FACTORIES.put("de.javakaffee.web.msm.JavaSerializationTranscoderFactory",
                ConfigurationBuilder.JAVA_TRANSCODER_FACTORY);
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
        String serializers = "use " + KRYO_TRANSCODER_FACTORY + " or the default, "
                + ConfigurationBuilder.JAVA_TRANSCODER_FACTORY
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
    private static final int DEFAULT_MAX_SESSION_SIZE = 1_000_000;
    /** Smaller than this, even an empty session (its id, times and header, about 100 bytes) might not fit. */
    private static final int MIN_MAX_SESSION_SIZE = 1024;

    static final Attribute<String> MEMCACHED_NODES = Attribute.text("memcachedNodes", null)
            .documentedAs("(required)");
    static final Attribute<String> FAILOVER_NODES = Attribute.text("failoverNodes", null);
    static final Attribute<Integer> CONFIG_ENDPOINT_POLL_INTERVAL = Attribute.number("configEndpointPollInterval",
            "60000", 100, 3_600_000);
    static final Attribute<Boolean> ENABLED = Attribute.bool("enabled", "true");
    static final Attribute<Boolean> STICKY = Attribute.bool("sticky", "true");
    static final Attribute<LockingMode> LOCKING_MODE = Attribute.of("lockingMode", "none", (name, text) -> {
        try {
            return LockingMode.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(name, text, e.getMessage());
        }
    });
    /** memcached expires items on whole seconds: a lease of 1 s could end at once. */
    static final Attribute<Integer> LOCK_EXPIRATION = Attribute.number("lockExpiration", "5", 2, 3600);
    static final Attribute<Integer> LOCK_TIMEOUT = Attribute.number("lockTimeout", "2000", 0, 3_600_000);
    static final Attribute<Boolean> BACKUP_COPY_BEFORE_RESPONSE = Attribute.bool("backupCopyBeforeResponse", "true");
    static final Attribute<Pattern> REQUEST_URI_IGNORE_PATTERN = Attribute.pattern("requestUriIgnorePattern");
    static final Attribute<Boolean> SESSION_BACKUP_ASYNC = Attribute.bool("sessionBackupAsync", "true");
    static final Attribute<Integer> BACKUP_THREAD_COUNT = Attribute.of("backupThreadCount", null,
            (name, text) -> text == null ? Runtime.getRuntime().availableProcessors()
                    : Attribute.parseInteger(name, text, 1, 1024))
            .documentedAs("number of processors");
    static final Attribute<Integer> SESSION_BACKUP_TIMEOUT = Attribute.number("sessionBackupTimeout", "100", 1,
            3_600_000);
    static final Attribute<Integer> OPERATION_TIMEOUT = Attribute.number("operationTimeout", "1000", 1, 3_600_000);
    static final Attribute<StorageKeyPrefix> STORAGE_KEY_PREFIX = Attribute.of("storageKeyPrefix",
            StorageKeyPrefix.DEFAULT, (name, text) -> StorageKeyPrefix.parse(text));
    static final Attribute<Pattern> SESSION_ATTRIBUTE_FILTER = Attribute.pattern("sessionAttributeFilter")
            .documentedAs("(none: all)");
    static final Attribute<String> TRANSCODER_FACTORY_CLASS = Attribute.of("transcoderFactoryClass",
            ConfigurationBuilder.JAVA_TRANSCODER_FACTORY, (name, text) -> {
                refuseMsmWithoutCounterpart(name, text);
                return MSM_TRANSCODER_FACTORIES.containsKey(text) ? MSM_TRANSCODER_FACTORIES.get(text) : text;
            });
    static final Attribute<Boolean> COPY_COLLECTIONS_FOR_SERIALIZATION = Attribute.bool(
            "copyCollectionsForSerialization", "false");
    static final Attribute<List<String>> CUSTOM_CONVERTER = Attribute.of("customConverter", null, (name, text) -> {
        List<String> converters = Attribute.parseList(text);
        for (String converter : converters) {
            refuseMsmWithoutCounterpart(name, converter);
        }
        return converters;
    });
    static final Attribute<String> CLASS_ALLOW_LIST = Attribute.text("classAllowList", null)
            .documentedAs("(none: all but the gadget classes)");
    static final Attribute<ClassAllowList.Mode> CLASS_ALLOW_LIST_MODE = Attribute.of("classAllowListMode", "enforce",
            (name, text) -> {
                String mode = text.toLowerCase(Locale.ROOT);
                if (!mode.equals("enforce") && !mode.equals("report")) {
                    throw new ConfigurationException(name, text, "expected enforce or report");
                }
                return mode.equals("report") ? ClassAllowList.Mode.REPORT : ClassAllowList.Mode.ENFORCE;
            });
    static final Attribute<Integer> MAX_SESSION_SIZE = Attribute.number("maxSessionSize",
            String.valueOf(DEFAULT_MAX_SESSION_SIZE), MIN_MAX_SESSION_SIZE, Integer.MAX_VALUE);
    /** The keys, read at start; the message names the file and the line, never a key. */
    static final Attribute<SealingKeys> ENCRYPTION_KEY_FILE = Attribute.of("encryptionKeyFile", null,
            (name, file) -> {
                if (file == null) {
                    return null;
                }
                try {
                    return SealingKeys.read(Paths.get(file));
                } catch (InvalidPathException e) {
                    throw new ConfigurationException(name, file, "not a file path: " + e.getReason());
                } catch (IllegalArgumentException e) {
                    throw new ConfigurationException(name, file, e.getMessage());
                }
            }).documentedAs("(none: not sealed)");
    static final Attribute<String> MSM_IMPORT = Attribute.text("msmImport", "auto");
    static final Attribute<Boolean> ENABLE_STATISTICS = Attribute.bool("enableStatistics", "true");
    static final Attribute<Configuration.Protocol> MEMCACHED_PROTOCOL = Attribute.of("memcachedProtocol", "text",
            (name, text) -> {
                String protocol = text.toLowerCase(Locale.ROOT);
                if (!protocol.equals("text") && !protocol.equals("binary")) {
                    throw new ConfigurationException(name, text, "expected text or binary");
                }
                return protocol.equals("text") ? Configuration.Protocol.TEXT : Configuration.Protocol.BINARY;
            });
    static final Attribute<String> USERNAME = Attribute.text("username", null);
    static final Attribute<String> PASSWORD = Attribute.text("password", null).secret();
    static final Attribute<String> PASSWORD_FILE = Attribute.text("passwordFile", null);
    static final Attribute<Boolean> TLS = Attribute.bool("tls", "false");
    static final Attribute<String> TLS_TRUST_STORE_FILE = Attribute.text("tlsTrustStoreFile", null)
            .documentedAs("(none: the JVM's default trust)");
    static final Attribute<String> TLS_TRUST_STORE_PASSWORD = Attribute.text("tlsTrustStorePassword", null).secret();
    static final Attribute<Integer> MAX_INACTIVE_INTERVAL = Attribute.number("maxInactiveInterval", null,
            Integer.MIN_VALUE, Integer.MAX_VALUE).documentedAs("the context's session timeout");

    static final List<Attribute<?>> ALL = Collections.unmodifiableList(Arrays.<Attribute<?>>asList(
            MEMCACHED_NODES, FAILOVER_NODES, CONFIG_ENDPOINT_POLL_INTERVAL, ENABLED, STICKY, LOCKING_MODE, LOCK_EXPIRATION, LOCK_TIMEOUT,
            BACKUP_COPY_BEFORE_RESPONSE, REQUEST_URI_IGNORE_PATTERN, SESSION_BACKUP_ASYNC, BACKUP_THREAD_COUNT, SESSION_BACKUP_TIMEOUT,
            OPERATION_TIMEOUT, STORAGE_KEY_PREFIX, SESSION_ATTRIBUTE_FILTER, TRANSCODER_FACTORY_CLASS,
            COPY_COLLECTIONS_FOR_SERIALIZATION, CUSTOM_CONVERTER, CLASS_ALLOW_LIST, CLASS_ALLOW_LIST_MODE,
            MAX_SESSION_SIZE, ENCRYPTION_KEY_FILE, MSM_IMPORT, ENABLE_STATISTICS, MEMCACHED_PROTOCOL, USERNAME,
            PASSWORD, PASSWORD_FILE, TLS, TLS_TRUST_STORE_FILE, TLS_TRUST_STORE_PASSWORD, MAX_INACTIVE_INTERVAL));

    private Attributes() {
    }

    private static void refuseMsmWithoutCounterpart(String attribute, String className) {
        String instead = MSM_NAMES_WITHOUT_COUNTERPART.get(className);
        if (instead != null) {
            throw new ConfigurationException(attribute, className, "a class of memcached-session-manager that "
                    + "memsession has no counterpart for; " + instead);
        }
    }
}
