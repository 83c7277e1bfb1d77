package io.memsession.tomcat;

import java.lang.reflect.Method;

import org.apache.tomcat.util.modeler.AttributeInfo;
import org.apache.tomcat.util.modeler.ManagedBean;
import org.apache.tomcat.util.modeler.Registry;
import org.apache.tomcat.util.modeler.modules.MbeansDescriptorsIntrospectionSource;

/**
 * The Manager's MBean as Tomcat's own introspection describes it, with one type per attribute. memcached-session-
 * manager's typed setters and getters ({@code setSticky(boolean)} beside {@code setSticky(String)},
 * {@code isSticky()} beside {@code getSticky()}) give some attributes two candidates, and Tomcat's introspection
 * takes whichever the JVM happens to list last: JMX could show a boolean attribute through a text getter, or refuse
 * a value of the type it announced. Here the getter decides: {@code is...} before {@code get...}, so JMX shows
 * memcached-session-manager's types where it had a typed getter, and the setter is the one taking the getter's type.
 */
final class ManagerDescriptor {

    private ManagerDescriptor() {
    }

    /** Registers the description of {@code managerClass} before Tomcat registers a Manager of that class. */
    static synchronized void register(Class<?> managerClass) {
        Registry registry = Registry.getRegistry(null, null);
        if (registry.findManagedBean(managerClass.getName()) != null) {
            return;
        }
        ManagedBean bean = new MbeansDescriptorsIntrospectionSource().createManagedBean(registry, null, managerClass,
                managerClass.getName());
        for (AttributeInfo attribute : bean.getAttributes()) {
            settle(managerClass, attribute);
        }
        registry.addManagedBean(bean);
    }

    private static void settle(Class<?> managerClass, AttributeInfo attribute) {
        String name = attribute.getName();
        String capitalized = Character.toUpperCase(name.charAt(0)) + name.substring(1);
        Method is = method(managerClass, "is" + capitalized);
        Method get = method(managerClass, "get" + capitalized);
        boolean twoGetters = is != null && is.getReturnType() == boolean.class && get != null;
        if (!twoGetters && setters(managerClass, "set" + capitalized) < 2) {
            return; // one candidate each: as Tomcat introspected it
        }
        Method getter = is != null && is.getReturnType() == boolean.class ? is : get;
        Class<?> type = getter != null ? getter.getReturnType() : String.class;
        Method setter = method(managerClass, "set" + capitalized, type);
        attribute.setType(type.getName());
        attribute.setReadable(getter != null);
        if (getter != null) {
            attribute.setGetMethod(getter.getName());
        }
        attribute.setWriteable(setter != null);
        if (setter != null) {
            attribute.setSetMethod(setter.getName());
        }
    }

    private static int setters(Class<?> type, String name) {
        int count = 0;
        for (Method method : type.getMethods()) {
            if (method.getName().equals(name) && method.getParameterTypes().length == 1) {
                count++;
            }
        }
        return count;
    }

    private static Method method(Class<?> type, String name, Class<?>... parameters) {
        try {
            return type.getMethod(name, parameters);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }
}
