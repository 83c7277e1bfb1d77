package io.memsession.core.backup;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

import io.memsession.serializer.SessionAttributesTranscoder;
import io.memsession.serializer.TranscoderFactory;
import io.memsession.serializer.TranscoderSettings;

/** Attributes as strings, name and value pairs in map order: enough to see what is written and read back. */
public final class StringsTranscoder implements SessionAttributesTranscoder {

    public static final TranscoderFactory FACTORY = new TranscoderFactory() {
        @Override
        public String serializerId() {
            return "strings";
        }

        @Override
        public SessionAttributesTranscoder createTranscoder(TranscoderSettings settings) {
            return new StringsTranscoder();
        }
    };

    @Override
    public byte[] serialize(Map<String, Object> attributes) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            for (Map.Entry<String, Object> attribute : attributes.entrySet()) {
                out.writeUTF(attribute.getKey());
                out.writeUTF(String.valueOf(attribute.getValue()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Override
    public Map<String, Object> deserialize(byte[] data) {
        Map<String, Object> attributes = new HashMap<>();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            while (in.available() > 0) {
                attributes.put(in.readUTF(), in.readUTF());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return attributes;
    }
}
