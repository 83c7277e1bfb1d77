package io.memsession.spring.boot;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.tomcat.util.IntrospectionUtils;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import io.memsession.core.config.Attribute;
import io.memsession.core.config.ConfigurationBuilder;
import io.memsession.core.config.ConfigurationException;
import io.memsession.tomcat.MemcachedSessionManager;

/**
 * The {@code memsession.*} properties: one per attribute of the Manager ({@link ConfigurationBuilder#attributes()}),
 * named in kebab case ({@code lockTimeout} is {@code memsession.lock-timeout}). Their values go to the Manager's text
 * setters as {@code context.xml}'s attributes do, and are validated the same way, before the web server starts.
 */
public final class MemsessionProperties {

    static final String PREFIX = "memsession";
    /**
     * The starter's own property, no attribute of the Manager: Tomcat's {@code jvmRoute} (on its Engine, in
     * {@code server.xml} elsewhere), which sticky mode's load balancer routes by. Spring Boot has no property for it.
     */
    public static final String JVM_ROUTE = PREFIX + ".jvm-route";

    private MemsessionProperties() {
    }

    /** {@code memsession.lock-timeout} for {@code lockTimeout}. */
    public static String propertyName(Attribute<?> attribute) {
        StringBuilder name = new StringBuilder(PREFIX).append('.');
        for (char c : attribute.name().toCharArray()) {
            if (Character.isUpperCase(c)) {
                name.append('-').append(Character.toLowerCase(c));
            } else {
                name.append(c);
            }
        }
        return name.toString();
    }

    /**
     * The Manager the environment's {@code memsession.*} properties describe.
     *
     * @throws ConfigurationException naming the attribute, the value and what is expected, exactly as the context
     *         of a {@code context.xml} with that value would fail to start; or naming a property that is none of
     *         memsession's
     */
    static MemcachedSessionManager manager(Environment environment) {
        refuseUnknownProperties(environment);
        Binder binder = Binder.get(environment);
        Map<String, String> attributes = new LinkedHashMap<>();
        ConfigurationBuilder validation = new ConfigurationBuilder();
        for (Attribute<?> attribute : ConfigurationBuilder.attributes()) {
            binder.bind(propertyName(attribute), String.class).ifBound(value -> {
                attributes.put(attribute.name(), value);
                validation.set(attribute.name(), value);
            });
        }
        validation.build();
        MemcachedSessionManager manager = new MemcachedSessionManager();
        // as Tomcat's digester sets the attributes of <Manager>
        attributes.forEach((name, value) -> IntrospectionUtils.setProperty(manager, name, value));
        return manager;
    }

    /**
     * A misspelt property would leave its attribute at its default without a word: the start fails instead. The
     * environment variables are left out: their names ({@code MEMSESSION_LOCKTIMEOUT}) are found by binding, and
     * one of another program that begins with {@code MEMSESSION_} is no mistake of this application's.
     */
    private static void refuseUnknownProperties(Environment environment) {
        Map<ConfigurationPropertyName, String> known = new LinkedHashMap<>();
        for (Attribute<?> attribute : ConfigurationBuilder.attributes()) {
            known.put(ConfigurationPropertyName.of(propertyName(attribute)), attribute.name());
        }
        known.put(ConfigurationPropertyName.of(JVM_ROUTE), null);
        ConfigurationPropertyName prefix = ConfigurationPropertyName.of(PREFIX);
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (!(source instanceof IterableConfigurationPropertySource)
                    || source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource) {
                continue;
            }
            ((IterableConfigurationPropertySource) source).stream()
                    .filter(name -> prefix.isAncestorOf(name) && !known.containsKey(name))
                    .findFirst().ifPresent(name -> {
                        throw new ConfigurationException(unknown(name.toString()));
                    });
        }
    }

    private static String unknown(String property) {
        String camel = camelCase(property.substring(PREFIX.length() + 1));
        String closest = new ConfigurationBuilder().closestName(camel);
        return "memsession has no property " + property + (closest == null ? ""
                : " (did you mean " + propertyName(attributeNamed(closest)) + "?)")
                + "; see docs/configuration.md for the attributes";
    }

    private static String camelCase(String kebab) {
        StringBuilder camel = new StringBuilder();
        boolean upper = false;
        for (char c : kebab.toCharArray()) {
            if (c == '-' || c == '.') {
                upper = true;
            } else {
                camel.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
                upper = false;
            }
        }
        return camel.toString();
    }

    private static Attribute<?> attributeNamed(String name) {
        for (Attribute<?> attribute : ConfigurationBuilder.attributes()) {
            if (attribute.name().equals(name)) {
                return attribute;
            }
        }
        throw new IllegalArgumentException(name);
    }
}
