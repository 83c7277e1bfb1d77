package io.memsession.serializer.kryo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.memsession.serializer.MsmAttributesReader;
import io.memsession.serializer.ReadsMsmSessions;
import io.memsession.serializer.SessionAttributesTranscoder;
import io.memsession.serializer.TranscoderFactory;
import io.memsession.serializer.TranscoderSettings;

/**
 * Kryo serialization of session attributes: {@code transcoderFactoryClass="io.memsession.serializer.kryo.KryoTranscoderFactory"}.
 * Honours {@code copyCollectionsForSerialization}, {@code customConverter} (classes implementing
 * {@link KryoCustomization}) and {@code classAllowList}. Reads the sessions memcached-session-manager 2.3's Kryo
 * serializer wrote too ({@link MsmKryoReader}).
 */
public final class KryoTranscoderFactory implements TranscoderFactory, ReadsMsmSessions {

    /** memcached-session-manager's converters that have a counterpart here, so its configurations carry over. */
    private static final Map<String, String> MSM_CONVERTERS;

    static {
        Map<String, String> converters = new HashMap<>();
        converters.put("de.javakaffee.web.msm.serializer.kryo.JodaDateTimeRegistration",
                JodaDateTimeRegistration.class.getName());
        MSM_CONVERTERS = Collections.unmodifiableMap(converters);
    }

    @Override
    public String serializerId() {
        return "kryo";
    }

    @Override
    public SessionAttributesTranscoder createTranscoder(TranscoderSettings settings) {
        List<KryoCustomization> customizations = new ArrayList<>();
        for (String name : settings.customConverters()) {
            customizations.add(loadCustomization(name, settings.classLoader()));
        }
        try {
            return new KryoSerializationTranscoder(settings.classLoader(), settings.classAllowList(),
                    settings.copyCollectionsForSerialization(), customizations);
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalArgumentException("Manager attribute customConverter=\""
                    + String.join(",", settings.customConverters()) + "\": a converter cannot configure Kryo (" + e
                    + "). A converter in Tomcat's lib/ sees only the classes in lib/: for JodaDateTimeRegistration,"
                    + " joda-time's jar must be there too", e);
        }
    }

    /**
     * msm registered its Joda serializers only with its {@code JodaDateTimeRegistration}; the registration ids in
     * its sessions depend on it, so the reader registers them when either name (msm's or ours) is configured.
     */
    @Override
    public MsmAttributesReader createMsmReader(TranscoderSettings settings) {
        boolean joda = false;
        for (String name : settings.customConverters()) {
            joda |= JodaDateTimeRegistration.class.getName().equals(MSM_CONVERTERS.getOrDefault(name, name));
        }
        try {
            return new MsmKryoReader(settings.classLoader(), settings.classAllowList(),
                    settings.copyCollectionsForSerialization(), joda);
        } catch (LinkageError e) {
            throw new IllegalArgumentException("Manager attribute customConverter=\""
                    + String.join(",", settings.customConverters()) + "\": sessions msm wrote with Joda-Time cannot be"
                    + " read without joda-time's jar in Tomcat's lib/ (" + e + ")", e);
        }
    }

    private static KryoCustomization loadCustomization(String configuredName, ClassLoader webappClassLoader) {
        String name = MSM_CONVERTERS.containsKey(configuredName) ? MSM_CONVERTERS.get(configuredName) : configuredName;
        Class<?> type = null;
        for (ClassLoader loader : new ClassLoader[] {webappClassLoader, KryoTranscoderFactory.class.getClassLoader()}) {
            try {
                type = Class.forName(name, true, loader);
                break;
            } catch (ClassNotFoundException | NoClassDefFoundError e) {
                // try the next loader
            }
        }
        if (type == null) {
            throw new IllegalArgumentException("Manager attribute customConverter: class " + name
                    + " not found in the web application nor in Tomcat's lib/");
        }
        if (!KryoCustomization.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException("Manager attribute customConverter: class " + name
                    + " does not implement " + KryoCustomization.class.getName());
        }
        try {
            return (KryoCustomization) type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalArgumentException("Manager attribute customConverter: class " + name
                    + " cannot be instantiated with a public no-argument constructor: " + e, e);
        }
    }
}
