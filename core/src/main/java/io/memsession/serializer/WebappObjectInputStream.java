package io.memsession.serializer;

import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.lang.reflect.Proxy;

/**
 * Java deserialization for serializers: classes are resolved on the web application's class loader (where the
 * attributes' classes live), and each is checked against the allow-list before it is loaded.
 */
public final class WebappObjectInputStream extends ObjectInputStream {

    private final ClassLoader classLoader;
    private final ClassAllowList allowList;

    public WebappObjectInputStream(InputStream in, ClassLoader classLoader, ClassAllowList allowList)
            throws IOException {
        super(in);
        this.classLoader = classLoader;
        this.allowList = allowList;
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
