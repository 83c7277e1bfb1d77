package io.memsession.serializer;

import java.util.Map;

/**
 * Turns a session's attributes into bytes and back. One instance serves one web application and is used by many
 * threads at once, so implementations must be thread-safe.
 */
public interface SessionAttributesTranscoder {

    /**
     * Serializes the attributes. An attribute whose value cannot be serialized is left out (and reported once in the
     * log); it never makes the whole session fail.
     */
    byte[] serialize(Map<String, Object> attributes);

    /**
     * Reads attributes written by {@link #serialize}.
     *
     * @throws SerializationException when the bytes cannot be read (corrupt data, unknown or refused class)
     */
    Map<String, Object> deserialize(byte[] data);
}
