package io.memsession.serializer;

/** A {@link TranscoderFactory} that can also read what memcached-session-manager's serializer of its kind wrote. */
public interface ReadsMsmSessions {
    MsmAttributesReader createMsmReader(TranscoderSettings settings);
}
