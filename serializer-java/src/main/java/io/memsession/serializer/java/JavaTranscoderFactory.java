package io.memsession.serializer.java;

import io.memsession.serializer.MsmAttributesReader;
import io.memsession.serializer.ReadsMsmSessions;
import io.memsession.serializer.SessionAttributesTranscoder;
import io.memsession.serializer.TranscoderFactory;
import io.memsession.serializer.TranscoderSettings;

/**
 * Java serialization of session attributes: the default {@code transcoderFactoryClass}. It also reads what
 * memcached-session-manager's Java serializer (its default) wrote.
 */
public final class JavaTranscoderFactory implements TranscoderFactory, ReadsMsmSessions {

    @Override
    public String serializerId() {
        return "java";
    }

    @Override
    public SessionAttributesTranscoder createTranscoder(TranscoderSettings settings) {
        if (settings.copyCollectionsForSerialization()) {
            throw new IllegalArgumentException("Manager attribute copyCollectionsForSerialization=\"true\" is not "
                    + "supported by Java serialization; use the Kryo serializer or remove the attribute");
        }
        if (!settings.customConverters().isEmpty()) {
            throw new IllegalArgumentException("Manager attribute customConverter=\""
                    + String.join(",", settings.customConverters()) + "\" is not supported by Java serialization; "
                    + "converters belong to the Kryo serializer");
        }
        return new JavaSerializationTranscoder(settings.classLoader(), settings.classAllowList());
    }

    /** Needs none of the Kryo settings: what msm's Java serializer wrote is read whatever they say. */
    @Override
    public MsmAttributesReader createMsmReader(TranscoderSettings settings) {
        return new MsmJavaAttributesReader(settings.classLoader(), settings.classAllowList());
    }
}
