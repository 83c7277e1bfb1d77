package io.memsession.serializer.java;

import io.memsession.serializer.SessionAttributesTranscoder;
import io.memsession.serializer.TranscoderFactory;
import io.memsession.serializer.TranscoderSettings;

/** Java serialization of session attributes: the default {@code transcoderFactoryClass}. */
public final class JavaTranscoderFactory implements TranscoderFactory {

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
}
