package io.memsession.benchmarks.serializer;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import io.memsession.serializer.ClassAllowList;
import io.memsession.serializer.SessionAttributesTranscoder;
import io.memsession.serializer.TranscoderSettings;
import io.memsession.serializer.java.JavaTranscoderFactory;
import io.memsession.serializer.kryo.KryoTranscoderFactory;

/**
 * Java serialization against Kryo on a realistic session: a logged-in user with roles and preferences, a cart of
 * items with prices, recently viewed products, a CSRF token, a locale and a few flags. Measures a write plus a
 * read, as a session that moves to another Tomcat costs; the stored size is printed at setup.
 *
 * <pre>java -cp ... org.openjdk.jmh.Main SerializerBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
public class SerializerBenchmark {

    @Param({"java", "kryo"})
    public String serializer;

    private SessionAttributesTranscoder transcoder;
    private Map<String, Object> session;

    public enum Role { CUSTOMER, ADMIN, SUPPORT }

    public static final class User implements Serializable {
        String id = UUID.randomUUID().toString();
        String login = "ada.lovelace";
        String email = "ada@example.com";
        String displayName = "Ada Lovelace";
        Instant lastLogin = Instant.parse("2026-11-21T08:30:00Z");
        List<Role> roles = new ArrayList<>(List.of(Role.CUSTOMER, Role.SUPPORT));
        Map<String, String> preferences = new HashMap<>(Map.of("theme", "dark", "currency", "EUR",
                "newsletter", "weekly", "pageSize", "50"));
    }

    public static final class CartItem implements Serializable {
        final String sku;
        final String title;
        final int quantity;
        final BigDecimal unitPrice;
        final LocalDate addedOn;

        CartItem(int i) {
            sku = "SKU-" + (100_000 + i);
            title = "Product number " + i + " with a longer descriptive title";
            quantity = 1 + i % 3;
            unitPrice = new BigDecimal("19.99").add(BigDecimal.valueOf(i));
            addedOn = LocalDate.of(2026, 11, 1 + i);
        }
    }

    public static final class Cart implements Serializable {
        final List<CartItem> items = new ArrayList<>();
        String voucher = "WINTER26";
    }

    @Setup(Level.Trial)
    public void setUp() {
        TranscoderSettings settings = new TranscoderSettings(getClass().getClassLoader(), false,
                Collections.emptyList(), ClassAllowList.allowAll());
        transcoder = (serializer.equals("java") ? new JavaTranscoderFactory() : new KryoTranscoderFactory())
                .createTranscoder(settings);
        Cart cart = new Cart();
        for (int i = 0; i < 8; i++) {
            cart.items.add(new CartItem(i));
        }
        List<Long> recentlyViewed = new ArrayList<>();
        for (long i = 0; i < 20; i++) {
            recentlyViewed.add(4_000_000L + i * 37);
        }
        session = new LinkedHashMap<>();
        session.put("user", new User());
        session.put("cart", cart);
        session.put("recentlyViewed", recentlyViewed);
        session.put("csrfToken", UUID.randomUUID().toString());
        session.put("locale", Locale.GERMANY);
        session.put("visits", 17);
        session.put("beta", Boolean.TRUE);
        System.out.printf("%n%s: a session of %d bytes%n", serializer, transcoder.serialize(session).length);
    }

    @Benchmark
    public Map<String, Object> serializeAndDeserialize() {
        return transcoder.deserialize(transcoder.serialize(session));
    }

    @Benchmark
    public byte[] serialize() {
        return transcoder.serialize(session);
    }
}
