package io.memsession.serializer.kryo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;

import io.memsession.serializer.ClassAllowList;
import io.memsession.serializer.WebappObjectInputStream;

/**
 * Java serialization for the objects Kryo should not take apart itself, on the web application's class loader and
 * under the same allow-list as everything Kryo reads.
 */
final class JavaSerialization {

    private final ClassLoader classLoader;
    private final ClassAllowList allowList;

    JavaSerialization(ClassLoader classLoader, ClassAllowList allowList) {
        this.classLoader = classLoader;
        this.allowList = allowList;
    }

    static byte[] write(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    Object read(byte[] bytes) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new WebappObjectInputStream(bytes, classLoader, allowList)) {
            return in.readObject();
        }
    }
}
