package io.memsession.core;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import io.memsession.core.config.Configuration;
import io.memsession.core.config.MemcachedNode;

/**
 * The configuration endpoint of {@code memcachedNodes="config:host:port"}, asked for its node list over a connection
 * of its own each time (a poll every minute or so does not need a connection kept open, and a new one follows the
 * endpoint's own address changes). Over TLS when {@code tls} is on, as ElastiCache's in-transit encryption wants.
 */
final class ConfigEndpoint {

    private static final byte[] CONFIG_GET = "config get cluster\r\n".getBytes(StandardCharsets.US_ASCII);
    /** Engines before memcached 1.4.14 answer ERROR to config get; they keep the list under this key. */
    private static final byte[] LEGACY_GET = "get AmazonElastiCache:cluster\r\n".getBytes(StandardCharsets.US_ASCII);

    private final MemcachedNode endpoint;
    private final int timeoutMillis;
    /** Null without TLS. */
    private final SSLContext tls;

    ConfigEndpoint(MemcachedNode endpoint, Configuration config) throws IOException {
        this.endpoint = endpoint;
        this.timeoutMillis = config.operationTimeoutMillis();
        try {
            this.tls = config.tls() ? new NodeTrust(config.tlsTrustStore()).context() : null;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS for the configuration endpoint " + endpoint.address() + ": "
                    + e, e);
        }
    }

    /**
     * Asks for the node list, each read bounded by the operation timeout.
     *
     * @throws IOException when the endpoint cannot be reached, has no cluster configuration, answers anything but
     *         one, or is not trusted (TLS)
     */
    ClusterConfigReply fetch() throws IOException {
        try {
            return ask();
        } catch (SSLException e) {
            throw new IOException("the TLS handshake failed, " + e.getMessage() + " (is its certificate for "
                    + endpoint.host() + ", and signed by an authority of the trust store?)", e);
        }
    }

    private ClusterConfigReply ask() throws IOException {
        try (Socket socket = open()) {
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            out.write(CONFIG_GET);
            out.flush();
            ClusterConfigReply reply = ClusterConfigReply.read(in);
            if (reply == null) {
                out.write(LEGACY_GET);
                out.flush();
                reply = ClusterConfigReply.read(in);
            }
            if (reply == null) {
                throw new IOException("it answers neither config get cluster nor get AmazonElastiCache:cluster with"
                        + " a node list: is it a configuration endpoint?");
            }
            return reply;
        }
    }

    private Socket open() throws IOException {
        Socket socket = tls == null ? new Socket() : tls.getSocketFactory().createSocket();
        try {
            socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            if (socket instanceof SSLSocket) {
                SSLParameters parameters = ((SSLSocket) socket).getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                ((SSLSocket) socket).setSSLParameters(parameters);
            }
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    @Override
    public String toString() {
        return "config:" + endpoint.address();
    }
}
