package io.memsession.tomcat;

import java.lang.reflect.Method;

/** Sets a Manager attribute by its context.xml name, as Tomcat's digester does. */
final class Tomcat9Attributes {

    private Tomcat9Attributes() {
    }

    static void set(MemcachedSessionManager manager, String name, String value) {
        String setter = "set" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
        try {
            Method method = manager.getClass().getMethod(setter, String.class);
            method.invoke(manager, value);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("no String attribute " + name, e);
        }
    }
}
