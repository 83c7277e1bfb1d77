package io.memsession.serializer;

import java.util.Map;

/** Reads the attributes memcached-session-manager 2.3 wrote with the serializer of the same kind. */
public interface MsmAttributesReader {
    /** @throws SerializationException when the bytes cannot be read */
    Map<String, Object> read(byte[] attributes);
}
