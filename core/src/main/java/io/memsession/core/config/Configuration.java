package io.memsession.core.config;

import java.security.KeyStore;
import java.util.List;
import java.util.regex.Pattern;

import io.memsession.core.format.SealingKeys;
import io.memsession.serializer.ClassAllowList;

/**
 * The Manager's validated configuration, built once at start by {@link ConfigurationBuilder} and never changed;
 * a runtime change of an attribute builds a new one.
 */
public final class Configuration {

    /** The wire protocol spoken to memcached ({@code memcachedProtocol}). */
    public enum Protocol { TEXT, BINARY }

    final boolean enabled;
    final MemcachedNodes nodes;
    final int configEndpointPollIntervalMillis;
    final boolean sticky;
    final LockingMode lockingMode;
    final int lockExpirationSeconds;
    final int lockTimeoutMillis;
    final boolean backupCopyBeforeResponse;
    final Pattern requestUriIgnorePattern;
    final boolean sessionBackupAsync;
    final int backupThreadCount;
    final int sessionBackupTimeoutMillis;
    final int operationTimeoutMillis;
    final StorageKeyPrefix storageKeyPrefix;
    final Pattern sessionAttributeFilter;
    final String transcoderFactoryClass;
    final boolean copyCollectionsForSerialization;
    final List<String> customConverters;
    final ClassAllowList classAllowList;
    final int maxSessionSize;
    final boolean classAllowListReports;
    final Pattern tomcatAttributeNameFilter;
    final Pattern tomcatValueClassNameFilter;
    final boolean warnOnTomcatFilterFailure;
    final String encryptionKeyFile;
    final SealingKeys sealingKeys;
    final String msmImport;
    final long msmImportUntilMillis;
    final boolean enableStatistics;
    final Protocol protocol;
    final String username;
    final String password;
    final boolean tls;
    final String tlsTrustStoreFile;
    final KeyStore tlsTrustStore;
    final Integer maxInactiveInterval;

    /** Parses every attribute, in this order: a message names the first one at fault. */
    Configuration(ConfigurationBuilder b) {
        enabled = b.value(Attributes.ENABLED);
        sticky = b.value(Attributes.STICKY);
        lockingMode = b.value(Attributes.LOCKING_MODE);
        lockExpirationSeconds = b.value(Attributes.LOCK_EXPIRATION);
        lockTimeoutMillis = b.value(Attributes.LOCK_TIMEOUT);
        backupCopyBeforeResponse = b.value(Attributes.BACKUP_COPY_BEFORE_RESPONSE);
        nodes = MemcachedNodes.parse(b.text(Attributes.MEMCACHED_NODES), b.text(Attributes.FAILOVER_NODES));
        configEndpointPollIntervalMillis = b.value(Attributes.CONFIG_ENDPOINT_POLL_INTERVAL);
        requestUriIgnorePattern = b.value(Attributes.REQUEST_URI_IGNORE_PATTERN);
        sessionBackupAsync = b.value(Attributes.SESSION_BACKUP_ASYNC);
        backupThreadCount = b.value(Attributes.BACKUP_THREAD_COUNT);
        sessionBackupTimeoutMillis = b.value(Attributes.SESSION_BACKUP_TIMEOUT);
        operationTimeoutMillis = b.value(Attributes.OPERATION_TIMEOUT);
        storageKeyPrefix = b.value(Attributes.STORAGE_KEY_PREFIX);
        sessionAttributeFilter = b.value(Attributes.SESSION_ATTRIBUTE_FILTER);
        transcoderFactoryClass = b.value(Attributes.TRANSCODER_FACTORY_CLASS);
        copyCollectionsForSerialization = b.value(Attributes.COPY_COLLECTIONS_FOR_SERIALIZATION);
        customConverters = b.value(Attributes.CUSTOM_CONVERTER);
        ClassAllowList.Mode classAllowListMode = b.value(Attributes.CLASS_ALLOW_LIST_MODE);
        classAllowListReports = classAllowListMode == ClassAllowList.Mode.REPORT;
        tomcatAttributeNameFilter = Attribute.parsePattern("sessionAttributeNameFilter",
                b.tomcatAttributeNameFilter());
        tomcatValueClassNameFilter = Attribute.parsePattern("sessionAttributeValueClassNameFilter",
                b.tomcatValueClassNameFilter());
        warnOnTomcatFilterFailure = b.warnOnTomcatFilterFailure();
        try {
            classAllowList = ClassAllowList.parse(b.text(Attributes.CLASS_ALLOW_LIST), classAllowListMode)
                    .withValueClassNameFilter(tomcatValueClassNameFilter, warnOnTomcatFilterFailure);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(Attributes.CLASS_ALLOW_LIST.name(), b.text(Attributes.CLASS_ALLOW_LIST),
                    e.getMessage());
        }
        maxSessionSize = b.value(Attributes.MAX_SESSION_SIZE);
        encryptionKeyFile = b.text(Attributes.ENCRYPTION_KEY_FILE);
        sealingKeys = b.value(Attributes.ENCRYPTION_KEY_FILE);
        msmImport = b.text(Attributes.MSM_IMPORT);
        msmImportUntilMillis = b.msmImportUntil(sealingKeys != null);
        enableStatistics = b.value(Attributes.ENABLE_STATISTICS);
        protocol = b.value(Attributes.MEMCACHED_PROTOCOL);
        username = b.text(Attributes.USERNAME);
        password = b.password();
        if ((username == null) != (password == null)) {
            throw new ConfigurationException("SASL authentication needs both username and password, "
                    + "but only " + (username == null ? "password" : "username") + " is set");
        }
        if (username != null && protocol != Protocol.BINARY) {
            throw new ConfigurationException(Attributes.MEMCACHED_PROTOCOL.name(),
                    b.text(Attributes.MEMCACHED_PROTOCOL), "username and password (SASL) need memcachedProtocol=\"binary\"");
        }
        tls = b.value(Attributes.TLS);
        tlsTrustStoreFile = b.text(Attributes.TLS_TRUST_STORE_FILE);
        tlsTrustStore = b.trustStore(tls);
        maxInactiveInterval = b.value(Attributes.MAX_INACTIVE_INTERVAL);
    }

    /** {@code enabled}: false makes the Manager a plain in-memory manager. */
    public boolean enabled() {
        return enabled;
    }

    public MemcachedNodes nodes() {
        return nodes;
    }

    /** {@code configEndpointPollInterval}: how often a configuration endpoint is asked for its nodes. */
    public int configEndpointPollIntervalMillis() {
        return configEndpointPollIntervalMillis;
    }

    public boolean sticky() {
        return sticky;
    }

    /** {@code lockingMode}: which non-sticky requests lock their session. Unused in sticky mode. */
    public LockingMode lockingMode() {
        return lockingMode;
    }

    /** {@code lockExpiration}: the lease of a session lock, renewed while its request runs. */
    public int lockExpirationSeconds() {
        return lockExpirationSeconds;
    }

    /** {@code lockTimeout}: how long a request waits for a session's lock. */
    public int lockTimeoutMillis() {
        return lockTimeoutMillis;
    }

    /**
     * {@code backupCopyBeforeResponse}: whether a non-sticky request writes its session's backup copy together with
     * the session, before its response; else copies follow off the request path, merged over 50 ms per session.
     */
    public boolean backupCopyBeforeResponse() {
        return backupCopyBeforeResponse;
    }

    /** {@code requestUriIgnorePattern}, matched against the request URI (no query string); null when unset. */
    public Pattern requestUriIgnorePattern() {
        return requestUriIgnorePattern;
    }

    public boolean sessionBackupAsync() {
        return sessionBackupAsync;
    }

    public int backupThreadCount() {
        return backupThreadCount;
    }

    public int sessionBackupTimeoutMillis() {
        return sessionBackupTimeoutMillis;
    }

    public int operationTimeoutMillis() {
        return operationTimeoutMillis;
    }

    public StorageKeyPrefix storageKeyPrefix() {
        return storageKeyPrefix;
    }

    /** {@code sessionAttributeFilter}; null means every attribute is stored. */
    public Pattern sessionAttributeFilter() {
        return sessionAttributeFilter;
    }

    public String transcoderFactoryClass() {
        return transcoderFactoryClass;
    }

    public boolean copyCollectionsForSerialization() {
        return copyCollectionsForSerialization;
    }

    public List<String> customConverters() {
        return customConverters;
    }

    /**
     * {@code classAllowList} with {@code classAllowListMode}, and Tomcat's {@code
     * sessionAttributeValueClassNameFilter}: which classes may be read back. The gadget classes never may.
     */
    public ClassAllowList classAllowList() {
        return classAllowList;
    }

    /** Whether stored sessions are sealed ({@code encryptionKeyFile}). */
    public boolean sealsSessions() {
        return sealingKeys != null;
    }

    /** The keys of {@code encryptionKeyFile}; null when sessions are not sealed. */
    public SealingKeys sealingKeys() {
        return sealingKeys;
    }

    /**
     * {@code msmImport}: whether a session memcached-session-manager wrote is imported now (read, continued, and
     * written in memsession's format from then on).
     */
    public boolean importsMsmSessions(long nowMillis) {
        return nowMillis < msmImportUntilMillis;
    }

    /** {@code msmImport} as set, for messages. */
    public String msmImport() {
        return msmImport;
    }

    /** {@code classAllowListMode="report"}: classes outside the list are logged, not refused. */
    public boolean classAllowListReports() {
        return classAllowListReports;
    }

    /** Whether Tomcat's {@code warnOnSessionAttributeFilterFailure} asks for a warning when its filters refuse. */
    public boolean warnOnTomcatFilterFailure() {
        return warnOnTomcatFilterFailure;
    }

    public boolean enableStatistics() {
        return enableStatistics;
    }

    /** {@code maxSessionSize}: the largest stored session, in bytes; a larger one is never sent to memcached. */
    public int maxSessionSize() {
        return maxSessionSize;
    }

    public Protocol protocol() {
        return protocol;
    }

    /** SASL user name; null when authentication is off. */
    public String username() {
        return username;
    }

    /** SASL password ({@code password} or the first line of {@code passwordFile}); never log it. */
    public String password() {
        return password;
    }

    /** {@code tls}: whether memcached is spoken to over TLS, its certificate and host name verified. */
    public boolean tls() {
        return tls;
    }

    /** The certificates {@code tlsTrustStoreFile} holds, loaded; null means the JVM's default trust. */
    public KeyStore tlsTrustStore() {
        return tlsTrustStore;
    }

    /** {@code maxInactiveInterval} in seconds for new sessions; null means the context's session timeout. */
    public Integer maxInactiveInterval() {
        return maxInactiveInterval;
    }

    /**
     * Whether an attribute of this name is stored (and its access counts as a change), and read back: it passes
     * {@code sessionAttributeFilter} and Tomcat's {@code sessionAttributeNameFilter}.
     */
    public boolean storesAttribute(String name) {
        return (sessionAttributeFilter == null || sessionAttributeFilter.matcher(name).matches())
                && (tomcatAttributeNameFilter == null || tomcatAttributeNameFilter.matcher(name).matches());
    }

    /**
     * Whether this value of a stored attribute is stored: Tomcat's {@code sessionAttributeValueClassNameFilter}
     * must accept its class, or the stored session could not be read back.
     */
    public boolean storesValue(Object value) {
        return value == null || tomcatValueClassNameFilter == null
                || tomcatValueClassNameFilter.matcher(value.getClass().getName()).matches();
    }

    /** A description for the log, without the password. */
    @Override
    public String toString() {
        return "memcachedNodes=" + nodes
                + (nodes.configurationEndpoint() == null ? ""
                        : ", configEndpointPollInterval=" + configEndpointPollIntervalMillis + "ms")
                + ", sticky=" + sticky
                + (sticky ? ", sessionBackupAsync=" + sessionBackupAsync
                        : ", lockingMode=" + lockingMode + ", lockExpiration=" + lockExpirationSeconds
                        + "s, lockTimeout=" + lockTimeoutMillis + "ms, backupCopyBeforeResponse="
                        + backupCopyBeforeResponse)
                + ", operationTimeout=" + operationTimeoutMillis + "ms, maxSessionSize=" + maxSessionSize
                + ", storageKeyPrefix=" + storageKeyPrefix
                + ", transcoderFactoryClass=" + transcoderFactoryClass + ", protocol=" + protocol
                + (tls ? ", tls=true" + (tlsTrustStoreFile != null ? ", tlsTrustStoreFile=" + tlsTrustStoreFile : "")
                        : "")
                + (sealingKeys != null ? ", encryptionKeyFile=" + encryptionKeyFile + " (" + sealingKeys + ")" : "")
                + (username != null ? ", username=" + username + ", password=***" : "")
                + ", msmImport=" + msmImport;
    }
}
