package io.memsession.serializer.kryo;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Writes {@link MsmSessions} with memcached-session-manager 2.3.2's own {@code KryoTranscoder}, configured with its
 * {@code JodaDateTimeRegistration} as its guides show, into {@code <name>.bin}, and with
 * {@code copyCollectionsForSerialization} into {@code <name>-copy.bin}. Runs in a JVM of its own on msm's jars
 * (Kryo 4), reached by reflection so that it compiles against none of them.
 */
public final class MsmKryoWriter {

    private MsmKryoWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path directory = Paths.get(args[0]);
        ClassLoader loader = MsmKryoWriter.class.getClassLoader();
        Class<?> transcoderClass = Class.forName("de.javakaffee.web.msm.serializer.kryo.KryoTranscoder");
        Method serialize = transcoderClass.getMethod("serializeAttributes",
                Class.forName("de.javakaffee.web.msm.MemcachedBackupSession"), ConcurrentMap.class);
        String[] converters = {"de.javakaffee.web.msm.serializer.kryo.JodaDateTimeRegistration"};
        for (boolean copyCollections : new boolean[] {false, true}) {
            Object transcoder = transcoderClass.getConstructor(ClassLoader.class, String[].class, boolean.class)
                    .newInstance(loader, converters, copyCollections);
            for (Map.Entry<String, Map<String, Object>> session : MsmSessions.all().entrySet()) {
                byte[] bytes = (byte[]) serialize.invoke(transcoder, null, new ConcurrentHashMap<>(session.getValue()));
                Files.write(directory.resolve(session.getKey() + (copyCollections ? "-copy" : "") + ".bin"), bytes);
            }
        }
    }
}
