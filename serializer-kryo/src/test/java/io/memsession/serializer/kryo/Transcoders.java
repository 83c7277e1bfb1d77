package io.memsession.serializer.kryo;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.memsession.serializer.ClassAllowList;
import io.memsession.serializer.SessionAttributesTranscoder;
import io.memsession.serializer.TranscoderSettings;

/** Transcoders as the engine creates them, and round trips through them. */
final class Transcoders {

    private Transcoders() {
    }

    static SessionAttributesTranscoder kryo(String... converters) {
        return kryo(Transcoders.class.getClassLoader(), false, ClassAllowList.allowAll(), converters);
    }

    static SessionAttributesTranscoder kryo(ClassLoader loader, boolean copyCollections, ClassAllowList allowList,
                                            String... converters) {
        List<String> names = Arrays.asList(converters);
        return new KryoTranscoderFactory().createTranscoder(
                new TranscoderSettings(loader, copyCollections, names, allowList));
    }

    /** The value after a write and a read of a session holding it as its only attribute. */
    @SuppressWarnings("unchecked")
    static <T> T roundTrip(SessionAttributesTranscoder transcoder, T value) {
        return (T) roundTrip(transcoder, Map.of("value", value)).get("value");
    }

    static Map<String, Object> roundTrip(SessionAttributesTranscoder transcoder, Map<String, Object> attributes) {
        return transcoder.deserialize(transcoder.serialize(new HashMap<>(attributes)));
    }
}
