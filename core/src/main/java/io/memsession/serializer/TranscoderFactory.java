package io.memsession.serializer;

/**
 * Entry point of a serializer, named by the Manager attribute {@code transcoderFactoryClass}. Implementations need a
 * public no-argument constructor.
 */
public interface TranscoderFactory {

    /**
     * A short, stable name written into every stored session, so that the reader can tell which serializer wrote it.
     * It must never change for a given serializer, and is at most 32 ASCII characters.
     */
    String serializerId();

    /**
     * Creates the transcoder for one web application.
     *
     * @throws IllegalArgumentException when the settings ask for something this serializer cannot do; the message
     *         names the attribute, and the context fails to start
     */
    SessionAttributesTranscoder createTranscoder(TranscoderSettings settings);
}
