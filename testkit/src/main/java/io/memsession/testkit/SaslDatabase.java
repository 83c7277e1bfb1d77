package io.memsession.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A SASL password database for {@code memcached -S}, made with sasl2-bin's {@code saslpasswd2} in a temporary
 * directory, with the {@code memcached.conf} that points memcached at it (mechanism PLAIN). memcached finds it
 * through {@link #environment()}.
 */
public final class SaslDatabase implements AutoCloseable {

    private static final long SASLPASSWD_TIMEOUT_SECONDS = 30;

    private final Path directory;

    private SaslDatabase(Path directory) {
        this.directory = directory;
    }

    /** A database with one user. */
    public static SaslDatabase create(String username, String password) {
        Path directory = TemporaryDirectories.create("memsession-sasl-");
        SaslDatabase database = new SaslDatabase(directory);
        try {
            Path db = directory.resolve("memcached.sasldb");
            database.write("memcached.conf", "mech_list: plain\nsasldb_path: " + db + "\n");
            // -p: the password from standard input, without asking twice
            Commands.run(directory, List.of(saslpasswd2(), "-a", "memcached", "-c", "-p", "-f", db.toString(),
                    username), password, SASLPASSWD_TIMEOUT_SECONDS,
                    "saslpasswd2 is not installed: install the Debian package 'sasl2-bin'");
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
        return database;
    }

    /** What memcached's environment needs to use this database: {@code SASL_CONF_PATH}. */
    public Map<String, String> environment() {
        return Map.of("SASL_CONF_PATH", directory.toString());
    }

    /** Deletes the directory. */
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

    /** Debian puts it in /usr/sbin, which is not on every user's PATH. */
    private static String saslpasswd2() {
        Path sbin = Path.of("/usr/sbin/saslpasswd2");
        return Files.isExecutable(sbin) ? sbin.toString() : "saslpasswd2";
    }
}
