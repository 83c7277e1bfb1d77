package io.memsession.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import io.memsession.core.config.ConfigurationBuilder;
import io.memsession.core.config.ConfigurationException;
import io.memsession.tomcat.MemcachedSessionManager;

/** The memsession.* properties reach the Manager as context.xml's attributes do, and fail as they do. */
class MemsessionPropertiesTest {

    @Test
    void eachPropertySetsItsAttribute() {
        MemcachedSessionManager manager = MemsessionProperties.manager(environment(Map.of(
                "memsession.memcached-nodes", "n1:localhost:11211", "memsession.sticky", "false",
                "memsession.lock-timeout", "500", "memsession.request-uri-ignore-pattern", ".*\\.png")));
        assertEquals("n1:localhost:11211", manager.getMemcachedNodes());
        assertEquals("false", manager.getSticky());
        assertEquals("500", manager.getLockTimeout());
        assertEquals(".*\\.png", manager.getRequestUriIgnorePattern());
    }

    @Test
    void aWrongValueFailsWithTheMessageOfContextXml() {
        ConfigurationException context = assertThrows(ConfigurationException.class, () -> new ConfigurationBuilder()
                .set("memcachedNodes", "n1:localhost:11211").set("lockTimeout", "soon").build());
        ConfigurationException boot = assertThrows(ConfigurationException.class, () -> MemsessionProperties.manager(
                environment(Map.of("memsession.memcached-nodes", "n1:localhost:11211",
                        "memsession.lock-timeout", "soon"))));
        assertEquals(context.getMessage(), boot.getMessage());
    }

    @Test
    void aMisspeltPropertyFailsNamingTheRightOne() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> MemsessionProperties.manager(
                environment(Map.of("memsession.memcached-nodes", "n1:localhost:11211",
                        "memsession.lock-timout", "500"))));
        assertEquals("memsession has no property memsession.lock-timout (did you mean memsession.lock-timeout?);"
                + " see docs/configuration.md for the attributes", e.getMessage());
    }

    private static StandardEnvironment environment(Map<String, Object> properties) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", new HashMap<>(properties)));
        return environment;
    }
}
