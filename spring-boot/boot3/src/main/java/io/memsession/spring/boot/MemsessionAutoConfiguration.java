package io.memsession.spring.boot;

import org.apache.catalina.Engine;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.embedded.tomcat.TomcatContextCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import io.memsession.micrometer.MemsessionMetrics;
import io.memsession.tomcat.MemcachedSessionManager;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Spring Boot 3: the embedded Tomcat keeps its sessions in memcached once {@code memsession.memcached-nodes} is set;
 * without it nothing changes. Metrics and health follow when Micrometer and the actuator are there. Boot 4's
 * starter compiles this source with the packages Boot 4 moved these types to (its pom derives it).
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(name = "org.apache.catalina.startup.Tomcat")
@ConditionalOnProperty(prefix = MemsessionProperties.PREFIX, name = "memcached-nodes")
public class MemsessionAutoConfiguration {

    /** Tomcat starts and stops it with the context; Spring only hands it over. */
    @Bean(destroyMethod = "")
    MemcachedSessionManager memsessionManager(Environment environment) {
        return MemsessionProperties.manager(environment);
    }

    @Bean
    TomcatContextCustomizer memsessionContextCustomizer(MemcachedSessionManager memsessionManager,
            Environment environment) {
        String jvmRoute = environment.getProperty(MemsessionProperties.JVM_ROUTE);
        return context -> {
            context.setManager(memsessionManager);
            if (jvmRoute != null && context.getParent() != null
                    && context.getParent().getParent() instanceof Engine engine) {
                engine.setJvmRoute(jvmRoute);
            }
        };
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    static class Metrics {
        @Bean
        MeterBinder memsessionMetrics(MemcachedSessionManager memsessionManager, Environment environment) {
            String path = environment.getProperty("server.servlet.context-path", "");
            return new MemsessionMetrics(memsessionManager, Tags.of("context", path.isEmpty() ? "/" : path));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class HealthCheck {
        @Bean
        HealthIndicator memsessionHealthIndicator(MemcachedSessionManager memsessionManager) {
            return () -> {
                NodesHealth nodes = new NodesHealth(memsessionManager.nodes());
                return Health.status(nodes.status()).withDetails(nodes.details()).build();
            };
        }
    }
}
