package io.memsession.tomcat;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.memsession.core.format.SessionBlob;
import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.WebClient;

/**
 * A seeded fuzzer over what a client and whoever can write to memcached control: session ids (cookie and URL forms)
 * and stored sessions (mutations of real ones, sealed and unsealed). Whatever they are, no request ends in a 5xx,
 * memcached ends up holding only sessions that requests were given or that were planted and read as they were, and
 * nothing is logged as SEVERE or with an {@link Error}. Two Tomcats on memcached node {@code n1}: {@code tc1}
 * sealed and non-sticky ({@code lockingMode="auto"}, so locks are taken too), {@code tc2} unsealed and sticky.
 */
class SessionFuzzTest {

    private static final long SEED = Long.getLong("memsession.fuzz.seed", 20261202L);
    private static final int ID_CASES = 1500;
    private static final int BLOB_CASES = 2500;
    private static final String ID_CHARACTERS = "0123456789ABCDEFabcdef-._~!$&'()*+,;=:@/?# %\"\\<>[]^`{|}\t";

    @RegisterExtension
    static final MemcachedCluster MEMCACHED = new MemcachedCluster("n1");

    private final MemcachedInspector inspector = MEMCACHED.inspector("n1");
    @RegisterExtension
    final RunningTomcats tomcats = new RunningTomcats();
    @AutoClose
    private final WebClient browser = new WebClient();
    @AutoClose
    private final LogRecorder log = LogRecorder.of("");
    @TempDir
    Path dir;

    private final Random random = new Random(SEED);
    /** Keys memcached may hold at the end: sessions given to requests, and planted sessions that were read. */
    private final Set<String> allowedKeys = new HashSet<>();
    private final List<String> failures = new ArrayList<>();
    /**
     * Planted sessions not read; they must have been deleted, unless they name another web application or are not in
     * memsession's format (those are left for whatever wrote them).
     */
    private final Set<String> plantedForAnotherApplication = new HashSet<>();

    @Test
    void noIdAndNoStoredBytesMakeA5xxAStrayKeyOrAnError() throws Exception {
        Path keys = PlantedSessions.keyFile(dir, "memsession.keys", random, "k1");
        EmbeddedTomcat sealed = tomcats.add(EmbeddedTomcat.start("tc1", ManagerAttributes.configuration(
                MEMCACHED.memcachedNodes(), "sticky", "false", "lockingMode", "auto",
                "encryptionKeyFile", keys.toString())));
        EmbeddedTomcat unsealed = tomcats.add(EmbeddedTomcat.start("tc2", ManagerAttributes.configuration(
                MEMCACHED.memcachedNodes())));
        List<EmbeddedTomcat> targets = List.of(sealed, unsealed);
        List<byte[]> realBlobs = new ArrayList<>();
        List<String> realIds = new ArrayList<>();
        for (EmbeddedTomcat tomcat : targets) {
            Page page = Page.of(browser.get(tomcat.port(), "/set?name=Alice&cart=3+items"));
            browser.get(tomcat.port(), "/count");
            realIds.add(page.id());
            allowedKeys.add(page.id());
            realBlobs.add(await().atMost(5, SECONDS).until(() -> inspector.get(page.id()), notNullValue()));
            browser.clearCookies();
        }

        for (int i = 0; i < ID_CASES; i++) {
            EmbeddedTomcat target = targets.get(i % 2);
            String id = mutatedId(realIds.get(random.nextInt(realIds.size())));
            boolean inUrl = random.nextBoolean();
            browser.clearCookies();
            if (!inUrl) {
                browser.setCookie("JSESSIONID", id);
            }
            String path = (random.nextBoolean() ? "/info" : "/read")
                    + (inUrl ? ";jsessionid=" + URLEncoder.encode(id, StandardCharsets.UTF_8) : "");
            request(target, path, "id case " + i + " " + (inUrl ? "url " : "cookie ") + printable(id));
        }

        for (int i = 0; i < BLOB_CASES; i++) {
            int which = i % 2;
            plantAndRead(targets.get(which), which, realIds.get(which), realBlobs.get(which), this::mutated,
                    "blob case " + i);
        }

        // every window of the stored bytes read as a huge length, wherever a reader may take one from
        for (int which = 0; which < 2; which++) {
            byte[] real = realBlobs.get(which);
            for (int at = 0; at + 4 <= real.length; at++) {
                for (int huge : new int[] {Integer.MAX_VALUE, 0x7ffffff0, 0xffff0000}) {
                    int offset = at;
                    plantAndRead(targets.get(which), which, realIds.get(which), real,
                            blob -> ByteBuffer.wrap(blob).putInt(offset, huge).array(),
                            "int " + Integer.toHexString(huge) + " at " + at);
                }
            }
        }

        assertTrue(failures.isEmpty(), failures.size() + " failures (seed " + SEED + "), first: "
                + failures.subList(0, Math.min(10, failures.size())));
        Set<String> stray = new HashSet<>(inspector.keys());
        stray.removeAll(allowedKeys);
        stray.removeIf(key -> plantedForAnotherApplication.contains(key) && isLeftAlone(inspector.get(key)));
        assertEquals(Set.of(), stray, "stray keys in memcached (seed " + SEED + ")");
        assertEquals(List.of(), log.errors(), "seed " + SEED);
    }

    /**
     * Plants a mutation of a real session under a new id: an unsealed one holds the new id, so that its content is
     * read as far as the mutation lets it (a sealed one cannot be changed that way without the key).
     *
     * @param which 0 for the sealed Tomcat, 1 for the unsealed one
     */
    private void plantAndRead(EmbeddedTomcat target, int which, String realId, byte[] real,
                              UnaryOperator<byte[]> mutation, String description) {
        String planted = plantedId(which == 0 ? "tc1" : "tc2");
        byte[] blob = real.clone();
        if (which == 1) {
            byte[] id = realId.getBytes(StandardCharsets.US_ASCII);
            for (int at = 0; at + id.length <= blob.length; at++) {
                if (Arrays.equals(blob, at, at + id.length, id, 0, id.length)) {
                    System.arraycopy(planted.getBytes(StandardCharsets.US_ASCII), 0, blob, at, id.length);
                }
            }
        }
        blob = mutation.apply(blob);
        inspector.set(planted, blob, 0);
        browser.clearCookies();
        browser.setCookie("JSESSIONID", planted);
        String id = request(target, "/read", description + (which == 0 ? " sealed" : " unsealed"));
        if (planted.equals(id)) {
            allowedKeys.add(planted); // a mutation the reader cannot tell from a session (a time, a byte)
        } else {
            plantedForAnotherApplication.add(planted); // allowed only if it names another application
        }
    }

    /**
     * Whether the blob names another web application than the test's (the root context of localhost): such a
     * session is left alone, for a web application cannot tell a planted one from another application's.
     */
    private static boolean isLeftAlone(byte[] blob) {
        return blob != null && !SessionBlob.isOwn(blob) || namesAnotherApplication(blob);
    }

    private static boolean namesAnotherApplication(byte[] blob) {
        try {
            return blob != null && StoredAttributes.session(blob) == null;
        } catch (RuntimeException sealedOrUnreadable) {
            return false;
        }
    }

    /** @return the session id the response shows, or null (also when there was no response: a failure) */
    private String request(EmbeddedTomcat target, String path, String description) {
        WebClient.Response response;
        try {
            response = browser.request(target.port(), "GET", path, null, null);
        } catch (UncheckedIOException e) {
            failures.add(description + ": no response (" + e.getMessage() + ")");
            return null;
        }
        if (response.status() >= 500) {
            failures.add(description + ": " + response);
            return null;
        }
        String id = null;
        for (String line : response.body().split("\n")) {
            if (line.startsWith("id=")) {
                id = line.substring(3).trim();
            }
        }
        if (id != null) {
            allowedKeys.add(id);
        }
        return id;
    }

    private String mutatedId(String real) {
        switch (random.nextInt(8)) {
            case 0:
                return randomText(random.nextInt(80));
            case 1:
                return real + randomText(1 + random.nextInt(5));
            case 2:
                return real.substring(0, random.nextInt(real.length()));
            case 3:
                return real.replace("-n1", "-" + randomText(1 + random.nextInt(4)));
            case 4:
                return real.replace(".tc", "." + randomText(random.nextInt(4)));
            case 5:
                return "A".repeat(random.nextInt(3) == 0 ? 10_000 : 1 + random.nextInt(300));
            case 6:
                return real.substring(0, 10) + "\u00e9\u4e2d\ud83d\ude00" + real.substring(10);
            default:
                char[] chars = real.toCharArray();
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    chars[random.nextInt(chars.length)] = ID_CHARACTERS.charAt(random.nextInt(ID_CHARACTERS.length()));
                }
                return new String(chars);
        }
    }

    private String randomText(int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(ID_CHARACTERS.charAt(random.nextInt(ID_CHARACTERS.length())));
        }
        return text.toString();
    }

    private byte[] mutated(byte[] blob) {
        switch (random.nextInt(6)) {
            case 0: // flip bytes
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    blob[random.nextInt(blob.length)] ^= (byte) (1 + random.nextInt(255));
                }
                return blob;
            case 1: // truncate
                return Arrays.copyOf(blob, random.nextInt(blob.length));
            case 2: // a length-like window set to an extreme
                int size = new int[] {1, 2, 4}[random.nextInt(3)];
                int at = random.nextInt(blob.length - size + 1);
                byte fill = new byte[] {(byte) 0xff, (byte) 0x7f, (byte) 0x80, 0}[random.nextInt(4)];
                for (int b = 0; b < size; b++) {
                    blob[at + b] = b == 0 ? fill : (byte) (fill == 0x7f ? 0xff : fill);
                }
                return blob;
            case 3: // insert random bytes
                int where = random.nextInt(blob.length + 1);
                byte[] inserted = new byte[1 + random.nextInt(16)];
                random.nextBytes(inserted);
                byte[] longer = new byte[blob.length + inserted.length];
                System.arraycopy(blob, 0, longer, 0, where);
                System.arraycopy(inserted, 0, longer, where, inserted.length);
                System.arraycopy(blob, where, longer, where + inserted.length, blob.length - where);
                return longer;
            case 4: // garbage of a blob's size
                random.nextBytes(blob);
                return blob;
            default: // the header kept, the rest garbage
                for (int b = 24 + random.nextInt(Math.max(1, blob.length - 24)); b < blob.length; b++) {
                    blob[b] = (byte) random.nextInt(256);
                }
                return blob;
        }
    }

    private String plantedId(String route) {
        StringBuilder id = new StringBuilder(40);
        for (int i = 0; i < 32; i++) {
            id.append(Character.toUpperCase(Character.forDigit(random.nextInt(16), 16)));
        }
        return id + "-n1." + route;
    }

    private static String printable(String text) {
        StringBuilder shown = new StringBuilder();
        for (char c : text.substring(0, Math.min(120, text.length())).toCharArray()) {
            shown.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return shown.toString();
    }
}
