package io.memsession.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.memsession.core.config.Configuration;
import io.memsession.core.config.ConfigurationBuilder;
import io.memsession.core.config.MemcachedNode;
import io.memsession.testkit.ConfigEndpointServer;
import io.memsession.testkit.MemcachedProcess;

/** The question to a configuration endpoint over a real connection: the test kit's endpoint, real memcached. */
class ConfigEndpointTest {

    private static ConfigEndpoint endpointAt(String memcachedNodes) throws IOException {
        Configuration config = new ConfigurationBuilder().set("memcachedNodes", memcachedNodes).build();
        return new ConfigEndpoint(config.nodes().configurationEndpoint(), config);
    }

    private static String ports(ClusterConfigReply reply) {
        return reply.nodes().stream().map(node -> String.valueOf(node.port())).collect(Collectors.joining(","));
    }

    @Test
    void asksConfigGetClusterAndFallsBackToTheKeyOfEnginesBefore1414() throws IOException {
        try (MemcachedProcess a = MemcachedProcess.start();
             MemcachedProcess b = MemcachedProcess.start();
             ConfigEndpointServer server = ConfigEndpointServer.start(a, b)) {
            ConfigEndpoint endpoint = endpointAt(server.memcachedNodes());
            assertEquals(a.port() + "," + b.port(), ports(endpoint.fetch()));
            assertEquals(MemcachedNode.discovered("localhost", "127.0.0.1", a.port()).id(),
                    endpoint.fetch().nodes().get(0).id());

            server.answerAsLegacyEngine();
            server.list(b);
            ClusterConfigReply legacy = endpoint.fetch();
            assertEquals(String.valueOf(b.port()), ports(legacy), "asked again as get AmazonElastiCache:cluster");
            assertEquals(2, legacy.version());

            server.down();
            assertThrows(IOException.class, endpoint::fetch);
        }
    }

    @Test
    void aMemcachedThatIsNoEndpointIsToldApart() throws IOException {
        try (MemcachedProcess plain = MemcachedProcess.start()) {
            ConfigEndpoint endpoint = endpointAt("config:" + plain.address());
            String message = assertThrows(IOException.class, endpoint::fetch).getMessage();
            assertTrue(message.contains("is it a configuration endpoint?"), message);
        }
    }
}
