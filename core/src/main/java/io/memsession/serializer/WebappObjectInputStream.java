package io.memsession.serializer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.lang.reflect.Proxy;

/**
 * Java deserialization for serializers: classes are resolved on the web application's class loader (where the
 * attributes' classes live), each is checked against the allow-list (and the gadget classes, always refused) before
 * it is loaded, and the stream reads within {@link ReadLimits}.
 */
public final class WebappObjectInputStream extends ObjectInputStream {

    private final ClassLoader classLoader;
    private final ClassAllowList allowList;

    public WebappObjectInputStream(byte[] data, ClassLoader classLoader, ClassAllowList allowList)
            throws IOException {
        super(new ByteArrayInputStream(data));
        this.classLoader = classLoader;
        this.allowList = allowList;
        ReadLimits.applyTo(this, data.length);
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
        String name = desc.getName();
        check(name);
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
            check(interfaces[i]);
            types[i] = Class.forName(interfaces[i], false, classLoader);
        }
        @SuppressWarnings("deprecation")
        Class<?> proxy = Proxy.getProxyClass(classLoader, types);
        return proxy;
    }

    private void check(String className) throws InvalidClassException {
        String refusal = allowList.refusal(className);
        if (refusal != null) {
            throw new InvalidClassException(className, refusal);
        }
    }
}
