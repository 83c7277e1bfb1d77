package io.memsession.tomcat;

import java.lang.reflect.Method;
import java.util.function.Consumer;

/** Sets a Manager attribute by its context.xml name, as Tomcat's digester does. */
final class ManagerAttributes {

    private ManagerAttributes() {
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

    /**
     * The configuration of a scenario's Manager: {@code memcachedNodes}, then {@code attributes} given as name, value,
     * name, value, ... (which may name {@code memcachedNodes} again to replace it).
     */
    static Consumer<MemcachedSessionManager> configuration(String memcachedNodes, String... attributes) {
        if (attributes.length % 2 != 0) {
            throw new IllegalArgumentException("attributes come in name, value pairs");
        }
        return manager -> {
            manager.setMemcachedNodes(memcachedNodes);
            for (int i = 0; i < attributes.length; i += 2) {
                set(manager, attributes[i], attributes[i + 1]);
            }
        };
    }
}
