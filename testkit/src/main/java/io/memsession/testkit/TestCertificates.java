package io.memsession.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A certificate authority of its own, made with {@code openssl} in a temporary directory, and a memcached server
 * certificate it signed for the given names; with a PKCS12 trust store holding the authority, as a client takes it,
 * and the certificate with its key as a server the test kit runs itself takes them.
 * Nothing here is trusted by anything but the tests that use it.
 */
public final class TestCertificates implements AutoCloseable {

    /** The password of {@link #trustStore()}. */
    public static final String TRUST_STORE_PASSWORD = "trust-store-secret";
    private static final long OPENSSL_TIMEOUT_SECONDS = 60;

    private final Path directory;

    private TestCertificates(Path directory) {
        this.directory = directory;
    }

    /**
     * A new authority and a server certificate signed by it for {@code subjectAltNames}, as openssl writes them:
     * "IP:127.0.0.1", "DNS:localhost".
     */
    public static TestCertificates create(String... subjectAltNames) {
        Path directory = TemporaryDirectories.create("memsession-tls-");
        TestCertificates certificates = new TestCertificates(directory);
        try {
            certificates.make(String.join(",", subjectAltNames));
        } catch (RuntimeException e) {
            certificates.close();
            throw e;
        }
        return certificates;
    }

    private void make(String subjectAltNames) {
        // configurations of our own, so the machine's openssl.cnf changes nothing
        write("ca.cnf", "[req]\ndistinguished_name=dn\nx509_extensions=ca\nprompt=no\n[dn]\nCN=memsession test CA\n"
                + "[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
                + "subjectKeyIdentifier=hash\n");
        write("request.cnf", "[req]\ndistinguished_name=dn\nprompt=no\n[dn]\nCN=memcached test server\n");
        write("server.cnf", "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                + "extendedKeyUsage=serverAuth\nsubjectAltName=" + subjectAltNames + "\n");
        openssl("req", "-x509", "-config", "ca.cnf", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
                "-out", "ca.pem", "-days", "2");
        openssl("req", "-new", "-config", "request.cnf", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key",
                "-out", "server.csr");
        openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "server.pem", "-days", "2", "-extfile", "server.cnf");
        try (InputStream in = Files.newInputStream(directory.resolve("ca.pem"));
             OutputStream out = Files.newOutputStream(trustStore())) {
            Certificate authority = CertificateFactory.getInstance("X.509").generateCertificate(in);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("memsession-test-ca", authority);
            store.store(out, TRUST_STORE_PASSWORD.toCharArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot write the trust store", e);
        }
    }

    /** The PKCS12 trust store holding this authority, opened by {@link #TRUST_STORE_PASSWORD}. */
    public Path trustStore() {
        return directory.resolve("trust.p12");
    }

    /** A TLS context that presents the server certificate, for a server of the test kit's own. */
    public SSLContext serverContext() {
        openssl("pkcs12", "-export", "-in", "server.pem", "-inkey", "server.key", "-out", "server.p12",
                "-passout", "pass:" + TRUST_STORE_PASSWORD);
        try (InputStream in = Files.newInputStream(directory.resolve("server.p12"))) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, TRUST_STORE_PASSWORD.toCharArray());
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, TRUST_STORE_PASSWORD.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the server's key store", e);
        }
    }

    /** memcached's arguments to speak TLS only, with this server certificate: {@code -Z -o ssl_chain_cert=...}. */
    public String[] memcachedArguments() {
        return new String[] {"-Z", "-o", "ssl_chain_cert=" + directory.resolve("server.pem") + ",ssl_key="
                + directory.resolve("server.key")};
    }

    /** Deletes the directory, keys included. */
    @Override
    public void close() {
        TemporaryDirectories.delete(directory);
    }

    private void write(String name, String content) {
        try {
            Files.write(directory.resolve(name), content.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void openssl(String... arguments) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Commands.run(directory, command, null, OPENSSL_TIMEOUT_SECONDS,
                "openssl is not installed: install the Debian package 'openssl'");
    }
}
