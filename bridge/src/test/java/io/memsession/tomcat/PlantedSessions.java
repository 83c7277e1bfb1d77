package io.memsession.tomcat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.memsession.core.format.SealingKeys;
import io.memsession.core.format.SessionBlob;
import io.memsession.core.format.SessionSeal;
import io.memsession.core.format.StoredSession;
import io.memsession.serializer.ClassAllowList;
import io.memsession.serializer.TranscoderSettings;
import io.memsession.serializer.java.JavaTranscoderFactory;

/**
 * What an attacker who can write to memcached plants: stored sessions of the test application (root context of host
 * localhost, Java serializer), unsealed or sealed with keys of the attacker's choosing; and key files.
 */
final class PlantedSessions {

    /** The system property {@link Gadget} sets when it is deserialized. */
    static final String GADGET_RAN = "memsession.test.gadgetRan";

    private PlantedSessions() {
    }

    /** A stored session holding {@code attributes}, with a principal ({@code authType} null for none). */
    static byte[] blob(SessionSeal seal, String id, Map<String, Object> attributes, String authType,
                       Principal principal) {
        byte[] serialized = new JavaTranscoderFactory().createTranscoder(new TranscoderSettings(
                PlantedSessions.class.getClassLoader(), false, List.of(), ClassAllowList.allowAll()))
                .serialize(attributes);
        long now = System.currentTimeMillis();
        return new SessionBlob(SessionBlob.webapp("localhost", "", ""), seal).encode(new StoredSession(id, now, now,
                now, 1, 1800, false, authType, principal == null ? null : javaSerialized(principal), "java",
                serialized));
    }

    private static byte[] javaSerialized(Object object) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A key file of {@code keyIds} (the first seals), each key random; returned for {@link #seal}. */
    static Path keyFile(Path dir, String name, Random random, String... keyIds) throws IOException {
        StringBuilder text = new StringBuilder("# memsession keys for a test\n");
        for (String keyId : keyIds) {
            byte[] key = new byte[32];
            random.nextBytes(key);
            text.append(keyId).append(' ').append(Base64.getEncoder().encodeToString(key)).append('\n');
        }
        return Files.write(dir.resolve(name), text.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /** A file with the lines of {@code files} in this order: a rotation's key file. */
    static Path concat(Path dir, String name, Path... files) throws IOException {
        StringBuilder text = new StringBuilder();
        for (Path file : files) {
            text.append(Files.readString(file));
        }
        return Files.writeString(dir.resolve(name), text);
    }

    static SessionSeal seal(Path keyFile) {
        return SessionSeal.of(SealingKeys.read(keyFile));
    }

    /** An attribute class that does what a gadget chain does when it is read: something it should not. */
    static final class Gadget implements Serializable {
        private static final long serialVersionUID = 1L;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            System.setProperty(GADGET_RAN, "true");
        }
    }
}
