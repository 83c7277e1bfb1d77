package io.memsession.serializer.kryo;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.lang.reflect.Proxy;

import io.memsession.serializer.ClassAllowList;

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
        try (ObjectInputStream in = new WebappObjectInputStream(bytes)) {
            return in.readObject();
        }
    }

    private final class WebappObjectInputStream extends ObjectInputStream {

        WebappObjectInputStream(byte[] bytes) throws IOException {
            super(new ByteArrayInputStream(bytes));
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            String name = desc.getName();
            if (!allowList.allows(name)) {
                throw new InvalidClassException(name, "refused by classAllowList");
            }
            try {
                return Class.forName(name, false, classLoader);
            } catch (ClassNotFoundException e) {
                return super.resolveClass(desc); // primitives
            }
        }

        @Override
        protected Class<?> resolveProxyClass(String[] interfaces) throws IOException, ClassNotFoundException {
            Class<?>[] types = new Class<?>[interfaces.length];
            for (int i = 0; i < interfaces.length; i++) {
                if (!allowList.allows(interfaces[i])) {
                    throw new InvalidClassException(interfaces[i], "refused by classAllowList");
                }
                types[i] = Class.forName(interfaces[i], false, classLoader);
            }
            @SuppressWarnings("deprecation")
            Class<?> proxy = Proxy.getProxyClass(classLoader, types);
            return proxy;
        }
    }
}
